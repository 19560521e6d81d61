// Naive twin of kernels/gemm.h: C[m][n] = act(bias[n] + sum_k A[m][k] * W[n][k]) with double accumulation, over an
// unpacked W (W[n][k] = w[n * w_row_stride + k * w_col_stride]) and strided A and C. A test oracle.
#pragma once

#include <cstdint>

#include "kernels/gemm.h"

namespace qgate::reference {

// Rows [0, m) of C, columns [n_begin, n_end); bias may be nullptr (zero).
void gemm(int64_t m, int64_t n_begin, int64_t n_end, int64_t k, const float* a, int64_t lda, const float* w,
          int64_t w_row_stride, int64_t w_col_stride, const float* bias, kernels::Activation act, float* c,
          int64_t ldc);

}  // namespace qgate::reference
