// Naive twin of kernels/depthwise_conv2d_hybrid.h: direct loops in the spec's order
// (docs/arithmetic.md#depthwise_conv_2d), each image one row of reference/hybrid_params.h's quantizers, padded taps
// skipped, int64 sums checked to fit int32, reference/hybrid_params.h's epilogue formula. The filter as stored,
// [kh][kw][out_c].
#pragma once

#include <cstdint>

#include "kernels/depthwise_conv2d_hybrid.h"
#include "reference/hybrid_params.h"

namespace qgate::reference {

// weight_scales: scale_count entries (1 = per-tensor, or out_c). taps as in reference/conv2d_hybrid.h.
void depthwise_conv2d_hybrid(const kernels::DepthwiseConv2DParams& p, const kernels::HybridParams& h,
                             const int8_t* filter, const float* weight_scales, int32_t scale_count,
                             const float* input, const float* bias, float* output, HybridTaps* taps = nullptr);

}  // namespace qgate::reference
