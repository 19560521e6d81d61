#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/pool.h"
#include "reference/pool.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate::kernels {
namespace {

// Max pooling and the argmax copy inputs: exact. Average pooling sums the same cells in the same order and
// divides by the same count in both kernels: exact too.
constexpr float kPoolTolerance = 0.0f;

std::string describe(const Nhwc& s, const Pool2DParams& p, int padding) {
  return "in [" + std::to_string(s.n) + "," + std::to_string(s.h) + "," + std::to_string(s.w) + "," +
         std::to_string(s.c) + "] filter " + std::to_string(p.filter_h) + "x" + std::to_string(p.filter_w) +
         " stride " + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w) +
         (padding == 0 ? " SAME" : " VALID") + " act " + std::to_string(static_cast<int>(p.activation));
}

void expect_equal(const std::vector<float>& got, const std::vector<float>& want, float tol) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    REQUIRE_FALSE(std::isnan(got[i]));
    REQUIRE(std::fabs(got[i] - want[i]) <= tol);
  }
}

TEST_SUITE("kernels.pool") {
  TEST_CASE("pool geometry follows TFLite") {
    CHECK(pool_geometry(7, 3, 2, 0).out == 4);
    CHECK(pool_geometry(7, 3, 2, 0).pad == 1);
    CHECK(pool_geometry(7, 3, 2, 1).out == 3);
    CHECK(pool_geometry(7, 3, 2, 1).pad == 0);
    CHECK(pool_geometry(8, 2, 2, 0).pad == 0);
  }

  TEST_CASE("average pool counts only real cells (hand-computed)") {
    // 1x3x3x1 input 1..9, 2x2 window, stride 2, SAME: out 2x2, pad 0 top/left (total padding 1 goes right/bottom).
    std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Pool2DParams p;
    p.filter_h = p.filter_w = 2;
    p.stride_h = p.stride_w = 2;
    std::vector<float> out = test::nan_filled(4);
    average_pool2d(p, {1, 3, 3, 1}, in.data(), {1, 2, 2, 1}, out.data());
    // (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1
    CHECK(out == std::vector<float>{3.0f, 4.5f, 7.5f, 9.0f});
    max_pool2d(p, {1, 3, 3, 1}, in.data(), {1, 2, 2, 1}, out.data());
    CHECK(out == std::vector<float>{5, 6, 8, 9});
  }

  TEST_CASE("fast pooling equals reference over a shape sweep, every path") {
    uint32_t seed = 1;
    for (int padding : {0, 1})
      for (Nhwc s : {Nhwc{1, 5, 7, 3}, Nhwc{2, 9, 6, 17}, Nhwc{1, 4, 4, 8}, Nhwc{1, 11, 13, 1}, Nhwc{1, 64, 48, 16}})  // the last is threaded
        for (int f : {1, 2, 3})
          for (int stride : {1, 2})
            for (Activation act : {Activation::none, Activation::relu6}) {
              Pool2DParams p;
              p.filter_h = f;
              p.filter_w = f + 1;
              p.stride_h = stride;
              p.stride_w = stride + (f == 3 ? 1 : 0);
              p.activation = act;
              const auto gy = pool_geometry(s.h, p.filter_h, p.stride_h, padding);
              const auto gx = pool_geometry(s.w, p.filter_w, p.stride_w, padding);
              if (gy.out < 1 || gx.out < 1) continue;
              p.pad_top = gy.pad;
              p.pad_left = gx.pad;
              const Nhwc o{s.n, gy.out, gx.out, s.c};
              const std::vector<float> in = test::random_floats(static_cast<size_t>(s.elements()), seed++, -4.0f, 4.0f);
              CAPTURE(describe(s, p, padding));
              std::vector<float> want = test::nan_filled(o.elements());
              test::for_each_path([&](SimdPath path) {
                reference::max_pool2d(p, s, in.data(), o, want.data());
                std::vector<float> got = test::nan_filled(o.elements());
                max_pool2d(p, s, in.data(), o, got.data(), path);
                expect_equal(got, want, 0.0f);
                reference::average_pool2d(p, s, in.data(), o, want.data());
                got = test::nan_filled(o.elements());
                average_pool2d(p, s, in.data(), o, got.data(), path);
                expect_equal(got, want, kPoolTolerance);
              });
              std::vector<float> got = test::nan_filled(o.elements()), gidx = test::nan_filled(o.elements());
              std::vector<int32_t> gidx_i(o.elements(), -7), widx_i(o.elements(), -7);
              std::vector<float> widx = test::nan_filled(o.elements());
              reference::max_pool2d_with_argmax(p, s, in.data(), o, want.data(), widx.data(), nullptr);
              max_pool2d_with_argmax(p, s, in.data(), o, got.data(), gidx.data(), nullptr);
              expect_equal(got, want, 0.0f);
              expect_equal(gidx, widx, 0.0f);
              reference::max_pool2d_with_argmax(p, s, in.data(), o, want.data(), nullptr, widx_i.data());
              max_pool2d_with_argmax(p, s, in.data(), o, got.data(), nullptr, gidx_i.data());
              CHECK(gidx_i == widx_i);
            }
  }

  TEST_CASE("argmax indices and unpooling round trip (hand-computed)") {
    // 1x2x4x2 input; 2x2 window stride 2 VALID -> 1x1x2x2.
    // channel 0 values by (y,x): row0 [1,5,2,0] row1 [3,4,9,8]; channel 1: row0 [7,0,0,1] row1 [0,0,3,2].
    std::vector<float> in(16);
    const float c0[2][4] = {{1, 5, 2, 0}, {3, 4, 9, 8}}, c1[2][4] = {{7, 0, 0, 1}, {0, 0, 3, 2}};
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 4; ++x) {
        in[(y * 4 + x) * 2] = c0[y][x];
        in[(y * 4 + x) * 2 + 1] = c1[y][x];
      }
    Pool2DParams p;
    p.filter_h = p.filter_w = p.stride_h = p.stride_w = 2;
    std::vector<float> out(4);
    std::vector<int32_t> idx(4);
    max_pool2d_with_argmax(p, {1, 2, 4, 2}, in.data(), {1, 1, 2, 2}, out.data(), nullptr, idx.data());
    CHECK(out == std::vector<float>{5, 7, 9, 3});
    // (y*W + x)*C + c: 5 at (0,1) c0 -> 2; 7 at (0,0) c1 -> 1; 9 at (1,2) c0 -> 12; 3 at (1,2) c1 -> 13.
    CHECK(idx == std::vector<int32_t>{2, 1, 12, 13});
    std::vector<float> back = test::nan_filled(16), want = test::nan_filled(16);
    max_unpool2d({1, 1, 2, 2}, out.data(), nullptr, idx.data(), {1, 2, 4, 2}, back.data());
    reference::max_unpool2d({1, 1, 2, 2}, out.data(), nullptr, idx.data(), {1, 2, 4, 2}, want.data());
    std::vector<float> expect(16, 0.0f);
    expect[2] = 5;
    expect[1] = 7;
    expect[12] = 9;
    expect[13] = 3;
    CHECK(back == expect);
    CHECK(want == expect);
  }

  TEST_CASE("unpooling equals reference with batches, float indices and out-of-range indices") {
    const Nhwc s{2, 3, 5, 4}, o{2, 6, 10, 4};
    std::vector<float> v = test::random_floats(static_cast<size_t>(s.elements()), 9, -4.0f, 4.0f);
    std::vector<float> idx(static_cast<size_t>(s.elements()));
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> d(-5, static_cast<int>(o.h * o.w * o.c) + 5);
    for (auto& i : idx) i = static_cast<float>(d(rng));
    std::vector<float> got = test::nan_filled(o.elements()), want = test::nan_filled(o.elements());
    max_unpool2d(s, v.data(), idx.data(), nullptr, o, got.data());
    reference::max_unpool2d(s, v.data(), idx.data(), nullptr, o, want.data());
    expect_equal(got, want, 0.0f);
  }
}

}  // namespace
}  // namespace qgate::kernels
