#include <doctest/doctest.h>

#include <cstring>
#include <fmt/format.h>

#include "kernels/transpose_conv2d.h"
#include "reference/transpose_conv2d.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"
#include "tests/support/threads.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::SimdPath;
using kernels::TransposeConv2DParams;

TransposeConv2DParams make_params(int batch, int h, int w, int in_c, int out_c, int k, int stride, bool same,
                                  Activation act) {
  TransposeConv2DParams p;
  p.batch = batch;
  p.in_h = h;
  p.in_w = w;
  p.in_c = in_c;
  p.out_c = out_c;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  // MediaPipe's rule for the output size: SAME in * stride, VALID (in - 1) * stride + k.
  p.out_h = same ? h * stride : (h - 1) * stride + k;
  p.out_w = same ? w * stride : (w - 1) * stride + k;
  p.pad_top = kernels::transpose_conv_pad_before(h, p.out_h, k, stride, same);
  p.pad_left = kernels::transpose_conv_pad_before(w, p.out_w, k, stride, same);
  p.activation = act;
  return p;
}

std::vector<float> run_fast(const TransposeConv2DParams& p, const std::vector<float>& in, const std::vector<float>& f,
                            const float* bias, SimdPath path) {
  const auto packed = kernels::pack_transpose_conv2d_weights(p, f.data());
  std::vector<float> scratch(size_t(kernels::transpose_conv2d_scratch_size(p)));
  auto out = test::nan_filled(size_t(p.batch) * p.out_h * p.out_w * p.out_c);
  kernels::transpose_conv2d_float(p, packed, in.data(), bias, out.data(), scratch.data(), path);
  return out;
}

TEST_SUITE("kernels.transpose_conv2d") {
  TEST_CASE("matches the reference over a shape sweep, every path") {
    const Activation acts[] = {Activation::none, Activation::relu, Activation::relu6};
    int i = 0;
    test::for_each_path([&](SimdPath path) {
      for (int in_c : {1, 3, 17})
        for (int out_c : {1, 7, 16, 33})
          for (int k : {1, 2, 3, 4})
            for (int stride : {1, 2, 3})
              for (bool same : {true, false}) {
                const auto p = make_params(1 + i % 2, 5, 6, in_c, out_c, k, stride, same, acts[i % 3]);
                const bool with_bias = i % 3 != 1;
                ++i;
                CAPTURE(fmt::format("n{} {}x{}x{} -> {}x{}x{} k{} s{} pad {},{} bias{}", p.batch, p.in_h, p.in_w,
                                    p.in_c, p.out_h, p.out_w, p.out_c, k, stride, p.pad_top, p.pad_left, with_bias));
                const auto in = test::random_floats(size_t(p.batch) * p.in_h * p.in_w * p.in_c, 21u + i);
                const auto f = test::random_floats(size_t(out_c) * k * k * in_c, 23u + i);
                const auto b = test::random_floats(size_t(out_c), 29u);
                const auto got = run_fast(p, in, f, with_bias ? b.data() : nullptr, path);
                CHECK(test::check_against_reference(reference::transpose_conv2d_float, p, in, f,
                                                    with_bias ? &b : nullptr, got) == 0);
              }
    });
  }

  TEST_CASE("results are bit-identical for 1 and 2 threads") {
    const auto p = make_params(1, 17, 19, 24, 16, 4, 2, true, Activation::none);
    const auto in = test::random_floats(size_t(17) * 19 * 24, 1);
    const auto f = test::random_floats(size_t(16) * 16 * 24, 2);
    const auto b = test::random_floats(16, 3);
    test::for_each_path([&](SimdPath path) {
      CHECK(test::check_same_for_1_and_2_threads([&](int) { return run_fast(p, in, f, b.data(), path); }));
    });
  }
}

}  // namespace
}  // namespace qgate
