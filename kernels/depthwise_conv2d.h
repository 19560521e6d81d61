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

// Calls tap(t, pixel) for each tap of output (b, oh, ow)'s window that lies inside the image, in (kh, kw) order, or
// with columns_first in (kw, kh) order (XNNPACK's): t = kh * kernel_w + kw indexes the filter's taps, pixel =
// (b * in_h + ih) * in_w + iw the input's NHWC pixels (multiply each by its channel count). Padded taps are
// skipped: they contribute nothing.
template <typename Tap>
inline void for_each_in_image_tap(const DepthwiseConv2DParams& p, int32_t b, int32_t oh, int32_t ow, Tap&& tap,
                                  bool columns_first = false) {
  const int32_t outer = columns_first ? p.kernel_w : p.kernel_h, inner = columns_first ? p.kernel_h : p.kernel_w;
  for (int32_t i = 0; i < outer; ++i)
    for (int32_t j = 0; j < inner; ++j) {
      const int32_t kh = columns_first ? j : i, kw = columns_first ? i : j;
      const int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
      const int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
      if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;
      tap(int64_t{kh} * p.kernel_w + kw, (int64_t{b} * p.in_h + ih) * p.in_w + iw);
    }
}

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
