// kernels/conv2d_hybrid.h against its naive twin (reference/conv2d_hybrid.h) over a shape sweep (odd sizes, strides,
// dilation, SAME/VALID, groups, 1x1 in place, blocks spanning images, all-padding taps), every HybridParams
// combination, every kernel path, 1 and 3 work slots. Quantized images, scales, zero points and int32 accumulators
// must be identical, the float outputs bit for bit (tests/kernels/hybrid_test_util.h says why no tolerance).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/conv2d_hybrid.h"
#include "reference/conv2d_hybrid.h"
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

struct ConvCase {
  int batch, h, w, cin, cout, kh, kw, stride_h, stride_w, dil_h, dil_w;
  bool same;
  int groups;
  Activation act;
  std::string name() const {
    return fmt::format("{}x{}x{}x{}->{} k{}x{} s{}x{} d{}x{} {} g{} act{}", batch, h, w, cin, cout, kh, kw, stride_h,
                       stride_w, dil_h, dil_w, same ? "SAME" : "VALID", groups, static_cast<int>(act));
  }
  kernels::Conv2DParams params() const {
    return test::conv2d_params({batch, h, w, cin, cout, kh, kw, stride_h, stride_w, dil_h, dil_w, same, groups, act});
  }
};

const ConvCase kConvCases[] = {
    {1, 5, 7, 3, 4, 3, 3, 1, 1, 1, 1, true, 1, Activation::none},
    {2, 9, 6, 5, 6, 3, 3, 2, 2, 1, 1, false, 1, Activation::relu},
    {1, 8, 8, 16, 8, 1, 1, 1, 1, 1, 1, true, 1, Activation::none},   // multiplies the image in place
    {2, 5, 3, 6, 7, 1, 1, 1, 1, 1, 1, false, 1, Activation::none},   // in place, one block spanning two images
    {2, 7, 7, 8, 5, 1, 1, 2, 2, 1, 1, true, 1, Activation::relu6},   // 1x1 strided: im2col
    {1, 11, 9, 4, 7, 3, 2, 1, 2, 2, 1, true, 1, Activation::none},   // dilation
    {1, 6, 6, 6, 9, 3, 3, 1, 1, 1, 1, true, 3, Activation::none},    // groups
    {1, 10, 10, 33, 13, 5, 5, 2, 2, 1, 1, true, 1, Activation::relu_n1_to_1},  // K = 825: K tail
    {3, 4, 4, 2, 3, 4, 4, 1, 1, 1, 1, false, 1, Activation::none},   // one pixel per image, M = 3
    {1, 13, 13, 64, 17, 3, 3, 1, 1, 1, 1, true, 1, Activation::none},  // several row blocks, K = 576
    {2, 3, 3, 2, 2, 3, 3, 1, 1, 2, 2, true, 2, Activation::tanh},      // all-padding taps, groups, dilation
};

void run_conv_case(const ConvCase& c, const std::vector<Fill>& fills, bool per_channel, bool zero_channel,
                   bool with_bias, uint32_t seed) {
  const kernels::Conv2DParams p = c.params();
  const int64_t k = int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups);
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  test::HybridConvData d =
      test::hybrid_conv_data(static_cast<size_t>(p.out_c * k), p.out_c, per_channel, p.batch, image, fills, seed);
  if (zero_channel) {
    // Channel 0 all zero: PTQ gives it scale 0 (per-channel) -- the epilogue must still write bias.
    std::fill(d.filter.begin(), d.filter.begin() + k, int8_t{0});
    if (per_channel) d.scales[0] = 0.0f;
  }
  const float* b = with_bias ? d.bias.data() : nullptr;
  const size_t out_n = static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * p.out_c);
  const auto scale_count = static_cast<int32_t>(d.scales.size());
  const auto packed = kernels::pack_conv2d_int8_weights(p, d.filter.data(), d.scales.data(), scale_count);
  CAPTURE(c.name());
  test::check_every_hybrid_params(
      d.input, out_n, {1, 3},
      [&](const kernels::HybridParams& h, float* want, reference::HybridTaps& taps) {
        reference::conv2d_hybrid(p, h, d.filter.data(), d.scales.data(), scale_count, d.input.data(), b, want, &taps);
      },
      [&](const kernels::HybridParams& h, SimdPath path, int slots, float* got, int32_t* acc) {
        kernels::Conv2DHybridScratch scratch;
        scratch.reserve(p, slots);
        kernels::conv2d_hybrid(p, h, packed, d.input.data(), b, got, scratch, acc, path);
        return scratch;
      });
}

TEST_SUITE("kernels.conv2d_hybrid") {
  TEST_CASE("fast conv matches the reference exactly over shapes, parameters and paths (per-channel weights)") {
    uint32_t seed = 100;
    for (const ConvCase& c : kConvCases) {
      CAPTURE(c.name());
      run_conv_case(c, {Fill::random, Fill::positive}, true, false, true, seed += 10);
    }
  }

  TEST_CASE("per-tensor weights, no bias") {
    uint32_t seed = 300;
    for (const ConvCase& c : kConvCases) run_conv_case(c, {Fill::random}, false, false, false, seed += 10);
  }

  TEST_CASE("all-zero images, zero weight channels with scale 0, extreme values, an all-zero batch") {
    const ConvCase c{3, 6, 5, 7, 6, 3, 3, 1, 2, 1, 1, true, 1, Activation::none};
    SUBCASE("zero image between two others") {
      run_conv_case(c, {Fill::random, Fill::zero, Fill::extreme}, true, false, true, 7);
    }
    SUBCASE("zero channel, per-channel") { run_conv_case(c, {Fill::random}, true, true, true, 8); }
    SUBCASE("zero channel, per-tensor") { run_conv_case(c, {Fill::positive}, false, true, true, 9); }
    SUBCASE("extreme images, grouped") {
      const ConvCase g{2, 5, 5, 4, 6, 3, 3, 1, 1, 1, 1, true, 2, Activation::relu};
      run_conv_case(g, {Fill::extreme, Fill::zero}, true, true, true, 10);
    }
    SUBCASE("every image zero: zero_input_gives_bias writes act(bias)") {
      run_conv_case(c, {Fill::zero}, true, false, true, 11);
    }
    SUBCASE("results do not depend on the thread count") {
      test::ThreadCount one(1);
      run_conv_case(c, {Fill::extreme, Fill::random}, true, true, true, 12);
    }
  }

  TEST_CASE("symmetric image padding is 0, asymmetric padding is the zero point: border outputs differ from "
            "a zero-padded asymmetric conv") {
    // A constant positive image: asymmetric zp = -128, so a zero-padded im2col would add 128 * w per padded tap.
    kernels::Conv2DParams p = ConvCase{1, 3, 3, 1, 1, 3, 3, 1, 1, 1, 1, true, 1, Activation::none}.params();
    const std::vector<int8_t> filter(9, 1);
    const float scale = 0.5f;
    const auto packed = kernels::pack_conv2d_int8_weights(p, filter.data(), &scale, 1);
    const std::vector<float> input(9, 2.0f);
    kernels::Conv2DHybridScratch scratch;
    scratch.reserve(p, 1);
    std::vector<float> out(9);
    std::vector<int32_t> acc(9);
    kernels::conv2d_hybrid(p, {HybridInputQuantization::asymmetric_rows, HybridEpilogue::scale_product}, packed,
                           input.data(), nullptr, out.data(), scratch, acc.data());
    // Every in-image tap has q - zp = 255 (2.0 is the range's top); the corner sees 4 taps, the centre 9.
    CHECK(scratch.zero_points[0] == -128);
    CHECK(acc[0] == 4 * 255);
    CHECK(acc[4] == 9 * 255);
  }
}

}  // namespace
}  // namespace qgate
