#include "reference/conv2d.h"

#include "reference/conv_window.h"

namespace qgate::reference {

void conv2d_float(const kernels::Conv2DParams& p, const float* input, const float* filter, const float* bias,
                  float* output) {
  const int cin_g = p.in_c / p.groups;
  const int cout_g = p.out_c / p.groups;
  for_each_output(p.batch, p.out_h, p.out_w, p.out_c, [&](int b, int oh, int ow, int oc, int64_t o) {
    const int g = oc / cout_g;
    double sum = 0.0;
    for (int kh = 0; kh < p.kernel_h; ++kh)
      for (int kw = 0; kw < p.kernel_w; ++kw)
        for (int ic = 0; ic < cin_g; ++ic) {
          const int64_t pixel = tap_pixel(p, b, oh, ow, kh, kw);
          if (pixel < 0) continue;
          const double x = input[pixel * p.in_c + g * cin_g + ic];
          const double w = filter[((int64_t{oc} * p.kernel_h + kh) * p.kernel_w + kw) * cin_g + ic];
          sum += x * w;
        }
    if (bias) sum += bias[oc];
    output[o] = kernels::apply_activation(p.activation, static_cast<float>(sum));
  });
}

}  // namespace qgate::reference
