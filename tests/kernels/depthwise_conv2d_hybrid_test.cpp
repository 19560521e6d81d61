// kernels/depthwise_conv2d_hybrid.h against its naive twin (reference/depthwise_conv2d_hybrid.h) over a shape sweep
// (channel counts around the 16/32-lane vector widths, depth multipliers, strides, dilation, mostly padded
// windows), every HybridParams combination, every kernel path. Exact comparison as in conv2d_hybrid_test.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/depthwise_conv2d_hybrid.h"
#include "reference/depthwise_conv2d_hybrid.h"
#include "tests/kernels/conv_params.h"
#include "tests/kernels/hybrid_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"
#include "tests/support/threads.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::HybridEpilogue;
using kernels::HybridInputQuantization;
using kernels::SimdPath;
using test::Fill;

struct DwCase {
  int batch, h, w, cin, dm, kh, kw, stride, dil;
  bool same;
  Activation act;
  std::string name() const {
    return fmt::format("{}x{}x{}x{} dm{} k{}x{} s{} d{} {} act{}", batch, h, w, cin, dm, kh, kw, stride, dil,
                       same ? "SAME" : "VALID", static_cast<int>(act));
  }
  kernels::DepthwiseConv2DParams params() const {
    return test::depthwise_params({batch, h, w, cin, cin * dm, kh, kw, stride, stride, dil, dil, same, 1, act});
  }
};

const DwCase kDwCases[] = {
    {1, 5, 7, 3, 1, 3, 3, 1, 1, true, Activation::none},        // channel tail only
    {2, 9, 8, 16, 1, 3, 3, 2, 1, false, Activation::relu},
    {1, 7, 7, 35, 1, 3, 3, 1, 2, true, Activation::none},       // 32 + tail 3, dilation
    {1, 6, 5, 4, 3, 3, 3, 1, 1, true, Activation::relu6},       // depth multiplier 3 (portable loop on every path)
    {2, 12, 11, 48, 1, 5, 5, 2, 1, true, Activation::none},
    {1, 3, 3, 32, 1, 3, 3, 1, 1, true, Activation::tanh},
    {1, 2, 2, 17, 1, 3, 3, 1, 3, true, Activation::relu_n1_to_1},  // most taps padded
};

void run_dw_case(const DwCase& c, const std::vector<Fill>& fills, bool per_channel, bool zero_channel,
                 bool with_bias, uint32_t seed) {
  const kernels::DepthwiseConv2DParams p = c.params();
  const int32_t out_c = p.out_c();
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  test::HybridConvData d = test::hybrid_conv_data(static_cast<size_t>(p.kernel_h * p.kernel_w * out_c), out_c,
                                                  per_channel, p.batch, image, fills, seed);
  if (zero_channel) {
    for (int t = 0; t < p.kernel_h * p.kernel_w; ++t) d.filter[static_cast<size_t>(t * out_c)] = 0;
    if (per_channel) d.scales[0] = 0.0f;
  }
  const float* b = with_bias ? d.bias.data() : nullptr;
  const size_t out_n = static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * out_c);
  const auto scale_count = static_cast<int32_t>(d.scales.size());
  const auto packed = kernels::pack_depthwise_conv2d_int8_weights(p, d.filter.data(), d.scales.data(), scale_count);
  CAPTURE(c.name());
  test::check_every_hybrid_params(
      d.input, out_n, {1},
      [&](const kernels::HybridParams& h, float* want, reference::HybridTaps& taps) {
        reference::depthwise_conv2d_hybrid(p, h, d.filter.data(), d.scales.data(), scale_count, d.input.data(), b,
                                           want, &taps);
      },
      [&](const kernels::HybridParams& h, SimdPath path, int /*slots*/, float* got, int32_t* acc) {
        kernels::DepthwiseConv2DHybridScratch scratch;
        scratch.reserve(p);
        kernels::depthwise_conv2d_hybrid(p, h, packed, d.input.data(), b, got, scratch, acc, path);
        return scratch;
      });
}

TEST_SUITE("kernels.depthwise_conv2d_hybrid") {
  TEST_CASE("fast depthwise matches the reference exactly over shapes, parameters and paths") {
    uint32_t seed = 500;
    for (const DwCase& c : kDwCases) run_dw_case(c, {Fill::random, Fill::positive}, true, false, true, seed += 10);
  }

  TEST_CASE("per-tensor scale repeated, no bias") {
    uint32_t seed = 700;
    for (const DwCase& c : kDwCases) run_dw_case(c, {Fill::random}, false, false, false, seed += 10);
  }

  TEST_CASE("all-zero images, zero weight channels with scale 0, extreme values, an all-zero batch") {
    const DwCase c{3, 6, 5, 40, 1, 3, 3, 1, 1, true, Activation::none};
    SUBCASE("zero image between two others") {
      run_dw_case(c, {Fill::random, Fill::zero, Fill::extreme}, true, false, true, 17);
    }
    SUBCASE("zero channel") { run_dw_case(c, {Fill::random}, true, true, true, 18); }
    SUBCASE("every image zero: zero_input_gives_bias writes act(bias)") {
      run_dw_case(c, {Fill::zero}, true, false, true, 20);
    }
    SUBCASE("results do not depend on the thread count") {
      test::ThreadCount one(1);
      run_dw_case(c, {Fill::extreme}, true, true, true, 19);
    }
  }

  TEST_CASE("padded taps contribute nothing (not zp * w)") {
    DwCase c{1, 3, 3, 1, 1, 3, 3, 1, 1, true, Activation::none};
    const kernels::DepthwiseConv2DParams p = c.params();
    const std::vector<int8_t> filter(9, 1);
    const float scale = 1.0f;
    const auto packed = kernels::pack_depthwise_conv2d_int8_weights(p, filter.data(), &scale, 1);
    const std::vector<float> input(9, 2.0f);  // zp = -128, q = 127: q - zp = 255 per in-image tap
    kernels::DepthwiseConv2DHybridScratch scratch;
    scratch.reserve(p);
    std::vector<float> out(9);
    std::vector<int32_t> acc(9);
    kernels::depthwise_conv2d_hybrid(p, {HybridInputQuantization::asymmetric_rows, HybridEpilogue::input_scale_first},
                                     packed, input.data(), nullptr, out.data(), scratch, acc.data());
    CHECK(acc[0] == 4 * 255);
    CHECK(acc[1] == 6 * 255);
    CHECK(acc[4] == 9 * 255);
  }
}

}  // namespace
}  // namespace qgate
