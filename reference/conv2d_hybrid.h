// Naive twins of kernels/conv2d_hybrid.h and kernels/depthwise_conv2d_hybrid.h: the spec's arithmetic
// (docs/arithmetic.md#per-op) in direct loops, as test oracles. Each image is quantized with reference/quantize.h (the
// whole batch at once, as onnxruntime's DynamicQuantizeLinear, for ort_u8_tensor); the
// accumulator is the int64 sum over in-image taps of w * (q - zp), checked to fit int32; the epilogue formula
// is written out in full. Weights are unpacked ([out_c][kh][kw][in_c / groups] and [kh][kw][out_c]).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv2d_hybrid.h"
#include "kernels/depthwise_conv2d_hybrid.h"

namespace qgate::reference {

// What the reference computed on the way: quantized images, their scales and zero points, accumulators
// ([batch * out_h * out_w][out_c]).
struct HybridConvTaps {
  std::vector<int8_t> q;
  std::vector<float> input_scales;
  std::vector<int32_t> zero_points;
  std::vector<int32_t> acc;
};

// weight_scales: scale_count entries (1 = per-tensor, or out_c).
void conv2d_hybrid(const kernels::Conv2DParams& p, const kernels::Conv2DHybridParams& h, const int8_t* filter,
                   const float* weight_scales, int32_t scale_count, const float* input, const float* bias,
                   float* output, HybridConvTaps* taps = nullptr);

// Images asymmetric (or the whole batch as onnxruntime's DynamicQuantizeLinear), padded taps skipped.
void depthwise_conv2d_hybrid(const kernels::DepthwiseConv2DParams& p, kernels::HybridConvEpilogue epilogue,
                             const int8_t* filter, const float* weight_scales, int32_t scale_count,
                             const float* bias, const float* input, float* output, HybridConvTaps* taps = nullptr,
                             kernels::HybridInputQuantization input_quantization =
                                 kernels::HybridInputQuantization::asymmetric_rows);

}  // namespace qgate::reference
