#include "reference/gemm.h"

namespace qgate::reference {

void gemm(int64_t m, int64_t n_begin, int64_t n_end, int64_t k, const float* a, int64_t lda, const float* w,
          int64_t w_row_stride, int64_t w_col_stride, const float* bias, kernels::Activation act, float* c,
          int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = n_begin; j < n_end; ++j) {
      double sum = bias ? bias[j] : 0.0;
      for (int64_t kk = 0; kk < k; ++kk) sum += double{a[i * lda + kk]} * w[j * w_row_stride + kk * w_col_stride];
      c[i * ldc + j] = kernels::apply_activation(act, static_cast<float>(sum));
    }
}

}  // namespace qgate::reference
