#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/grid_sample.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::GridSampleMode;
using kernels::GridSamplePadding;
using kernels::GridSampleParams;

// Float coordinates and weights against double: 1e-5 covers the rounding of up to 16 products of values in
// [-1, 1] with weights below 1.5. Nearest compares exactly on grids whose points never sit on a half-pixel tie.
constexpr float kSampleTolerance = 1e-5f;

TEST_SUITE("kernels.grid_sample") {

TEST_CASE("grid_sample equals the reference: every mode, padding and corner rule, points inside and far outside") {
  GridSampleParams p;
  p.batch = 2;
  p.channels = 3;
  p.in_h = 4;
  p.in_w = 5;
  p.out_h = 3;
  p.out_w = 7;
  const auto x = test::random_floats(p.batch * p.channels * p.in_h * p.in_w, 1, -1.0f, 1.0f);
  // Grid points in [-3.1, 3.1]: inside, just outside and several image widths away (reflection folds repeatedly).
  auto grid = test::random_floats(p.batch * p.out_h * p.out_w * 2, 2, -3.1f, 3.1f);
  for (GridSampleMode mode : {GridSampleMode::bilinear, GridSampleMode::nearest, GridSampleMode::bicubic})
    for (GridSamplePadding pad : {GridSamplePadding::zeros, GridSamplePadding::border, GridSamplePadding::reflection})
      for (bool corners : {false, true}) {
        p.mode = mode;
        p.padding = pad;
        p.align_corners = corners;
        CAPTURE(static_cast<int>(mode));
        CAPTURE(static_cast<int>(pad));
        CAPTURE(corners);
        const int64_t n = p.batch * p.channels * p.out_h * p.out_w;
        auto want = test::nan_filled(n), got = test::nan_filled(n);
        reference::grid_sample(p, x.data(), grid.data(), want.data());
        kernels::grid_sample(p, x.data(), grid.data(), got.data());
        int64_t bad = 0;
        for (int64_t i = 0; i < n; ++i) bad += !(std::fabs(got[i] - want[i]) <= kSampleTolerance);
        CHECK(bad == 0);
      }
}

TEST_CASE("hand-computed: the identity grid reproduces the image (align_corners), the centre of 2x2 is the mean") {
  GridSampleParams p;
  p.in_h = 2;
  p.in_w = 2;
  p.out_h = 2;
  p.out_w = 2;
  p.align_corners = true;
  const float x[] = {1, 2, 3, 4};
  const float identity[] = {-1, -1, 1, -1, -1, 1, 1, 1};
  float y[4];
  kernels::grid_sample(p, x, identity, y);
  for (int i = 0; i < 4; ++i) CHECK(y[i] == x[i]);
  p.out_h = p.out_w = 1;
  const float centre[] = {0, 0};
  kernels::grid_sample(p, x, centre, y);
  CHECK(y[0] == 2.5f);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
