#include "reference/transpose_conv2d.h"

#include <vector>

namespace qgate::reference {

void transpose_conv2d_float(const kernels::TransposeConv2DParams& p, const float* input, const float* filter,
                            const float* bias, float* output) {
  const int64_t out_size = int64_t{p.batch} * p.out_h * p.out_w * p.out_c;
  std::vector<double> acc(static_cast<size_t>(out_size), 0.0);
  for (int b = 0; b < p.batch; ++b)
    for (int ih = 0; ih < p.in_h; ++ih)
      for (int iw = 0; iw < p.in_w; ++iw)
        for (int kh = 0; kh < p.kernel_h; ++kh)
          for (int kw = 0; kw < p.kernel_w; ++kw) {
            const int oh = ih * p.stride_h - p.pad_top + kh;
            const int ow = iw * p.stride_w - p.pad_left + kw;
            if (oh < 0 || oh >= p.out_h || ow < 0 || ow >= p.out_w) continue;
            for (int oc = 0; oc < p.out_c; ++oc) {
              double sum = 0.0;
              for (int ic = 0; ic < p.in_c; ++ic)
                sum += double{input[((int64_t{b} * p.in_h + ih) * p.in_w + iw) * p.in_c + ic]} *
                       double{filter[((int64_t{oc} * p.kernel_h + kh) * p.kernel_w + kw) * p.in_c + ic]};
              acc[((int64_t{b} * p.out_h + oh) * p.out_w + ow) * p.out_c + oc] += sum;
            }
          }
  for (int64_t i = 0; i < out_size; ++i) {
    double v = acc[i];
    if (bias) v += bias[i % p.out_c];
    output[i] = kernels::apply_activation(p.activation, static_cast<float>(v));
  }
}

}  // namespace qgate::reference
