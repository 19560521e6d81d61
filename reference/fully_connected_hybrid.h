// Naive twin of kernels/fully_connected_hybrid.h over unpacked weights: the rows quantized by reference/
// hybrid_params.h, the product by reference/hybrid_gemm.h (int64 sums, or the saturating pairs), the epilogue
// formula of reference/hybrid_params.h, then the activation. A test oracle: it allocates.
#pragma once

#include <cstdint>

#include "kernels/fully_connected_hybrid.h"
#include "reference/hybrid_params.h"

namespace qgate::reference {

// weights: [units][depth] int8; weight_scales: scale_count entries (1 or units); taps, when not null, receives the
// quantized rows, their scales and zero points and the accumulators.
void fully_connected_hybrid(const kernels::FullyConnectedParams& p, const kernels::HybridParams& h,
                            const int8_t* weights, const float* weight_scales, int32_t scale_count,
                            const float* input, const float* bias, float* output, HybridTaps* taps = nullptr);

}  // namespace qgate::reference
