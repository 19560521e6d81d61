#include "kernels/gemm.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

void gemm_pack_into(const float* w, int64_t n, int64_t k, int64_t row_stride, int64_t col_stride, float* dst) {
  const int64_t panels = gemm_panels(n);
  for (int64_t p = 0; p < panels; ++p) {
    float* panel = dst + p * kGemmPanel * k;
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < kGemmPanel; ++j) {
        const int64_t col = p * kGemmPanel + j;
        panel[kk * kGemmPanel + j] = col < n ? w[col * row_stride + kk * col_stride] : 0.0f;
      }
  }
}

PackedMatrix gemm_pack(const float* w, int64_t n, int64_t k, int64_t row_stride, int64_t col_stride) {
  PackedMatrix m;
  m.k = k;
  m.n = n;
  m.data.resize(static_cast<size_t>(gemm_packed_size(k, n)));
  gemm_pack_into(w, n, k, row_stride, col_stride, m.data.data());
  return m;
}

namespace {

constexpr int kRowsPerTile = 6;

// Panels per block so that a block of the packed matrix (about 128 KiB) stays in L2 while row tiles sweep it.
int64_t panels_per_block(int64_t k) {
  return std::max<int64_t>(1, (128 * 1024) / (k * kGemmPanel * static_cast<int64_t>(sizeof(float)) + 1));
}

template <int MR>
void tile_portable(int64_t k, const float* a, int64_t lda, const float* panel, int64_t n_valid, const float* bias,
                   Activation act, float* c, int64_t ldc, FloatAccumulation accumulation) {
  const bool bias_first = accumulation == FloatAccumulation::xnnpack_wasm;
  float acc[MR][kGemmPanel] = {};
  if (bias_first && bias)
    for (int r = 0; r < MR; ++r)
      for (int64_t j = 0; j < n_valid; ++j) acc[r][j] = bias[j];
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* b = panel + kk * kGemmPanel;
    for (int r = 0; r < MR; ++r) {
      const float av = a[r * lda + kk];
      for (int j = 0; j < kGemmPanel; ++j) {
        const float product = av * b[j];  // rounded on its own: this file is built without FMA contraction
        acc[r][j] += product;
      }
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int64_t j = 0; j < n_valid; ++j) {
      float v = acc[r][j];
      if (bias && !bias_first) v += bias[j];
      c[r * ldc + j] = apply_activation(act, v);
    }
}

void gemm_packed_portable(int64_t m, const float* a, int64_t lda, PackedView w, int64_t panel_begin,
                          int64_t panel_end, const float* bias, Activation act, float* c, int64_t ldc,
                          FloatAccumulation accumulation) {
  const int64_t block = panels_per_block(w.k);
  for (int64_t pb = panel_begin; pb < panel_end; pb += block) {
    const int64_t pe = std::min(panel_end, pb + block);
    for (int64_t r0 = 0; r0 < m; r0 += kRowsPerTile) {
      const int rows = static_cast<int>(std::min<int64_t>(kRowsPerTile, m - r0));
      for (int64_t p = pb; p < pe; ++p) {
        const int64_t col = p * kGemmPanel;
        const int64_t n_valid = std::min(kGemmPanel, w.n - col);
        const float* panel = w.data + p * kGemmPanel * w.k;
        const float* ar = a + r0 * lda;
        float* cr = c + r0 * ldc + col;
        const float* br = bias ? bias + col : nullptr;
        switch (rows) {
          case 6: tile_portable<6>(w.k, ar, lda, panel, n_valid, br, act, cr, ldc, accumulation); break;
          case 5: tile_portable<5>(w.k, ar, lda, panel, n_valid, br, act, cr, ldc, accumulation); break;
          case 4: tile_portable<4>(w.k, ar, lda, panel, n_valid, br, act, cr, ldc, accumulation); break;
          case 3: tile_portable<3>(w.k, ar, lda, panel, n_valid, br, act, cr, ldc, accumulation); break;
          case 2: tile_portable<2>(w.k, ar, lda, panel, n_valid, br, act, cr, ldc, accumulation); break;
          default: tile_portable<1>(w.k, ar, lda, panel, n_valid, br, act, cr, ldc, accumulation); break;
        }
      }
    }
  }
}

// XNNPACK's 4x2c4 order, a panel's 16 columns at a time (it serves narrow layers only, so plain loops suffice).
void gemm_packed_xnnpack_c4(int64_t m, const float* a, int64_t lda, PackedView w, int64_t panel_begin,
                            int64_t panel_end, const float* bias, Activation act, float* c, int64_t ldc,
                            int64_t segment) {
  if (segment <= 0) segment = w.k;
  for (int64_t p = panel_begin; p < panel_end; ++p) {
    const float* panel = w.data + p * kGemmPanel * w.k;
    const int64_t n_valid = std::min(kGemmPanel, w.n - p * kGemmPanel);
    for (int64_t r = 0; r < m; ++r) {
      float lane[4][kGemmPanel] = {};
      if (bias)
        for (int64_t j = 0; j < n_valid; ++j) lane[0][j] = bias[p * kGemmPanel + j];
      for (int64_t kk = 0; kk < w.k; ++kk) {
        const float av = a[r * lda + kk];
        float* acc = lane[(kk % segment) % 4];
        const float* b = panel + kk * kGemmPanel;
        for (int j = 0; j < kGemmPanel; ++j) {
          const float product = av * b[j];
          acc[j] += product;
        }
      }
      for (int64_t j = 0; j < n_valid; ++j)
        c[r * ldc + p * kGemmPanel + j] =
            apply_activation(act, (lane[0][j] + lane[2][j]) + (lane[1][j] + lane[3][j]));
    }
  }
}

}  // namespace

bool xnnpack_wasm_uses_nr2(int64_t units) {
  constexpr int64_t nr = 8, nr2 = 2;
  const int64_t over = (nr - units % nr) % nr, over2 = (nr2 - units % nr2) % nr2;
  return nr > units || (over2 < over && over * 100 > units);
}

void gemm_packed(int64_t m, const float* a, int64_t lda, PackedView w, int64_t panel_begin, int64_t panel_end,
                 const float* bias, Activation act, float* c, int64_t ldc, FloatAccumulation accumulation,
                 int64_t segment, SimdPath path) {
  if (m <= 0 || panel_begin >= panel_end) return;
  if (accumulation == FloatAccumulation::xnnpack_wasm_c4)
    gemm_packed_xnnpack_c4(m, a, lda, w, panel_begin, panel_end, bias, act, c, ldc, segment);
  else if (resolve_path(path) == SimdPath::avx2)
    detail::gemm_packed_avx2(m, a, lda, w, panel_begin, panel_end, bias, act, c, ldc, accumulation);
  else
    gemm_packed_portable(m, a, lda, w, panel_begin, panel_end, bias, act, c, ldc, accumulation);
}

void gemm_packed_parallel(int64_t m, const float* a, int64_t lda, PackedView w, const float* bias, Activation act,
                          float* c, int64_t ldc, FloatAccumulation accumulation, SimdPath path) {
  if (m <= 0 || w.n <= 0) return;
  const int64_t panels = gemm_panels(w.n);
  const int64_t tiles = (m + kRowsPerTile - 1) / kRowsPerTile;
  const int threads = num_threads();
  // About 1 MFLOP per chunk keeps the pool's overhead small.
  const int64_t flops_per_tile_panel = 2 * kRowsPerTile * kGemmPanel * std::max<int64_t>(1, w.k);
  if (tiles >= 2 * threads || panels < 2) {
    const int64_t grain = std::max<int64_t>(1, (1 << 20) / (flops_per_tile_panel * panels));
    parallel_for(tiles, grain, [&](int64_t tb, int64_t te) {
      const int64_t r0 = tb * kRowsPerTile, r1 = std::min(m, te * kRowsPerTile);
      gemm_packed(r1 - r0, a + r0 * lda, lda, w, 0, panels, bias, act, c + r0 * ldc, ldc, accumulation, 0, path);
    });
  } else {
    const int64_t grain = std::max<int64_t>(1, (1 << 20) / (flops_per_tile_panel * tiles));
    parallel_for(panels, grain, [&](int64_t pb, int64_t pe) {
      gemm_packed(m, a, lda, w, pb, pe, bias, act, c, ldc, accumulation, 0, path);
    });
  }
}

}  // namespace qgate::kernels
