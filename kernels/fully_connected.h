// Float fully connected (TFLite FULLY_CONNECTED): output[r][n] = act(bias[n] + sum_k input[r][k] * weights[n][k]).
// Weights [units, depth] are packed once (kernels/gemm.h); at rows = 1 the product streams them once.
#pragma once

#include <cstdint>

#include "kernels/activation.h"
#include "kernels/gemm.h"

namespace qgate::kernels {

struct FullyConnectedParams {
  int64_t rows = 1;   // input elements / depth
  int64_t depth = 1;  // K
  int64_t units = 1;  // N, output channels
  Activation activation = Activation::none;
  FloatAccumulation accumulation = FloatAccumulation::fma_bias_last;  // see kernels/gemm.h
};

PackedMatrix pack_fully_connected_weights(const FullyConnectedParams& p, const float* weights);

// bias may be nullptr. Threads over rows or over output channels; results do not depend on the thread count.
void fully_connected_float(const FullyConnectedParams& p, const PackedMatrix& weights, const float* input,
                           const float* bias, float* output, SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
