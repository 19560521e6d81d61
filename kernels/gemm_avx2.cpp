// AVX2 + FMA microkernels of gemm_packed. Built with -mavx2 -mfma; called only on the avx2 path (resolve_path,
// kernels/cpu_features.h).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/gemm.h"

namespace qgate::kernels::detail {

namespace {

constexpr int kRowsPerTile = 6;

int64_t panels_per_block(int64_t k) {
  return std::max<int64_t>(1, (128 * 1024) / (k * kGemmPanel * static_cast<int64_t>(sizeof(float)) + 1));
}

// MR rows x NP panels (16 columns each) of accumulators: MR * NP * 2 registers, at most 12. kBiasFirst: XNNPACK's
// wasm order (FloatAccumulation::xnnpack_wasm): start from the bias, add each rounded product.
template <int MR, int NP, bool kBiasFirst>
inline void tile(int64_t k, const float* a, int64_t lda, const float* panel0, int64_t panel_stride, int64_t col0,
                 int64_t n, const float* bias, Activation act, float* c, int64_t ldc) {
  __m256 acc[MR][NP * 2];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 16
    for (int q = 0; q < NP * 2; ++q) acc[r][q] = _mm256_setzero_ps();
  if (kBiasFirst && bias) {
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p) {
      const int64_t col = col0 + p * kGemmPanel;
      const int64_t n_valid = std::min<int64_t>(kGemmPanel, n - col);
      alignas(32) float bias16[kGemmPanel] = {};
      std::memcpy(bias16, bias + col, static_cast<size_t>(n_valid) * sizeof(float));
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        acc[r][2 * p] = _mm256_load_ps(bias16);
        acc[r][2 * p + 1] = _mm256_load_ps(bias16 + 8);
      }
    }
  }
  const float* arow[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) arow[r] = a + r * lda;
  for (int64_t kk = 0; kk < k; ++kk) {
    __m256 b[NP * 2];
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p) {
      const float* bp = panel0 + p * panel_stride + kk * kGemmPanel;
      b[2 * p] = _mm256_loadu_ps(bp);
      b[2 * p + 1] = _mm256_loadu_ps(bp + 8);
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m256 av = _mm256_broadcast_ss(arow[r] + kk);
#pragma GCC unroll 16
      for (int q = 0; q < NP * 2; ++q) {
        if constexpr (kBiasFirst)
          acc[r][q] = _mm256_add_ps(acc[r][q], _mm256_mul_ps(av, b[q]));
        else
          acc[r][q] = _mm256_fmadd_ps(av, b[q], acc[r][q]);
      }
    }
  }

  const ActivationRange range = activation_range(act);
  const bool clamp = act == Activation::relu || act == Activation::relu6 || act == Activation::relu_n1_to_1;
  const __m256 lo = _mm256_set1_ps(range.lo), hi = _mm256_set1_ps(range.hi);
#pragma GCC unroll 16
  for (int p = 0; p < NP; ++p) {
    const int64_t col = col0 + p * kGemmPanel;
    const int64_t n_valid = std::min<int64_t>(kGemmPanel, n - col);
    alignas(32) float bias16[kGemmPanel] = {};
    if (bias && !kBiasFirst) std::memcpy(bias16, bias + col, static_cast<size_t>(n_valid) * sizeof(float));
    for (int r = 0; r < MR; ++r) {
      __m256 v0 = acc[r][2 * p], v1 = acc[r][2 * p + 1];
      if (bias && !kBiasFirst) {
        v0 = _mm256_add_ps(v0, _mm256_load_ps(bias16));
        v1 = _mm256_add_ps(v1, _mm256_load_ps(bias16 + 8));
      }
      if (clamp) {
        v0 = _mm256_min_ps(_mm256_max_ps(v0, lo), hi);
        v1 = _mm256_min_ps(_mm256_max_ps(v1, lo), hi);
      }
      float* out = c + r * ldc + col;
      if (n_valid == kGemmPanel) {
        _mm256_storeu_ps(out, v0);
        _mm256_storeu_ps(out + 8, v1);
      } else {
        alignas(32) float tmp[kGemmPanel];
        _mm256_store_ps(tmp, v0);
        _mm256_store_ps(tmp + 8, v1);
        std::memcpy(out, tmp, static_cast<size_t>(n_valid) * sizeof(float));
      }
      if (!clamp && act != Activation::none) apply_activation(act, out, n_valid);
    }
  }
}

// Rows [0, MR) over panels [pb, pe), NP panels at a time, then one at a time.
template <int MR, int NP, bool kBiasFirst>
void row_tile(int64_t k, const float* a, int64_t lda, PackedView w, int64_t pb, int64_t pe, const float* bias,
              Activation act, float* c, int64_t ldc) {
  const int64_t panel_stride = kGemmPanel * k;
  int64_t p = pb;
  if constexpr (NP > 1)
    for (; p + NP <= pe; p += NP)
      tile<MR, NP, kBiasFirst>(k, a, lda, w.data + p * panel_stride, panel_stride, p * kGemmPanel, w.n, bias, act, c,
                               ldc);
  for (; p < pe; ++p)
    tile<MR, 1, kBiasFirst>(k, a, lda, w.data + p * panel_stride, panel_stride, p * kGemmPanel, w.n, bias, act, c, ldc);
}

template <bool kBiasFirst>
void gemm_packed_avx2_impl(int64_t m, const float* a, int64_t lda, PackedView w, int64_t panel_begin,
                           int64_t panel_end, const float* bias, Activation act, float* c, int64_t ldc) {
  const int64_t block = panels_per_block(w.k);
  const int64_t full = m / kRowsPerTile * kRowsPerTile;
  const int rest = static_cast<int>(m - full);
  for (int64_t pb = panel_begin; pb < panel_end; pb += block) {
    const int64_t pe = std::min(panel_end, pb + block);
    for (int64_t r0 = 0; r0 < full; r0 += kRowsPerTile)
      row_tile<6, 1, kBiasFirst>(w.k, a + r0 * lda, lda, w, pb, pe, bias, act, c + r0 * ldc, ldc);
    // Fewer rows: more panels per tile, so enough independent accumulators hide the FMA latency.
    const float* ar = a + full * lda;
    float* cr = c + full * ldc;
    switch (rest) {
      case 5: row_tile<5, 1, kBiasFirst>(w.k, ar, lda, w, pb, pe, bias, act, cr, ldc); break;
      case 4: row_tile<4, 1, kBiasFirst>(w.k, ar, lda, w, pb, pe, bias, act, cr, ldc); break;
      case 3: row_tile<3, 2, kBiasFirst>(w.k, ar, lda, w, pb, pe, bias, act, cr, ldc); break;
      case 2: row_tile<2, 2, kBiasFirst>(w.k, ar, lda, w, pb, pe, bias, act, cr, ldc); break;
      case 1: row_tile<1, 4, kBiasFirst>(w.k, ar, lda, w, pb, pe, bias, act, cr, ldc); break;
      default: break;
    }
  }
}

}  // namespace

void gemm_packed_avx2(int64_t m, const float* a, int64_t lda, PackedView w, int64_t panel_begin, int64_t panel_end,
                      const float* bias, Activation act, float* c, int64_t ldc, FloatAccumulation accumulation) {
  if (accumulation == FloatAccumulation::xnnpack_wasm)
    gemm_packed_avx2_impl<true>(m, a, lda, w, panel_begin, panel_end, bias, act, c, ldc);
  else
    gemm_packed_avx2_impl<false>(m, a, lda, w, panel_begin, panel_end, bias, act, c, ldc);
}

}  // namespace qgate::kernels::detail
