#include <doctest/doctest.h>

#include <cstring>
#include <fmt/format.h>

#include "kernels/conv2d.h"
#include "reference/conv2d.h"
#include "tests/kernels/conv_params.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"
#include "tests/support/threads.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::Conv2DParams;
using kernels::SimdPath;

struct Case {
  int batch, in_h, in_w, in_c, out_c, kernel, stride, dilation, groups;
  bool same, bias;
  Activation act;
};

Conv2DParams make_params(const Case& c) {
  return test::conv2d_params({c.batch, c.in_h, c.in_w, c.in_c, c.out_c, c.kernel, c.kernel, c.stride, c.stride,
                              c.dilation, c.dilation, c.same, c.groups, c.act});
}

std::string case_name(const Case& c) {
  return fmt::format("n{} {}x{}x{} -> {} k{} s{} d{} g{} {} bias{} act{}", c.batch, c.in_h, c.in_w, c.in_c, c.out_c,
                     c.kernel, c.stride, c.dilation, c.groups, c.same ? "SAME" : "VALID", c.bias,
                     static_cast<int>(c.act));
}

struct Data {
  std::vector<float> input, filter, bias;
};

Data make_data(const Conv2DParams& p, uint32_t seed) {
  Data d;
  d.input = test::random_floats(size_t(p.batch) * p.in_h * p.in_w * p.in_c, seed);
  d.filter = test::random_floats(size_t(p.out_c) * p.kernel_h * p.kernel_w * (p.in_c / p.groups), seed + 1);
  d.bias = test::random_floats(size_t(p.out_c), seed + 2);
  return d;
}

std::vector<float> run_fast(const Conv2DParams& p, const Data& d, bool with_bias, SimdPath path, int slots) {
  const auto packed = kernels::pack_conv2d_weights(p, d.filter.data());
  std::vector<float> scratch(size_t(kernels::conv2d_scratch_size(p) * slots) + 1);
  auto out = test::nan_filled(size_t(p.batch) * p.out_h * p.out_w * p.out_c);
  kernels::conv2d_float(p, packed, d.input.data(), with_bias ? d.bias.data() : nullptr, out.data(), scratch.data(),
                        slots, path);
  return out;
}

void check_case(const Case& c, SimdPath path) {
  CAPTURE(case_name(c));
  const Conv2DParams p = make_params(c);
  if (p.out_h <= 0 || p.out_w <= 0) return;
  const Data d = make_data(p, 17u * c.in_c + c.out_c);
  test::check_against_reference(reference::conv2d_float, p, d.input, d.filter, c.bias ? &d.bias : nullptr,
                                run_fast(p, d, c.bias, path, 2));
}

TEST_SUITE("kernels.conv2d") {
  TEST_CASE("output size and padding follow TFLite's rule") {
    CHECK(kernels::conv_output_size(7, 3, 2, 1, true) == 4);
    CHECK(kernels::conv_output_size(7, 3, 2, 1, false) == 3);
    CHECK(kernels::conv_output_size(7, 3, 1, 2, false) == 3);
    CHECK(kernels::conv_output_size(2, 5, 1, 1, false) == 0);
    CHECK(kernels::conv_pad_before(7, 4, 3, 2, 1, true) == 1);   // total 2
    CHECK(kernels::conv_pad_before(8, 4, 3, 2, 1, true) == 0);   // total 1: the extra one goes after
    CHECK(kernels::conv_pad_before(9, 9, 3, 1, 2, true) == 2);   // effective kernel 5
    CHECK(kernels::conv_pad_before(9, 7, 3, 1, 1, false) == 0);
  }

  TEST_CASE("matches the reference over a shape sweep, every path") {
    const Activation acts[] = {Activation::none, Activation::relu, Activation::relu6, Activation::relu_n1_to_1,
                               Activation::tanh};
    int i = 0;
    test::for_each_path([&](SimdPath path) {
      for (int in_c : {1, 3, 5, 17})
        for (int out_c : {1, 7, 16, 33})
          for (int kernel : {1, 3, 5})
            for (int stride : {1, 2})
              for (int dilation : {1, 2})
                for (bool same : {true, false}) {
                  const bool bias = (i % 3) != 0;
                  const Case c{1 + i % 2, 7, 9, in_c, out_c, kernel, stride, dilation, 1, same, bias, acts[i % 5]};
                  ++i;
                  check_case(c, path);
                }
    });
  }

  TEST_CASE("grouped convolution and 1x1 pointwise over many pixels") {
    test::for_each_path([&](SimdPath path) {
      check_case({2, 6, 5, 6, 9, 3, 1, 1, 3, true, true, Activation::none}, path);
      check_case({1, 8, 8, 8, 4, 1, 1, 1, 2, true, true, Activation::relu}, path);
      check_case({1, 5, 7, 4, 34, 3, 2, 1, 2, false, false, Activation::none}, path);
      check_case({1, 23, 29, 19, 37, 1, 1, 1, 1, true, true, Activation::none}, path);  // many 6-row tiles + tail
      check_case({1, 20, 21, 40, 20, 3, 1, 1, 1, true, true, Activation::relu6}, path); // several im2col blocks
    });
  }

  TEST_CASE("results are bit-identical for 1 and 2 threads and slots") {
    const Conv2DParams p = make_params({1, 30, 31, 24, 40, 3, 1, 1, 1, true, true, Activation::relu});
    const Data d = make_data(p, 99);
    test::for_each_path([&](SimdPath path) {
      test::check_same_for_1_and_2_threads([&](int threads) { return run_fast(p, d, true, path, threads); });
    });
  }
}

}  // namespace
}  // namespace qgate
