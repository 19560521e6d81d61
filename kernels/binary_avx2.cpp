// AVX2 rows for binary_float. Built with -mavx2 -mfma; called only on the avx2 path
// (resolve_path, kernels/cpu_features.h).
// Every op here is a single IEEE operation per element (or the same sequence as the portable row), so the
// results equal the portable path bit for bit; the tail runs through masked loads so it uses the same code.
#include <immintrin.h>

#include <cmath>

#include "kernels/binary.h"

namespace qgate::kernels::detail {

namespace {

inline __m256i tail_mask(int64_t n) {
  alignas(32) static const int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - n));
}

struct Clamp {
  __m256 lo, hi;
  bool on;
  // min(max(x, lo), hi) with std::max/std::min argument order, so a NaN stays NaN as in the portable path.
  __m256 operator()(__m256 x) const { return on ? _mm256_min_ps(hi, _mm256_max_ps(lo, x)) : x; }
};

template <typename VecOp>
void row(const float* a, int a_step, const float* b, int b_step, float* out, int64_t n, const Clamp& clamp,
         VecOp op) {
  int64_t i = 0;
  if (a_step && b_step) {
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(out + i, clamp(op(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
    if (i < n) {
      __m256i m = tail_mask(n - i);
      _mm256_maskstore_ps(out + i, m, clamp(op(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m))));
    }
  } else if (a_step) {
    const __m256 vb = _mm256_set1_ps(b[0]);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, clamp(op(_mm256_loadu_ps(a + i), vb)));
    if (i < n) {
      __m256i m = tail_mask(n - i);
      _mm256_maskstore_ps(out + i, m, clamp(op(_mm256_maskload_ps(a + i, m), vb)));
    }
  } else if (b_step) {
    const __m256 va = _mm256_set1_ps(a[0]);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, clamp(op(va, _mm256_loadu_ps(b + i))));
    if (i < n) {
      __m256i m = tail_mask(n - i);
      _mm256_maskstore_ps(out + i, m, clamp(op(va, _mm256_maskload_ps(b + i, m))));
    }
  } else {
    const __m256 v = clamp(op(_mm256_set1_ps(a[0]), _mm256_set1_ps(b[0])));
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, v);
    if (i < n) _mm256_maskstore_ps(out + i, tail_mask(n - i), v);
  }
}

}  // namespace

void binary_row_avx2(BinaryOp op, const float* a, int a_step, const float* b, int b_step, float* out, int64_t n,
                     Activation act) {
  if (op == BinaryOp::pow || op == BinaryOp::floor_mod || op == BinaryOp::trunc_mod || act == Activation::tanh ||
      act == Activation::sign_bit) {
    // pow and the remainders have no vector form here, and the non-clamping activations are rare: use the
    // portable row.
    binary_row_portable(op, a, a_step, b, b_step, out, n, act);
    return;
  }
  const ActivationRange r = activation_range(act);
  const Clamp c{_mm256_set1_ps(r.lo), _mm256_set1_ps(r.hi), act != Activation::none};
  switch (op) {
    case BinaryOp::add: row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 y) { return _mm256_add_ps(x, y); }); break;
    case BinaryOp::sub: row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 y) { return _mm256_sub_ps(x, y); }); break;
    case BinaryOp::mul: row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 y) { return _mm256_mul_ps(x, y); }); break;
    case BinaryOp::div: row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 y) { return _mm256_div_ps(x, y); }); break;
    // vmaxps(x, y) = x > y ? x : y and vminps(x, y) = x < y ? x : y: TFLite's formulas, NaN handling included.
    case BinaryOp::maximum: row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 y) { return _mm256_max_ps(x, y); }); break;
    case BinaryOp::minimum: row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 y) { return _mm256_min_ps(x, y); }); break;
    case BinaryOp::squared_difference:
      row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 y) {
        __m256 d = _mm256_sub_ps(x, y);
        return _mm256_mul_ps(d, d);
      });
      break;
    case BinaryOp::prelu:
      row(a, a_step, b, b_step, out, n, c, [](__m256 x, __m256 alpha) {
        __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ);  // !(x >= 0): negative or NaN
        return _mm256_blendv_ps(x, _mm256_mul_ps(x, alpha), neg);
      });
      break;
    case BinaryOp::pow:
    case BinaryOp::floor_mod:
    case BinaryOp::trunc_mod: break;
  }
}

}  // namespace qgate::kernels::detail
