// Hybrid (dynamic-range) 2-D convolution: float NHWC input, int8 OHWI filter with per-tensor or per-channel
// scales, float bias and output (TFLite CONV_2D with int8 weights; docs/arithmetic.md#conv_2d).
//
// Method: each batch image (H*W*C floats) is one row of HybridParams::input_quantization (kernels/hybrid_params.h):
// quantized once to int8 with one scale (and zero point) -- or, for onnxruntime's dynamic quantization
// (ort_u8_tensor), the whole batch with one scale and zero point as DynamicQuantizeLinear does; int8 im2col blocks
// of output pixels (padded with the image's zero point, 0 for symmetric images) go through the packed int8 GEMM of
// kernels/hybrid_gemm.h; the int32 accumulators become floats through HybridParams::epilogue. A 1x1 stride-1
// ungrouped convolution multiplies the quantized image in place.
//
// Padding with the zero point is the same as skipping the padded taps: the GEMM subtracts zp * rowsum[n] over
// every tap, so a padded tap contributes w * (zp - zp) = 0. acc[pixel][n] = sum over in-image taps of
// w * (q - zp), exact in int32 for K = kernel_h * kernel_w * in_c / groups <= kHybridMaxDepth.
//
// HybridParams::product must be exact (onnxruntime's ConvInteger does not saturate).
//
// Thread safety: pure over its arguments except `scratch`, which one call owns while it runs.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv2d.h"
#include "kernels/cpu_features.h"
#include "kernels/hybrid_gemm.h"
#include "kernels/hybrid_params.h"

namespace qgate::kernels {

// The filter packed for conv2d_hybrid, one packed matrix per group ([out_c / groups][kernel_h*kernel_w*in_c /
// groups]), and the weight scale of every output channel (a per-tensor scale repeated). Owns its memory.
struct PackedConv2DInt8Weights {
  std::vector<PackedInt8Weights> groups;
  std::vector<float> scales;  // out_c entries
};

// filter: [out_c, kernel_h, kernel_w, in_c / groups] int8 in [-127, 127]; scales: 1 or out_c entries.
// Allocates: call once in prepare.
PackedConv2DInt8Weights pack_conv2d_int8_weights(const Conv2DParams& p, const int8_t* filter, const float* scales,
                                                 int32_t scale_count);

// Run-time buffers of conv2d_hybrid, sized once by reserve() for `slots` parallel parts. After a run, q,
// input_scales and zero_points hold the quantized images (batch x H*W*C), their scales and zero points.
struct Conv2DHybridScratch {
  std::vector<int8_t> q;
  std::vector<float> input_scales;
  std::vector<int32_t> zero_points;
  std::vector<int8_t> col;           // slots x block_rows x K
  std::vector<int32_t> row_zero_points;  // slots x block_rows
  std::vector<int32_t> acc;          // slots x block_rows x out_c / groups
  int slots = 0;
  void reserve(const Conv2DParams& p, int slots);
};

// output = act(epilogue(conv(quantized input, filter))) as [batch, out_h, out_w, out_c]; bias: out_c floats or
// null. acc_out, when not null, receives every int32 accumulator ([batch * out_h * out_w][out_c]; 0 where
// zero_input_gives_bias skipped the multiply) for tests. Never allocates once scratch is reserved for p; results do
// not depend on the thread count or the path.
void conv2d_hybrid(const Conv2DParams& p, const HybridParams& h, const PackedConv2DInt8Weights& w,
                   const float* input, const float* bias, float* output, Conv2DHybridScratch& scratch,
                   int32_t* acc_out = nullptr, SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
