// F16C half -> float conversion (vcvtph2ps is exact, subnormals and NaN payloads included).
#include <immintrin.h>

#include "kernels/dequantize.h"

namespace qgate::kernels::detail {

void dequantize_f16_avx2(const uint16_t* in, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  for (; i < n; ++i) out[i] = _cvtsh_ss(in[i]);
}

}  // namespace qgate::kernels::detail
