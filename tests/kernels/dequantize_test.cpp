#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <ios>
#include <vector>

#include "kernels/dequantize.h"
#include "reference/dequantize.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::AffineQuant;

// Independent oracle for binary16, from its definition: (-1)^s * 2^(e-15) * (1 + m/1024), subnormal
// (-1)^s * 2^-14 * (m/1024).
float half_oracle(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  float v;
  if (e == 31) v = m ? NAN : INFINITY;
  else if (e == 0) v = std::ldexp(static_cast<float>(m) / 1024.0f, -14);
  else v = std::ldexp(1.0f + static_cast<float>(m) / 1024.0f, e - 15);
  return s ? -v : v;
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST_SUITE("kernels.dequantize") {

TEST_CASE("float16 -> float32, exhaustive over all 65536 values") {
  // Exact: every half is representable in float. NaNs must stay NaN with their sign.
  std::vector<uint16_t> h(65536);
  for (int i = 0; i < 65536; ++i) h[i] = static_cast<uint16_t>(i);
  test::for_each_path([&](kernels::SimdPath path) {
    auto out = test::nan_filled(h.size());
    kernels::dequantize_f16(h.data(), out.data(), static_cast<int64_t>(h.size()), path);
    int64_t bad = 0;
    for (int i = 0; i < 65536; ++i) {
      const float want = half_oracle(h[i]);
      const bool ok = std::isnan(want) ? std::isnan(out[i]) && std::signbit(out[i]) == std::signbit(want)
                                       : bits(out[i]) == bits(want);
      if (!ok && bad++ < 3) MESSAGE("half 0x" << std::hex << i << ": got " << out[i] << ", want " << want);
    }
    CHECK(bad == 0);
  });
  // The scalar helper and the reference twin agree too.
  std::vector<float> ref(65536);
  reference::dequantize_f16(h.data(), ref.data(), 65536);
  int64_t bad = 0;
  for (int i = 0; i < 65536; ++i) {
    const float k = kernels::half_to_float(h[i]);
    bad += std::isnan(k) ? !std::isnan(ref[i]) : bits(k) != bits(ref[i]);
  }
  CHECK(bad == 0);
  CHECK(kernels::half_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK(kernels::half_to_float(0x7bff) == 65504.0f);                // largest finite
  CHECK(kernels::half_to_float(0xfc00) == -INFINITY);
}

TEST_CASE("float32 -> float16: every half round-trips, midpoints go to the even neighbour, others to the nearer") {
  // The oracle is the half grid itself (half_oracle): each finite half maps back to its own bits, and for each
  // pair of neighbours a < b the float midpoint (exact in float) rounds to the one with the even mantissa, while
  // the floats one ulp inside the midpoint round to the nearer neighbour.
  int64_t bad = 0;
  for (int i = 0; i < 0x7c00; ++i) {  // +0 up to the largest finite half, then the same negated
    for (int sign : {0, 0x8000}) {
      const uint16_t h = static_cast<uint16_t>(i | sign);
      const float a = half_oracle(h);
      if (kernels::float_to_half(a) != h) {
        if (bad++ < 3) MESSAGE("half 0x" << std::hex << h << " does not round-trip");
      }
      if (i + 1 >= 0x7c00) continue;
      const float b = half_oracle(static_cast<uint16_t>(h + 1));
      const float mid = (a + b) / 2;  // exact: one more bit than a half has
      const uint16_t even = (i & 1) ? static_cast<uint16_t>(h + 1) : h;
      bad += kernels::float_to_half(mid) != even;
      bad += kernels::float_to_half(std::nextafter(mid, a)) != h;
      bad += kernels::float_to_half(std::nextafter(mid, b)) != static_cast<uint16_t>(h + 1);
    }
  }
  CHECK(bad == 0);
  CHECK(kernels::float_to_half(65519.996f) == 0x7bff);  // below the midpoint to 2^16: the largest finite half
  CHECK(kernels::float_to_half(65520.0f) == 0x7c00);    // the midpoint (a tie towards the even "2^16"): infinity
  CHECK(kernels::float_to_half(-1e9f) == 0xfc00);
  CHECK(kernels::float_to_half(INFINITY) == 0x7c00);
  CHECK(std::isnan(kernels::half_to_float(kernels::float_to_half(NAN))));
  CHECK(kernels::float_to_half(std::ldexp(1.0f, -25)) == 0x0000);                 // tie between 0 and 2^-24: 0
  CHECK(kernels::float_to_half(std::nextafter(std::ldexp(1.0f, -25), 1.0f)) == 0x0001);
}

TEST_CASE("int8 / uint8 dequantize, per tensor and per channel, equal the reference exactly") {
  const float scales[] = {0.5f, 0.02f, 1.5f};
  const int64_t zps[] = {0, -3, 7};
  for (int64_t inner : {1, 5}) {
    for (int64_t channels : {1, 3}) {
      AffineQuant q{scales, zps, channels, inner};
      const int64_t n = 2 * channels * inner;
      std::vector<int8_t> a(n);
      std::vector<uint8_t> b(n);
      for (int64_t i = 0; i < n; ++i) {
        a[i] = static_cast<int8_t>(i * 37 - 128);
        b[i] = static_cast<uint8_t>(i * 53);
      }
      CAPTURE(inner);
      CAPTURE(channels);
      auto want = test::nan_filled(n), got = test::nan_filled(n);
      reference::dequantize_int8(a.data(), want.data(), n, q);
      kernels::dequantize_int8(a.data(), got.data(), n, q);
      CHECK(got == want);
      want = test::nan_filled(n), got = test::nan_filled(n);
      reference::dequantize_uint8(b.data(), want.data(), n, q);
      kernels::dequantize_uint8(b.data(), got.data(), n, q);
      CHECK(got == want);
    }
  }
  // Hand-computed: (q - zp) * scale.
  const int8_t q[] = {-128, 0, 127};
  const float s = 0.5f;
  const int64_t zp = -1;
  float y[3];
  kernels::dequantize_int8(q, y, 3, AffineQuant{&s, &zp, 1, 1});
  CHECK(y[0] == -63.5f);
  CHECK(y[1] == 0.5f);
  CHECK(y[2] == 64.0f);
}

TEST_CASE("quantize: round half away from zero, clamp, NaN to the zero point") {
  const float s = 0.5f;
  const int64_t zp0 = 0, zp128 = 128;
  const float x[] = {0.25f, -0.25f, 0.75f, 100.0f, -100.0f, NAN, INFINITY, -INFINITY, 0.0f};
  int8_t q8[9];
  kernels::quantize_int8(x, q8, 9, AffineQuant{&s, &zp0, 1, 1});
  const int8_t want8[] = {1, -1, 2, 127, -128, 0, 127, -128, 0};
  for (int i = 0; i < 9; ++i) CHECK(q8[i] == want8[i]);
  uint8_t qu[9];
  kernels::quantize_uint8(x, qu, 9, AffineQuant{&s, &zp128, 1, 1});
  const uint8_t wantu[] = {129, 127, 130, 255, 0, 128, 255, 0, 128};
  for (int i = 0; i < 9; ++i) CHECK(qu[i] == wantu[i]);

  // Sweep against the reference, per-tensor and per-channel (exact: same float division and rounding rule).
  const float scales[] = {0.05f, 0.013f, 0.2f};
  const int64_t zps[] = {-5, 0, 9};
  auto v = test::random_floats(3 * 7 * 4, 3, -8.0f, 8.0f);
  for (int i = 0; i < 12; ++i) v[i * 7] = 0.5f * static_cast<float>(i - 6) * scales[0];  // ties, per tensor
  for (bool even : {false, true})
    for (int64_t channels : {1, 3}) {
      AffineQuant q{scales, zps, channels, 4, even};
      std::vector<int8_t> a(v.size()), b(v.size());
      kernels::quantize_int8(v.data(), a.data(), static_cast<int64_t>(v.size()), q);
      reference::quantize_int8(v.data(), b.data(), static_cast<int64_t>(v.size()), q);
      CHECK(a == b);
      std::vector<uint8_t> ua(v.size()), ub(v.size());
      kernels::quantize_uint8(v.data(), ua.data(), static_cast<int64_t>(v.size()), q);
      reference::quantize_uint8(v.data(), ub.data(), static_cast<int64_t>(v.size()), q);
      CHECK(ua == ub);
    }
}

TEST_CASE("quantize with ties_to_even: ONNX QuantizeLinear's rounding") {
  const float s = 1.0f;
  const int64_t zp = 0;
  const float x[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, 2.6f};
  int8_t q[7];
  kernels::quantize_int8(x, q, 7, AffineQuant{&s, &zp, 1, 1, true});
  const int8_t want[] = {0, 2, 2, 0, -2, 2, 3};
  for (int i = 0; i < 7; ++i) CHECK(q[i] == want[i]);
}

}  // TEST_SUITE

}  // namespace
}  // namespace qgate
