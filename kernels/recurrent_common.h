// Shared pieces of the recurrent kernels (RNN, LSTM): TFLite's Eigen float activation forms, scalar row
// quantizers, and the per-source "out += W * source" step in float and hybrid form (docs/arithmetic.md#rnn).
//
// Rows are quantized by kernels/quantize.h; the int8 dot below is a simple stand-in that kernels/hybrid_gemm.h
// can replace without changing any result (exact int32 accumulation either way).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/gemm.h"
#include "kernels/hybrid_gemm.h"
#include "kernels/quantize.h"

namespace qgate::kernels {

// ---- Activations (docs/arithmetic.md#recurrent-activations) ----

// Eigen's float tanh as TFLite's builtin RNN/LSTM kernels evaluate it: a rational polynomial (odd numerator of
// degree 13, even denominator of degree 6) on x clamped to +-7.90531110763549805, x itself where |x| < 0.0004.
// Each Horner step is round(round(a * b) + c) (no FMA): that clamp constant belongs to Eigen's non-FMA variant,
// which is what the reference interpreter ran. This file is compiled without -mfma and in ISO mode
// (-ffp-contract=off), so the compiler does not fuse the steps.
float tanh_eigen(float x);
// Eigen's float logistic: e / (1 + e) with e = expf(min(x, 16.6355324)).
float sigmoid_eigen(float x);
// A fused activation of an RNN/LSTM op, TFLite's way: tanh is tanh_eigen, the clamps as in activation.h.
float recurrent_activation(Activation a, float x);
void apply_recurrent_activation(Activation a, float* x, int64_t n);

// ---- Row quantization: kernels/quantize.h (docs/arithmetic.md#activation-quantization, AVX2 or portable) ----

// sum_k a[k] * b[k], exact in int32 (n * 127 * 128 fits for any n the ops see).
int32_t dot_i8_scalar(const int8_t* a, const int8_t* b, int n);

// ---- Weight matrices and the per-source step ----

// A borrowed row-major weight matrix [rows, cols]: float (f32 set) or int8 with one per-tensor scale (i8 set),
// or one scale per row (row_scales set: onnxruntime's per-channel DynamicQuantizeLSTM weights).
// Absent when neither is set (an optional input the op does not have).
struct RecurrentMatrix {
  const float* f32 = nullptr;
  const int8_t* i8 = nullptr;
  float scale = 1.0f;                 // int8 only
  const float* row_scales = nullptr;  // int8 only: [rows] scales in place of `scale`
  const int32_t* row_sums = nullptr;  // int8 only: sum_k W[n][k], needed with asymmetric inputs (cached at prepare)
  // Packed forms for the fast kernels (set at prepare; the products are the same, see matvec_accumulate_*).
  const PackedMatrix* f32_packed = nullptr;
  const PackedInt8Weights* i8_packed = nullptr;
  int rows = 0;
  int cols = 0;

  bool present() const { return f32 != nullptr || i8 != nullptr; }
  bool hybrid() const { return i8 != nullptr; }
};

// rows sums of an int8 matrix, for RecurrentMatrix::row_sums (prepare time).
std::vector<int32_t> int8_row_sums(const int8_t* w, int rows, int cols);

// Caller-owned scratch for one source quantized per batch row: q [batch * cols], scale and zero_point [batch].
struct QuantizedRows {
  int8_t* q = nullptr;
  float* scale = nullptr;
  int32_t* zero_point = nullptr;
};

// The owner of a QuantizedRows scratch (sized at prepare time, never resized while running).
struct QuantizedRowsBuffer {
  std::vector<int8_t> q;
  std::vector<float> scale;
  std::vector<int32_t> zero_point;

  void resize(int64_t q_size, int batch) {
    q.assign(static_cast<size_t>(q_size), 0);
    scale.assign(static_cast<size_t>(batch), 1.0f);
    zero_point.assign(static_cast<size_t>(batch), 0);
  }
  QuantizedRows view() { return {q.data(), scale.data(), zero_point.data()}; }
};

// Quantizes `batch` rows of `cols` floats, each with its own scale (and zero point when asymmetric; symmetric
// rows get zero point 0).
void quantize_rows(const float* x, int batch, int cols, bool asymmetric, const QuantizedRows& out,
                   SimdPath path = SimdPath::automatic);

// out[b * out_stride + n] += sum_k W[n][k] * x[b * cols + k]. With f32_packed set the dot runs in the packed FMA
// GEMM (float parity is NMSE-level, not bit-level); without it, summed from 0.0f in k order, then added:
// TFLite's portable float MatrixBatchVectorMultiplyAccumulate.
void matvec_accumulate_f32(const RecurrentMatrix& w, const float* x, int batch, float* out, int out_stride,
                           SimdPath path = SimdPath::automatic);

// out[b * out_stride + n] += f32(acc) * f32(s_in[b] * s_w) (s_w: row_scales[n] when set), acc = sum_k W[n][k] * q[b][k] - zp[b] * rowsum[n]
// (exact int32; the zero-point term only when `asymmetric`). With i8_packed set acc comes from the packed int8
// GEMM (kernels/hybrid_gemm.h): the same exact integers, so the same bits.
void matvec_accumulate_hybrid(const RecurrentMatrix& w, const QuantizedRows& xq, int batch, bool asymmetric,
                              float* out, int out_stride, SimdPath path = SimdPath::automatic);

// Shape of a sequence: time-major data is [time, batch, features], batch-major [batch, time, features].
struct SequenceLayout {
  int batch = 1;
  int time = 1;
  bool time_major = false;
};

}  // namespace qgate::kernels
