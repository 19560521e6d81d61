// AVX2 channel loop of bilinear resizing. Separate mul and add (no FMA) in the scalar loop's order, so the
// result equals TFLite's reference kernel bit for bit.
// GCC contracts a*b+c into FMA by default in C++, which would change rounding.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include "kernels/resize.h"

namespace qgate::kernels::detail {

void bilinear_pixel_avx2(float* out, const float* a, const float* b, const float* c, const float* d, int64_t n,
                         float wy0, float dy, float wx0, float dx) {
  const __m256 vwy0 = _mm256_set1_ps(wy0), vdy = _mm256_set1_ps(dy), vwx0 = _mm256_set1_ps(wx0),
               vdx = _mm256_set1_ps(dx);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 s = _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(a + i), vwy0), vwx0);
    s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(b + i), vdy), vwx0));
    s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(c + i), vwy0), vdx));
    s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(d + i), vdy), vdx));
    _mm256_storeu_ps(out + i, s);
  }
  for (; i < n; ++i) out[i] = a[i] * wy0 * wx0 + b[i] * dy * wx0 + c[i] * wy0 * dx + d[i] * dy * dx;
}

}  // namespace qgate::kernels::detail
