#include "reference/hybrid_gemm.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "reference/quantize.h"

namespace qgate::reference {

void hybrid_gemm_s8s8s32(const int8_t* w, int32_t n, int32_t k, const int8_t* q, const int32_t* zero_points,
                         int32_t m, int32_t* acc) {
  for (int32_t b = 0; b < m; ++b)
    for (int32_t j = 0; j < n; ++j) {
      int64_t sum = 0, row_sum = 0;
      for (int32_t i = 0; i < k; ++i) {
        sum += int64_t{w[int64_t{j} * k + i]} * q[int64_t{b} * k + i];
        row_sum += w[int64_t{j} * k + i];
      }
      if (zero_points) sum -= int64_t{zero_points[b]} * row_sum;
      if (sum < INT32_MIN || sum > INT32_MAX) {
        std::fprintf(stderr, "reference::hybrid_gemm_s8s8s32: acc[%d][%d] = %lld does not fit int32\n", b, j,
                     static_cast<long long>(sum));
        std::abort();
      }
      acc[int64_t{b} * n + j] = static_cast<int32_t>(sum);
    }
}

void gemm_u8s8_saturating_pairs(const int8_t* w, int32_t n, int32_t k, const uint8_t* u, const int32_t* zp_u8,
                                int32_t m, int32_t* acc) {
  for (int32_t b = 0; b < m; ++b)
    for (int32_t j = 0; j < n; ++j) {
      int64_t sum = 0, row_sum = 0;
      for (int32_t i = 0; i < k; i += 2) {
        int64_t pair = int64_t{u[int64_t{b} * k + i]} * w[int64_t{j} * k + i];
        if (i + 1 < k) pair += int64_t{u[int64_t{b} * k + i + 1]} * w[int64_t{j} * k + i + 1];
        sum += pair > 32767 ? 32767 : pair < -32768 ? -32768 : pair;
      }
      for (int32_t i = 0; i < k; ++i) row_sum += w[int64_t{j} * k + i];
      acc[int64_t{b} * n + j] = static_cast<int32_t>(sum - int64_t{zp_u8[b]} * row_sum);
    }
}

void hybrid_accumulate_tflite(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                              const float* weight_scales, int32_t weight_scale_count, float* out) {
  for (int32_t b = 0; b < m; ++b)
    for (int32_t j = 0; j < n; ++j) {
      const float scale = input_scales[b] * weight_scales[weight_scale_count > 1 ? j : 0];
      const float contribution = static_cast<float>(acc[int64_t{b} * n + j]) * scale;
      out[int64_t{b} * n + j] = out[int64_t{b} * n + j] + contribution;
    }
}

void hybrid_output_xnnpack_qd8(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                               const float* weight_scales, int32_t weight_scale_count, const float* bias,
                               float* out) {
  for (int32_t b = 0; b < m; ++b)
    for (int32_t j = 0; j < n; ++j) {
      const float with_input_scale = static_cast<float>(acc[int64_t{b} * n + j]) * input_scales[b];
      const float scaled = with_input_scale * weight_scales[weight_scale_count > 1 ? j : 0];
      out[int64_t{b} * n + j] = scaled + (bias ? bias[j] : 0.0f);
    }
}

void fully_connected_hybrid(const kernels::HybridFcParams& params, const int8_t* w, int32_t n, int32_t k,
                            const float* weight_scales, int32_t scale_count, const float* bias, const float* input,
                            int32_t rows, float* output) {
  const bool xnnpack = params.input_quantization == kernels::HybridInputQuantization::xnnpack_rows;
  const bool asymmetric = xnnpack || params.input_quantization == kernels::HybridInputQuantization::asymmetric_rows;
  std::vector<int8_t> q(static_cast<size_t>(int64_t{rows} * k));
  std::vector<float> s_in(static_cast<size_t>(rows));
  std::vector<int32_t> zp(static_cast<size_t>(rows), 0);
  std::vector<int32_t> acc(static_cast<size_t>(int64_t{rows} * n));
  auto quantize_and_multiply = [&] {
    if (xnnpack)
      quantize_rows_xnnpack(input, rows, k, q.data(), s_in.data(), zp.data());
    else if (asymmetric)
      quantize_rows_asymmetric(input, rows, k, q.data(), s_in.data(), zp.data());
    else
      quantize_rows_symmetric(input, rows, k, q.data(), s_in.data());
    hybrid_gemm_s8s8s32(w, n, k, q.data(), asymmetric ? zp.data() : nullptr, rows, acc.data());
  };
  if (params.epilogue == kernels::HybridEpilogue::tflite_builtin) {
    bool any_nonzero = false;
    for (int64_t i = 0; i < int64_t{rows} * k; ++i) any_nonzero = any_nonzero || input[i] != 0.0f;
    for (int32_t b = 0; b < rows; ++b)
      for (int32_t j = 0; j < n; ++j) output[int64_t{b} * n + j] = bias ? bias[j] : 0.0f;
    if (any_nonzero) {
      quantize_and_multiply();
      hybrid_accumulate_tflite(acc.data(), rows, n, s_in.data(), weight_scales, scale_count, output);
    }
  } else {
    quantize_and_multiply();
    hybrid_output_xnnpack_qd8(acc.data(), rows, n, s_in.data(), weight_scales, scale_count, bias, output);
  }
  for (int64_t i = 0; i < int64_t{rows} * n; ++i)
    output[i] = kernels::apply_activation(params.activation, output[i]);
}

}  // namespace qgate::reference
