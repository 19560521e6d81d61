// The int8 x int8 -> int32 product of TFLite's hybrid kernels and the float epilogues that follow it
// (docs/arithmetic.md#integer-product), plus a hybrid fully connected entry point: quantize + multiply + epilogue.
//
// acc[b][n] = sum_k W[n][k] * q[b][k] - zp[b] * rowsum[n], exact in int32 for K <= 66314 (so that
// K * 127 * 255, the largest |W * (q - zp)| sum, stays below 2^31). W holds symmetric int8 weights in [-127, 127] (never -128); activations q may
// use the whole [-128, 127].
//
// Thread safety: functions are pure over their arguments; the multiply runs on kernels/parallel.h's pool and
// gives the same bits for any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/gemm.h"  // SimdPath

namespace qgate::kernels {

// Weights packed once (prepare) for the microkernel: blocks of 4 output channels, each block K rounded up to a
// multiple of 32 and stored chunk by chunk ([block][k/32][4 channels][32 bytes]), padding zero. Owns its memory.
struct PackedInt8Weights {
  int32_t n = 0;             // output channels
  int32_t k = 0;             // inputs per channel
  int32_t k_padded = 0;      // k rounded up to 32
  std::vector<int8_t> data;  // n rounded up to 4, times k_padded
  std::vector<int32_t> row_sums;  // sum_k W[n][k], for the zero-point correction of asymmetric rows
  std::vector<float> scales;      // 1 (per-tensor) or n (per-channel) weight scales
};

// True when every value is in [-127, 127] (the multiply's precondition; ops check it in prepare).
bool int8_weights_symmetric(const int8_t* w, int64_t count);

// w is row-major [n][k]; scales has scale_count entries (1 or n). Allocates: call once in prepare.
PackedInt8Weights pack_int8_weights(const int8_t* w, int32_t n, int32_t k, const float* scales,
                                    int32_t scale_count);

// How the integer product is formed.
enum class Int8ProductArithmetic : uint8_t {
  exact,  // true int32 sums (the default)
  // onnxruntime's uint8 x int8 GEMM on AVX2 CPUs without VNNI (MLAS, vpmaddubsw): the activations as uint8
  // u = q + 128 (zero point zp + 128) times the int8 weights, each adjacent pair of k (0-1, 2-3, ...) summed
  // into int16 with saturation, pair sums added in int32, then minus (zp + 128) * row_sums[n]. Differs from
  // exact only when a pair's |u0 w0 + u1 w1| exceeds 32767. Needs zero_points.
  saturating_u8s8_pairs,
};

// acc (m x n, row-major) = q (m x k, row-major) times W^T, minus zero_points[b] * row_sums[n] when
// zero_points is not null (asymmetric rows).
void hybrid_gemm_s8s8s32(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m,
                         int32_t* acc, SimdPath path = SimdPath::automatic,
                         Int8ProductArithmetic arithmetic = Int8ProductArithmetic::exact);

// ---- Epilogues: int32 accumulators to float, each named for its arithmetic ----
// Weight scales are indexed [n] when weight_scale_count > 1, else [0].

// TFLite builtin order (2.1, 2.1b): out[b][n] += float(acc[b][n]) * float(s_in[b] * s_w[n]). FC fills out with
// the bias (or 0) first; recurrent ops call it once per source onto the same output.
void hybrid_accumulate_tflite(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                              const float* weight_scales, int32_t weight_scale_count, float* out);

// XNNPACK qd8 order (2.2): out[b][n] = float(float(float(acc) * s_in[b]) * s_w[n]) + bias[n] (bias null: + 0).
void hybrid_output_xnnpack_qd8(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                               const float* weight_scales, int32_t weight_scale_count, const float* bias,
                               float* out);

// onnxruntime's dynamic-quantization order (Mul of the two scales, Cast, Mul, Add):
// out[b][n] = f32(f32(acc) * f32(s_in[b] * s_w[n])) + bias[n] (bias null: + 0).
void hybrid_output_onnxruntime(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                               const float* weight_scales, int32_t weight_scale_count, const float* bias,
                               float* out);

// ---- Hybrid fully connected ----

enum class HybridInputQuantization : uint8_t {
  symmetric_rows,
  asymmetric_rows,
  ort_u8_tensor,  // onnxruntime DynamicQuantizeLinear: the whole input (all rows) as uint8 with one scale/zp
  xnnpack_rows,   // XNNPACK qd8: asymmetric rows with XNNPACK's parameters and rounding (quantize_row_xnnpack)
};
enum class HybridEpilogue : uint8_t {
  tflite_builtin,  // out = bias; skipped multiply when the whole input is zero; builtin scale order
  xnnpack_qd8,     // XNNPACK's order; no zero-input skip (XNNPACK has none)
  onnxruntime,     // out = f32(f32(acc) * f32(s_in * s_w[n])) + bias (Cast, Mul by the scale product, Add); no skip
};

struct HybridFcParams {
  HybridInputQuantization input_quantization = HybridInputQuantization::asymmetric_rows;
  HybridEpilogue epilogue = HybridEpilogue::tflite_builtin;
  Activation activation = Activation::none;
  Int8ProductArithmetic arithmetic = Int8ProductArithmetic::exact;
};

// Run-time buffers of fully_connected_hybrid, sized once in prepare by reserve().
struct HybridScratch {
  std::vector<int8_t> q;
  std::vector<float> input_scales;
  std::vector<int32_t> zero_points;
  std::vector<int32_t> acc;
  void reserve(int32_t rows, int32_t n, int32_t k);
};

// input: rows x w.k floats; output: rows x w.n floats; bias: w.n floats or null. Never allocates once scratch is
// reserved for at least these rows.
void fully_connected_hybrid(const HybridFcParams& params, const PackedInt8Weights& w, const float* bias,
                            const float* input, int32_t rows, float* output, HybridScratch& scratch,
                            SimdPath path = SimdPath::automatic);

namespace detail {
// The two multiply implementations over output blocks [block_begin, block_end) (4 channels per block), one
// thread each. The AVX2 one needs AVX2.
void hybrid_gemm_blocks_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                 int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end);
void hybrid_gemm_blocks_avx2(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m,
                             int32_t* acc, int64_t block_begin, int64_t block_end);
// Int8ProductArithmetic::saturating_u8s8_pairs (zero_points required).
void hybrid_gemm_blocks_saturating_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                            int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end);
void hybrid_gemm_blocks_saturating_avx2(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                        int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end);
}  // namespace detail

}  // namespace qgate::kernels
