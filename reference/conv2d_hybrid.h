// Naive twin of kernels/conv2d_hybrid.h: the spec's arithmetic (docs/arithmetic.md#conv_2d) in direct loops, as a
// test oracle. Each image is one row of reference/hybrid_params.h's quantizers; the accumulator is the int64 sum over
// in-image taps of w * (q - zp), checked to fit int32 (skipping a padded tap equals padding with the zero point);
// the epilogue is reference/hybrid_params.h's formula. The filter is unpacked, [out_c][kh][kw][in_c / groups].
#pragma once

#include <cstdint>

#include "kernels/conv2d_hybrid.h"
#include "reference/hybrid_params.h"

namespace qgate::reference {

// weight_scales: scale_count entries (1 = per-tensor, or out_c). taps, when not null, receives the quantized
// images, their scales and zero points and the accumulators ([batch * out_h * out_w][out_c]).
void conv2d_hybrid(const kernels::Conv2DParams& p, const kernels::HybridParams& h, const int8_t* filter,
                   const float* weight_scales, int32_t scale_count, const float* input, const float* bias,
                   float* output, HybridTaps* taps = nullptr);

}  // namespace qgate::reference
