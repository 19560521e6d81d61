// AVX2 rows for unary_float. Built with -mavx2 -mfma -mf16c; called only on the avx2 path
// (resolve_path, kernels/cpu_features.h).
#include <immintrin.h>

#include "kernels/unary.h"

namespace qgate::kernels::detail {

namespace {

inline __m256i tail_mask(int64_t n) {
  alignas(32) static const int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - n));
}

// Applies f to 8 lanes at a time; the tail goes through masked loads so it uses the same arithmetic.
template <typename F>
inline void map(const float* in, float* out, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(in + i)));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(out + i, m, f(_mm256_maskload_ps(in + i, m)));
  }
}

// min(max(x, lo), hi) in std::max / std::min argument order: a NaN input stays NaN.
inline __m256 clamp(__m256 x, __m256 lo, __m256 hi) { return _mm256_min_ps(hi, _mm256_max_ps(lo, x)); }

// exp(x): n = round(x / ln2), r = x - n ln2 in two parts (Cody-Waite), e^r by a degree-7 Taylor polynomial on
// |r| <= ln2/2 (truncation < 1e-8 relative), times 2^n applied as two factors 2^(n/2) 2^(n - n/2) so that
// overflow to inf and gradual underflow to subnormals and 0 come out right. NaN propagates through the clamp.
inline __m256 exp_ps(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-104.0f), hi = _mm256_set1_ps(89.0f);
  x = clamp(x, lo, hi);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

inline __m256 logistic_ps(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp_ps(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

// tanh: odd Taylor series through x^19 for |x| < 0.5 (where 1 - 2/(e^2x + 1) would cancel), else
// 1 - 2 / (exp(2|x|) + 1) with the sign put back.
inline __m256 tanh_ps(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-443861162.0f / 1856156927625.0f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(6404582.0f / 10854718875.0f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-929569.0f / 638512875.0f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(21844.0f / 6081075.0f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1382.0f / 155925.0f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(62.0f / 2835.0f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-17.0f / 315.0f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.0f / 15.0f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1.0f / 3.0f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, x2), x, x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp_ps(_mm256_add_ps(ax, ax));
  const __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  const __m256 big_signed = _mm256_or_ps(big, _mm256_and_ps(x, sign));
  return _mm256_blendv_ps(big_signed, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.5f), _CMP_LT_OQ));
}

}  // namespace

void exp_avx2(const float* in, float* out, int64_t n) { map(in, out, n, exp_ps); }

void unary_row_avx2(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n) {
  const __m256 zero = _mm256_setzero_ps();
  switch (op) {
    case UnaryOp::relu:
      map(in, out, n, [&](__m256 x) { return _mm256_max_ps(zero, x); });
      break;
    case UnaryOp::relu6: {
      const __m256 six = _mm256_set1_ps(6.0f);
      map(in, out, n, [&](__m256 x) { return clamp(x, zero, six); });
      break;
    }
    case UnaryOp::relu_n1_to_1: {
      const __m256 lo = _mm256_set1_ps(-1.0f), hi = _mm256_set1_ps(1.0f);
      map(in, out, n, [&](__m256 x) { return clamp(x, lo, hi); });
      break;
    }
    case UnaryOp::relu_0_to_1: {
      const __m256 hi = _mm256_set1_ps(1.0f);
      map(in, out, n, [&](__m256 x) { return clamp(x, zero, hi); });
      break;
    }
    case UnaryOp::leaky_relu: {
      const __m256 alpha = _mm256_set1_ps(p.alpha);
      map(in, out, n, [&](__m256 x) {
        return _mm256_blendv_ps(x, _mm256_mul_ps(x, alpha), _mm256_cmp_ps(x, zero, _CMP_NGE_UQ));
      });
      break;
    }
    case UnaryOp::hard_swish: {
      const __m256 three = _mm256_set1_ps(3.0f), six = _mm256_set1_ps(6.0f);
      map(in, out, n, [&](__m256 x) {
        return _mm256_div_ps(_mm256_mul_ps(x, clamp(_mm256_add_ps(x, three), zero, six)), six);
      });
      break;
    }
    case UnaryOp::logistic: map(in, out, n, logistic_ps); break;
    case UnaryOp::tanh: map(in, out, n, tanh_ps); break;
    case UnaryOp::exp: map(in, out, n, exp_ps); break;
    case UnaryOp::sqrt: map(in, out, n, [](__m256 x) { return _mm256_sqrt_ps(x); }); break;
    case UnaryOp::rsqrt: {
      const __m256 one = _mm256_set1_ps(1.0f);
      map(in, out, n, [&](__m256 x) { return _mm256_div_ps(one, _mm256_sqrt_ps(x)); });
      break;
    }
    case UnaryOp::abs: {
      const __m256 sign = _mm256_set1_ps(-0.0f);
      map(in, out, n, [&](__m256 x) { return _mm256_andnot_ps(sign, x); });
      break;
    }
    case UnaryOp::neg: {
      const __m256 sign = _mm256_set1_ps(-0.0f);
      map(in, out, n, [&](__m256 x) { return _mm256_xor_ps(sign, x); });
      break;
    }
    case UnaryOp::square: map(in, out, n, [](__m256 x) { return _mm256_mul_ps(x, x); }); break;
    default:  // elu, gelu, log: the std:: functions, scalar
      unary_row_portable(op, p, in, out, n);
      break;
  }
}

}  // namespace qgate::kernels::detail
