// Float depthwise convolution, NHWC input, filter [1, kernel_h, kernel_w, in_c * depth_multiplier] (TFLite
// DEPTHWISE_CONV_2D): output channel oc = ic * depth_multiplier + m reads input channel ic.
//
// Direct method, vectorised over channels; the filter is used as stored (its channel-last layout is already
// what the vector loop wants). Taps whose window position falls outside the image are skipped.
#pragma once

#include <cstdint>

#include "kernels/activation.h"
#include "kernels/gemm.h"

namespace qgate::kernels {

struct DepthwiseConv2DParams {
  int32_t batch = 1, in_h = 1, in_w = 1, in_c = 1;  // input [batch, in_h, in_w, in_c]
  int32_t out_h = 1, out_w = 1;                    // output [batch, out_h, out_w, in_c * depth_multiplier]
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t depth_multiplier = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  Activation activation = Activation::none;
  // Float path only. xnnpack_wasm: XNNPACK's wasm dwconv order, acc = bias, then the taps column by column (kw
  // outer, kh inner), each product rounded; see kernels/gemm.h.
  FloatAccumulation accumulation = FloatAccumulation::fma_bias_last;
  int32_t out_c() const { return in_c * depth_multiplier; }
};

// output = act(depthwise(input, filter) + bias); bias may be nullptr. Threads over output rows; results do not
// depend on the thread count. Each output is acc = 0, then the in-image taps in (kh, kw) order, then bias
// (fma_bias_last), or as p.accumulation says.
void depthwise_conv2d_float(const DepthwiseConv2DParams& p, const float* input, const float* filter,
                            const float* bias, float* output, SimdPath path = SimdPath::automatic);

namespace detail {
// One output row (batch b, row oh) on the AVX2 path; depth_multiplier must be 1.
void depthwise_conv2d_row_avx2(const DepthwiseConv2DParams& p, const float* input, const float* filter,
                               const float* bias, float* output, int32_t b, int32_t oh);
}  // namespace detail

}  // namespace qgate::kernels
