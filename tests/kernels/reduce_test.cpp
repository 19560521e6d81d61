#include <doctest/doctest.h>

#include <vector>

#include "core/tensor.h"
#include "kernels/reduce.h"
#include "reference/reduce.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::ReduceOp;

struct Case {
  Shape shape;
  uint32_t mask;
};

TEST_SUITE("kernels.reduce") {

TEST_CASE("reduce equals the reference bit for bit") {
  // Exact: both accumulate in double in input order, and max is a comparison.
  std::vector<Case> cases;
  for (uint32_t m = 0; m < 8; ++m) cases.push_back({{2, 3, 4}, m});  // every axis set of a rank-3 tensor
  for (int c : {1, 7, 8, 9, 31, 33, 1000}) cases.push_back({{1, 7, 7, c}, 0b0110});  // global average pool
  cases.push_back({{2, 5, 5, 300}, 0b0110});       // more than one column block
  cases.push_back({{3, 1000}, 0b10});              // contiguous rows
  cases.push_back({{2, 3, 4, 5}, 0b0101});         // two reduced blocks: general path
  cases.push_back({{2, 1, 3, 1, 5}, 0b01010});      // size-1 reduced dims only
  cases.push_back({{4, 0, 3}, 0b010});             // empty reduction
  cases.push_back({{}, 0});                        // scalar
  cases.push_back({{64, 64, 16}, 0b011});          // reduced block first, threaded
  for (const Case& c : cases) {
    kernels::ReduceShape s;
    REQUIRE(kernels::make_reduce_shape(c.shape, c.mask, &s));
    auto x = test::random_floats(shape_elements(c.shape), 7, -5.0f, 5.0f);
    for (ReduceOp op : {ReduceOp::sum, ReduceOp::mean, ReduceOp::max, ReduceOp::min, ReduceOp::prod}) {
      auto want = test::nan_filled(s.out_elements);
      reference::reduce_float(op, s, x.data(), want.data());
      test::for_each_path([&](kernels::SimdPath path) {
        CAPTURE(shape_string(c.shape));
        CAPTURE(c.mask);
        CAPTURE(static_cast<int>(op));
        auto got = test::nan_filled(s.out_elements);
        kernels::reduce_float(op, s, x.data(), got.data(), path);
        int64_t bad = 0;
        for (int64_t i = 0; i < s.out_elements; ++i) bad += test::ulp_distance(got[i], want[i]) != 0;
        CHECK(bad == 0);
      });
    }
  }
}

TEST_CASE("hand-computed: mean, sum, max of [[1,2],[3,4]]") {
  const float x[] = {1, 2, 3, 4};
  kernels::ReduceShape s;
  float y[2];
  REQUIRE(kernels::make_reduce_shape(Shape{2, 2}, 0b01, &s));
  kernels::reduce_float(ReduceOp::mean, s, x, y);
  CHECK(y[0] == 2.0f);
  CHECK(y[1] == 3.0f);
  REQUIRE(kernels::make_reduce_shape(Shape{2, 2}, 0b10, &s));
  kernels::reduce_float(ReduceOp::sum, s, x, y);
  CHECK(y[0] == 3.0f);
  CHECK(y[1] == 7.0f);
  REQUIRE(kernels::make_reduce_shape(Shape{2, 2}, 0b11, &s));
  kernels::reduce_float(ReduceOp::max, s, x, y);
  CHECK(y[0] == 4.0f);
}

TEST_CASE("hand-computed: min and prod of [[1,-2],[3,4]]") {
  const float x[] = {1, -2, 3, 4};
  kernels::ReduceShape s;
  float y[2];
  REQUIRE(kernels::make_reduce_shape(Shape{2, 2}, 0b01, &s));
  kernels::reduce_float(ReduceOp::min, s, x, y);
  CHECK((y[0] == 1.0f && y[1] == -2.0f));
  kernels::reduce_float(ReduceOp::prod, s, x, y);
  CHECK((y[0] == 3.0f && y[1] == -8.0f));
  REQUIRE(kernels::make_reduce_shape(Shape{2, 0}, 0b10, &s));
  kernels::reduce_float(ReduceOp::prod, s, x, y);
  CHECK(y[0] == 1.0f);  // the empty product
}

TEST_CASE("mean accumulates accurately") {
  // 1e6 copies of 0.1f plus one 1e4: a float running sum would drift by ~1%; double is exact enough.
  std::vector<float> x(1000000, 0.1f);
  kernels::ReduceShape s;
  REQUIRE(kernels::make_reduce_shape(Shape{1000000}, 1, &s));
  float y;
  kernels::reduce_float(ReduceOp::mean, s, x.data(), &y);
  CHECK(y == doctest::Approx(0.1f).epsilon(1e-7));
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
