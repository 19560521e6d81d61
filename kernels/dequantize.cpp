#include "kernels/dequantize.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

constexpr int64_t kParallelGrain = 64 * 1024;

inline float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

template <typename Q>
void dequantize_affine(const Q* in, float* out, int64_t n, const AffineQuant& q) {
  if (q.channels <= 1) {
    const float s = q.scale[0];
    const int32_t zp = q.zero_point ? static_cast<int32_t>(q.zero_point[0]) : 0;
    parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = static_cast<float>(static_cast<int32_t>(in[i]) - zp) * s;
    });
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = (i / q.inner) % q.channels;
    const int32_t zp = q.zero_point ? static_cast<int32_t>(q.zero_point[c]) : 0;
    out[i] = static_cast<float>(static_cast<int32_t>(in[i]) - zp) * q.scale[c];
  }
}

template <typename Q>
void quantize_affine(const float* in, Q* out, int64_t n, const AffineQuant& q) {
  constexpr float kMin = static_cast<float>(std::numeric_limits<Q>::min());
  constexpr float kMax = static_cast<float>(std::numeric_limits<Q>::max());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = q.channels <= 1 ? 0 : (i / q.inner) % q.channels;
    const float zp = q.zero_point ? static_cast<float>(q.zero_point[c]) : 0.0f;
    float r = q.ties_to_even ? std::nearbyint(in[i] / q.scale[c]) : std::round(in[i] / q.scale[c]);
    if (std::isnan(r)) r = 0.0f;
    // round(x/s) + zp clamped; the clamp happens in float so huge values never overflow an int.
    const float v = std::fmin(std::fmax(r, kMin - zp), kMax - zp) + zp;
    out[i] = static_cast<Q>(v);
  }
}

}  // namespace

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return bits_to_float(sign | 0x7f800000u | (mant << 13));  // inf, NaN (payload kept)
  if (exp != 0) return bits_to_float(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0) return bits_to_float(sign);  // +-0
  // Subnormal half: value = mant * 2^-24. Normalise the mantissa into a float exponent.
  int e = -1;
  do {
    mant <<= 1;
    ++e;
  } while ((mant & 0x400u) == 0);
  // After e + 1 shifts the leading 1 sits at bit 10: value = 1.m * 2^(-14 - (e + 1)), so the float exponent
  // field is 127 - 15 - e.
  return bits_to_float(sign | static_cast<uint32_t>(112 - e) << 23 | ((mant & 0x3ffu) << 13));
}

void dequantize_f16(const uint16_t* in, float* out, int64_t n, SimdPath path) {
  const bool avx2 = resolve_path(path) == SimdPath::avx2;  // F16C is part of the avx2 path
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
    if (avx2) {
      detail::dequantize_f16_avx2(in + b, out + b, e - b);
    } else {
      for (int64_t i = b; i < e; ++i) out[i] = half_to_float(in[i]);
    }
  });
}

uint16_t float_to_half(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const float a = std::fabs(f);
  if (std::isnan(f)) return static_cast<uint16_t>(sign | 0x7e00u);
  // 65520 is halfway between the largest half (65504) and 2^16: it and above round to infinity.
  if (a >= 65520.0f) return static_cast<uint16_t>(sign | 0x7c00u);
  if (a < 6.103515625e-05f) {  // below the smallest normal half: multiples of 2^-24, ties to even
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f)));
  }
  // Normal: keep 10 of the 23 mantissa bits, round the dropped 13 to nearest, ties to even; a carry into the
  // exponent is the right answer (1.11...1 rounds up to the next power of two).
  const uint32_t abits = bits & 0x7fffffffu;
  const uint32_t dropped = abits & 0x1fffu;
  uint32_t kept = abits >> 13;
  if (dropped > 0x1000u || (dropped == 0x1000u && (kept & 1u))) ++kept;
  // Rebias the exponent from 127 to 15: subtract (127 - 15) << 10.
  return static_cast<uint16_t>(sign | (kept - (112u << 10)));
}

void dequantize_int8(const int8_t* in, float* out, int64_t n, const AffineQuant& q) { dequantize_affine(in, out, n, q); }
void dequantize_uint8(const uint8_t* in, float* out, int64_t n, const AffineQuant& q) { dequantize_affine(in, out, n, q); }
void quantize_int8(const float* in, int8_t* out, int64_t n, const AffineQuant& q) { quantize_affine(in, out, n, q); }
void quantize_uint8(const float* in, uint8_t* out, int64_t n, const AffineQuant& q) { quantize_affine(in, out, n, q); }

}  // namespace qgate::kernels
