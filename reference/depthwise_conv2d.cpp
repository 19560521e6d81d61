#include "reference/depthwise_conv2d.h"

namespace qgate::reference {

void depthwise_conv2d_float(const kernels::DepthwiseConv2DParams& p, const float* input, const float* filter,
                            const float* bias, float* output) {
  const int out_c = p.out_c();
  for (int b = 0; b < p.batch; ++b)
    for (int oh = 0; oh < p.out_h; ++oh)
      for (int ow = 0; ow < p.out_w; ++ow)
        for (int ic = 0; ic < p.in_c; ++ic)
          for (int m = 0; m < p.depth_multiplier; ++m) {
            const int oc = ic * p.depth_multiplier + m;
            double sum = 0.0;
            for (int kh = 0; kh < p.kernel_h; ++kh)
              for (int kw = 0; kw < p.kernel_w; ++kw) {
                const int ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
                const int iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
                if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;
                sum += double{input[((int64_t{b} * p.in_h + ih) * p.in_w + iw) * p.in_c + ic]} *
                       double{filter[(int64_t{kh} * p.kernel_w + kw) * out_c + oc]};
              }
            if (bias) sum += bias[oc];
            output[((int64_t{b} * p.out_h + oh) * p.out_w + ow) * out_c + oc] =
                kernels::apply_activation(p.activation, static_cast<float>(sum));
          }
}

}  // namespace qgate::reference
