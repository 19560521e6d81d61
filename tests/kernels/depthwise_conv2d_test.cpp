#include <doctest/doctest.h>

#include <cstring>
#include <fmt/format.h>

#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "reference/depthwise_conv2d.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::DepthwiseConv2DParams;
using kernels::SimdPath;

DepthwiseConv2DParams make_params(int batch, int h, int w, int c, int dm, int k, int stride, int dil, bool same,
                                  Activation act) {
  DepthwiseConv2DParams p;
  p.batch = batch;
  p.in_h = h;
  p.in_w = w;
  p.in_c = c;
  p.depth_multiplier = dm;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dil;
  p.out_h = kernels::conv_output_size(h, k, stride, dil, same);
  p.out_w = kernels::conv_output_size(w, k, stride, dil, same);
  p.pad_top = kernels::conv_pad_before(h, p.out_h, k, stride, dil, same);
  p.pad_left = kernels::conv_pad_before(w, p.out_w, k, stride, dil, same);
  p.activation = act;
  return p;
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
  const size_t n = size_t(p.batch) * p.out_h * p.out_w * p.out_c();
  std::vector<float> want(n), magnitude(n);
  reference::depthwise_conv2d_float(p, in.data(), f.data(), with_bias ? b.data() : nullptr, want.data());
  DepthwiseConv2DParams abs_p = p;
  abs_p.activation = Activation::none;
  const auto ai = test::abs_of(in), af = test::abs_of(f), ab = test::abs_of(b);
  reference::depthwise_conv2d_float(abs_p, ai.data(), af.data(), with_bias ? ab.data() : nullptr, magnitude.data());
  test::check_close(run_fast(p, in, f, with_bias ? b.data() : nullptr, path), want, magnitude);
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
      std::vector<float> one, two;
      {
        test::ThreadCount t(1);
        one = run_fast(p, in, f, b.data(), path);
      }
      {
        test::ThreadCount t(2);
        two = run_fast(p, in, f, b.data(), path);
      }
      CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
    });
  }
}

}  // namespace
}  // namespace qgate
