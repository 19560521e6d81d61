#include <doctest/doctest.h>

#include <limits>
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
                             BinaryOp::minimum, BinaryOp::squared_difference, BinaryOp::pow, BinaryOp::prelu,
                             BinaryOp::floor_mod, BinaryOp::trunc_mod};
constexpr BinaryOp kIntOps[] = {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div, BinaryOp::maximum,
                                BinaryOp::minimum, BinaryOp::pow, BinaryOp::floor_mod, BinaryOp::trunc_mod};

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
    for (BinaryOp op : kIntOps) {
      for (Activation act : {Activation::none, Activation::relu6}) {
        CAPTURE(shape_string(sp.a));
        CAPTURE(shape_string(sp.b));
        CAPTURE(static_cast<int>(op));
        std::vector<int32_t> want(s.out_elements, -12345), got(s.out_elements, -12345);
        reference::binary_int32(op, s, a.data(), b.data(), want.data(), act);
        kernels::binary_int32(op, s, a.data(), b.data(), got.data(), act);
        CHECK(got == want);
      }
    }
  }
}

TEST_CASE("int64 ops equal the reference exactly, overflow and zero divisors included") {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  for (const ShapePair& sp : shape_sweep()) {
    BroadcastShape s;
    REQUIRE(kernels::make_broadcast_shape(sp.a, sp.b, &s));
    std::vector<int64_t> a(shape_elements(sp.a)), b(shape_elements(sp.b));
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int64_t>(i * 7919 % 201) - 100;
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int64_t>(i * 104729 % 37) - 18;
    const int64_t edges[] = {kMin, kMax, -1, 0, 3000000000};
    for (size_t i = 0; i < a.size() && i < 5; ++i) a[i * 3 % a.size()] = edges[i];
    for (size_t i = 0; i < b.size() && i < 5; ++i) b[i * 2 % b.size()] = edges[4 - i];
    std::vector<int64_t> exponents = b;  // 0..9 and -1: repeated squaring against repeated multiplication
    for (auto& v : exponents) v = v == -1 ? -1 : (v % 10 + 10) % 10;
    for (BinaryOp op : kIntOps) {
      const std::vector<int64_t>& rhs = op == BinaryOp::pow ? exponents : b;
      CAPTURE(shape_string(sp.a));
      CAPTURE(shape_string(sp.b));
      CAPTURE(static_cast<int>(op));
      std::vector<int64_t> want(s.out_elements, -12345), got(s.out_elements, -12345);
      reference::binary_int64(op, s, a.data(), rhs.data(), want.data());
      kernels::binary_int64(op, s, a.data(), rhs.data(), got.data());
      CHECK(got == want);
    }
  }
}

TEST_CASE("hand-computed: remainders take the sign of b (floor_mod) or of a (trunc_mod); integer division truncates") {
  BroadcastShape s;
  REQUIRE(kernels::make_broadcast_shape(Shape{4}, Shape{4}, &s));
  const int64_t a[] = {-4, 7, -7, 5}, b[] = {3, -3, -3, 0};
  int64_t out[4];
  kernels::binary_int64(BinaryOp::floor_mod, s, a, b, out);
  CHECK(out[0] == 2);
  CHECK(out[1] == -2);
  CHECK(out[2] == -1);
  CHECK(out[3] == 0);  // by zero: 0
  kernels::binary_int64(BinaryOp::trunc_mod, s, a, b, out);
  CHECK(out[0] == -1);
  CHECK(out[1] == 1);
  CHECK(out[2] == -1);
  kernels::binary_int64(BinaryOp::div, s, a, b, out);
  CHECK(out[0] == -1);
  CHECK(out[1] == -2);
  CHECK(out[2] == 2);
  const float fa[] = {-4.5f, 7.0f, -7.0f, 5.25f}, fb[] = {3.0f, -3.0f, -3.0f, 2.0f};
  float fo[4];
  kernels::binary_float(BinaryOp::floor_mod, s, fa, fb, fo, Activation::none);
  CHECK(fo[0] == 1.5f);
  CHECK(fo[1] == -2.0f);
  CHECK(fo[2] == -1.0f);
  CHECK(fo[3] == 1.25f);
  kernels::binary_float(BinaryOp::trunc_mod, s, fa, fb, fo, Activation::none);
  CHECK(fo[0] == -1.5f);
  CHECK(fo[1] == 1.0f);
  const int64_t base[] = {2, -3, 1, -1}, exps[] = {10, 3, -2, -3};
  kernels::binary_int64(BinaryOp::pow, s, base, exps, out);
  CHECK(out[0] == 1024);
  CHECK(out[1] == -27);
  CHECK(out[2] == 1);
  CHECK(out[3] == -1);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
