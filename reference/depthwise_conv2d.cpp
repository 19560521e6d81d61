#include "reference/depthwise_conv2d.h"

#include "reference/conv_window.h"

namespace qgate::reference {

void depthwise_conv2d_float(const kernels::DepthwiseConv2DParams& p, const float* input, const float* filter,
                            const float* bias, float* output) {
  const int out_c = p.out_c();
  for_each_output(p.batch, p.out_h, p.out_w, out_c, [&](int b, int oh, int ow, int oc, int64_t o) {
    const int ic = oc / p.depth_multiplier;  // output channel ic * depth_multiplier + m reads input channel ic
    double sum = 0.0;
    for (int kh = 0; kh < p.kernel_h; ++kh)
      for (int kw = 0; kw < p.kernel_w; ++kw) {
        const int64_t pixel = tap_pixel(p, b, oh, ow, kh, kw);
        if (pixel < 0) continue;
        sum += double{input[pixel * p.in_c + ic]} * double{filter[(int64_t{kh} * p.kernel_w + kw) * out_c + oc]};
      }
    if (bias) sum += bias[oc];
    output[o] = kernels::apply_activation(p.activation, static_cast<float>(sum));
  });
}

}  // namespace qgate::reference
