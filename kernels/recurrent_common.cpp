#include "kernels/recurrent_common.h"

#include "kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qgate::kernels {

float tanh_eigen(float a) {
  // Coefficients of Eigen's generic_fast_tanh_float (a public 13/6 rational interpolant).
  constexpr float kClamp = 7.90531110763549805f;  // non-FMA variant
  constexpr float kTiny = 0.0004f;
  constexpr float alpha_1 = 4.89352455891786e-03f;
  constexpr float alpha_3 = 6.37261928875436e-04f;
  constexpr float alpha_5 = 1.48572235717979e-05f;
  constexpr float alpha_7 = 5.12229709037114e-08f;
  constexpr float alpha_9 = -8.60467152213735e-11f;
  constexpr float alpha_11 = 2.00018790482477e-13f;
  constexpr float alpha_13 = -2.76076847742355e-16f;
  constexpr float beta_0 = 4.89352518554385e-03f;
  constexpr float beta_2 = 2.26843463243900e-03f;
  constexpr float beta_4 = 1.18534705686654e-04f;
  constexpr float beta_6 = 1.19825839466702e-06f;
  // Eigen clamps with pmax(pmin(a, c), -c); the tiny test looks at the unclamped input.
  const float x = std::max(std::min(a, kClamp), -kClamp);
  if (std::fabs(a) < kTiny) return x;
  const float x2 = x * x;
  float p = x2 * alpha_13 + alpha_11;
  p = x2 * p + alpha_9;
  p = x2 * p + alpha_7;
  p = x2 * p + alpha_5;
  p = x2 * p + alpha_3;
  p = x2 * p + alpha_1;
  p = x * p;
  float q = x2 * beta_6 + beta_4;
  q = x2 * q + beta_2;
  q = x2 * q + beta_0;
  return p / q;
}

float sigmoid_eigen(float x) {
  // Above this the quotient rounds to 1.0f; the cut also keeps expf finite.
  const float e = std::exp(std::min(x, 16.6355324f));
  return e / (1.0f + e);
}

float recurrent_activation(Activation a, float x) {
  if (a == Activation::tanh) return tanh_eigen(x);
  return apply_activation(a, x);
}

void apply_recurrent_activation(Activation a, float* x, int64_t n) {
  if (a == Activation::none) return;
  for (int64_t i = 0; i < n; ++i) x[i] = recurrent_activation(a, x[i]);
}

int32_t dot_i8_scalar(const int8_t* a, const int8_t* b, int n) {
  int32_t acc = 0;
  for (int k = 0; k < n; ++k) acc += static_cast<int32_t>(a[k]) * static_cast<int32_t>(b[k]);
  return acc;
}

std::vector<int32_t> int8_row_sums(const int8_t* w, int rows, int cols) {
  std::vector<int32_t> sums(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    int32_t s = 0;
    for (int k = 0; k < cols; ++k) s += w[static_cast<size_t>(r) * cols + k];
    sums[r] = s;
  }
  return sums;
}

void quantize_rows(const float* x, int batch, int cols, bool asymmetric, const QuantizedRows& out, SimdPath path) {
  for (int b = 0; b < batch; ++b) {
    const float* row = x + static_cast<size_t>(b) * cols;
    int8_t* q = out.q + static_cast<size_t>(b) * cols;
    if (asymmetric) {
      quantize_row_asymmetric(row, cols, q, &out.scale[b], &out.zero_point[b], path);
    } else {
      quantize_row_symmetric(row, cols, q, &out.scale[b], path);
      out.zero_point[b] = 0;
    }
  }
}

namespace {
// Per-thread product scratch, grown to the largest batch * rows seen (once per thread, then reused).
template <typename T>
T* product_scratch(size_t n) {
  thread_local std::vector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}
}  // namespace

void matvec_accumulate_f32(const RecurrentMatrix& w, const float* x, int batch, float* out, int out_stride,
                           SimdPath path) {
  if (w.f32_packed) {
    float* prod = product_scratch<float>(static_cast<size_t>(batch) * w.rows);
    gemm_packed_parallel(batch, x, w.cols, w.f32_packed->view(), nullptr, Activation::none, prod, w.rows,
                         FloatAccumulation::fma_bias_last, path);
    for (int b = 0; b < batch; ++b)
      for (int n = 0; n < w.rows; ++n) out[static_cast<size_t>(b) * out_stride + n] += prod[static_cast<size_t>(b) * w.rows + n];
    return;
  }
  for (int b = 0; b < batch; ++b) {
    const float* xb = x + static_cast<size_t>(b) * w.cols;
    float* ob = out + static_cast<size_t>(b) * out_stride;
    for (int n = 0; n < w.rows; ++n) {
      const float* wn = w.f32 + static_cast<size_t>(n) * w.cols;
      float dot = 0.0f;
      for (int k = 0; k < w.cols; ++k) dot += wn[k] * xb[k];
      ob[n] += dot;
    }
  }
}

void matvec_accumulate_hybrid(const RecurrentMatrix& w, const QuantizedRows& xq, int batch, bool asymmetric,
                              float* out, int out_stride, SimdPath path) {
  if (w.i8_packed) {
    int32_t* acc = product_scratch<int32_t>(static_cast<size_t>(batch) * w.rows);
    hybrid_gemm_s8s8s32(*w.i8_packed, xq.q, asymmetric ? xq.zero_point : nullptr, batch, acc,
                        Int8ProductArithmetic::exact, path);
    for (int b = 0; b < batch; ++b) {
      float* ob = out + static_cast<size_t>(b) * out_stride;
      if (w.row_scales) {
        for (int n = 0; n < w.rows; ++n)
          ob[n] += static_cast<float>(acc[static_cast<size_t>(b) * w.rows + n]) * (xq.scale[b] * w.row_scales[n]);
        continue;
      }
      const float scale = xq.scale[b] * w.scale;
      for (int n = 0; n < w.rows; ++n) ob[n] += static_cast<float>(acc[static_cast<size_t>(b) * w.rows + n]) * scale;
    }
    return;
  }
  for (int b = 0; b < batch; ++b) {
    const int8_t* qb = xq.q + static_cast<size_t>(b) * w.cols;
    float* ob = out + static_cast<size_t>(b) * out_stride;
    const float scale = xq.scale[b] * w.scale;  // f32(s_in * s_w), as TFLite folds it before the product
    const int32_t zp = asymmetric ? xq.zero_point[b] : 0;
    for (int n = 0; n < w.rows; ++n) {
      int32_t acc = dot_i8_scalar(w.i8 + static_cast<size_t>(n) * w.cols, qb, w.cols);
      if (zp != 0) acc -= zp * w.row_sums[n];
      ob[n] += static_cast<float>(acc) * (w.row_scales ? xq.scale[b] * w.row_scales[n] : scale);
    }
  }
}

}  // namespace qgate::kernels
