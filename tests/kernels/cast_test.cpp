// kernels/cast.h against its twin (reference/cast.h) for every pair of types over random values and the edges
// (NaN, infinities, signed zeros, values just inside and outside each integer range, fractions), outputs
// pre-filled with a sentinel and compared byte for byte; then hand-computed casts. One implementation, no path.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/cast.h"
#include "reference/cast.h"

namespace qgate {
namespace {

using kernels::CastType;

constexpr CastType kTypes[] = {CastType::f32, CastType::i32, CastType::i64, CastType::u8, CastType::i8,
                               CastType::boolean};

size_t size_of(CastType t) {
  switch (t) {
    case CastType::f32:
    case CastType::i32: return 4;
    case CastType::i64: return 8;
    default: return 1;
  }
}

const char* name(CastType t) {
  switch (t) {
    case CastType::f32: return "f32";
    case CastType::i32: return "i32";
    case CastType::i64: return "i64";
    case CastType::u8: return "u8";
    case CastType::i8: return "i8";
    case CastType::boolean: return "bool";
  }
  return "?";
}

// n source values of type `t` as bytes: edges first, then random ones.
std::vector<uint8_t> source_values(CastType t, size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> bytes(n * size_of(t));
  auto put = [&](size_t i, const auto& v) { std::memcpy(bytes.data() + i * sizeof(v), &v, sizeof(v)); };
  const float f_edges[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 0.5f, -0.5f, 1.9f, -1.9f, 127.9f, 128.0f,
                           -128.5f, -129.0f, 255.5f, 256.0f, 2147483520.0f, 2147483648.0f, -2147483648.0f,
                           -2147483904.0f, 9.2233715e18f, 9.2233720e18f, -9.2233720e18f, -9.2233731e18f, 1e-40f};
  const int64_t i_edges[] = {0, 1, -1, 127, 128, -128, -129, 255, 256, 300, INT32_MAX, INT32_MIN,
                             int64_t{INT32_MAX} + 1, int64_t{1} << 40, (int64_t{1} << 53) + 1, INT64_MAX, INT64_MIN};
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = rng();
    switch (t) {
      case CastType::f32: {
        // Random mantissa in [-1, 1] times 2^0 .. 2^69: every integer range is crossed.
        const float mantissa = static_cast<float>(r % 20001) / 10000.0f - 1.0f;
        put(i, i < std::size(f_edges) ? f_edges[i] : std::ldexp(mantissa, static_cast<int>((r >> 40) % 70)));
        break;
      }
      case CastType::i32:
        put(i, static_cast<int32_t>(i < std::size(i_edges) ? i_edges[i] : static_cast<int64_t>(r)));
        break;
      case CastType::i64:
        put(i, i < std::size(i_edges) ? i_edges[i] : static_cast<int64_t>(r) >> (r % 60));
        break;
      case CastType::u8:
      case CastType::i8: put(i, static_cast<uint8_t>(r)); break;
      case CastType::boolean: put(i, static_cast<uint8_t>(i % 3 == 0 ? 0 : r)); break;  // any nonzero byte is true
    }
  }
  return bytes;
}

TEST_SUITE("kernels.cast") {
  TEST_CASE("every pair of types matches the reference byte for byte") {
    uint32_t seed = 3;
    for (CastType from : kTypes)
      for (CastType to : kTypes)
        for (size_t n : {size_t{1}, size_t{7}, size_t{100}}) {
          CAPTURE(std::string(name(from)) + " -> " + name(to) + " n" + std::to_string(n));
          const auto in = source_values(from, n, ++seed);
          std::vector<uint8_t> got(n * size_of(to), 0xA5), want(n * size_of(to), 0x5A);
          kernels::cast(from, in.data(), to, got.data(), static_cast<int64_t>(n));
          reference::cast(from, in.data(), to, want.data(), static_cast<int64_t>(n));
          CHECK(got == want);
        }
  }

  TEST_CASE("hand-computed casts") {
    const float f[] = {1.9f, -1.9f, 0.0f, 3e9f, -3e9f, NAN, 255.5f};
    int32_t i32[7];
    kernels::cast(CastType::f32, f, CastType::i32, i32, 7);
    const int32_t want_i32[] = {1, -1, 0, 2147483647, -2147483647 - 1, 0, 255};
    for (int i = 0; i < 7; ++i) CHECK(i32[i] == want_i32[i]);
    uint8_t b[7];
    kernels::cast(CastType::f32, f, CastType::boolean, b, 7);
    const uint8_t want_b[] = {1, 1, 0, 1, 1, 1, 1};  // NaN != 0
    for (int i = 0; i < 7; ++i) CHECK(b[i] == want_b[i]);
    uint8_t u8[7];
    kernels::cast(CastType::f32, f, CastType::u8, u8, 7);
    CHECK(u8[0] == 1);
    CHECK(u8[1] == 0);    // saturates
    CHECK(u8[6] == 255);
    const int64_t big[] = {300, -1, int64_t{1} << 40};
    int8_t i8[3];
    kernels::cast(CastType::i64, big, CastType::i8, i8, 3);
    CHECK(i8[0] == 44);  // wraps modulo 256
    CHECK(i8[1] == -1);
    float back[3];
    kernels::cast(CastType::i64, big, CastType::f32, back, 3);
    CHECK(back[2] == 1099511627776.0f);
    const uint8_t flags[] = {0, 1, 7};
    int32_t fi[3];
    kernels::cast(CastType::boolean, flags, CastType::i32, fi, 3);
    CHECK(fi[0] == 0);
    CHECK(fi[1] == 1);
    CHECK(fi[2] == 1);
  }
}

}  // namespace
}  // namespace qgate
