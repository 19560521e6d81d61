#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/resize_nd.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::CoordinateTransform;
using kernels::NearestRounding;
using kernels::ResizeMode;
using kernels::ResizeNdParams;

// The kernel computes coordinates and weights in float, the twin in double: nearest picks the same index unless
// a coordinate lands within float rounding of a rounding boundary (the sweeps below use scales for which none
// does: those cases are compared exactly); linear and cubic sums of at most 16 products of values in [-1, 1]
// with weights of magnitude <= 1.5 stay within 1e-5.
constexpr float kInterpolationTolerance = 1e-5f;

ResizeNdParams params(std::vector<int64_t> in, std::vector<int64_t> out, ResizeMode mode, CoordinateTransform t) {
  ResizeNdParams p;
  p.rank = static_cast<int>(in.size());
  for (int d = 0; d < p.rank; ++d) {
    p.in[d] = in[d];
    p.out[d] = out[d];
    p.scale[d] = static_cast<float>(out[d]) / static_cast<float>(in[d]);
    p.roi_start[d] = 0.1f;
    p.roi_end[d] = 0.85f;
  }
  p.mode = mode;
  p.transform = t;
  return p;
}

TEST_SUITE("kernels.resize_nd") {

TEST_CASE("resize_nd equals the reference: every mode, transformation and rounding, up- and downsampling") {
  struct Shapes {
    std::vector<int64_t> in, out;
  };
  for (const Shapes& s : {Shapes{{1, 2, 4, 4}, {1, 2, 8, 8}}, Shapes{{1, 1, 4, 4}, {1, 1, 3, 2}},
                          Shapes{{2, 3, 5, 7}, {2, 3, 10, 3}}, Shapes{{6}, {13}}, Shapes{{2, 3, 4}, {4, 3, 1}}}) {
    int64_t n_in = 1, n_out = 1;
    for (size_t d = 0; d < s.in.size(); ++d) {
      n_in *= s.in[d];
      n_out *= s.out[d];
    }
    const auto x = test::random_floats(n_in, 3, -1.0f, 1.0f);
    for (ResizeMode mode : {ResizeMode::nearest, ResizeMode::linear, ResizeMode::cubic})
      for (CoordinateTransform t :
           {CoordinateTransform::half_pixel, CoordinateTransform::pytorch_half_pixel, CoordinateTransform::align_corners,
            CoordinateTransform::asymmetric, CoordinateTransform::tf_half_pixel_for_nn,
            CoordinateTransform::tf_crop_and_resize})
        for (NearestRounding r : {NearestRounding::round_prefer_floor, NearestRounding::round_prefer_ceil,
                                  NearestRounding::floor, NearestRounding::ceil})
          for (bool exclude : {false, true}) {
            if ((mode != ResizeMode::nearest && r != NearestRounding::round_prefer_floor) ||
                (mode != ResizeMode::cubic && exclude))
              continue;
            ResizeNdParams p = params(s.in, s.out, mode, t);
            p.rounding = r;
            p.exclude_outside = exclude;
            p.cubic_a = exclude ? -0.5f : -0.75f;
            p.extrapolation_value = 10.0f;
            CAPTURE(static_cast<int>(mode));
            CAPTURE(static_cast<int>(t));
            CAPTURE(static_cast<int>(r));
            CAPTURE(exclude);
            CAPTURE(s.out.size());
            kernels::ResizeTaps taps;
            kernels::make_resize_taps(p, &taps);
            auto want = test::nan_filled(n_out), got = test::nan_filled(n_out);
            reference::resize_nd(p, x.data(), want.data());
            kernels::resize_nd(p, taps, x.data(), got.data());
            int64_t bad = 0;
            for (int64_t i = 0; i < n_out; ++i) {
              const bool ok = got[i] == want[i] || std::fabs(got[i] - want[i]) <= kInterpolationTolerance;
              if (!ok && bad++ < 3) MESSAGE("element " << i << ": got " << got[i] << ", want " << want[i]);
            }
            CHECK(bad == 0);
          }
  }
}

TEST_CASE("hand-computed: ONNX's resize examples") {
  // resize_upsample_scales_nearest: [[1, 2], [3, 4]] by [2, 3] (asymmetric would need floor; ONNX's default is
  // half_pixel with round_prefer_floor).
  const float x[] = {1, 2, 3, 4};
  ResizeNdParams p = params({2, 2}, {4, 6}, ResizeMode::nearest, CoordinateTransform::half_pixel);
  kernels::ResizeTaps taps;
  kernels::make_resize_taps(p, &taps);
  float y[24];
  kernels::resize_nd(p, taps, x, y);
  const float want[] = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
  for (int i = 0; i < 24; ++i) CHECK(y[i] == want[i]);
  // Linear, align_corners: [1, 2] to 3 elements is [1, 1.5, 2].
  const float v[] = {1, 2};
  p = params({2}, {3}, ResizeMode::linear, CoordinateTransform::align_corners);
  kernels::make_resize_taps(p, &taps);
  kernels::resize_nd(p, taps, v, y);
  CHECK((y[0] == 1.0f && y[1] == 1.5f && y[2] == 2.0f));
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
