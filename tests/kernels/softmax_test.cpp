#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/softmax.h"
#include "reference/softmax.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

// Softmax: the argument t = beta (x - max) is rounded to float (as TFLite does), an error of up to |t| ulp once
// exp amplifies it; then float exp (1-2 ulp), a double sum and one rounding. Bound: kSoftmaxBaseUlp + |t| ulp
// against the all-double reference. Outputs below 1e-30 are compared absolutely.
constexpr int64_t kSoftmaxBaseUlp = 4;
// log_softmax: x - max - log(sum) in double, rounded once; the reference rounds the same double expression.
constexpr int64_t kLogSoftmaxMaxUlp = 1;

TEST_SUITE("kernels.softmax") {

TEST_CASE("hand-computed: softmax([1,2,3]) and log_softmax([1,2,3])") {
  const float x[] = {1, 2, 3};
  float y[3];
  kernels::softmax_float(x, y, 1, 3, 1.0f);
  CHECK(y[0] == doctest::Approx(0.09003057f).epsilon(1e-6));
  CHECK(y[1] == doctest::Approx(0.24472847f).epsilon(1e-6));
  CHECK(y[2] == doctest::Approx(0.66524096f).epsilon(1e-6));
  kernels::log_softmax_float(x, y, 1, 3);
  CHECK(y[0] == doctest::Approx(-2.40760596f).epsilon(1e-6));
  CHECK(y[1] == doctest::Approx(-1.40760596f).epsilon(1e-6));
  CHECK(y[2] == doctest::Approx(-0.40760596f).epsilon(1e-6));
  // Large logits do not overflow: the max is subtracted first.
  const float big[] = {1000, 1001, 1002};
  kernels::softmax_float(big, y, 1, 3, 1.0f);
  CHECK(y[2] == doctest::Approx(0.66524096f).epsilon(1e-6));
}

TEST_CASE("softmax and log_softmax equal the reference within the named ulp bound") {
  for (int depth : {1, 7, 8, 9, 31, 33, 1000}) {
    for (int rows : {1, 3, 40}) {
      const auto seed = static_cast<uint32_t>(depth * 31 + rows);
      auto x = test::random_floats(static_cast<size_t>(rows) * depth, seed, -20.0f, 20.0f);
      for (float beta : {1.0f, 0.5f}) {
        auto want = test::nan_filled(x.size());
        reference::softmax_float(x.data(), want.data(), rows, depth, beta);
        test::for_each_path([&](kernels::SimdPath path) {
          CAPTURE(rows);
          CAPTURE(depth);
          CAPTURE(beta);
          auto got = test::nan_filled(x.size());
          kernels::softmax_float(x.data(), got.data(), rows, depth, beta, path);
          int64_t bad = 0;
          for (int r = 0; r < rows; ++r) {
            float m = x[r * depth];
            for (int i = 0; i < depth; ++i) m = std::max(m, x[r * depth + i]);
            for (int i = r * depth; i < (r + 1) * depth; ++i) {
              const auto bound = kSoftmaxBaseUlp + static_cast<int64_t>(std::ceil(std::fabs(beta * (x[i] - m))));
              bad += test::ulp_distance(got[i], want[i]) > bound && std::fabs(got[i] - want[i]) > 1e-30f;
            }
          }
          CHECK(bad == 0);
        });
      }
      auto want = test::nan_filled(x.size()), got = test::nan_filled(x.size());
      reference::log_softmax_float(x.data(), want.data(), rows, depth);
      kernels::log_softmax_float(x.data(), got.data(), rows, depth);
      int64_t bad = 0;
      for (size_t i = 0; i < x.size(); ++i) bad += test::ulp_distance(got[i], want[i]) > kLogSoftmaxMaxUlp;
      CHECK(bad == 0);
    }
  }
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
