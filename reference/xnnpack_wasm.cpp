// Built without FMA contraction: a * b + c rounds twice, as WebAssembly SIMD does.
#include "reference/xnnpack_wasm.h"

namespace qgate::reference {

void conv2d_xnnpack_wasm(const kernels::Conv2DParams& p, const float* input, const float* filter, const float* bias,
                         float* output) {
  const int32_t cin_g = p.in_c / p.groups, cout_g = p.out_c / p.groups;
  const bool c4 = p.accumulation == kernels::FloatAccumulation::xnnpack_wasm_c4;
  for (int32_t b = 0; b < p.batch; ++b)
    for (int32_t oy = 0; oy < p.out_h; ++oy)
      for (int32_t ox = 0; ox < p.out_w; ++ox)
        for (int32_t oc = 0; oc < p.out_c; ++oc) {
          const int32_t g = oc / cout_g;
          float lane[4] = {bias ? bias[oc] : 0.0f, 0.0f, 0.0f, 0.0f};
          for (int32_t ky = 0; ky < p.kernel_h; ++ky)
            for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
              const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
              const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
              for (int32_t c = 0; c < cin_g; ++c) {
                const float x = input[((int64_t{b} * p.in_h + iy) * p.in_w + ix) * p.in_c + g * cin_g + c];
                const float w = filter[((int64_t{oc} * p.kernel_h + ky) * p.kernel_w + kx) * cin_g + c];
                const float product = x * w;
                lane[c4 ? c % 4 : 0] = lane[c4 ? c % 4 : 0] + product;
              }
            }
          const float sum = c4 ? (lane[0] + lane[2]) + (lane[1] + lane[3]) : lane[0];
          output[((int64_t{b} * p.out_h + oy) * p.out_w + ox) * p.out_c + oc] = kernels::apply_activation(p.activation, sum);
        }
}

void depthwise_conv2d_xnnpack_wasm(const kernels::DepthwiseConv2DParams& p, const float* input, const float* filter,
                                   const float* bias, float* output) {
  const int32_t out_c = p.out_c();
  for (int32_t b = 0; b < p.batch; ++b)
    for (int32_t oy = 0; oy < p.out_h; ++oy)
      for (int32_t ox = 0; ox < p.out_w; ++ox)
        for (int32_t oc = 0; oc < out_c; ++oc) {
          const int32_t ic = oc / p.depth_multiplier;
          float acc = bias ? bias[oc] : 0.0f;
          for (int32_t kx = 0; kx < p.kernel_w; ++kx)
            for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
              const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
              const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
              const float product = input[((int64_t{b} * p.in_h + iy) * p.in_w + ix) * p.in_c + ic] *
                                    filter[(int64_t{ky} * p.kernel_w + kx) * out_c + oc];
              acc = acc + product;
            }
          output[((int64_t{b} * p.out_h + oy) * p.out_w + ox) * out_c + oc] = kernels::apply_activation(p.activation, acc);
        }
}

}  // namespace qgate::reference
