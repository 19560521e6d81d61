// Softmax and log-softmax over the last axis (TFLite SOFTMAX with beta, LOG_SOFTMAX).
// The row max is subtracted first so exp never overflows; the row sum is accumulated in double.
#pragma once

#include <cstdint>

#include "kernels/cpu_features.h"

namespace qgate::kernels {

// out[r][i] = exp(beta (x[r][i] - max_r)) / sum_j exp(beta (x[r][j] - max_r)) over `rows` rows of `depth`.
// The AVX2 path computes exp with the vector exp of kernels/unary.h (a few ulp from std::exp).
void softmax_float(const float* in, float* out, int64_t rows, int64_t depth, float beta,
                   SimdPath path = SimdPath::automatic);
// out[r][i] = (x[r][i] - max_r) - log(sum_j exp(x[r][j] - max_r)).
void log_softmax_float(const float* in, float* out, int64_t rows, int64_t depth);

}  // namespace qgate::kernels
