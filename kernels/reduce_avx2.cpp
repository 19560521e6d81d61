// AVX2 column accumulators for reduce_float. Same order of additions as the portable loops (each column summed
// over rows in order, in double), so results are identical.
#include <immintrin.h>

#include <algorithm>

#include "kernels/reduce.h"

namespace qgate::kernels::detail {

void sum_columns_avx2(const float* in, int64_t rows, int64_t stride, int64_t width, double* acc) {
  int64_t j = 0;
  for (; j + 16 <= width; j += 16) {
    __m256d a0 = _mm256_loadu_pd(acc + j), a1 = _mm256_loadu_pd(acc + j + 4);
    __m256d a2 = _mm256_loadu_pd(acc + j + 8), a3 = _mm256_loadu_pd(acc + j + 12);
    const float* x = in + j;
    for (int64_t r = 0; r < rows; ++r, x += stride) {
      const __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
      a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm256_castps256_ps128(v0)));
      a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm256_extractf128_ps(v0, 1)));
      a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm256_castps256_ps128(v1)));
      a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm256_extractf128_ps(v1, 1)));
    }
    _mm256_storeu_pd(acc + j, a0);
    _mm256_storeu_pd(acc + j + 4, a1);
    _mm256_storeu_pd(acc + j + 8, a2);
    _mm256_storeu_pd(acc + j + 12, a3);
  }
  for (; j + 4 <= width; j += 4) {
    __m256d a = _mm256_loadu_pd(acc + j);
    const float* x = in + j;
    for (int64_t r = 0; r < rows; ++r, x += stride) a = _mm256_add_pd(a, _mm256_cvtps_pd(_mm_loadu_ps(x)));
    _mm256_storeu_pd(acc + j, a);
  }
  if (j < width) sum_columns_portable(in + j, rows, stride, width - j, acc + j);
}

void max_columns_avx2(const float* in, int64_t rows, int64_t stride, int64_t width, float* acc) {
  int64_t j = 0;
  for (; j + 8 <= width; j += 8) {
    __m256 m = _mm256_loadu_ps(acc + j);
    const float* x = in + j;
    // std::max(m, v) = m < v ? v : m = vmaxps(v, m).
    for (int64_t r = 0; r < rows; ++r, x += stride) m = _mm256_max_ps(_mm256_loadu_ps(x), m);
    _mm256_storeu_ps(acc + j, m);
  }
  if (j < width) max_columns_portable(in + j, rows, stride, width - j, acc + j);
}

}  // namespace qgate::kernels::detail
