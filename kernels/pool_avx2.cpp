// AVX2 channel loops for pooling. Only plain mul/add/div/max/min: no FMA, so results equal the scalar path.
#include <immintrin.h>

#include <algorithm>

#include "kernels/pool.h"

namespace qgate::kernels::detail {

void max_into_avx2(float* acc, const float* x, int64_t n) {
  int64_t i = 0;
  // max_ps(x, acc) = x > acc ? x : acc, which is the scalar acc < x ? x : acc (NaN in x never wins).
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(acc + i, _mm256_max_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(acc + i)));
  for (; i < n; ++i) acc[i] = acc[i] < x[i] ? x[i] : acc[i];
}

void add_into_avx2(float* acc, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(x + i)));
  for (; i < n; ++i) acc[i] += x[i];
}

void scale_clamp_avx2(float* x, int64_t n, float d, float lo, float hi, bool divide) {
  const __m256 vd = _mm256_set1_ps(d), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    if (divide) v = _mm256_div_ps(v, vd);
    // Operand order keeps std::max(v, lo) / std::min(v, hi) semantics: a NaN v passes through.
    v = _mm256_max_ps(vlo, v);
    v = _mm256_min_ps(vhi, v);
    _mm256_storeu_ps(x + i, v);
  }
  for (; i < n; ++i) {
    float v = divide ? x[i] / d : x[i];
    x[i] = std::min(std::max(v, lo), hi);
  }
}

}  // namespace qgate::kernels::detail
