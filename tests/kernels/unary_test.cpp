#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/unary.h"
#include "reference/unary.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::UnaryOp;
using kernels::UnaryParams;
using test::ulp_distance;

// Tolerances against the double-precision reference, per op and path. An element passes when it is within
// max_ulp ulp OR within abs_tol absolutely (abs_tol covers results that are tiny differences of O(1) terms,
// e.g. gelu(-5) = -1.4e-6 computed as 0.5 x (1 + erf) in float).
struct Tolerance {
  int64_t max_ulp;
  float abs_tol;
};

Tolerance tolerance(UnaryOp op, bool avx2) {
  switch (op) {
    // Bounds are the measured worst case over a dense sweep of [-110, 110] plus 1 ulp of slack.
    // Vector exp: polynomial + reduction error (measured 1 ulp, as glibc's expf).
    case UnaryOp::exp: return {2, 0};
    // 1 / (1 + e) in float: the exp error plus one add and one divide (measured 2 ulp on both paths).
    case UnaryOp::logistic: return {3, 0};
    // Taylor branch (|x| < 0.5) or 1 - 2/(e + 1) (measured 2 ulp near the switch; glibc's tanhf 2 ulp).
    case UnaryOp::tanh: return {3, 0};
    case UnaryOp::elu:
    case UnaryOp::log: return {1, 0};
    case UnaryOp::gelu: return {8, 1e-6f};
    // Everything else is the same IEEE operations on both sides.
    default: return {0, 0};
  }
}

constexpr UnaryOp kOps[] = {UnaryOp::relu, UnaryOp::relu6, UnaryOp::relu_n1_to_1, UnaryOp::relu_0_to_1,
                            UnaryOp::leaky_relu, UnaryOp::logistic, UnaryOp::tanh, UnaryOp::hard_swish,
                            UnaryOp::elu, UnaryOp::gelu, UnaryOp::exp, UnaryOp::log, UnaryOp::sqrt,
                            UnaryOp::rsqrt, UnaryOp::abs, UnaryOp::neg, UnaryOp::square};

// Random values plus the special ones: signed zeros, infinities, NaN, tiny and overflowing arguments.
std::vector<float> inputs(int n, uint32_t seed) {
  auto v = test::random_floats(n, seed, -12.0f, 12.0f);
  const float special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-7f, -1e-7f, 1e-30f, 0.4999f, 0.5f, -0.5001f,
                           88.7f, 89.0f, -87.5f, -103.0f, -110.0f, 3.0f, -3.0f, 6.0f, 20.0f, -20.0f};
  for (int i = 0; i < n && i < static_cast<int>(std::size(special)); ++i) v[(i * 7) % n] = special[i];
  return v;
}

void check_against_reference(UnaryOp op, const UnaryParams& p, const std::vector<float>& x, kernels::SimdPath path) {
  const int64_t n = static_cast<int64_t>(x.size());
  auto want = test::nan_filled(n), got = test::nan_filled(n);
  reference::unary_float(op, p, x.data(), want.data(), n);
  kernels::unary_float(op, p, x.data(), got.data(), n, path);
  const Tolerance tol = tolerance(op, path == kernels::SimdPath::avx2);
  int64_t worst = 0, bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t d = ulp_distance(got[i], want[i]);
    // Below FLT_MIN the float formulas flush where double keeps subnormals (logistic(-100) = 0 vs 4e-44):
    // absolute differences that small never count.
    const float abs_tol = std::max(tol.abs_tol, std::numeric_limits<float>::min());
    const bool ok = d <= tol.max_ulp || std::fabs(got[i] - want[i]) <= abs_tol;
    if (!ok) {
      if (bad++ < 3) MESSAGE("x = " << x[i] << ": got " << got[i] << ", want " << want[i] << " (" << d << " ulp)");
      worst = std::max(worst, d);
    }
  }
  CHECK(bad == 0);
}

TEST_SUITE("kernels.unary") {

TEST_CASE("kernels equal the reference within the named tolerance, odd sizes") {
  for (int n : {1, 7, 8, 9, 31, 33, 1000, 70000}) {
    const auto x = inputs(n, 11 + n);
    for (UnaryOp op : kOps) {
      test::for_each_path([&](kernels::SimdPath path) {
        CAPTURE(n);
        CAPTURE(static_cast<int>(op));
        UnaryParams p;
        p.alpha = 0.2f;
        check_against_reference(op, p, x, path);
        if (op == UnaryOp::gelu) {
          p.approximate = true;
          check_against_reference(op, p, x, path);
        }
      });
    }
  }
}

TEST_CASE("vector exp, logistic, tanh over a dense sweep of [-110, 110]") {
  std::vector<float> x;
  for (float v = -110.0f; v < 110.0f; v += 0.00137f) x.push_back(v);
  for (float v = -1.0f; v < 1.0f; v += 1.3e-5f) x.push_back(v);  // dense around the tanh branch switch
  test::for_each_path([&](kernels::SimdPath path) {
    for (UnaryOp op : {UnaryOp::exp, UnaryOp::logistic, UnaryOp::tanh}) {
      CAPTURE(static_cast<int>(op));
      check_against_reference(op, UnaryParams{}, x, path);
    }
  });
}

TEST_CASE("hand-computed values") {
  const float x[] = {-2.0f, 0.0f, 1.0f, 7.0f};
  float y[4];
  auto run = [&](UnaryOp op, UnaryParams p = {}) { kernels::unary_float(op, p, x, y, 4); };
  run(UnaryOp::relu6);
  CHECK(y[0] == 0.0f);
  CHECK(y[3] == 6.0f);
  run(UnaryOp::leaky_relu, {0.1f, false});
  CHECK(y[0] == doctest::Approx(-0.2f));
  run(UnaryOp::hard_swish);
  CHECK(y[2] == doctest::Approx(4.0f / 6.0f));  // 1 * relu6(4) / 6
  CHECK(y[0] == doctest::Approx(-1.0f / 3.0f));
  run(UnaryOp::logistic);
  CHECK(y[1] == 0.5f);
  CHECK(y[2] == doctest::Approx(0.7310585786f));
  run(UnaryOp::tanh);
  CHECK(y[1] == 0.0f);
  CHECK(y[0] == doctest::Approx(-0.9640275801f));
  run(UnaryOp::gelu);
  CHECK(y[2] == doctest::Approx(0.8413447461f));
  run(UnaryOp::gelu, {0.0f, true});
  CHECK(y[2] == doctest::Approx(0.8411919906f));
  run(UnaryOp::elu);
  CHECK(y[0] == doctest::Approx(-0.8646647168f));
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
