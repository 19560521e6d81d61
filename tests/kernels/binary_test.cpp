#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/tensor.h"
#include "kernels/binary.h"
#include "reference/binary.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::BinaryOp;
using kernels::BroadcastShape;
using test::ulp_distance;

struct ShapePair {
  Shape a, b;
};

std::vector<ShapePair> shape_sweep() {
  std::vector<ShapePair> v;
  for (int n : {1, 7, 8, 9, 31, 33, 1000}) v.push_back({{n}, {n}});                  // equal
  for (int n : {1, 7, 9, 33}) v.push_back({{2, n}, {}});                            // scalar b
  for (int n : {1, 8, 31}) v.push_back({{1}, {3, n}});                              // scalar a
  v.push_back({{2, 3, 4}, {4}});                                                    // per-channel
  v.push_back({{1, 7, 7, 33}, {1, 1, 33}});
  v.push_back({{9}, {5, 9}});                                                       // a is the vector
  v.push_back({{2, 1, 4}, {1, 3, 1}});                                              // both broadcast
  v.push_back({{3, 1}, {1, 9}});
  v.push_back({{2, 3, 4, 5}, {3, 1, 5}});
  v.push_back({{2, 1, 3, 1, 5, 1}, {1, 4, 1, 2, 1, 3}});                            // rank 6
  v.push_back({{1, 2, 3, 4, 5, 6}, {6}});
  v.push_back({{300, 301}, {301}});  // large enough to be split across threads
  v.push_back({{0, 4}, {4}});        // empty
  return v;
}

constexpr BinaryOp kOps[] = {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div, BinaryOp::maximum,
                             BinaryOp::minimum, BinaryOp::squared_difference, BinaryOp::pow, BinaryOp::prelu};

TEST_SUITE("kernels.binary") {

TEST_CASE("fast paths equal the reference bit for bit (NaNs in the inputs included)") {
  // Tolerance: exact. Every op is the same single IEEE formula on both sides (pow calls std::pow on both).
  for (const ShapePair& sp : shape_sweep()) {
    BroadcastShape s;
    REQUIRE(kernels::make_broadcast_shape(sp.a, sp.b, &s));
    auto a = test::random_floats(shape_elements(sp.a), 1, -3.0f, 3.0f);
    auto b = test::random_floats(shape_elements(sp.b), 2, -3.0f, 3.0f);
    if (a.size() > 3) a[3] = NAN;
    if (b.size() > 5) b[5] = NAN;
    for (BinaryOp op : kOps) {
      for (Activation act : {Activation::none, Activation::relu6, Activation::relu_n1_to_1}) {
        auto expected = test::nan_filled(s.out_elements);
        reference::binary_float(op, s, a.data(), b.data(), expected.data(), act);
        test::for_each_path([&](kernels::SimdPath path) {
          CAPTURE(shape_string(sp.a));
          CAPTURE(shape_string(sp.b));
          CAPTURE(static_cast<int>(op));
          CAPTURE(static_cast<int>(act));
          auto got = test::nan_filled(s.out_elements);
          kernels::binary_float(op, s, a.data(), b.data(), got.data(), act, path);
          int64_t bad = 0;
          for (int64_t i = 0; i < s.out_elements; ++i) bad += ulp_distance(got[i], expected[i]) != 0;
          CHECK(bad == 0);
        });
      }
    }
  }
}

TEST_CASE("broadcast shapes") {
  BroadcastShape s;
  std::array<int32_t, kernels::kMaxBroadcastRank> out{};
  int rank = 0;
  REQUIRE(kernels::make_broadcast_shape(Shape{2, 1, 4}, Shape{1, 3, 1}, &s, &out, &rank));
  CHECK(rank == 3);
  CHECK(Shape(out.begin(), out.begin() + rank) == Shape{2, 3, 4});
  CHECK(s.out_elements == 24);
  REQUIRE(kernels::make_broadcast_shape(Shape{2, 3, 4}, Shape{4}, &s, &out, &rank));
  CHECK(s.rank == 2);  // collapsed to [6, 4] with b repeating
  CHECK(s.b_strides[0] == 0);
  REQUIRE(kernels::make_broadcast_shape(Shape{5, 6}, Shape{5, 6}, &s));
  CHECK(s.rank == 1);  // one long row
  CHECK_FALSE(kernels::make_broadcast_shape(Shape{1, 3, 4}, Shape{2, 4}, &s));
  CHECK_FALSE(kernels::make_broadcast_shape(Shape{1, 1, 1, 1, 1, 1, 1}, Shape{1}, &s));
}

TEST_CASE("hand-computed: add with broadcast and relu, prelu per channel") {
  BroadcastShape s;
  REQUIRE(kernels::make_broadcast_shape(Shape{2, 3}, Shape{3}, &s));
  const float a[] = {1, -2, 3, -4, 5, -6};
  const float b[] = {0.5f, 1, -10};
  float out[6];
  kernels::binary_float(BinaryOp::add, s, a, b, out, Activation::relu);
  const float want[] = {1.5f, 0, 0, 0, 6, 0};
  for (int i = 0; i < 6; ++i) CHECK(out[i] == want[i]);
  kernels::binary_float(BinaryOp::prelu, s, a, b, out, Activation::none);
  const float want_prelu[] = {1, -2, 3, -2, 5, 60};
  for (int i = 0; i < 6; ++i) CHECK(out[i] == want_prelu[i]);
}

TEST_CASE("int32 ops equal the reference exactly") {
  for (const ShapePair& sp : shape_sweep()) {
    BroadcastShape s;
    REQUIRE(kernels::make_broadcast_shape(sp.a, sp.b, &s));
    std::vector<int32_t> a(shape_elements(sp.a)), b(shape_elements(sp.b));
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int32_t>(i * 7919 % 201) - 100;
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int32_t>(i * 104729 % 37) - 18;
    for (BinaryOp op : {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::maximum, BinaryOp::minimum}) {
      CAPTURE(shape_string(sp.a));
      CAPTURE(shape_string(sp.b));
      CAPTURE(static_cast<int>(op));
      std::vector<int32_t> want(s.out_elements, -12345), got(s.out_elements, -12345);
      reference::binary_int32(op, s, a.data(), b.data(), want.data(), Activation::relu6);
      kernels::binary_int32(op, s, a.data(), b.data(), got.data(), Activation::relu6);
      CHECK(got == want);
    }
  }
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
