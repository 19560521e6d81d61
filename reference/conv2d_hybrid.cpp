#include "reference/conv2d_hybrid.h"

#include "reference/conv_window.h"

namespace qgate::reference {

void conv2d_hybrid(const kernels::Conv2DParams& p, const kernels::HybridParams& h, const int8_t* filter,
                   const float* weight_scales, int32_t scale_count, const float* input, const float* bias,
                   float* output, HybridTaps* taps) {
  HybridTaps local;
  HybridTaps& t = taps ? *taps : local;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  const int64_t out_count = int64_t{p.batch} * p.out_h * p.out_w * p.out_c;
  t.acc.assign(static_cast<size_t>(out_count), 0);
  if (reference::hybrid_output_is_bias(h, input, p.batch * image)) {
    for (int64_t o = 0; o < out_count; ++o)
      output[o] = kernels::apply_activation(p.activation, bias ? bias[o % p.out_c] : 0.0f);
    return;
  }
  reference::quantize_hybrid_input_into(h.input_quantization, input, p.batch, image, t);
  const int cin_g = p.in_c / p.groups;
  const int cout_g = p.out_c / p.groups;
  for_each_output(p.batch, p.out_h, p.out_w, p.out_c, [&](int b, int oh, int ow, int oc, int64_t o) {
    const int g = oc / cout_g;
    int64_t acc = 0;
    for (int kh = 0; kh < p.kernel_h; ++kh)
      for (int kw = 0; kw < p.kernel_w; ++kw) {
        const int64_t pixel = tap_pixel(p, b, oh, ow, kh, kw);
        if (pixel < 0) continue;  // padded taps skipped
        for (int ic = 0; ic < cin_g; ++ic) {
          const int64_t q = t.q[static_cast<size_t>(pixel * p.in_c + g * cin_g + ic)];
          const int64_t w = filter[((int64_t{oc} * p.kernel_h + kh) * p.kernel_w + kw) * cin_g + ic];
          acc += w * (q - t.zero_points[b]);
        }
      }
    output[o] = hybrid_conv_output(h, p.activation, acc, "conv2d_hybrid", t, o, t.input_scales[b],
                                   weight_scales[scale_count > 1 ? oc : 0], bias ? bias[oc] : 0.0f);
  });
}

}  // namespace qgate::reference
