// Hybrid (dynamic-range) 2-D convolution: float NHWC input, int8 OHWI filter with per-tensor or per-channel
// scales, float bias and output (TFLite CONV_2D with int8 weights; docs/arithmetic.md#conv_2d).
//
// Method: each batch image (H*W*C floats) is quantized once to int8 with one scale (and zero point) -- or, for
// onnxruntime's dynamic quantization (ort_u8_tensor), the whole batch with one uint8 scale and zero point as
// DynamicQuantizeLinear does, held as int8 q - 128 with zero point zp - 128 (the same products); int8
// im2col blocks of output pixels (padded with the image's zero point, 0 for symmetric images) go through the
// packed int8 GEMM of kernels/hybrid_gemm.h; the exact int32 accumulators become floats in one of three
// epilogues. A 1x1 stride-1 ungrouped convolution multiplies the quantized image in place.
//
// Padding with the zero point is the same as skipping the padded taps: the GEMM subtracts zp * rowsum[n] over
// every tap, so a padded tap contributes w * (zp - zp) = 0. acc[pixel][n] = sum over in-image taps of
// w * (q - zp), exact in int32 for K = kernel_h * kernel_w * in_c / groups <= kHybridMaxDepth.
//
// Thread safety: pure over its arguments except `scratch`, which one call owns while it runs.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv2d.h"
#include "kernels/hybrid_gemm.h"

namespace qgate::kernels {

// Largest K for which every int32 accumulator of hybrid_gemm_s8s8s32 is exact (K * 127 * 255 < 2^31).
inline constexpr int64_t kHybridMaxDepth = 66314;

// How the int32 accumulator of output channel n of image b becomes a float. acc already has the zero point
// removed; s_in is the image's scale, s_w[n] the channel's weight scale; bias absent adds +0.
enum class HybridConvEpilogue : uint8_t {
  // f32(acc) * f32(s_in * s_w[n]) + bias. TFLite's builtin CPU kernels: EvalHybrid (per-tensor weights) and the
  // optimized HybridConvPerChannel, whose Eigen expression multiplies the two scales first.
  scale_product,
  // f32(f32(acc) * s_w[n]) * s_in + bias, left to right. TFLite's reference HybridConvPerChannel, which TFLite
  // runs for grouped hybrid convolutions (its optimized path has no groups).
  left_to_right,
  // f32(f32(acc) * s_in) * s_w[n] + bias. XNNPACK's qd8 convolution (docs/arithmetic.md#epilogues).
  xnnpack_qd8,
};

struct Conv2DHybridParams {
  // symmetric_rows: each image symmetric, zero point 0; asymmetric_rows: each image asymmetric; ort_u8_tensor:
  // the whole batch as onnxruntime's DynamicQuantizeLinear (padding with its zero point, as ConvInteger pads).
  HybridInputQuantization input_quantization = HybridInputQuantization::asymmetric_rows;
  HybridConvEpilogue epilogue = HybridConvEpilogue::scale_product;
};

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
// null. acc_out, when not null, receives every int32 accumulator ([batch * out_h * out_w][out_c]) for tests.
// Never allocates once scratch is reserved for p; results do not depend on the thread count or the path.
void conv2d_hybrid(const Conv2DParams& p, const Conv2DHybridParams& h, const PackedConv2DInt8Weights& w,
                   const float* input, const float* bias, float* output, Conv2DHybridScratch& scratch,
                   SimdPath path = SimdPath::automatic, int32_t* acc_out = nullptr);

// The epilogue of one output value (shared with the depthwise kernel and the reference twins, so that every
// implementation rounds the same way).
inline float hybrid_conv_output(HybridConvEpilogue e, int32_t acc, float s_in, float s_w, float bias) {
  const float a = static_cast<float>(acc);
  switch (e) {
    case HybridConvEpilogue::scale_product: {
      const float scale = s_in * s_w;
      const float prod = a * scale;
      return prod + bias;
    }
    case HybridConvEpilogue::left_to_right: {
      const float t = a * s_w;
      const float prod = t * s_in;
      return prod + bias;
    }
    case HybridConvEpilogue::xnnpack_qd8: {
      const float t = a * s_in;
      const float prod = t * s_w;
      return prod + bias;
    }
  }
  return 0.0f;
}

// out[j] = hybrid_conv_output(e, acc[j], s_in, s_w[j], bias ? bias[j] : 0) for j < n (no activation).
void hybrid_conv_output_row(HybridConvEpilogue e, const int32_t* acc, int32_t n, float s_in, const float* s_w,
                            const float* bias, float* out);

}  // namespace qgate::kernels
