#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/axis_ops.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::ArgOp;
using kernels::AxisShape;

const AxisShape kShapes[] = {{1, 1, 1}, {1, 7, 1}, {3, 5, 1}, {1, 6, 4}, {2, 9, 3}, {4, 1, 5}, {2, 33, 2}};

// Values from a small set, so that ties are common.
std::vector<float> tied_values(int64_t n, uint32_t seed) {
  auto v = test::random_floats(n, seed, 0.0f, 4.0f);
  for (float& x : v) x = std::floor(x);
  return v;
}

TEST_SUITE("kernels.axis_ops") {

TEST_CASE("arg_max / arg_min equal the reference, ties to the first or the last, int64 and int32 outputs") {
  for (const AxisShape& s : kShapes) {
    const int64_t n = s.outer * s.axis * s.inner, m = s.outer * s.inner;
    const auto x = tied_values(n, static_cast<uint32_t>(n));
    std::vector<int64_t> xi(x.begin(), x.end());
    for (ArgOp op : {ArgOp::max, ArgOp::min})
      for (bool last : {false, true}) {
        CAPTURE(s.outer);
        CAPTURE(s.axis);
        CAPTURE(s.inner);
        CAPTURE(last);
        std::vector<int64_t> want(m, -1), got(m, -2), got_i(m, -2);
        std::vector<int32_t> got32(m, -2);
        reference::arg_minmax(op, s, x.data(), last, want.data());
        kernels::arg_minmax(op, s, x.data(), last, got.data(), nullptr);
        kernels::arg_minmax(op, s, x.data(), last, nullptr, got32.data());
        kernels::arg_minmax(op, s, xi.data(), last, got_i.data(), nullptr);
        CHECK(got == want);
        CHECK(got_i == want);
        for (int64_t j = 0; j < m; ++j) CHECK(got32[j] == want[j]);
      }
  }
}

TEST_CASE("topk equals a stable sort of the line, largest and smallest, every k") {
  for (const AxisShape& s : kShapes) {
    const int64_t n = s.outer * s.axis * s.inner;
    const auto x = tied_values(n, static_cast<uint32_t>(n + 1));
    std::vector<int64_t> scratch(s.axis);
    for (int64_t k = 1; k <= s.axis; k += (s.axis > 4 ? 3 : 1))
      for (bool largest : {true, false}) {
        CAPTURE(s.axis);
        CAPTURE(k);
        CAPTURE(largest);
        const int64_t m = s.outer * k * s.inner;
        auto want_v = test::nan_filled(m), got_v = test::nan_filled(m);
        std::vector<int64_t> want_i(m, -1), got_i(m, -2);
        reference::topk(s, k, largest, x.data(), want_v.data(), want_i.data());
        kernels::topk(s, k, largest, x.data(), got_v.data(), got_i.data(), scratch.data());
        CHECK(got_i == want_i);
        for (int64_t j = 0; j < m; ++j) CHECK(got_v[j] == want_v[j]);
      }
  }
}

TEST_CASE("cumsum equals sums recomputed in double (within 1e-6 of the sum of magnitudes), int64 exactly") {
  for (const AxisShape& s : kShapes) {
    const int64_t n = s.outer * s.axis * s.inner;
    const auto x = test::random_floats(n, 5, -1.0f, 1.0f);
    std::vector<int64_t> xi(n);
    for (int64_t j = 0; j < n; ++j) xi[j] = (j * 7919) % 201 - 100;
    for (bool exclusive : {false, true})
      for (bool reverse : {false, true}) {
        CAPTURE(s.axis);
        CAPTURE(exclusive);
        CAPTURE(reverse);
        auto want = test::nan_filled(n), got = test::nan_filled(n);
        reference::cumsum(s, exclusive, reverse, x.data(), want.data());
        kernels::cumsum(s, exclusive, reverse, x.data(), got.data());
        // Float accumulation along the line against one rounding of the exact sum: the error is bounded by
        // axis * eps * sum |x| <= 33 * 1.2e-7 * 33; 1e-4 absolute covers it.
        for (int64_t j = 0; j < n; ++j) CHECK(std::fabs(got[j] - want[j]) <= 1e-4f);
        std::vector<int64_t> want_i(n, -7), got_i(n, -8);
        reference::cumsum(s, exclusive, reverse, xi.data(), want_i.data());
        kernels::cumsum(s, exclusive, reverse, xi.data(), got_i.data());
        CHECK(got_i == want_i);
      }
  }
}

TEST_CASE("hand-computed: ONNX's examples, and NaN") {
  const AxisShape line{1, 5, 1};
  const float x[] = {1, 2, 3, 4, 5};
  float y[5];
  kernels::cumsum(line, false, false, x, y);
  CHECK((y[0] == 1 && y[1] == 3 && y[2] == 6 && y[3] == 10 && y[4] == 15));
  kernels::cumsum(line, true, true, x, y);  // exclusive reverse: [14, 12, 9, 5, 0]
  CHECK((y[0] == 14 && y[1] == 12 && y[2] == 9 && y[3] == 5 && y[4] == 0));
  const float t[] = {2, 1, 2, NAN, 1};
  int64_t idx[5], scratch[5];
  float v[5];
  kernels::topk(line, 3, true, t, v, idx, scratch);  // NaN first, then the two 2s in order
  CHECK((std::isnan(v[0]) && idx[0] == 3 && idx[1] == 0 && idx[2] == 2));
  kernels::topk(line, 2, false, t, v, idx, scratch);
  CHECK((idx[0] == 1 && idx[1] == 4));
  int64_t a;
  kernels::arg_minmax(ArgOp::max, line, t, false, &a, nullptr);
  CHECK(a == 0);  // 2 at 0 is not beaten by the later 2 nor by NaN
  kernels::arg_minmax(ArgOp::max, line, t, true, &a, nullptr);
  CHECK(a == 2);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
