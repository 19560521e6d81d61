// Hybrid (dynamic-range) depthwise convolution: float NHWC input, int8 filter [1, kernel_h, kernel_w, out_c] with
// one scale per tensor or per output channel, float bias and output (TFLite's hybrid kernel,
// docs/arithmetic.md#depthwise_conv_2d).
//
// Each batch image (H*W*C floats) is one row of HybridParams::input_quantization (kernels/hybrid_params.h); TFLite's
// own hybrid depthwise is asymmetric_rows, onnxruntime's depthwise ConvInteger ort_u8_tensor. Taps outside the image
// are skipped (the same as padding with the zero point): acc[c] = sum over in-image taps of w[tap][c] * (q - zp),
// exact in int32 (at most kernel_h * kernel_w * 127 * 255 in magnitude), then HybridParams::epilogue; TFLite's
// builtin kernel on x86 (DepthwiseConvHybridGeneral) computes input_scale_first. The product is always exact
// (HybridParams::product must be exact: no runtime saturates a depthwise product).
//
// Thread safety: pure over its arguments except `scratch`, which one call owns while it runs.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/hybrid_params.h"

namespace qgate::kernels {

// The filter as the kernel reads it -- as stored, [kernel_h][kernel_w][out_c] (channel-last is already what the
// vector loop wants) -- and the weight scale of every output channel (a per-tensor scale repeated). Owns its memory.
struct PackedDepthwiseConv2DInt8Weights {
  std::vector<int8_t> filter;
  std::vector<float> scales;  // out_c entries
};

// filter: [kernel_h, kernel_w, out_c] int8; scales: 1 or out_c entries. Allocates: call once in prepare.
PackedDepthwiseConv2DInt8Weights pack_depthwise_conv2d_int8_weights(const DepthwiseConv2DParams& p,
                                                                    const int8_t* filter, const float* scales,
                                                                    int32_t scale_count);

// Run-time buffers, sized once in prepare by reserve(). After a run they hold the quantized images, their
// scales and zero points.
struct DepthwiseConv2DHybridScratch {
  std::vector<int8_t> q;
  std::vector<float> input_scales;
  std::vector<int32_t> zero_points;
  void reserve(const DepthwiseConv2DParams& p);
};

// output = act(epilogue(depthwise(quantized input, filter))) as [batch, out_h, out_w, out_c]; bias: out_c floats or
// null. acc_out, when not null, receives every int32 accumulator ([batch * out_h * out_w][out_c]; 0 where
// zero_input_gives_bias skipped the multiply) for tests. Threads over output rows; results do not depend on the
// thread count or the path. Never allocates once scratch is reserved.
void depthwise_conv2d_hybrid(const DepthwiseConv2DParams& p, const HybridParams& h,
                             const PackedDepthwiseConv2DInt8Weights& w, const float* input, const float* bias,
                             float* output, DepthwiseConv2DHybridScratch& scratch, int32_t* acc_out = nullptr,
                             SimdPath path = SimdPath::automatic);

namespace detail {
// One output row (batch b, row oh) from the quantized image q (zero point zp, scale s_in); depth_multiplier 1.
// Needs the avx2 path.
void depthwise_conv2d_hybrid_row_avx2(const DepthwiseConv2DParams& p, HybridEpilogue epilogue,
                                      const PackedDepthwiseConv2DInt8Weights& w, const float* bias, const int8_t* q,
                                      int32_t zp, float s_in, float* output, int32_t b, int32_t oh,
                                      int32_t* acc_out);
}  // namespace detail

}  // namespace qgate::kernels
