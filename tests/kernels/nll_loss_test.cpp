#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/nll_loss.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::LossReduction;
using kernels::NllLossParams;

TEST_SUITE("kernels.nll_loss") {

TEST_CASE("nll_loss equals the reference: weights, ignore_index, every reduction") {
  for (int64_t inner : {1, 6})
    for (bool weighted : {false, true})
      for (bool ignore : {false, true})
        for (LossReduction r : {LossReduction::none, LossReduction::sum, LossReduction::mean}) {
          NllLossParams p;
          p.batch = 3;
          p.classes = 5;
          p.inner = inner;
          p.has_ignore_index = ignore;
          p.ignore_index = 2;
          p.reduction = r;
          const auto x = test::random_floats(p.batch * p.classes * inner, 1, -3.0f, 0.0f);
          const auto w = test::random_floats(p.classes, 2, 0.1f, 2.0f);
          std::vector<int64_t> t(p.batch * inner);
          for (size_t k = 0; k < t.size(); ++k) t[k] = static_cast<int64_t>(k * 3 % 5);
          const int64_t n = r == LossReduction::none ? p.batch * inner : 1;
          auto want = test::nan_filled(n), got = test::nan_filled(n);
          reference::nll_loss(p, x.data(), t.data(), weighted ? w.data() : nullptr, want.data());
          CHECK(kernels::nll_loss(p, x.data(), t.data(), weighted ? w.data() : nullptr, got.data()) == 0);
          CAPTURE(inner);
          CAPTURE(weighted);
          CAPTURE(ignore);
          CAPTURE(static_cast<int>(r));
          // The kernel rounds each loss to float before summing in double; the twin sums double losses.
          for (int64_t k = 0; k < n; ++k) CHECK(std::fabs(got[k] - want[k]) <= 1e-6f * (1 + std::fabs(want[k])));
        }
}

TEST_CASE("hand-computed: two samples, class weights, mean divides by the weights taken") {
  NllLossParams p;
  p.batch = 2;
  p.classes = 3;
  const float x[] = {-1, -2, -3, -4, -5, -6};
  const int64_t t[] = {2, 0};
  const float w[] = {0.5f, 1, 2};
  float out;
  kernels::nll_loss(p, x, t, w, &out);
  CHECK(out == doctest::Approx((3 * 2 + 4 * 0.5) / 2.5));
  p.reduction = LossReduction::sum;
  kernels::nll_loss(p, x, t, nullptr, &out);
  CHECK(out == 7.0f);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
