#include "reference/dequantize.h"

#include <cmath>
#include <limits>

namespace qgate::reference {

namespace {

int64_t channel_of(const AffineQuant& q, int64_t i) { return q.channels <= 1 ? 0 : (i / q.inner) % q.channels; }
int64_t zero_point_of(const AffineQuant& q, int64_t c) { return q.zero_point ? q.zero_point[c] : 0; }

template <typename Q>
void dequantize(const Q* in, float* out, int64_t n, const AffineQuant& q) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = channel_of(q, i);
    // (q - zp) is exact in float; one float product, like the kernel and TFLite.
    out[i] = static_cast<float>(in[i] - zero_point_of(q, c)) * q.scale[c];
  }
}

template <typename Q>
void quantize(const float* in, Q* out, int64_t n, const AffineQuant& q) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = channel_of(q, i);
    const float x = in[i] / q.scale[c];  // float division, as TFLite's reference quantize
    int64_t v;
    if (std::isnan(x)) v = 0;
    else if (x > 1e6f) v = 1000000;
    else if (x < -1e6f) v = -1000000;
    else if (!q.ties_to_even)
      v = static_cast<int64_t>(x < 0 ? -std::floor(-static_cast<double>(x) + 0.5) : std::floor(static_cast<double>(x) + 0.5));
    else {
      // Ties to even, from the definition: the nearer of floor and floor + 1, the even one on a tie.
      const double lo = std::floor(static_cast<double>(x)), frac = x - lo;
      v = static_cast<int64_t>(frac < 0.5 ? lo : frac > 0.5 ? lo + 1 : (std::fmod(lo, 2.0) == 0 ? lo : lo + 1));
    }
    v += zero_point_of(q, c);
    if (v < std::numeric_limits<Q>::min()) v = std::numeric_limits<Q>::min();
    if (v > std::numeric_limits<Q>::max()) v = std::numeric_limits<Q>::max();
    out[i] = static_cast<Q>(v);
  }
}

}  // namespace

void dequantize_f16(const uint16_t* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t h = in[i];
    const bool neg = h & 0x8000;
    const int e = (h >> 10) & 0x1f;
    const int m = h & 0x3ff;
    double v;
    if (e == 31) v = m ? std::numeric_limits<double>::quiet_NaN() : INFINITY;
    else if (e == 0) v = std::ldexp(static_cast<double>(m), -24);
    else v = std::ldexp(static_cast<double>(m + 1024), e - 25);
    out[i] = static_cast<float>(neg ? -v : v);
  }
}

void dequantize_int8(const int8_t* in, float* out, int64_t n, const AffineQuant& q) { dequantize(in, out, n, q); }
void dequantize_uint8(const uint8_t* in, float* out, int64_t n, const AffineQuant& q) { dequantize(in, out, n, q); }
void quantize_int8(const float* in, int8_t* out, int64_t n, const AffineQuant& q) { quantize(in, out, n, q); }
void quantize_uint8(const float* in, uint8_t* out, int64_t n, const AffineQuant& q) { quantize(in, out, n, q); }

}  // namespace qgate::reference
