#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "kernels/select.h"
#include "reference/select.h"

namespace qgate {
namespace {

struct Shapes {
  Shape cond, x, y, out;
};

TEST_SUITE("kernels.select") {

TEST_CASE("select equals the reference for 1, 4 and 8 byte elements over three-way broadcasts") {
  const Shapes cases[] = {
      {{5}, {5}, {5}, {5}},
      {{2, 3}, {}, {3}, {2, 3}},
      {{1, 3}, {2, 1}, {}, {2, 3}},
      {{4, 1, 2}, {3, 1}, {1, 1, 2}, {4, 3, 2}},
      {{2, 1, 3, 1, 2, 1}, {1, 2, 1, 3, 1, 2}, {2}, {2, 2, 3, 3, 2, 2}},
      {{0, 2}, {2}, {2}, {0, 2}},
  };
  for (const Shapes& c : cases) {
    kernels::SelectShape s;
    std::array<int32_t, kernels::kMaxBroadcastRank> shape{};
    int rank = 0;
    REQUIRE(kernels::make_select_shape(c.cond, c.x, c.y, &s, &shape, &rank));
    CHECK(Shape(shape.begin(), shape.begin() + rank) == c.out);
    std::vector<uint8_t> cond(shape_elements(c.cond));
    for (size_t i = 0; i < cond.size(); ++i) cond[i] = static_cast<uint8_t>(i % 3 == 1 ? 2 : i % 2);  // 2 is true
    for (size_t elem : {size_t{1}, size_t{4}, size_t{8}}) {
      CAPTURE(shape_string(c.out));
      CAPTURE(elem);
      std::vector<uint8_t> x(shape_elements(c.x) * elem), y(shape_elements(c.y) * elem);
      for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 31 + 1);
      for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<uint8_t>(i * 17 + 128);
      const size_t bytes = static_cast<size_t>(s.out_elements) * elem;
      std::vector<uint8_t> want(bytes, 0xEE), got(bytes, 0xEF);
      reference::select(s, cond.data(), x.data(), y.data(), want.data(), elem);
      kernels::select(s, cond.data(), x.data(), y.data(), got.data(), elem);
      CHECK(got == want);
    }
  }
}

TEST_CASE("hand-computed: a condition row against a column of x and a scalar y") {
  kernels::SelectShape s;
  std::array<int32_t, kernels::kMaxBroadcastRank> shape{};
  int rank = 0;
  REQUIRE(kernels::make_select_shape(Shape{3}, Shape{2, 1}, Shape{}, &s, &shape, &rank));
  const uint8_t cond[] = {1, 0, 1};
  const int64_t x[] = {10, 20}, y[] = {-1};
  int64_t out[6];
  kernels::select(s, cond, x, y, out, sizeof(int64_t));
  const int64_t want[] = {10, -1, 10, 20, -1, 20};
  for (int i = 0; i < 6; ++i) CHECK(out[i] == want[i]);
  CHECK_FALSE(kernels::make_select_shape(Shape{3}, Shape{2}, Shape{}, &s, &shape, &rank));
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
