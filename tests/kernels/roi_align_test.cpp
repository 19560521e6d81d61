#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/roi_align.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

// Float sample coordinates and weights against double: within 1e-5 for values in [-1, 1].
constexpr float kRoiTolerance = 1e-5f;

TEST_SUITE("kernels.roi_align") {

TEST_CASE("roi_align equals the reference: both coordinate modes, fixed and adaptive sampling, avg and max") {
  kernels::RoiAlignParams p;
  p.channels = 3;
  p.height = 7;
  p.width = 9;
  p.out_h = 3;
  p.out_w = 2;
  p.rois = 4;
  const int64_t batch = 2;
  const auto x = test::random_floats(batch * p.channels * p.height * p.width, 1, -1.0f, 1.0f);
  // Regions inside, partly outside, tiny and reversed (x2 < x1); the last names batch 5, out of range.
  const std::vector<float> rois = {1, 1, 6, 5, -2, 3, 10, 8, 2.2f, 2.4f, 2.6f, 2.5f, 7, 6, 3, 1};
  const std::vector<int64_t> index = {0, 1, 1, 5};
  for (bool half : {false, true})
    for (int64_t ratio : {0, 2})
      for (bool mx : {false, true})
        for (float scale : {1.0f, 0.5f}) {
          p.half_pixel = half;
          p.sampling_ratio = ratio;
          p.max = mx;
          p.spatial_scale = scale;
          CAPTURE(half);
          CAPTURE(ratio);
          CAPTURE(mx);
          const int64_t n = p.rois * p.channels * p.out_h * p.out_w;
          auto want = test::nan_filled(n), got = test::nan_filled(n);
          reference::roi_align(p, batch, x.data(), rois.data(), index.data(), want.data());
          CHECK(kernels::roi_align(p, batch, x.data(), rois.data(), index.data(), got.data()) == 1);
          int64_t bad = 0;
          for (int64_t i = 0; i < n; ++i) bad += !(std::fabs(got[i] - want[i]) <= kRoiTolerance);
          CHECK(bad == 0);
        }
}

TEST_CASE("hand-computed: a 1x1 output over a constant map is the constant") {
  kernels::RoiAlignParams p;
  p.height = p.width = 4;
  p.rois = 1;
  const std::vector<float> x(16, 2.5f);
  const float roi[] = {0.5f, 0.5f, 3.0f, 2.0f};
  const int64_t b = 0;
  float y = 0;
  kernels::roi_align(p, 1, x.data(), roi, &b, &y);
  CHECK(y == 2.5f);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
