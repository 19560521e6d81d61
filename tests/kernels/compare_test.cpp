#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/tensor.h"
#include "kernels/compare.h"
#include "reference/compare.h"
#include "tests/kernels/elementwise_test_util.h"

namespace qgate {
namespace {

using kernels::BroadcastShape;
using kernels::CompareOp;
using kernels::LogicalOp;

struct ShapePair {
  Shape a, b;
};

const ShapePair kShapes[] = {{{7}, {7}},       {{2, 9}, {}},         {{1}, {3, 5}},        {{2, 3, 4}, {4}},
                             {{2, 1, 4}, {1, 3, 1}}, {{3, 1}, {1, 9}}, {{2, 1, 3, 1, 5, 1}, {1, 4, 1, 2, 1, 3}},
                             {{0, 4}, {4}}};

constexpr CompareOp kCompareOps[] = {CompareOp::equal, CompareOp::not_equal, CompareOp::less,
                                     CompareOp::less_equal, CompareOp::greater, CompareOp::greater_equal};

// A bool output that starts as 7, a value no kernel writes, so an unwritten element fails.
std::vector<uint8_t> sentinel(int64_t n) { return std::vector<uint8_t>(static_cast<size_t>(n), 7); }

TEST_SUITE("kernels.compare") {

TEST_CASE("comparisons equal the reference for float (NaN, -0), int32, int64 and bool, every broadcast") {
  for (const ShapePair& sp : kShapes) {
    BroadcastShape s;
    REQUIRE(kernels::make_broadcast_shape(sp.a, sp.b, &s));
    const int64_t na = shape_elements(sp.a), nb = shape_elements(sp.b);
    // Small integer values so that equal pairs occur often.
    std::vector<float> fa(na), fb(nb);
    std::vector<int32_t> ia(na), ib(nb);
    std::vector<int64_t> la(na), lb(nb);
    std::vector<uint8_t> ba(na), bb(nb);
    for (int64_t i = 0; i < na; ++i) {
      ia[i] = static_cast<int32_t>(i * 7 % 5) - 2;
      la[i] = ia[i] * int64_t{3000000000};
      fa[i] = static_cast<float>(ia[i]);
      ba[i] = static_cast<uint8_t>(i % 3 == 0);
    }
    for (int64_t i = 0; i < nb; ++i) {
      ib[i] = static_cast<int32_t>(i * 3 % 5) - 2;
      lb[i] = ib[i] * int64_t{3000000000};
      fb[i] = static_cast<float>(ib[i]);
      bb[i] = static_cast<uint8_t>(i % 2);
    }
    if (na > 2) fa[2] = NAN;
    if (nb > 1) fb[1] = -0.0f;
    for (CompareOp op : kCompareOps) {
      CAPTURE(shape_string(sp.a));
      CAPTURE(shape_string(sp.b));
      CAPTURE(static_cast<int>(op));
      auto want = sentinel(s.out_elements), got = sentinel(s.out_elements);
      reference::compare_float(op, s, fa.data(), fb.data(), want.data());
      kernels::compare_float(op, s, fa.data(), fb.data(), got.data());
      CHECK(got == want);
      reference::compare_int32(op, s, ia.data(), ib.data(), want.data());
      kernels::compare_int32(op, s, ia.data(), ib.data(), got.data());
      CHECK(got == want);
      reference::compare_int64(op, s, la.data(), lb.data(), want.data());
      kernels::compare_int64(op, s, la.data(), lb.data(), got.data());
      CHECK(got == want);
      reference::compare_bool(op, s, ba.data(), bb.data(), want.data());
      kernels::compare_bool(op, s, ba.data(), bb.data(), got.data());
      CHECK(got == want);
    }
    for (LogicalOp op : {LogicalOp::logical_and, LogicalOp::logical_or, LogicalOp::logical_xor}) {
      auto want = sentinel(s.out_elements), got = sentinel(s.out_elements);
      reference::logical(op, s, ba.data(), bb.data(), want.data());
      kernels::logical(op, s, ba.data(), bb.data(), got.data());
      CHECK(got == want);
    }
  }
}

TEST_CASE("hand-computed: NaN compares false except not_equal, -0 equals 0, xor of a broadcast row") {
  BroadcastShape s;
  REQUIRE(kernels::make_broadcast_shape(Shape{4}, Shape{4}, &s));
  const float a[] = {NAN, -0.0f, 1.0f, 2.0f}, b[] = {NAN, 0.0f, 2.0f, 1.0f};
  uint8_t out[4];
  kernels::compare_float(CompareOp::equal, s, a, b, out);
  CHECK((out[0] == 0 && out[1] == 1 && out[2] == 0 && out[3] == 0));
  kernels::compare_float(CompareOp::not_equal, s, a, b, out);
  CHECK((out[0] == 1 && out[1] == 0 && out[2] == 1 && out[3] == 1));
  kernels::compare_float(CompareOp::less_equal, s, a, b, out);
  CHECK((out[0] == 0 && out[1] == 1 && out[2] == 1 && out[3] == 0));
  kernels::compare_float(CompareOp::greater, s, a, b, out);
  CHECK((out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 1));
  REQUIRE(kernels::make_broadcast_shape(Shape{2, 2}, Shape{2}, &s));
  const uint8_t x[] = {0, 1, 1, 1}, y[] = {1, 0};
  kernels::logical(LogicalOp::logical_xor, s, x, y, out);
  CHECK((out[0] == 1 && out[1] == 1 && out[2] == 0 && out[3] == 1));
  kernels::logical_not(x, out, 4);
  CHECK((out[0] == 1 && out[1] == 0 && out[2] == 0 && out[3] == 0));
}

TEST_CASE("is_nan and is_inf equal the reference; is_inf honours its two switches") {
  const std::vector<float> x = {0.0f, NAN, INFINITY, -INFINITY, 1e38f, -std::numeric_limits<float>::max(), -NAN,
                                3.0f};
  const int64_t n = static_cast<int64_t>(x.size());
  auto want = sentinel(n), got = sentinel(n);
  reference::is_nan(x.data(), want.data(), n);
  kernels::is_nan(x.data(), got.data(), n);
  CHECK(got == want);
  CHECK(got == std::vector<uint8_t>{0, 1, 0, 0, 0, 0, 1, 0});
  for (bool neg : {false, true})
    for (bool pos : {false, true}) {
      reference::is_inf(x.data(), want.data(), n, neg, pos);
      kernels::is_inf(x.data(), got.data(), n, neg, pos);
      CHECK(got == want);
      CHECK(got[2] == pos);
      CHECK(got[3] == neg);
      CHECK(got[4] == 0);
    }
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
