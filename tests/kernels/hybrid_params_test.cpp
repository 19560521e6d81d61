// kernels/hybrid_params.h against its twin (reference/hybrid_params.h): every input quantizer over row counts and
// lengths (1, odd, around the 8- and 32-lane vector widths), every kernel path, outputs pre-filled with sentinels;
// every epilogue bit for bit, with and without bias. Integer outputs exact, floats bit for bit.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "kernels/hybrid_params.h"
#include "reference/hybrid_params.h"
#include "tests/kernels/hybrid_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::HybridEpilogue;
using kernels::HybridInputQuantization;
using kernels::SimdPath;
using test::Fill;

TEST_SUITE("kernels.hybrid_params") {
  TEST_CASE("quantize_hybrid_input matches the reference for every quantizer, shape and path") {
    uint32_t seed = 40;
    for (auto how : test::kAllInputQuantizations)
      for (int64_t rows : {1, 2, 3, 5})
        for (int64_t len : {1, 7, 8, 31, 32, 33, 100})
          for (const auto& fills : {std::vector<Fill>{Fill::random}, std::vector<Fill>{Fill::positive, Fill::zero},
                                    std::vector<Fill>{Fill::extreme, Fill::random}}) {
            ++seed;
            const auto x = test::make_rows(rows, len, fills, seed);
            reference::HybridTaps want;
            reference::quantize_hybrid_input_into(how, x.data(), rows, len, want);
            test::for_each_path([&](SimdPath path) {
              CAPTURE(fmt::format("{} rows {} length {} fill {}", test::name(how), rows, len,
                                  static_cast<int>(fills[0])));
              std::vector<int8_t> q(x.size(), int8_t{0x55});
              std::vector<float> scales = test::nan_filled(static_cast<size_t>(rows));
              std::vector<int32_t> zero_points(static_cast<size_t>(rows), test::kAccSentinel);
              kernels::quantize_hybrid_input(how, x.data(), rows, len, q.data(), scales.data(), zero_points.data(),
                                             path);
              test::check_equal(q, want.q, "q");
              test::check_bits(scales, want.input_scales, "scale");
              test::check_equal(zero_points, want.zero_points, "zero point");
            });
          }
    CHECK(kernels::hybrid_input_has_zero_points(HybridInputQuantization::asymmetric_rows));
    CHECK_FALSE(kernels::hybrid_input_has_zero_points(HybridInputQuantization::symmetric_rows));
  }

  TEST_CASE("hybrid_epilogue_row matches the reference bit for bit; the three arithmetics differ") {
    std::mt19937 rng(3);
    std::uniform_int_distribution<int32_t> d(-3000000, 3000000);
    for (int32_t n : {1, 7, 8, 37}) {
      std::vector<int32_t> acc(static_cast<size_t>(n));
      for (auto& a : acc) a = d(rng);
      const auto s_w = test::random_floats(static_cast<size_t>(n), 5, 1e-4f, 1e-2f);
      const auto bias = test::random_floats(static_cast<size_t>(n), 6);
      const float s_in = 0.0123f;
      for (HybridEpilogue e : test::kAllEpilogues)
        for (const float* b : {bias.data(), static_cast<const float*>(nullptr)}) {
          CAPTURE(fmt::format("{} n {} bias {}", test::name(e), n, b != nullptr));
          auto got = test::nan_filled(static_cast<size_t>(n)), want = got;
          kernels::hybrid_epilogue_row(e, acc.data(), n, s_in, s_w.data(), b, got.data());
          reference::hybrid_epilogue_row(e, acc.data(), n, s_in, s_w.data(), b, want.data());
          test::check_bits(got, want);
        }
    }
    // Different arithmetic must give different bits somewhere on this data (else a kernel or test mixed them up).
    const int32_t n = 4096;
    std::vector<int32_t> acc(static_cast<size_t>(n));
    for (auto& a : acc) a = d(rng);
    const auto s_w = test::random_floats(static_cast<size_t>(n), 7, 1e-4f, 1e-2f);
    std::vector<float> out[3];
    for (int i = 0; i < 3; ++i) {
      out[i].resize(static_cast<size_t>(n));
      kernels::hybrid_epilogue_row(test::kAllEpilogues[i], acc.data(), n, 0.0123f, s_w.data(), nullptr, out[i].data());
    }
    auto differ = [](const std::vector<float>& a, const std::vector<float>& b) {
      for (size_t i = 0; i < a.size(); ++i)
        if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) return true;
      return false;
    };
    CHECK(differ(out[0], out[1]));
    CHECK(differ(out[0], out[2]));
    CHECK(differ(out[1], out[2]));
  }

  TEST_CASE("hand-computed epilogues: where each rounds") {
    // s = 1 + 2^-12, acc = 3. scale_product: f32(s * s) = f32(1 + 2^-11 + 2^-24) = 1 + 2^-11 (a tie, to even), and
    // 3 * (1 + 2^-11) is exact. input_scale_first: 3 * s = 3 + 3 * 2^-12 exactly, times s = 3 + 3 * 2^-11 +
    // 3 * 2^-24, and 3 * 2^-24 is 3/4 of the ulp of 3 (2^-22): rounds up to 3 + 3 * 2^-11 + 2^-22.
    const float s = 1.0f + std::ldexp(1.0f, -12);
    const float product_first = 3.0f + 3.0f * std::ldexp(1.0f, -11);
    const float left_to_right = product_first + std::ldexp(1.0f, -22);
    CHECK(kernels::hybrid_epilogue(HybridEpilogue::scale_product, 3, s, s, 0.0f) == product_first);
    CHECK(kernels::hybrid_epilogue(HybridEpilogue::input_scale_first, 3, s, s, 0.0f) == left_to_right);
    CHECK(kernels::hybrid_epilogue(HybridEpilogue::weight_scale_first, 3, s, s, 0.0f) == left_to_right);
    // s_in = 2^127, s_w = 2^-127: 3 * s_in overflows to inf first; 3 * s_w = 1.5 * 2^-126 is exact, then 3; the
    // scale product is exactly 1.
    const float big = std::ldexp(1.0f, 127), small = std::ldexp(1.0f, -127);
    CHECK(kernels::hybrid_epilogue(HybridEpilogue::input_scale_first, 3, big, small, 0.0f) == INFINITY);
    CHECK(kernels::hybrid_epilogue(HybridEpilogue::weight_scale_first, 3, big, small, 0.0f) == 3.0f);
    CHECK(kernels::hybrid_epilogue(HybridEpilogue::scale_product, 3, big, small, 0.0f) == 3.0f);
    // acc = 2^24 + 1 is not a float: f32(acc) = 2^24 (a tie, to even).
    CHECK(kernels::hybrid_epilogue(HybridEpilogue::weight_scale_first, (1 << 24) + 1, 1.0f, 1.0f, 0.0f) ==
          16777216.0f);
    // Bias absent adds +0: a -0.0 product becomes +0.0.
    CHECK(std::bit_cast<uint32_t>(kernels::hybrid_epilogue(HybridEpilogue::scale_product, 0, -1.0f, 1.0f, 0.0f)) ==
          0u);
  }
}

}  // namespace
}  // namespace qgate
