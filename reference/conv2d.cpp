#include "reference/conv2d.h"

namespace qgate::reference {

void conv2d_float(const kernels::Conv2DParams& p, const float* input, const float* filter, const float* bias,
                  float* output) {
  const int cin_g = p.in_c / p.groups;
  const int cout_g = p.out_c / p.groups;
  for (int b = 0; b < p.batch; ++b)
    for (int oh = 0; oh < p.out_h; ++oh)
      for (int ow = 0; ow < p.out_w; ++ow)
        for (int oc = 0; oc < p.out_c; ++oc) {
          const int g = oc / cout_g;
          double sum = 0.0;
          for (int kh = 0; kh < p.kernel_h; ++kh)
            for (int kw = 0; kw < p.kernel_w; ++kw)
              for (int ic = 0; ic < cin_g; ++ic) {
                const int ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
                const int iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
                if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;
                const double x = input[((int64_t{b} * p.in_h + ih) * p.in_w + iw) * p.in_c + g * cin_g + ic];
                const double w = filter[((int64_t{oc} * p.kernel_h + kh) * p.kernel_w + kw) * cin_g + ic];
                sum += x * w;
              }
          if (bias) sum += bias[oc];
          output[((int64_t{b} * p.out_h + oh) * p.out_w + ow) * p.out_c + oc] =
              kernels::apply_activation(p.activation, static_cast<float>(sum));
        }
}

}  // namespace qgate::reference
