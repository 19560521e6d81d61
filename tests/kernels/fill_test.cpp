#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <cstdint>
#include <vector>

#include "kernels/fill.h"
#include "reference/fill.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

TEST_SUITE("kernels.fill") {

TEST_CASE("fill writes every element, 1 to 8 byte values") {
  for (size_t elem : {size_t{1}, size_t{4}, size_t{8}}) {
    for (int64_t n : {0, 1, 7, 100}) {
      const uint64_t value = 0x0123456789abcdefull;
      std::vector<unsigned char> want(n * elem, 0xEE), got(n * elem, 0xEF);
      reference::fill(&value, want.data(), n, elem);
      kernels::fill(&value, got.data(), n, elem);
      CHECK(got == want);
    }
  }
}

TEST_CASE("range counts and values equal the reference (float: two roundings against one, bounded by the operands)") {
  struct Float3 {
    float start, limit, delta;
  };
  for (const Float3& r : {Float3{0, 10, 1}, Float3{1, 10, 3}, Float3{10, 1, -3}, Float3{0.5f, 2.25f, 0.125f},
                          Float3{-1, 1, 0.1f}, Float3{3, 3, 1}, Float3{5, 1, 1}, Float3{0, 1e3f, 0.37f}}) {
    CAPTURE(r.start);
    CAPTURE(r.limit);
    CAPTURE(r.delta);
    const int64_t n = kernels::range_count_float(r.start, r.limit, r.delta);
    REQUIRE(n == reference::range_count_float(r.start, r.limit, r.delta));
    auto want = test::nan_filled(n), got = test::nan_filled(n);
    reference::range_float(r.start, r.delta, want.data(), n);
    kernels::range_float(r.start, r.delta, got.data(), n);
    // start + i * delta in float rounds the product and the sum, each by at most half an ulp of the operands: near a
    // cancellation (-1 + 10 * 0.1) that is many ulp of the tiny result, so the bound is on the operands' size.
    for (int64_t i = 0; i < n; ++i) {
      const float scale = std::fabs(r.start) + std::fabs(static_cast<float>(i) * r.delta);
      CHECK(std::fabs(got[i] - want[i]) <= 2 * std::numeric_limits<float>::epsilon() * scale);
    }
  }
  struct Int3 {
    int64_t start, limit, delta;
  };
  for (const Int3& r : {Int3{0, 10, 1}, Int3{1, 10, 3}, Int3{10, 1, -3}, Int3{-7, 8, 5}, Int3{3, 3, 2},
                        Int3{5, 1, 1}, Int3{1, 5, -1}, Int3{10, -11, -7}}) {
    CAPTURE(r.start);
    CAPTURE(r.limit);
    CAPTURE(r.delta);
    const int64_t n = kernels::range_count_int(r.start, r.limit, r.delta);
    REQUIRE(n == reference::range_count_int(r.start, r.limit, r.delta));
    std::vector<int64_t> want(n, -99), got(n, -98);
    reference::range_int64(r.start, r.delta, want.data(), n);
    kernels::range_int64(r.start, r.delta, got.data(), n);
    CHECK(got == want);
    std::vector<int32_t> got32(n, -98);
    kernels::range_int32(static_cast<int32_t>(r.start), static_cast<int32_t>(r.delta), got32.data(), n);
    for (int64_t i = 0; i < n; ++i) CHECK(got32[i] == want[i]);
  }
}

TEST_CASE("hand-computed: ONNX's examples") {
  CHECK(kernels::range_count_float(3, 9, 3) == 2);   // [3, 6]
  CHECK(kernels::range_count_int(10, 4, -3) == 2);   // [10, 7]
  CHECK(kernels::range_count_int(1, 2, 5) == 1);
  float v[2];
  kernels::range_float(3, 3, v, 2);
  CHECK(v[0] == 3.0f);
  CHECK(v[1] == 6.0f);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
