#include "kernels/hybrid_params.h"

#include <algorithm>
#include <cstring>

#include "kernels/quantize.h"

namespace qgate::kernels {

bool hybrid_input_has_zero_points(HybridInputQuantization how) {
  return how != HybridInputQuantization::symmetric_rows;
}

void quantize_hybrid_input(HybridInputQuantization how, const float* x, int64_t rows, int64_t row_length, int8_t* q,
                           float* scales, int32_t* zero_points, SimdPath path) {
  if (rows <= 0) return;
  path = resolve_path(path);
  switch (how) {
    case HybridInputQuantization::symmetric_rows:
      quantize_rows_symmetric(x, rows, row_length, q, scales, path);
      std::fill(zero_points, zero_points + rows, 0);
      return;
    case HybridInputQuantization::asymmetric_rows:
      quantize_rows_asymmetric(x, rows, row_length, q, scales, zero_points, path);
      return;
    case HybridInputQuantization::xnnpack_rows:
      quantize_rows_xnnpack(x, rows, row_length, q, scales, zero_points, path);
      return;
    case HybridInputQuantization::ort_u8_tensor:
      quantize_tensor_ort_s8(x, rows * row_length, q, &scales[0], &zero_points[0], path);
      std::fill(scales + 1, scales + rows, scales[0]);
      std::fill(zero_points + 1, zero_points + rows, zero_points[0]);
      return;
  }
}

void hybrid_epilogue_row(HybridEpilogue e, const int32_t* acc, int32_t n, float s_in, const float* s_w,
                         const float* bias, float* out) {
  // The switch sits outside the loops so that each loop is one straight formula the compiler can vectorise.
  switch (e) {
    default: break;  // an epilogue without its own loop below: the generic one after the switch
    case HybridEpilogue::scale_product:
      for (int32_t j = 0; j < n; ++j)
        out[j] = hybrid_epilogue(HybridEpilogue::scale_product, acc[j], s_in, s_w[j], bias ? bias[j] : 0.0f);
      return;
    case HybridEpilogue::input_scale_first:
      for (int32_t j = 0; j < n; ++j)
        out[j] = hybrid_epilogue(HybridEpilogue::input_scale_first, acc[j], s_in, s_w[j], bias ? bias[j] : 0.0f);
      return;
    case HybridEpilogue::weight_scale_first:
      for (int32_t j = 0; j < n; ++j)
        out[j] = hybrid_epilogue(HybridEpilogue::weight_scale_first, acc[j], s_in, s_w[j], bias ? bias[j] : 0.0f);
      return;
  }
  for (int32_t j = 0; j < n; ++j) out[j] = hybrid_epilogue(e, acc[j], s_in, s_w[j], bias ? bias[j] : 0.0f);
}

bool hybrid_output_is_bias(const HybridParams& h, const float* input, int64_t n) {
  return h.zero_input_gives_bias && all_zero(input, n);
}

void fill_bias_rows(const float* bias, int64_t rows, int32_t n, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    float* o = out + r * n;
    if (bias)
      std::memcpy(o, bias, sizeof(float) * static_cast<size_t>(n));
    else
      std::fill(o, o + n, 0.0f);
  }
}

}  // namespace qgate::kernels
