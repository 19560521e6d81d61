#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/resize.h"
#include "reference/resize.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate::kernels {
namespace {

// The fast kernels evaluate TFLite's expression in the same order as the reference (no FMA): exact.
constexpr float kResizeTolerance = 0.0f;

TEST_SUITE("kernels.resize") {
  TEST_CASE("2x2 -> 4x4 bilinear with half-pixel centres (hand-computed)") {
    // scale = 2/4 = 0.5; source coordinate v = (o + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25 for o = 0..3.
    // o=0: lo = max(floor(-0.25), 0) = 0, hi = ceil(-0.25) = 0, both taps the same cell -> in[0].
    // o=1: lo 0, hi 1, d 0.25; o=2: lo 0, hi 1, d 0.75; o=3: lo 1, hi min(2, 1) = 1 -> in[1].
    // So along a row [1, 2] -> [1, 1.25, 1.75, 2]; rows [1,2] and [3,4] mix with the same weights:
    // out[y][x] = 1 + fx + 2 * fy with f in {0, 0.25, 0.75, 1}.
    const std::vector<float> in = {1, 2, 3, 4};
    std::vector<float> out(16, std::nanf(""));
    ResizeParams p;
    p.half_pixel_centers = true;
    resize_bilinear(p, {1, 2, 2, 1}, in.data(), {1, 4, 4, 1}, out.data());
    const std::vector<float> want = {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f,
                                     2.5f, 2.75f, 3.25f, 3.5f, 3.0f, 3.25f, 3.75f, 4.0f};
    CHECK(out == want);
  }

  TEST_CASE("2x2 -> 3x3 bilinear with align_corners (hand-computed)") {
    // scale = (2-1)/(3-1) = 0.5: v = 0, 0.5, 1 -> the middle is the mean of its neighbours.
    const std::vector<float> in = {0, 2, 4, 6};
    std::vector<float> out(9, std::nanf(""));
    ResizeParams p;
    p.align_corners = true;
    resize_bilinear(p, {1, 2, 2, 1}, in.data(), {1, 3, 3, 1}, out.data());
    CHECK(out == std::vector<float>{0, 1, 2, 2, 3, 4, 4, 5, 6});
  }

  TEST_CASE("nearest neighbour source indices (hand-computed)") {
    // 2 -> 5 plain: floor(o * 0.4) = 0,0,0,1,1. Half-pixel: floor((o + 0.5) * 0.4) = 0,0,1,1,1.
    // align_corners: scale 1/4, round(o * 0.25) = 0,0,1,1,1 (0.5 rounds away from zero).
    int plain[5], half[5], align[5];
    for (int o = 0; o < 5; ++o) {
      plain[o] = nearest_source(o, 2, 5, false, false);
      half[o] = nearest_source(o, 2, 5, false, true);
      align[o] = nearest_source(o, 2, 5, true, false);
    }
    CHECK(std::vector<int>(plain, plain + 5) == std::vector<int>{0, 0, 0, 1, 1});
    CHECK(std::vector<int>(half, half + 5) == std::vector<int>{0, 0, 1, 1, 1});
    CHECK(std::vector<int>(align, align + 5) == std::vector<int>{0, 0, 1, 1, 1});
  }

  TEST_CASE("fast resize equals reference over a shape sweep, every path") {
    uint32_t seed = 5;
    struct Case {
      Nhwc in;
      int32_t oh, ow;
    };
    for (const Case& c : {Case{{1, 2, 2, 1}, 4, 4}, Case{{1, 5, 7, 3}, 11, 9}, Case{{2, 8, 6, 17}, 3, 5},
                          Case{{1, 7, 7, 8}, 14, 14}, Case{{1, 1, 3, 9}, 2, 1},
                          Case{{1, 40, 40, 16}, 80, 80}})  // the last splits rows over threads
      for (int mode = 0; mode < 3; ++mode) {
        ResizeParams p;
        p.align_corners = mode == 1;
        p.half_pixel_centers = mode == 2;
        const Nhwc o{c.in.n, c.oh, c.ow, c.in.c};
        CAPTURE(std::to_string(c.in.h) + "x" + std::to_string(c.in.w) + "x" + std::to_string(c.in.c) + " -> " +
                std::to_string(c.oh) + "x" + std::to_string(c.ow) + " mode " + std::to_string(mode));
        const std::vector<float> in = test::random_floats(static_cast<size_t>(c.in.elements()), seed++, -3.0f, 3.0f);
        std::vector<float> want(static_cast<size_t>(o.elements()), std::nanf(""));
        reference::resize_bilinear(p, c.in, in.data(), o, want.data());
        test::for_each_path([&](SimdPath path) {
          std::vector<float> got(static_cast<size_t>(o.elements()), std::nanf(""));
          resize_bilinear(p, c.in, in.data(), o, got.data(), path);
          for (size_t i = 0; i < got.size(); ++i) {
            CAPTURE(i);
            REQUIRE_FALSE(std::isnan(got[i]));
            REQUIRE(std::fabs(got[i] - want[i]) <= kResizeTolerance);
          }
        });
        // Nearest neighbour moves bytes: compare as int8 elements too (any dtype works).
        std::vector<int8_t> in8(static_cast<size_t>(c.in.elements()));
        for (size_t i = 0; i < in8.size(); ++i) in8[i] = static_cast<int8_t>(i * 7 + 3);
        std::vector<int8_t> g8(static_cast<size_t>(o.elements()), -128), w8(static_cast<size_t>(o.elements()), 127);
        resize_nearest_neighbor(p, c.in, in8.data(), o, g8.data(), 1);
        reference::resize_nearest_neighbor(p, c.in, in8.data(), o, w8.data(), 1);
        CHECK(g8 == w8);
        std::vector<float> gf(static_cast<size_t>(o.elements()), std::nanf("")), wf = gf;
        resize_nearest_neighbor(p, c.in, in.data(), o, gf.data(), 4);
        reference::resize_nearest_neighbor(p, c.in, in.data(), o, wf.data(), 4);
        CHECK(std::memcmp(gf.data(), wf.data(), gf.size() * 4) == 0);
      }
  }
}

}  // namespace
}  // namespace qgate::kernels
