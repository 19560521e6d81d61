#include "reference/hybrid_params.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "reference/quantize.h"

namespace qgate::reference {

namespace {

// onnxruntime's DynamicQuantizeLinear over all n values (ONNX spec arithmetic in float32, half to even), stored as
// int8 q - 128 with zero point zp - 128.
void quantize_ort_tensor(int64_t n, const float* x, float* scale, int32_t* zero_point, int8_t* q) {
  float mn = 0.0f, mx = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    mn = std::min(mn, x[i]);
    mx = std::max(mx, x[i]);
  }
  const float s = mx == mn ? 1.0f : (mx - mn) / 255.0f;
  const float zp = std::nearbyint(std::clamp(0.0f - mn / s, 0.0f, 255.0f));
  for (int64_t i = 0; i < n; ++i) {
    const float y = std::clamp(x[i] / s, -zp, 255.0f - zp);  // clamped first: the rounding cannot leave [0, 255]
    q[i] = static_cast<int8_t>(static_cast<int32_t>(std::nearbyint(y) + zp) - 128);
  }
  *scale = s;
  *zero_point = static_cast<int32_t>(zp) - 128;
}

}  // namespace

void quantize_hybrid_input(kernels::HybridInputQuantization how, const float* x, int64_t rows, int64_t row_length,
                           int8_t* q, float* scales, int32_t* zero_points) {
  using kernels::HybridInputQuantization;
  if (rows <= 0) return;
  if (how == HybridInputQuantization::ort_u8_tensor) {
    quantize_ort_tensor(rows * row_length, x, &scales[0], &zero_points[0], q);
    for (int64_t r = 1; r < rows; ++r) {
      scales[r] = scales[0];
      zero_points[r] = zero_points[0];
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * row_length;
    int8_t* qr = q + r * row_length;
    switch (how) {
      case HybridInputQuantization::symmetric_rows:
        quantize_row_symmetric(row, row_length, qr, &scales[r]);
        zero_points[r] = 0;
        break;
      case HybridInputQuantization::asymmetric_rows:
        quantize_row_asymmetric(row, row_length, qr, &scales[r], &zero_points[r]);
        break;
      case HybridInputQuantization::xnnpack_rows:
        quantize_row_xnnpack(row, row_length, qr, &scales[r], &zero_points[r]);
        break;
      case HybridInputQuantization::ort_u8_tensor:
        break;  // above
    }
  }
}

float hybrid_epilogue(kernels::HybridEpilogue e, int32_t acc, float s_in, float s_w, float bias) {
  const float a = static_cast<float>(acc);
  switch (e) {
    case kernels::HybridEpilogue::scale_product: {
      const float scale = s_in * s_w;  // f32(s_in * s_w) first
      const float scaled = a * scale;
      return scaled + bias;
    }
    case kernels::HybridEpilogue::input_scale_first: {
      const float with_input_scale = a * s_in;
      const float scaled = with_input_scale * s_w;
      return scaled + bias;
    }
    case kernels::HybridEpilogue::weight_scale_first: {
      const float with_weight_scale = a * s_w;
      const float scaled = with_weight_scale * s_in;
      return scaled + bias;
    }
  }
  std::abort();
}

void hybrid_epilogue_row(kernels::HybridEpilogue e, const int32_t* acc, int32_t n, float s_in, const float* s_w,
                         const float* bias, float* out) {
  for (int32_t j = 0; j < n; ++j) out[j] = reference::hybrid_epilogue(e, acc[j], s_in, s_w[j], bias ? bias[j] : 0.0f);
}

void quantize_hybrid_input_into(kernels::HybridInputQuantization how, const float* x, int64_t rows,
                                int64_t row_length, HybridTaps& taps) {
  taps.q.assign(static_cast<size_t>(rows * row_length), 0);
  taps.input_scales.assign(static_cast<size_t>(rows), 0.0f);
  taps.zero_points.assign(static_cast<size_t>(rows), 0);
  reference::quantize_hybrid_input(how, x, rows, row_length, taps.q.data(), taps.input_scales.data(),
                                   taps.zero_points.data());
}

bool hybrid_output_is_bias(const kernels::HybridParams& h, const float* input, int64_t n) {
  if (!h.zero_input_gives_bias) return false;
  for (int64_t i = 0; i < n; ++i)
    if (input[i] != 0.0f) return false;  // -0.0 == 0.0
  return true;
}

int32_t checked_int32(int64_t v, const char* what) {
  if (v < INT32_MIN || v > INT32_MAX) {
    std::fprintf(stderr, "reference::%s: accumulator %lld does not fit int32\n", what, static_cast<long long>(v));
    std::abort();
  }
  return static_cast<int32_t>(v);
}

float hybrid_conv_output(const kernels::HybridParams& h, kernels::Activation act, int64_t acc, const char* what,
                         HybridTaps& taps, int64_t o, float s_in, float s_w, float bias) {
  const int32_t acc32 = checked_int32(acc, what);
  taps.acc[static_cast<size_t>(o)] = acc32;
  return kernels::apply_activation(act, reference::hybrid_epilogue(h.epilogue, acc32, s_in, s_w, bias));
}

}  // namespace qgate::reference
