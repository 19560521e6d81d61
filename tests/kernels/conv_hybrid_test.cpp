// Hybrid CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED kernels against their naive reference twins over shape
// sweeps (odd sizes, strides, dilation, SAME/VALID, groups, all-zero images, zero weight channels with scale 0,
// extreme values), every mode, both SIMD paths.
//
// Tolerance: none. Quantized images, scales, zero points and int32 accumulators must be identical, and so must
// the float outputs bit for bit: the fast kernels and the twins evaluate the same epilogue formula with separate
// float multiplies and adds (no FMA), so there is no rounding difference to allow for.
#include <doctest/doctest.h>

#include <bit>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "kernels/conv2d_hybrid.h"
#include "kernels/depthwise_conv2d_hybrid.h"
#include "kernels/hybrid_gemm.h"
#include "reference/conv2d_hybrid.h"
#include "reference/hybrid_gemm.h"
#include "tests/kernels/float_check.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::HybridConvEpilogue;
using kernels::HybridInputQuantization;
using kernels::SimdPath;

constexpr int32_t kAccSentinel = std::numeric_limits<int32_t>::min() + 777;

// Random int8 weights in [-127, 127] with the ends pinned often, so extreme products always occur.
std::vector<int8_t> random_weights(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-127, 127), pick(0, 9);
  std::vector<int8_t> v(n);
  for (auto& x : v) {
    const int p = pick(rng);
    x = static_cast<int8_t>(p == 0 ? -127 : (p == 1 ? 127 : d(rng)));
  }
  return v;
}

std::vector<float> random_scales(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(1e-4f, 2e-2f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Image contents per batch element: varied per image so that scales and zero points differ.
enum class Fill { random, zero, positive, extreme };

std::vector<float> make_input(int64_t batch, int64_t image, const std::vector<Fill>& fills, uint32_t seed) {
  std::vector<float> x(static_cast<size_t>(batch * image));
  for (int64_t b = 0; b < batch; ++b) {
    const Fill f = fills[static_cast<size_t>(b % static_cast<int64_t>(fills.size()))];
    float* img = x.data() + b * image;
    const auto r = test::random_floats(static_cast<size_t>(image), seed + static_cast<uint32_t>(b), -1.0f, 1.0f);
    for (int64_t i = 0; i < image; ++i) {
      switch (f) {
        case Fill::random: img[i] = r[i] * (1.0f + static_cast<float>(b)); break;
        case Fill::zero: img[i] = (i % 3 == 0) ? -0.0f : 0.0f; break;  // -0.0 counts as zero
        case Fill::positive: img[i] = 2.0f + r[i]; break;               // min > 0: the range starts at 0
        case Fill::extreme: img[i] = (i % 5 == 0) ? r[i] * 3e30f : r[i] * 1e-30f; break;
      }
    }
  }
  return x;
}

template <typename T>
void check_equal(const std::vector<T>& got, const std::vector<T>& want, const char* what) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (got[i] != want[i]) {
      ++bad;
      FAIL_CHECK(std::string(what) << "[" << i << "]: got " << +got[i] << ", reference " << +want[i]);
    }
}

// Float outputs, bit for bit (a NaN sentinel left in place shows as a mismatch).
void check_bits(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (std::bit_cast<uint32_t>(got[i]) != std::bit_cast<uint32_t>(want[i])) {
      ++bad;
      FAIL_CHECK(fmt::format("out[{}]: got {:.9g}, reference {:.9g}", i, got[i], want[i]));
    }
}

// ---- CONV_2D ----

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
    kernels::Conv2DParams p;
    p.batch = batch;
    p.in_h = h;
    p.in_w = w;
    p.in_c = cin;
    p.out_c = cout;
    p.kernel_h = kh;
    p.kernel_w = kw;
    p.stride_h = stride_h;
    p.stride_w = stride_w;
    p.dilation_h = dil_h;
    p.dilation_w = dil_w;
    p.groups = groups;
    p.activation = act;
    p.out_h = kernels::conv_output_size(h, kh, stride_h, dil_h, same);
    p.out_w = kernels::conv_output_size(w, kw, stride_w, dil_w, same);
    p.pad_top = kernels::conv_pad_before(h, p.out_h, kh, stride_h, dil_h, same);
    p.pad_left = kernels::conv_pad_before(w, p.out_w, kw, stride_w, dil_w, same);
    return p;
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

struct ConvMode {
  HybridInputQuantization quantization;
  HybridConvEpilogue epilogue;
  const char* name;
};

const ConvMode kConvModes[] = {
    {HybridInputQuantization::symmetric_rows, HybridConvEpilogue::scale_product, "per-tensor builtin (sym)"},
    {HybridInputQuantization::asymmetric_rows, HybridConvEpilogue::scale_product, "per-channel builtin (asym)"},
    {HybridInputQuantization::asymmetric_rows, HybridConvEpilogue::left_to_right, "grouped builtin (asym)"},
    {HybridInputQuantization::asymmetric_rows, HybridConvEpilogue::xnnpack_qd8, "xnnpack epilogue, builtin rows"},
    {HybridInputQuantization::xnnpack_rows, HybridConvEpilogue::xnnpack_qd8, "xnnpack qd8"},
    // onnxruntime ConvInteger: one uint8 scale and zero point over the whole batch, padding with the zero point.
    {HybridInputQuantization::ort_u8_tensor, HybridConvEpilogue::scale_product, "onnxruntime (batch u8)"},
};

void run_conv_case(const ConvCase& c, const std::vector<Fill>& fills, bool per_channel, bool zero_channel,
                   bool with_bias, uint32_t seed) {
  const kernels::Conv2DParams p = c.params();
  const int64_t k = int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups);
  auto filter = random_weights(static_cast<size_t>(p.out_c * k), seed);
  auto scales = random_scales(per_channel ? static_cast<size_t>(p.out_c) : 1, seed + 1);
  if (zero_channel) {
    // Channel 0 all zero: PTQ gives it scale 0 (per-channel) -- the epilogue must still write bias.
    std::fill(filter.begin(), filter.begin() + k, int8_t{0});
    if (per_channel) scales[0] = 0.0f;
  }
  const auto bias = test::random_floats(static_cast<size_t>(p.out_c), seed + 2);
  const float* b = with_bias ? bias.data() : nullptr;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  const auto input = make_input(p.batch, image, fills, seed + 3);
  const size_t out_n = static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * p.out_c);
  const auto packed =
      kernels::pack_conv2d_int8_weights(p, filter.data(), scales.data(), static_cast<int32_t>(scales.size()));

  for (const ConvMode& mode : kConvModes) {
    const kernels::Conv2DHybridParams h{mode.quantization, mode.epilogue};
    reference::HybridConvTaps taps;
    std::vector<float> want(out_n);
    reference::conv2d_hybrid(p, h, filter.data(), scales.data(), static_cast<int32_t>(scales.size()), input.data(),
                             b, want.data(), &taps);
    for (SimdPath path : test::testable_paths()) {
      for (int slots : {1, 3}) {
        CAPTURE(fmt::format("{} | {} | {} | slots {}", c.name(), mode.name, test::path_name(path), slots));
        kernels::Conv2DHybridScratch scratch;
        scratch.reserve(p, slots);
        auto got = test::nan_filled(out_n);
        std::vector<int32_t> acc(out_n, kAccSentinel);
        kernels::conv2d_hybrid(p, h, packed, input.data(), b, got.data(), scratch, path, acc.data());
        check_equal(scratch.q, taps.q, "q");
        check_equal(scratch.input_scales, taps.input_scales, "input scale");
        if (mode.quantization != HybridInputQuantization::symmetric_rows)
          check_equal(scratch.zero_points, taps.zero_points, "zero point");
        check_equal(acc, taps.acc, "acc");
        check_bits(got, want);
      }
    }
  }
}

TEST_SUITE("kernels.conv2d_hybrid") {
  TEST_CASE("fast conv matches the reference exactly over shapes, modes and paths (per-channel weights)") {
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

  TEST_CASE("all-zero images, zero weight channels with scale 0, extreme values") {
    const ConvCase c{3, 6, 5, 7, 6, 3, 3, 1, 2, 1, 1, true, 1, Activation::none};
    SUBCASE("zero image between two others") { run_conv_case(c, {Fill::random, Fill::zero, Fill::extreme}, true, false, true, 7); }
    SUBCASE("zero channel, per-channel") { run_conv_case(c, {Fill::random}, true, true, true, 8); }
    SUBCASE("zero channel, per-tensor") { run_conv_case(c, {Fill::positive}, false, true, true, 9); }
    SUBCASE("extreme images, grouped") {
      const ConvCase g{2, 5, 5, 4, 6, 3, 3, 1, 1, 1, 1, true, 2, Activation::relu};
      run_conv_case(g, {Fill::extreme, Fill::zero}, true, true, true, 10);
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
    kernels::conv2d_hybrid(p, {HybridInputQuantization::asymmetric_rows, HybridConvEpilogue::scale_product}, packed,
                           input.data(), nullptr, out.data(), scratch, SimdPath::automatic, acc.data());
    // Every in-image tap has q - zp = 255 (2.0 is the range's top); the corner sees 4 taps, the centre 9.
    CHECK(scratch.zero_points[0] == -128);
    CHECK(acc[0] == 4 * 255);
    CHECK(acc[4] == 9 * 255);
  }
}

// ---- DEPTHWISE_CONV_2D ----

struct DwCase {
  int batch, h, w, cin, dm, kh, kw, stride, dil;
  bool same;
  Activation act;
  std::string name() const {
    return fmt::format("{}x{}x{}x{} dm{} k{}x{} s{} d{} {} act{}", batch, h, w, cin, dm, kh, kw, stride, dil,
                       same ? "SAME" : "VALID", static_cast<int>(act));
  }
  kernels::DepthwiseConv2DParams params() const {
    kernels::DepthwiseConv2DParams p;
    p.batch = batch;
    p.in_h = h;
    p.in_w = w;
    p.in_c = cin;
    p.depth_multiplier = dm;
    p.kernel_h = kh;
    p.kernel_w = kw;
    p.stride_h = p.stride_w = stride;
    p.dilation_h = p.dilation_w = dil;
    p.activation = act;
    p.out_h = kernels::conv_output_size(h, kh, stride, dil, same);
    p.out_w = kernels::conv_output_size(w, kw, stride, dil, same);
    p.pad_top = kernels::conv_pad_before(h, p.out_h, kh, stride, dil, same);
    p.pad_left = kernels::conv_pad_before(w, p.out_w, kw, stride, dil, same);
    return p;
  }
};

const DwCase kDwCases[] = {
    {1, 5, 7, 3, 1, 3, 3, 1, 1, true, Activation::none},        // channel tail only
    {2, 9, 8, 16, 1, 3, 3, 2, 1, false, Activation::relu},
    {1, 7, 7, 35, 1, 3, 3, 1, 2, true, Activation::none},       // 32 + tail 3, dilation
    {1, 6, 5, 4, 3, 3, 3, 1, 1, true, Activation::relu6},       // depth multiplier 3 (portable)
    {2, 12, 11, 48, 1, 5, 5, 2, 1, true, Activation::none},
    {1, 3, 3, 32, 1, 3, 3, 1, 1, true, Activation::tanh},
    {1, 2, 2, 17, 1, 3, 3, 1, 3, true, Activation::relu_n1_to_1},  // most taps padded
};

void run_dw_case(const DwCase& c, const std::vector<Fill>& fills, bool per_channel, bool zero_channel,
                 bool with_bias, uint32_t seed) {
  const kernels::DepthwiseConv2DParams p = c.params();
  const int32_t out_c = p.out_c();
  auto filter = random_weights(static_cast<size_t>(p.kernel_h * p.kernel_w * out_c), seed);
  auto scales = random_scales(per_channel ? static_cast<size_t>(out_c) : 1, seed + 1);
  if (zero_channel) {
    for (int t = 0; t < p.kernel_h * p.kernel_w; ++t) filter[static_cast<size_t>(t * out_c)] = 0;
    if (per_channel) scales[0] = 0.0f;
  }
  std::vector<float> scales_full(static_cast<size_t>(out_c), scales[0]);
  if (per_channel) scales_full = scales;
  const auto bias = test::random_floats(static_cast<size_t>(out_c), seed + 2);
  const float* b = with_bias ? bias.data() : nullptr;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  const auto input = make_input(p.batch, image, fills, seed + 3);
  const size_t out_n = static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * out_c);
  // The three epilogues with per-image asymmetric quantization, then onnxruntime's (batch-wide uint8, scale
  // product).
  const std::pair<HybridConvEpilogue, HybridInputQuantization> modes[] = {
      {HybridConvEpilogue::xnnpack_qd8, HybridInputQuantization::asymmetric_rows},
      {HybridConvEpilogue::scale_product, HybridInputQuantization::asymmetric_rows},
      {HybridConvEpilogue::left_to_right, HybridInputQuantization::asymmetric_rows},
      {HybridConvEpilogue::scale_product, HybridInputQuantization::ort_u8_tensor}};
  for (const auto& [e, iq] : modes) {
    reference::HybridConvTaps taps;
    std::vector<float> want(out_n);
    reference::depthwise_conv2d_hybrid(p, e, filter.data(), scales.data(), static_cast<int32_t>(scales.size()), b,
                                       input.data(), want.data(), &taps, iq);
    for (SimdPath path : test::testable_paths()) {
      CAPTURE(fmt::format("{} | epilogue {} | input {} | {}", c.name(), static_cast<int>(e), static_cast<int>(iq),
                          test::path_name(path)));
      kernels::DepthwiseConv2DHybridScratch scratch;
      scratch.reserve(p);
      auto got = test::nan_filled(out_n);
      std::vector<int32_t> acc(out_n, kAccSentinel);
      kernels::depthwise_conv2d_hybrid(p, e, filter.data(), scales_full.data(), b, input.data(), got.data(), scratch,
                                       path, acc.data(), iq);
      check_equal(scratch.q, taps.q, "q");
      check_equal(scratch.input_scales, taps.input_scales, "input scale");
      check_equal(scratch.zero_points, taps.zero_points, "zero point");
      check_equal(acc, taps.acc, "acc");
      check_bits(got, want);
    }
  }
}

TEST_SUITE("kernels.depthwise_hybrid") {
  TEST_CASE("fast depthwise matches the reference exactly over shapes, epilogues and paths") {
    uint32_t seed = 500;
    for (const DwCase& c : kDwCases) run_dw_case(c, {Fill::random, Fill::positive}, true, false, true, seed += 10);
  }

  TEST_CASE("per-tensor scale repeated, no bias") {
    uint32_t seed = 700;
    for (const DwCase& c : kDwCases) run_dw_case(c, {Fill::random}, false, false, false, seed += 10);
  }

  TEST_CASE("all-zero images, zero weight channels with scale 0, extreme values") {
    const DwCase c{3, 6, 5, 40, 1, 3, 3, 1, 1, true, Activation::none};
    SUBCASE("zero image between two others") { run_dw_case(c, {Fill::random, Fill::zero, Fill::extreme}, true, false, true, 17); }
    SUBCASE("zero channel") { run_dw_case(c, {Fill::random}, true, true, true, 18); }
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
    const std::vector<float> input(9, 2.0f);  // zp = -128, q = 127: q - zp = 255 per in-image tap
    kernels::DepthwiseConv2DHybridScratch scratch;
    scratch.reserve(p);
    std::vector<float> out(9);
    std::vector<int32_t> acc(9);
    kernels::depthwise_conv2d_hybrid(p, HybridConvEpilogue::xnnpack_qd8, filter.data(), &scale, nullptr,
                                     input.data(), out.data(), scratch, SimdPath::automatic, acc.data());
    CHECK(acc[0] == 4 * 255);
    CHECK(acc[1] == 6 * 255);
    CHECK(acc[4] == 9 * 255);
  }
}

// ---- FULLY_CONNECTED ----

TEST_SUITE("kernels.fc_hybrid") {
  TEST_CASE("fast FC matches the reference bit for bit: per-tensor and per-channel, both row modes and epilogues, "
            "zero rows, zero inputs, zero channels") {
    struct FcCase {
      int rows, k, n;
    };
    const FcCase cases[] = {{1, 7, 3}, {3, 33, 5}, {4, 64, 17}, {2, 1, 1}, {5, 100, 9}};
    uint32_t seed = 900;
    for (const FcCase& fc : cases)
      for (bool per_channel : {false, true})
        for (int zero_mode : {0, 1, 2}) {  // 0: random; 1: first row zero; 2: whole input zero
          seed += 7;
          auto w = random_weights(static_cast<size_t>(fc.n * fc.k), seed);
          auto scales = random_scales(per_channel ? static_cast<size_t>(fc.n) : 1, seed + 1);
          if (per_channel && fc.n > 1) {  // a zero channel with scale 0
            std::fill(w.begin(), w.begin() + fc.k, int8_t{0});
            scales[0] = 0.0f;
          }
          const auto bias = test::random_floats(static_cast<size_t>(fc.n), seed + 2);
          auto input = test::random_floats(static_cast<size_t>(fc.rows * fc.k), seed + 3, -3.0f, 2.0f);
          if (zero_mode == 1) std::fill(input.begin(), input.begin() + fc.k, 0.0f);
          if (zero_mode == 2) std::fill(input.begin(), input.end(), -0.0f);
          const auto packed = kernels::pack_int8_weights(w.data(), fc.n, fc.k, scales.data(),
                                                         static_cast<int32_t>(scales.size()));
          for (auto q : {HybridInputQuantization::symmetric_rows, HybridInputQuantization::asymmetric_rows,
                         HybridInputQuantization::xnnpack_rows})
            for (auto e : {kernels::HybridEpilogue::tflite_builtin, kernels::HybridEpilogue::xnnpack_qd8})
              for (Activation act : {Activation::none, Activation::relu}) {
                const kernels::HybridFcParams hp{q, e, act};
                std::vector<float> want(static_cast<size_t>(fc.rows * fc.n));
                reference::fully_connected_hybrid(hp, w.data(), fc.n, fc.k, scales.data(),
                                                  static_cast<int32_t>(scales.size()), bias.data(), input.data(),
                                                  fc.rows, want.data());
                for (SimdPath path : test::testable_paths()) {
                  CAPTURE(fmt::format("{}x{}x{} per-channel {} zero {} q{} e{} act{} {}", fc.rows, fc.k, fc.n,
                                      per_channel, zero_mode, static_cast<int>(q), static_cast<int>(e),
                                      static_cast<int>(act), test::path_name(path)));
                  kernels::HybridScratch scratch;
                  scratch.reserve(fc.rows, fc.n, fc.k);
                  auto got = test::nan_filled(want.size());
                  kernels::fully_connected_hybrid(hp, packed, bias.data(), input.data(), fc.rows, got.data(), scratch,
                                                  path);
                  check_bits(got, want);
                  // The builtin path leaves a zero input's output at exactly the bias.
                  if (zero_mode == 2 && e == kernels::HybridEpilogue::tflite_builtin && act == Activation::none)
                    for (int i = 0; i < fc.rows * fc.n; ++i) CHECK(got[i] == bias[i % fc.n]);
                }
              }
        }
  }
}

}  // namespace
}  // namespace qgate
