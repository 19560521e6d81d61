// Hybrid (dynamic-range) depthwise convolution: float NHWC input, int8 filter [1, kernel_h, kernel_w, out_c] with
// one scale per output channel, float bias and output (TFLite's hybrid kernel, docs/arithmetic.md#depthwise_conv_2d).
//
// Each batch image (H*W*C floats) is quantized once, asymmetric (TFLite's hybrid depthwise has no symmetric
// mode); or, for onnxruntime's ConvInteger (input_quantization ort_u8_tensor), the whole batch at once with one
// uint8 scale and zero point as DynamicQuantizeLinear (skipping a padded tap equals padding with the zero point). Taps outside the image are skipped: acc[c] = sum over in-image taps of w[tap][c] * (q - zp), exact in
// int32 (at most kernel_h * kernel_w * 127 * 255 in magnitude). The epilogue is one of kernels/conv2d_hybrid.h's;
// TFLite's builtin kernel on x86 (DepthwiseConvHybridGeneral) computes f32(f32(f32(acc) * s_in) * s_w[c]) + bias,
// the xnnpack_qd8 order.
//
// Thread safety: pure over its arguments except `scratch`, which one call owns while it runs.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv2d_hybrid.h"
#include "kernels/depthwise_conv2d.h"

namespace qgate::kernels {

// Run-time buffers, sized once in prepare by reserve(). After a run they hold the quantized images, their
// scales and zero points.
struct DepthwiseConv2DHybridScratch {
  std::vector<int8_t> q;
  std::vector<float> input_scales;
  std::vector<int32_t> zero_points;
  void reserve(const DepthwiseConv2DParams& p);
};

// filter: [kernel_h][kernel_w][out_c] int8; weight_scales: out_c floats; bias: out_c floats or null. acc_out, when
// not null, receives every int32 accumulator ([batch * out_h * out_w][out_c]) for tests. Threads over output
// rows; results do not depend on the thread count or the path. Never allocates once scratch is reserved.
void depthwise_conv2d_hybrid(const DepthwiseConv2DParams& p, HybridConvEpilogue epilogue, const int8_t* filter,
                             const float* weight_scales, const float* bias, const float* input, float* output,
                             DepthwiseConv2DHybridScratch& scratch, SimdPath path = SimdPath::automatic,
                             int32_t* acc_out = nullptr,
                             HybridInputQuantization input_quantization = HybridInputQuantization::asymmetric_rows);

namespace detail {
// One output row (batch b, row oh) from the quantized image q (zero point zp, scale s_in); depth_multiplier 1.
// Needs AVX2.
void depthwise_conv2d_hybrid_row_avx2(const DepthwiseConv2DParams& p, HybridConvEpilogue epilogue,
                                      const int8_t* filter, const float* weight_scales, const float* bias,
                                      const int8_t* q, int32_t zp, float s_in, float* output, int32_t b, int32_t oh,
                                      int32_t* acc_out);
}  // namespace detail

}  // namespace qgate::kernels
