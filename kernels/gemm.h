// Float GEMM against a packed right-hand side: the engine under conv2d, fully_connected, transpose_conv and
// batch_matmul.
//
//   C[m][n] = act(bias[n] + sum_k A[m][k] * W[n][k])
//
// W is given as N rows of K (an output channel's weights contiguous, as in OHWI filters and FC weights) and is
// packed once into panels of 16 columns: panel p, step k holds W[16p + j][k] for j < 16, zero past N. The
// microkernels keep 6 rows x 16 columns (or fewer rows x more panels) of accumulators in registers.
//
// Every element is accumulated the same way wherever it falls in a tile: acc = 0, then acc = fma(a_k, w_k, acc)
// for k = 0 .. K-1 in order (AVX2 path; the portable path does acc += a_k * w_k), then bias, then activation.
// So splitting rows or panels across threads never changes a result. FloatAccumulation::xnnpack_wasm instead
// rounds as XNNPACK's WebAssembly SIMD GEMM microkernels (LiteRT's CPU path in LiteRT.js): acc = bias (0 when
// absent), then acc = acc + f32(a_k * w_k) for k in order, no FMA, on both paths.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/cpu_features.h"  // SimdPath

namespace qgate::kernels {

// How a float dot product is rounded. fma_bias_last: qgate's own order (fused multiply-adds from 0, bias added
// last). xnnpack_wasm: XNNPACK's WebAssembly SIMD microkernels, which LiteRT.js runs on CPU (wasm SIMD has no
// FMA): the accumulator starts at the bias and each product is rounded before it is added; each kernel states
// its term order (docs/litert-cpu.md).
// xnnpack_wasm_c4: XNNPACK's "nr2" microkernel (4x2c4), which it picks for narrow outputs: four partial sums, lane
// j taking the terms whose index within their tap (segment) is j mod 4, lane 0 starting from the bias, then
// (lane0 + lane2) + (lane1 + lane3).
enum class FloatAccumulation : uint8_t { fma_bias_last, xnnpack_wasm, xnnpack_wasm_c4 };

// XNNPACK's choice of its nr2 (4x2c4) GEMM for a fully connected layer (and a 1x1 convolution it runs as one) with
// `units` outputs on wasm SIMD, where the default GEMM is 8 columns wide: fewer than 8 outputs, or less padding in
// the 2-wide tiles while the 8-wide tiles waste more than 1% (xnn_use_nr2).
bool xnnpack_wasm_uses_nr2(int64_t units);

constexpr int64_t kGemmPanel = 16;  // columns per packed panel

inline int64_t gemm_panels(int64_t n) { return (n + kGemmPanel - 1) / kGemmPanel; }
// Floats a packed K x N right-hand side occupies.
inline int64_t gemm_packed_size(int64_t k, int64_t n) { return gemm_panels(n) * kGemmPanel * k; }

// A borrowed packed right-hand side.
struct PackedView {
  const float* data = nullptr;
  int64_t k = 0;
  int64_t n = 0;
};

// Owner of a packed right-hand side, made once in an op's prepare().
struct PackedMatrix {
  std::vector<float> data;
  int64_t k = 0;
  int64_t n = 0;
  PackedView view() const { return {data.data(), k, n}; }
};

// Packs W[n][k] = w[n * row_stride + k * col_stride] into `dst` (gemm_packed_size(k, n) floats).
void gemm_pack_into(const float* w, int64_t n, int64_t k, int64_t row_stride, int64_t col_stride, float* dst);
PackedMatrix gemm_pack(const float* w, int64_t n, int64_t k, int64_t row_stride, int64_t col_stride);

// One thread: rows [0, m) of A (row stride lda) times the panels [panel_begin, panel_end) of w, into C (row
// stride ldc). bias may be nullptr (zero).
// `segment` (xnnpack_wasm_c4 only): the K terms form taps of `segment` terms each (a convolution's input channels
// per tap); 0 means one segment of K.
void gemm_packed(int64_t m, const float* a, int64_t lda, PackedView w, int64_t panel_begin, int64_t panel_end,
                 const float* bias, Activation act, float* c, int64_t ldc,
                 FloatAccumulation accumulation = FloatAccumulation::fma_bias_last, int64_t segment = 0,
                 SimdPath path = SimdPath::automatic);

// The whole product, split over rows and panels with parallel_for.
void gemm_packed_parallel(int64_t m, const float* a, int64_t lda, PackedView w, const float* bias, Activation act,
                          float* c, int64_t ldc, FloatAccumulation accumulation = FloatAccumulation::fma_bias_last,
                          SimdPath path = SimdPath::automatic);

namespace detail {
// The AVX2 + FMA microkernel driver (kernels/gemm_avx2.cpp); same contract as gemm_packed.
void gemm_packed_avx2(int64_t m, const float* a, int64_t lda, PackedView w, int64_t panel_begin, int64_t panel_end,
                      const float* bias, Activation act, float* c, int64_t ldc, FloatAccumulation accumulation);
}  // namespace detail

}  // namespace qgate::kernels
