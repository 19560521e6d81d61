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
    // expm1f (1 ulp) and, with alpha != 1, its product by alpha: one more rounding.
    case UnaryOp::elu: return {2, 0};
    case UnaryOp::log: return {1, 0};
    case UnaryOp::gelu: return {8, 1e-6f};
    // The ONNX math ops call the float functions of the C library (glibc documents at most 2 ulp for these) and
    // compose at most three of them; the bounds are the measured worst case over the sweeps below plus 1 ulp.
    case UnaryOp::sin:
    case UnaryOp::cos:
    case UnaryOp::asin:
    case UnaryOp::acos:
    case UnaryOp::atan:
    case UnaryOp::asinh:
    case UnaryOp::acosh:
    case UnaryOp::atanh:
    case UnaryOp::erf:
    case UnaryOp::sinh:
    case UnaryOp::cosh:
    case UnaryOp::tan: return {3, 0};
    case UnaryOp::softsign: return {1, 0};
    // expm1 then one or two products; celu also divides x by alpha first.
    case UnaryOp::selu:
    case UnaryOp::celu: return {3, 0};
    // max(x, 0) + log1p(exp(-|x|)); mish multiplies x by the tanh of that.
    case UnaryOp::softplus: return {3, 0};
    case UnaryOp::mish: return {4, 0};
    // Everything else is the same IEEE operations on both sides.
    default: return {0, 0};
  }
}

constexpr UnaryOp kOps[] = {UnaryOp::relu, UnaryOp::relu6, UnaryOp::relu_n1_to_1, UnaryOp::relu_0_to_1,
                            UnaryOp::leaky_relu, UnaryOp::logistic, UnaryOp::tanh, UnaryOp::hard_swish,
                            UnaryOp::elu, UnaryOp::gelu, UnaryOp::exp, UnaryOp::log, UnaryOp::sqrt,
                            UnaryOp::rsqrt, UnaryOp::abs, UnaryOp::neg, UnaryOp::square, UnaryOp::floor,
                            UnaryOp::ceil, UnaryOp::round, UnaryOp::sign, UnaryOp::sin, UnaryOp::cos, UnaryOp::tan,
                            UnaryOp::asin, UnaryOp::acos, UnaryOp::atan, UnaryOp::sinh, UnaryOp::cosh,
                            UnaryOp::asinh, UnaryOp::acosh, UnaryOp::atanh, UnaryOp::erf, UnaryOp::reciprocal,
                            UnaryOp::softplus, UnaryOp::softsign, UnaryOp::selu, UnaryOp::celu,
                            UnaryOp::thresholded_relu, UnaryOp::shrink, UnaryOp::mish, UnaryOp::round_to_float16};

// Random values plus the special ones: signed zeros, infinities, NaN, tiny and overflowing arguments.
std::vector<float> inputs(int n, uint32_t seed) {
  auto v = test::random_floats(n, seed, -12.0f, 12.0f);
  const float special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-7f, -1e-7f, 1e-30f, 0.4999f, 0.5f, -0.5001f,
                           88.7f, 89.0f, -87.5f, -103.0f, -110.0f, 3.0f, -3.0f, 6.0f, 20.0f, -20.0f,
                           // round's ties, and the edges of the domains of asin, acos, acosh, atanh
                           1.5f, 2.5f, -2.5f, -0.5f, 1.0f, -1.0f, 0.99999994f, 1.0000001f};
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
        p.beta = 1.5f;
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
  run(UnaryOp::elu, {1.0f, false});
  CHECK(y[0] == doctest::Approx(-0.8646647168f));
  run(UnaryOp::elu, {2.0f, false});
  CHECK(y[0] == doctest::Approx(-1.7293294335f));
  CHECK(y[3] == 7.0f);
}

TEST_CASE("hand-computed: the ONNX math ops") {
  const float x[] = {-2.5f, -0.5f, 0.5f, 1.5f, 2.5f, -0.0f};
  float y[6];
  auto run = [&](UnaryOp op, float alpha = 0.0f, float beta = 0.0f) {
    UnaryParams p;
    p.alpha = alpha;
    p.beta = beta;
    kernels::unary_float(op, p, x, y, 6);
  };
  run(UnaryOp::round);  // ties to even
  CHECK(y[0] == -2.0f);
  CHECK(y[1] == 0.0f);
  CHECK(std::signbit(y[1]));
  CHECK(y[2] == 0.0f);
  CHECK(y[3] == 2.0f);
  CHECK(y[4] == 2.0f);
  run(UnaryOp::floor);
  CHECK(y[0] == -3.0f);
  CHECK(y[3] == 1.0f);
  run(UnaryOp::ceil);
  CHECK(y[0] == -2.0f);
  CHECK(y[3] == 2.0f);
  run(UnaryOp::sign);
  CHECK(y[0] == -1.0f);
  CHECK(y[2] == 1.0f);
  CHECK(y[5] == 0.0f);
  run(UnaryOp::reciprocal);
  CHECK(y[3] == doctest::Approx(2.0f / 3.0f));
  run(UnaryOp::softsign);
  CHECK(y[3] == 0.6f);
  run(UnaryOp::softplus);
  CHECK(y[2] == doctest::Approx(0.9740769841f));  // ln(1 + e^0.5)
  run(UnaryOp::thresholded_relu, 1.0f);
  CHECK(y[2] == 0.0f);
  CHECK(y[3] == 1.5f);
  run(UnaryOp::shrink, 1.0f, 0.25f);  // lambd 1, bias 0.25
  CHECK(y[0] == -2.25f);
  CHECK(y[1] == 0.0f);
  CHECK(y[3] == 1.25f);
  run(UnaryOp::selu, 1.67326319f, 1.05070102f);  // ONNX's default alpha and gamma
  CHECK(y[3] == doctest::Approx(1.5760515f));
  CHECK(y[1] == doctest::Approx(-0.6917582f));   // 1.0507 * 1.6733 * (e^-0.5 - 1)
  run(UnaryOp::celu, 1.0f);
  CHECK(y[1] == doctest::Approx(-0.3934693403f));  // e^-0.5 - 1
  run(UnaryOp::mish);
  CHECK(y[3] == doctest::Approx(1.4033783f));    // 1.5 tanh(ln(1 + e^1.5)) = 1.40337827 (Python's math, double)
  run(UnaryOp::erf);
  CHECK(y[2] == doctest::Approx(0.5204998778f));
  run(UnaryOp::round_to_float16);
  CHECK(y[0] == -2.5f);  // representable
  const float z[] = {0.1f, 65504.0f, 65520.0f, 1e-8f, 2049.0f, 2051.0f};
  kernels::unary_float(UnaryOp::round_to_float16, {}, z, y, 6);
  CHECK(y[0] == 0.0999755859375f);  // 0x2e66
  CHECK(y[1] == 65504.0f);
  CHECK(y[2] == INFINITY);
  CHECK(y[3] == 0.0f);              // below half of the smallest subnormal (2^-25)
  CHECK(y[4] == 2048.0f);           // a tie between 2048 and 2050: the even mantissa
  CHECK(y[5] == 2052.0f);           // a tie between 2050 and 2052: the even mantissa
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
