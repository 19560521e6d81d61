#include "kernels/quantize.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>


namespace qgate::kernels {

bool start_asymmetric_row(float row_min, float row_max, int64_t n, int8_t* q, float* scale, int32_t* zero_point) {
  const AsymmetricParams p = asymmetric_params(row_min, row_max);
  *scale = p.scale;
  *zero_point = p.zero_point;
  if (std::min(0.0f, row_min) != std::max(0.0f, row_max)) return true;
  if (n > 0) std::memset(q, 0, static_cast<size_t>(n));
  return false;
}

AsymmetricParams asymmetric_params(float row_min, float row_max) {
  constexpr double kQmin = -128.0, kQmax = 127.0;
  // std::min/std::max with 0 first: a row of -0.0 still gives exactly 0 (the sign of zero never matters).
  const double rmin = static_cast<double>(std::min(0.0f, row_min));
  const double rmax = static_cast<double>(std::max(0.0f, row_max));
  if (rmin == rmax) return {1.0f, 0};
  const double scale = (rmax - rmin) / (kQmax - kQmin);
  const double zp_from_min = kQmin - rmin / scale;
  const double zp_from_max = kQmax - rmax / scale;
  const double zp_from_min_error = std::abs(kQmin) + std::abs(rmin / scale);
  const double zp_from_max_error = std::abs(kQmax) + std::abs(rmax / scale);
  const double zp = zp_from_min_error < zp_from_max_error ? zp_from_min : zp_from_max;
  int32_t nudged;
  if (zp <= kQmin) {
    nudged = -128;
  } else if (zp >= kQmax) {
    nudged = 127;
  } else {
    nudged = static_cast<int32_t>(std::round(zp));
  }
  return {static_cast<float>(scale), nudged};
}

OrtU8Params ort_dynamic_params(float x_min, float x_max) {
  const float mn = std::min(x_min, 0.0f), mx = std::max(x_max, 0.0f);
  const float scale = mx == mn ? 1.0f : (mx - mn) / 255.0f;
  const float initial_zero_point = 0.0f - mn / scale;
  const float clamped = std::max(0.0f, std::min(255.0f, initial_zero_point));
  return {scale, static_cast<uint8_t>(std::nearbyint(clamped))};
}

namespace {
void quantize_tensor_ort(const float* x, int64_t n, uint8_t flip, uint8_t* q, float* scale, uint8_t* zp,
                         SimdPath path) {
  const bool avx2 = resolve_path(path) == SimdPath::avx2;
  float mn = 0.0f, mx = 0.0f;
  if (avx2) detail::min_max_avx2(x, n, &mn, &mx);
  else detail::min_max_portable(x, n, &mn, &mx);
  const OrtU8Params p = ort_dynamic_params(mn, mx);
  *scale = p.scale;
  *zp = p.zero_point;
  if (avx2) detail::quantize_linear_ort_avx2(x, n, p.scale, p.zero_point, flip, q);
  else detail::quantize_linear_ort_portable(x, n, p.scale, p.zero_point, flip, q);
}

float ort_weight_slice(const float* w, int64_t outer, int64_t inner, int64_t stride, int qmax, int8_t* q) {
  float mn = 0.0f, mx = 0.0f;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      mn = std::min(mn, w[o * stride + i]);
      mx = std::max(mx, w[o * stride + i]);
    }
  const double absmax = std::max(std::fabs(static_cast<double>(mn)), std::fabs(static_cast<double>(mx)));
  // compute_scale_zp: dr = rmax - rmin and dq = qmax - qmin in float64, scale = dr / dq, then float32.
  const double dr = absmax - (-absmax), dq = static_cast<double>(qmax) - static_cast<double>(-qmax);
  float scale = static_cast<float>(dr / dq);
  if (dr / dq < static_cast<double>(std::numeric_limits<float>::min())) scale = 1.0f;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float v = std::nearbyint(w[o * stride + i] / scale);
      q[o * stride + i] = static_cast<int8_t>(std::clamp(v, static_cast<float>(-qmax), static_cast<float>(qmax)));
    }
  return scale;
}
}  // namespace

void quantize_tensor_ort_u8(const float* x, int64_t n, uint8_t* q, float* scale, uint8_t* zero_point,
                            SimdPath path) {
  quantize_tensor_ort(x, n, 0, q, scale, zero_point, path);
}

void quantize_tensor_ort_s8(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point,
                            SimdPath path) {
  uint8_t zp = 0;
  quantize_tensor_ort(x, n, 0x80, reinterpret_cast<uint8_t*>(q), scale, &zp, path);
  *zero_point = int32_t{zp} - 128;
}

float quantize_weights_ort_per_tensor(const float* w, int64_t n, int qmax, int8_t* q) {
  return ort_weight_slice(w, 1, n, n, qmax, q);
}

void quantize_weights_ort_per_channel(const float* w, int64_t outer, int64_t channels, int64_t inner, int qmax,
                                      int8_t* q, float* scales) {
  for (int64_t c = 0; c < channels; ++c)
    scales[c] = ort_weight_slice(w + c * inner, outer, inner, channels * inner, qmax, q + c * inner);
}

bool all_zero(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (x[i] != 0.0f) return false;
  return true;
}

namespace detail {

void min_max_portable(const float* x, int64_t n, float* mn, float* mx) {
  float lo = n > 0 ? x[0] : 0.0f, hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  *mn = lo;
  *mx = hi;
}

void quantize_linear_ort_portable(const float* x, int64_t n, float scale, uint8_t zero_point, uint8_t flip,
                                  uint8_t* q) {
  const float lo = static_cast<float>(0 - int32_t{zero_point}), hi = static_cast<float>(255 - int32_t{zero_point});
  for (int64_t i = 0; i < n; ++i) {
    float y = x[i] / scale;
    y = y > lo ? y : lo;  // maxps(y, lo): a NaN y gives lo
    y = y < hi ? y : hi;
    const int32_t v = static_cast<int32_t>(std::nearbyint(y)) + zero_point;
    q[i] = static_cast<uint8_t>(v) ^ flip;
  }
}

void quantize_linear_xnnpack_portable(const float* x, int64_t n, float inv, int32_t zero_point, int8_t* q) {
  const float lo = static_cast<float>(-128 - zero_point), hi = static_cast<float>(127 - zero_point);
  for (int64_t i = 0; i < n; ++i) {
    const float y = std::clamp(x[i] * inv, lo, hi);  // the bounds are integers: clamping first rounds the same
    q[i] = static_cast<int8_t>(static_cast<int32_t>(std::nearbyint(y)) + zero_point);
  }
}

void quantize_row_symmetric_portable(const float* x, int64_t n, int8_t* q, float* scale) {
  float mn = n > 0 ? x[0] : 0.0f, mx = mn;
  for (int64_t i = 1; i < n; ++i) {
    mn = std::min(mn, x[i]);
    mx = std::max(mx, x[i]);
  }
  const float range = std::max(std::fabs(mn), std::fabs(mx));
  if (range == 0.0f) {
    if (n > 0) std::memset(q, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inv = 127.0f / range;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = round_half_away_to_int32(x[i] * inv);
    q[i] = static_cast<int8_t>(std::clamp(v, -127, 127));
  }
}

void quantize_row_asymmetric_portable(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point) {
  float mn = n > 0 ? x[0] : 0.0f, mx = mn;
  for (int64_t i = 1; i < n; ++i) {
    mn = std::min(mn, x[i]);
    mx = std::max(mx, x[i]);
  }
  if (!start_asymmetric_row(mn, mx, n, q, scale, zero_point)) return;
  const float inv = 1.0f / *scale;
  const float zp = static_cast<float>(*zero_point);
  for (int64_t i = 0; i < n; ++i) {
    const float prod = x[i] * inv;  // separate statements: no fused multiply-add, as TFLite's build
    const int32_t v = round_half_away_to_int32(zp + prod);
    q[i] = static_cast<int8_t>(std::clamp(v, -128, 127));
  }
}

}  // namespace detail

void quantize_row_symmetric(const float* x, int64_t n, int8_t* q, float* scale, SimdPath path) {
  if (resolve_path(path) == SimdPath::avx2)
    detail::quantize_row_symmetric_avx2(x, n, q, scale);
  else
    detail::quantize_row_symmetric_portable(x, n, q, scale);
}

void quantize_row_asymmetric(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point,
                             SimdPath path) {
  if (resolve_path(path) == SimdPath::avx2)
    detail::quantize_row_asymmetric_avx2(x, n, q, scale, zero_point);
  else
    detail::quantize_row_asymmetric_portable(x, n, q, scale, zero_point);
}

XnnpackRowParams xnnpack_row_params(float row_min, float row_max) {
  const float qmin = -128.0f, qmax = 127.0f;
  const float rmin = std::min(0.0f, row_min), rmax = std::max(0.0f, row_max);
  const float inv = rmin == rmax ? 1.0f : (qmax - qmin) / (rmax - rmin);
  const float rmin_inv = rmin * inv, rmax_inv = rmax * inv;
  // qmin + rmin_inv is the error of anchoring at the low end, qmax + rmax_inv at the high end (signs included).
  float zp = (qmin + rmin_inv) + (qmax + rmax_inv) > 0.0f ? qmin - rmin_inv : qmax - rmax_inv;
  zp = std::min(std::max(zp, qmin), qmax);
  return {inv, static_cast<int32_t>(std::nearbyint(zp))};
}

void quantize_row_xnnpack(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point, SimdPath path) {
  const bool avx2 = resolve_path(path) == SimdPath::avx2;
  float mn = 0.0f, mx = 0.0f;
  if (n > 0) {
    if (avx2) detail::min_max_avx2(x, n, &mn, &mx);
    else detail::min_max_portable(x, n, &mn, &mx);
  }
  const XnnpackRowParams p = xnnpack_row_params(mn, mx);
  *scale = 1.0f / p.inv_scale;
  *zero_point = p.zero_point;
  if (avx2) detail::quantize_linear_xnnpack_avx2(x, n, p.inv_scale, p.zero_point, q);
  else detail::quantize_linear_xnnpack_portable(x, n, p.inv_scale, p.zero_point, q);
}

void quantize_rows_xnnpack(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales, int32_t* zero_points,
                           SimdPath path) {
  path = resolve_path(path);
  for (int64_t r = 0; r < rows; ++r) quantize_row_xnnpack(x + r * k, k, q + r * k, scales + r, zero_points + r, path);
}

void quantize_rows_symmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales, SimdPath path) {
  path = resolve_path(path);
  for (int64_t r = 0; r < rows; ++r) quantize_row_symmetric(x + r * k, k, q + r * k, scales + r, path);
}

void quantize_rows_asymmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                              int32_t* zero_points, SimdPath path) {
  path = resolve_path(path);
  for (int64_t r = 0; r < rows; ++r)
    quantize_row_asymmetric(x + r * k, k, q + r * k, scales + r, zero_points + r, path);
}

// ---- Weights ----

namespace {

// Quantizes `count` runs of `len` values spaced `stride` apart (one channel) with one scale; returns it.
float quantize_weight_slice(const float* w, int64_t count, int64_t len, int64_t stride, int qmax, int8_t* q) {
  float mn = 0.0f, mx = 0.0f;
  bool first = true;
  for (int64_t c = 0; c < count; ++c)
    for (int64_t i = 0; i < len; ++i) {
      const float v = w[c * stride + i];
      if (first) {
        mn = mx = v;
        first = false;
      } else {
        mn = std::min(mn, v);
        mx = std::max(mx, v);
      }
    }
  const float range = std::max(std::fabs(mn), std::fabs(mx));
  const float s = range / static_cast<float>(qmax);
  for (int64_t c = 0; c < count; ++c)
    for (int64_t i = 0; i < len; ++i) {
      int32_t v = 0;
      if (s != 0.0f) v = std::clamp(detail::round_half_away_to_int32(w[c * stride + i] / s), -qmax, qmax);
      q[c * stride + i] = static_cast<int8_t>(v);
    }
  return s;
}

}  // namespace

float quantize_weights_symmetric_per_tensor(const float* w, int64_t n, int bits, int8_t* q) {
  assert(bits >= 2 && bits <= 8);
  return quantize_weight_slice(w, 1, n, n, (1 << (bits - 1)) - 1, q);
}

void quantize_weights_symmetric_per_channel(const float* w, int64_t outer, int64_t channels, int64_t inner,
                                            int bits, int8_t* q, float* scales) {
  assert(bits >= 2 && bits <= 8);
  const int qmax = (1 << (bits - 1)) - 1;
  for (int64_t c = 0; c < channels; ++c)
    scales[c] = quantize_weight_slice(w + c * inner, outer, inner, channels * inner, qmax, q + c * inner);
}

void dequantize_weights(const int8_t* q, int64_t outer, int64_t channels, int64_t inner, const float* scales,
                        float* w) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t base = (o * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) w[base + i] = static_cast<float>(q[base + i]) * scales[c];
    }
}

QuantizedWeights quantize_weights_symmetric(const float* w, std::span<const int64_t> dims, int axis, int bits) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  QuantizedWeights out;
  out.values.resize(static_cast<size_t>(n));
  out.axis = axis;
  out.bits = bits;
  if (axis < 0) {
    out.scales.assign(1, quantize_weights_symmetric_per_tensor(w, n, bits, out.values.data()));
    return out;
  }
  assert(axis < static_cast<int>(dims.size()));
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= dims[i];
  for (size_t i = static_cast<size_t>(axis) + 1; i < dims.size(); ++i) inner *= dims[i];
  out.scales.resize(static_cast<size_t>(dims[axis]));
  quantize_weights_symmetric_per_channel(w, outer, dims[axis], inner, bits, out.values.data(), out.scales.data());
  return out;
}

}  // namespace qgate::kernels
