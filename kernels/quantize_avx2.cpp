// AVX2 row quantizers, bit-exact with the portable std::round versions in quantize.cpp.
//
// This file is compiled with -mfma, and GCC contracts zp + x * inv into one FMA by default (intrinsics included:
// they are plain vector arithmetic). The fused result skips the product's rounding and can land on the other
// side of a .5 boundary, so contraction is off.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/quantize.h"

namespace qgate::kernels::detail {

namespace {

// round(y) with halves away from zero, for every float y (as std::round).
//
// Why it is exact: let t = trunc(y) (vroundps toward zero, exact by definition) and d = y - t.
//  - |y| >= 2^23: y is already an integer, so t = y and d = 0; the result is t = y.
//  - |y| < 2^23: write y = m * 2^e with integer m and e >= -149 the exponent of y's last mantissa bit. If e >= 0,
//    y is an integer (d = 0). If e < 0, t is an integer, hence also a multiple of 2^e, so d is a multiple of 2^e
//    with |d| < 1 and |d| <= |y| < 2^(e+24): d needs at most 24 significant bits and y - t is computed exactly.
//    With d exact, |d| >= 0.5 decides exactly whether std::round moves away from zero (it does for the half
//    itself), and then t + copysign(1, y) is exact because |t| + 1 <= 2^23.
//  - +-0 gives +-0 or +0 (both convert to 0); +-inf gives inf - inf = NaN for d, the comparison fails, the result
//    stays +-inf; NaN stays NaN. Both then convert to INT32_MIN, like the scalar path.
// The popular trunc(y + copysign(0.5 - 2^-25, y)) is wrong for y = 0.5 itself: 0.5 + 0.49999997 = 0.99999997 is
// exact, truncates to 0, while std::round(0.5) = 1. This form adds nothing before the comparison.
inline __m256 round_half_away(__m256 y) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256 t = _mm256_round_ps(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 d = _mm256_andnot_ps(sign_bit, _mm256_sub_ps(y, t));
  const __m256 away = _mm256_cmp_ps(d, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  const __m256 one = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(sign_bit, y));
  return _mm256_add_ps(t, _mm256_and_ps(away, one));
}

// Converts 32 rounded floats to int8 with saturation: vcvtps2dq gives INT32_MIN out of range (as the scalar
// helper), then the two saturating packs clamp to [-128, 127] exactly as std::clamp on the int32 would. The
// packs interleave 128-bit lanes; the final permute restores element order.
inline __m256i pack_32(__m256 r0, __m256 r1, __m256 r2, __m256 r3) {
  const __m256i i0 = _mm256_cvtps_epi32(r0), i1 = _mm256_cvtps_epi32(r1);
  const __m256i i2 = _mm256_cvtps_epi32(r2), i3 = _mm256_cvtps_epi32(r3);
  const __m256i w01 = _mm256_packs_epi32(i0, i1);  // [0-3 8-11 | 4-7 12-15]
  const __m256i w23 = _mm256_packs_epi32(i2, i3);
  const __m256i b = _mm256_packs_epi16(w01, w23);  // [0-3 8-11 16-19 24-27 | 4-7 12-15 20-23 28-31]
  return _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

inline float hmin(__m256 v) {
  __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_min_ps(m, _mm_movehl_ps(m, m));
  m = _mm_min_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

// Row min and max. Order of comparisons differs from the scalar loop, which changes nothing for non-NaN data
// (min/max are exact; the sign of a zero extreme is irrelevant to both quantizers).
void row_min_max(const float* x, int64_t n, float* out_min, float* out_max) {
  if (n <= 0) {
    *out_min = *out_max = 0.0f;
    return;
  }
  int64_t i = 0;
  float mn = x[0], mx = x[0];
  if (n >= 32) {
    __m256 mn0 = _mm256_loadu_ps(x), mn1 = mn0, mn2 = mn0, mn3 = mn0;
    __m256 mx0 = mn0, mx1 = mn0, mx2 = mn0, mx3 = mn0;
    for (; i + 32 <= n; i += 32) {
      const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
      const __m256 c = _mm256_loadu_ps(x + i + 16), d = _mm256_loadu_ps(x + i + 24);
      mn0 = _mm256_min_ps(mn0, a), mx0 = _mm256_max_ps(mx0, a);
      mn1 = _mm256_min_ps(mn1, b), mx1 = _mm256_max_ps(mx1, b);
      mn2 = _mm256_min_ps(mn2, c), mx2 = _mm256_max_ps(mx2, c);
      mn3 = _mm256_min_ps(mn3, d), mx3 = _mm256_max_ps(mx3, d);
    }
    mn = hmin(_mm256_min_ps(_mm256_min_ps(mn0, mn1), _mm256_min_ps(mn2, mn3)));
    mx = hmax(_mm256_max_ps(_mm256_max_ps(mx0, mx1), _mm256_max_ps(mx2, mx3)));
  }
  for (; i < n; ++i) {
    mn = std::min(mn, x[i]);
    mx = std::max(mx, x[i]);
  }
  *out_min = mn;
  *out_max = mx;
}

}  // namespace

void round_half_away_to_int32_avx2(const float* y, int64_t n, int32_t* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_cvtps_epi32(round_half_away(_mm256_loadu_ps(y + i))));
  for (; i < n; ++i) out[i] = round_half_away_to_int32(y[i]);
}

void quantize_row_symmetric_avx2(const float* x, int64_t n, int8_t* q, float* scale) {
  float mn, mx;
  row_min_max(x, n, &mn, &mx);
  const float range = std::max(std::fabs(mn), std::fabs(mx));
  if (range == 0.0f) {
    if (n > 0) std::memset(q, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inv = 127.0f / range;
  const __m256 vinv = _mm256_set1_ps(inv);
  const __m256i lo = _mm256_set1_epi8(-127);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 r0 = round_half_away(_mm256_mul_ps(_mm256_loadu_ps(x + i), vinv));
    const __m256 r1 = round_half_away(_mm256_mul_ps(_mm256_loadu_ps(x + i + 8), vinv));
    const __m256 r2 = round_half_away(_mm256_mul_ps(_mm256_loadu_ps(x + i + 16), vinv));
    const __m256 r3 = round_half_away(_mm256_mul_ps(_mm256_loadu_ps(x + i + 24), vinv));
    // The packs saturate to [-128, 127]; raising -128 to -127 completes the symmetric clamp.
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), _mm256_max_epi8(pack_32(r0, r1, r2, r3), lo));
  }
  for (; i < n; ++i) q[i] = static_cast<int8_t>(std::clamp(round_half_away_to_int32(x[i] * inv), -127, 127));
}

void quantize_row_asymmetric_avx2(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point) {
  float mn, mx;
  row_min_max(x, n, &mn, &mx);
  if (!start_asymmetric_row(mn, mx, n, q, scale, zero_point)) return;
  const float inv = 1.0f / *scale;
  const float zp = static_cast<float>(*zero_point);
  const __m256 vinv = _mm256_set1_ps(inv), vzp = _mm256_set1_ps(zp);
  // Multiply, then add, each rounded: the same two float operations as the scalar loop (no FMA).
  auto step = [&](const float* p8) { return round_half_away(_mm256_add_ps(vzp, _mm256_mul_ps(_mm256_loadu_ps(p8), vinv))); };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i),
                        pack_32(step(x + i), step(x + i + 8), step(x + i + 16), step(x + i + 24)));
  }
  for (; i < n; ++i) {
    const float prod = x[i] * inv;
    q[i] = static_cast<int8_t>(std::clamp(round_half_away_to_int32(zp + prod), -128, 127));
  }
}

void min_max_avx2(const float* x, int64_t n, float* mn, float* mx) { row_min_max(x, n, mn, mx); }

// onnxruntime's MLAS order: divide, clamp to [-zp, 255 - zp] (maxps first, so NaN becomes the low end), convert
// with round-half-even (vcvtps2dq, default MXCSR), add the zero point. Same operations as the portable loop.
void quantize_linear_ort_avx2(const float* x, int64_t n, float scale, uint8_t zero_point, uint8_t flip, uint8_t* q) {
  const __m256 vs = _mm256_set1_ps(scale);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(0 - int32_t{zero_point}));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(255 - int32_t{zero_point}));
  const __m256i vzp = _mm256_set1_epi32(zero_point);
  const __m256i vflip = _mm256_set1_epi8(static_cast<char>(flip));
  auto step = [&](const float* p8) {
    __m256 y = _mm256_div_ps(_mm256_loadu_ps(p8), vs);
    y = _mm256_min_ps(_mm256_max_ps(y, lo), hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(y), vzp);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    // Values are in [0, 255]: the signed 32->16 pack keeps them, the unsigned 16->8 pack keeps them.
    const __m256i w01 = _mm256_packs_epi32(step(x + i), step(x + i + 8));
    const __m256i w23 = _mm256_packs_epi32(step(x + i + 16), step(x + i + 24));
    const __m256i b = _mm256_packus_epi16(w01, w23);
    const __m256i ordered = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), _mm256_xor_si256(ordered, vflip));
  }
  if (i < n) quantize_linear_ort_portable(x + i, n - i, scale, zero_point, flip, q + i);
}

// XNNPACK's f32 -> qs8 conversion: multiply, clamp to [-128 - zp, 127 - zp], convert with round-half-even
// (vcvtps2dq, default MXCSR), add the zero point. Same operations as the portable loop.
void quantize_linear_xnnpack_avx2(const float* x, int64_t n, float inv, int32_t zero_point, int8_t* q) {
  const __m256 vinv = _mm256_set1_ps(inv);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(-128 - zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(127 - zero_point));
  const __m256i vzp = _mm256_set1_epi32(zero_point);
  auto step = [&](const float* p8) {
    const __m256 y = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(p8), vinv), lo), hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(y), vzp);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    // Values are in [-128, 127]: the signed packs keep them.
    const __m256i w01 = _mm256_packs_epi32(step(x + i), step(x + i + 8));
    const __m256i w23 = _mm256_packs_epi32(step(x + i + 16), step(x + i + 24));
    const __m256i b = _mm256_packs_epi16(w01, w23);
    const __m256i ordered = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), ordered);
  }
  if (i < n) quantize_linear_xnnpack_portable(x + i, n - i, inv, zero_point, q + i);
}

}  // namespace qgate::kernels::detail
