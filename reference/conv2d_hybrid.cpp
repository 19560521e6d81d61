#include "reference/conv2d_hybrid.h"

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
  for (int b = 0; b < p.batch; ++b)
    for (int oh = 0; oh < p.out_h; ++oh)
      for (int ow = 0; ow < p.out_w; ++ow)
        for (int oc = 0; oc < p.out_c; ++oc) {
          const int g = oc / cout_g;
          int64_t acc = 0;
          for (int kh = 0; kh < p.kernel_h; ++kh)
            for (int kw = 0; kw < p.kernel_w; ++kw) {
              const int ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
              const int iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
              if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;
              for (int ic = 0; ic < cin_g; ++ic) {
                const int64_t q = t.q[static_cast<size_t>(((int64_t{b} * p.in_h + ih) * p.in_w + iw) * p.in_c +
                                                          g * cin_g + ic)];
                const int64_t w = filter[((int64_t{oc} * p.kernel_h + kh) * p.kernel_w + kw) * cin_g + ic];
                acc += w * (q - t.zero_points[b]);
              }
            }
          const int64_t o = ((int64_t{b} * p.out_h + oh) * p.out_w + ow) * p.out_c + oc;
          const int32_t acc32 = checked_int32(acc, "conv2d_hybrid");
          t.acc[static_cast<size_t>(o)] = acc32;
          const float v = reference::hybrid_epilogue(h.epilogue, acc32, t.input_scales[b],
                                          weight_scales[scale_count > 1 ? oc : 0], bias ? bias[oc] : 0.0f);
          output[o] = kernels::apply_activation(p.activation, v);
        }
}

}  // namespace qgate::reference
