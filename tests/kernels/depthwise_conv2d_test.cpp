#include <doctest/doctest.h>

#include <cstring>
#include <fmt/format.h>

#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "reference/depthwise_conv2d.h"
#include "tests/kernels/conv_params.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"
#include "tests/support/threads.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::DepthwiseConv2DParams;
using kernels::SimdPath;

DepthwiseConv2DParams make_params(int batch, int h, int w, int c, int dm, int k, int stride, int dil, bool same,
                                  Activation act) {
  return test::depthwise_params({batch, h, w, c, c * dm, k, k, stride, stride, dil, dil, same, 1, act});
}

std::vector<float> run_fast(const DepthwiseConv2DParams& p, const std::vector<float>& in, const std::vector<float>& f,
                            const float* bias, SimdPath path) {
  auto out = test::nan_filled(size_t(p.batch) * p.out_h * p.out_w * p.out_c());
  kernels::depthwise_conv2d_float(p, in.data(), f.data(), bias, out.data(), path);
  return out;
}

void check_case(const DepthwiseConv2DParams& p, bool with_bias, SimdPath path) {
  CAPTURE(fmt::format("n{} {}x{}x{} dm{} k{}x{} s{} d{} pad {},{} bias{} act{}", p.batch, p.in_h, p.in_w, p.in_c,
                      p.depth_multiplier, p.kernel_h, p.kernel_w, p.stride_h, p.dilation_h, p.pad_top, p.pad_left,
                      with_bias, static_cast<int>(p.activation)));
  if (p.out_h <= 0 || p.out_w <= 0) return;
  const auto in = test::random_floats(size_t(p.batch) * p.in_h * p.in_w * p.in_c, 3u + p.in_c);
  const auto f = test::random_floats(size_t(p.kernel_h) * p.kernel_w * p.out_c(), 5u + p.in_c);
  const auto b = test::random_floats(size_t(p.out_c()), 7u);
  CHECK(test::check_against_reference(reference::depthwise_conv2d_float, p, in, f, with_bias ? &b : nullptr,
                                      run_fast(p, in, f, with_bias ? b.data() : nullptr, path)) == 0);
}

TEST_SUITE("kernels.depthwise_conv2d") {
  TEST_CASE("matches the reference over a shape sweep, every path") {
    const Activation acts[] = {Activation::none, Activation::relu, Activation::relu6, Activation::tanh};
    int i = 0;
    test::for_each_path([&](SimdPath path) {
      for (int c : {1, 3, 8, 17, 32, 45})
        for (int dm : {1, 2})
          for (int k : {1, 3, 5})
            for (int stride : {1, 2})
              for (int dil : {1, 2})
                for (bool same : {true, false}) {
                  check_case(make_params(1 + i % 2, 7, 8, c, dm, k, stride, dil, same, acts[i % 4]), i % 3 != 0,
                             path);
                  ++i;
                }
    });
  }

  TEST_CASE("results are bit-identical for 1 and 2 threads") {
    const auto p = make_params(1, 33, 35, 40, 1, 3, 1, 1, true, Activation::relu6);
    const auto in = test::random_floats(size_t(33) * 35 * 40, 1);
    const auto f = test::random_floats(size_t(9) * 40, 2);
    const auto b = test::random_floats(40, 3);
    test::for_each_path([&](SimdPath path) {
      CHECK(test::check_same_for_1_and_2_threads([&](int) { return run_fast(p, in, f, b.data(), path); }));
    });
  }
}

}  // namespace
}  // namespace qgate
