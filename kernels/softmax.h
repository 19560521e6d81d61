// Softmax and log-softmax over the last axis (TFLite SOFTMAX with beta, LOG_SOFTMAX).
// The row max is subtracted first so exp never overflows; the row sum is accumulated in double.
#pragma once

#include <cstdint>

namespace qgate::kernels {

// out[r][i] = exp(beta (x[r][i] - max_r)) / sum_j exp(beta (x[r][j] - max_r)) over `rows` rows of `depth`.
void softmax_float(const float* in, float* out, int64_t rows, int64_t depth, float beta);
// out[r][i] = (x[r][i] - max_r) - log(sum_j exp(x[r][j] - max_r)).
void log_softmax_float(const float* in, float* out, int64_t rows, int64_t depth);

namespace detail {
void softmax_float_path(bool avx2, const float* in, float* out, int64_t rows, int64_t depth, float beta);
}  // namespace detail

}  // namespace qgate::kernels
