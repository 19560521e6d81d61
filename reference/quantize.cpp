#include "reference/quantize.h"

#include <cmath>
#include <limits>

namespace qgate::reference {

namespace {

// std::round, then the x86 float-to-int conversion TFLite compiles to: out of int32 range or NaN -> INT32_MIN.
int32_t round_to_int(float y) {
  const double r = std::round(static_cast<double>(y));  // y's rounding is exact in double too
  if (std::isnan(r) || r < -2147483648.0 || r > 2147483647.0) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(r);
}

int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

void quantize_row_symmetric(const float* x, int64_t n, int8_t* q, float* scale) {
  float r = 0.0f;  // max |x|
  for (int64_t i = 0; i < n; ++i)
    if (std::fabs(x[i]) > r) r = std::fabs(x[i]);
  if (r == 0.0f) {
    for (int64_t i = 0; i < n; ++i) q[i] = 0;
    *scale = 1.0f;
    return;
  }
  *scale = r / 127.0f;
  const float inv = 127.0f / r;
  for (int64_t i = 0; i < n; ++i) {
    const float y = x[i] * inv;
    q[i] = static_cast<int8_t>(clamp(round_to_int(y), -127, 127));
  }
}

void quantize_row_asymmetric(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point) {
  double rmin = 0.0, rmax = 0.0;  // the range always includes 0
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] < rmin) rmin = x[i];
    if (x[i] > rmax) rmax = x[i];
  }
  if (rmin == rmax) {
    for (int64_t i = 0; i < n; ++i) q[i] = 0;
    *scale = 1.0f;
    *zero_point = 0;
    return;
  }
  const double s = (rmax - rmin) / 255.0;
  const double err_min = 128.0 + std::fabs(rmin / s);
  const double err_max = 127.0 + std::fabs(rmax / s);
  const double zp = err_min < err_max ? -128.0 - rmin / s : 127.0 - rmax / s;
  int32_t zpi;
  if (zp <= -128.0)
    zpi = -128;
  else if (zp >= 127.0)
    zpi = 127;
  else
    zpi = static_cast<int32_t>(std::round(zp));
  *scale = static_cast<float>(s);
  *zero_point = zpi;
  const float inv = 1.0f / *scale;
  for (int64_t i = 0; i < n; ++i) {
    const float prod = x[i] * inv;
    const float y = static_cast<float>(zpi) + prod;
    q[i] = static_cast<int8_t>(clamp(round_to_int(y), -128, 127));
  }
}

void quantize_rows_symmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales) {
  for (int64_t r = 0; r < rows; ++r) quantize_row_symmetric(x + r * k, k, q + r * k, scales + r);
}

void quantize_rows_asymmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                              int32_t* zero_points) {
  for (int64_t r = 0; r < rows; ++r)
    quantize_row_asymmetric(x + r * k, k, q + r * k, scales + r, zero_points + r);
}

void quantize_row_xnnpack(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point) {
  float mn = 0.0f, mx = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] < mn) mn = x[i];
    if (x[i] > mx) mx = x[i];
  }
  // mn <= 0 <= mx by construction (the range always holds zero).
  const float multiplier = mn == mx ? 1.0f : 255.0f / (mx - mn);
  const float low_end = -128.0f - mn * multiplier;   // zero point that maps mn exactly to -128
  const float high_end = 127.0f - mx * multiplier;   // zero point that maps mx exactly to 127
  const float low_error = -128.0f + mn * multiplier;
  const float high_error = 127.0f + mx * multiplier;
  float zp = low_error + high_error > 0.0f ? low_end : high_end;
  if (zp < -128.0f) zp = -128.0f;
  if (zp > 127.0f) zp = 127.0f;
  const int32_t z = static_cast<int32_t>(std::nearbyint(zp));
  *zero_point = z;
  *scale = 1.0f / multiplier;
  for (int64_t i = 0; i < n; ++i) {
    float y = x[i] * multiplier;
    if (y > static_cast<float>(127 - z)) y = static_cast<float>(127 - z);
    if (y < -1e9f) y = -1e9f;  // keeps the int conversion defined; the max below clamps it anyway
    int32_t v = static_cast<int32_t>(std::nearbyint(y)) + z;
    if (v < -128) v = -128;
    q[i] = static_cast<int8_t>(v);
  }
}

void quantize_rows_xnnpack(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales, int32_t* zero_points) {
  for (int64_t r = 0; r < rows; ++r) quantize_row_xnnpack(x + r * k, k, q + r * k, scales + r, zero_points + r);
}

}  // namespace qgate::reference
