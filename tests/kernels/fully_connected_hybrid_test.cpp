// kernels/fully_connected_hybrid.h against its naive twin (reference/fully_connected_hybrid.h) over a shape sweep
// (rows around the 2-row microkernel, depths around the 32-byte chunk, units around the 4-channel block), every
// HybridParams combination (both products included), per-tensor and per-channel weights, zero rows, all-zero inputs
// and zero channels, every kernel path. Exact comparison (tests/kernels/hybrid_test_util.h); then hand-computed
// cases.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "kernels/fully_connected_hybrid.h"
#include "reference/fully_connected_hybrid.h"
#include "tests/kernels/hybrid_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::FullyConnectedParams;
using kernels::HybridEpilogue;
using kernels::HybridInputQuantization;
using kernels::HybridParams;
using kernels::Int8ProductArithmetic;
using kernels::SimdPath;

std::vector<HybridParams> all_fc_hybrid_params() {
  std::vector<HybridParams> all;
  for (auto q : test::kAllInputQuantizations)
    for (auto e : test::kAllEpilogues)
      for (auto product : {Int8ProductArithmetic::exact, Int8ProductArithmetic::saturating_u8s8_pairs})
        for (bool zero_input_gives_bias : {false, true}) all.push_back({q, e, product, zero_input_gives_bias});
  return all;
}

TEST_SUITE("kernels.fully_connected_hybrid") {
  TEST_CASE("fast FC matches the reference bit for bit over shapes, parameters, zero rows and inputs, paths") {
    const Activation acts[] = {Activation::none, Activation::relu, Activation::relu6};
    const auto params = all_fc_hybrid_params();
    uint32_t seed = 900;
    for (int64_t rows : {1, 2, 3, 5})
      for (int64_t k : {1, 3, 33, 64, 100})
        for (int64_t n : {1, 3, 4, 9, 40})
          for (int zero_mode : {0, 1, 2}) {  // 0: random; 1: second row zero; 2: whole input zero
            seed += 7;
            const bool per_channel = seed % 2 == 0, with_bias = seed % 3 != 0;
            auto w = test::random_ints<int8_t>(static_cast<size_t>(n * k), seed, -127, 127);
            auto scales = test::random_floats(per_channel ? static_cast<size_t>(n) : 1, seed + 1, 1e-4f, 2e-2f);
            if (per_channel && n > 1) {  // a zero channel with scale 0
              std::fill(w.begin(), w.begin() + k, int8_t{0});
              scales[0] = 0.0f;
            }
            const auto bias = test::random_floats(static_cast<size_t>(n), seed + 2);
            const float* b = with_bias ? bias.data() : nullptr;
            auto input = test::random_floats(static_cast<size_t>(rows * k), seed + 3, -3.0f, 2.0f);
            if (zero_mode == 1 && rows > 1) std::fill(input.begin() + k, input.begin() + 2 * k, 0.0f);
            if (zero_mode == 2) std::fill(input.begin(), input.end(), -0.0f);
            const auto packed = kernels::pack_int8_weights(w.data(), static_cast<int32_t>(n), static_cast<int32_t>(k),
                                                           scales.data(), static_cast<int32_t>(scales.size()));
            for (size_t i = 0; i < params.size(); ++i) {
              const HybridParams& h = params[i];
              const FullyConnectedParams p{rows, k, n, acts[(seed + i) % 3]};
              reference::HybridTaps taps;
              std::vector<float> want(static_cast<size_t>(rows * n));
              reference::fully_connected_hybrid(p, h, w.data(), scales.data(), static_cast<int32_t>(scales.size()),
                                                input.data(), b, want.data(), &taps);
              test::for_each_path([&](SimdPath path) {
                CAPTURE(fmt::format("rows{} K{} N{} per-channel {} bias {} zero {} act{} | {}", rows, k, n,
                                    per_channel, with_bias, zero_mode, static_cast<int>(p.activation),
                                    test::describe(h)));
                kernels::FullyConnectedHybridScratch scratch;
                scratch.reserve(p);
                auto got = test::nan_filled(want.size());
                std::vector<int32_t> acc(want.size(), test::kAccSentinel);
                kernels::fully_connected_hybrid(p, h, packed, input.data(), b, got.data(), scratch, acc.data(), path);
                test::check_equal(acc, taps.acc, "acc");
                test::check_bits(got, want);
              });
            }
          }
  }

  TEST_CASE("an all-zero input with zero_input_gives_bias keeps the bias bits (-0.0 included); without it the "
            "multiply runs") {
    const int64_t rows = 2, n = 3, k = 40;
    const std::vector<float> input(static_cast<size_t>(rows * k), -0.0f);
    const std::vector<int8_t> w(static_cast<size_t>(n * k), 5);
    const float scale = 0.5f;
    const std::vector<float> bias = {-0.0f, 1.5f, -2.0f};
    const auto packed = kernels::pack_int8_weights(w.data(), n, k, &scale, 1);
    const FullyConnectedParams p{rows, k, n, Activation::none};
    kernels::FullyConnectedHybridScratch scratch;
    scratch.reserve(p);
    test::for_each_path([&](SimdPath path) {
      auto out = test::nan_filled(static_cast<size_t>(rows * n));
      HybridParams h{HybridInputQuantization::asymmetric_rows, HybridEpilogue::scale_product,
                     Int8ProductArithmetic::exact, true};
      kernels::fully_connected_hybrid(p, h, packed, input.data(), bias.data(), out.data(), scratch, nullptr, path);
      for (int64_t b = 0; b < rows; ++b)
        for (int64_t j = 0; j < n; ++j)
          CHECK(std::bit_cast<uint32_t>(out[static_cast<size_t>(b * n + j)]) == std::bit_cast<uint32_t>(bias[j]));
      // Multiplied: acc = 0, 0 * scale + (-0.0) = +0.0 for the first channel.
      h.zero_input_gives_bias = false;
      kernels::fully_connected_hybrid(p, h, packed, input.data(), bias.data(), out.data(), scratch, nullptr, path);
      CHECK(std::bit_cast<uint32_t>(out[0]) == 0u);
      CHECK(out[1] == 1.5f);
    });
  }

  TEST_CASE("hand-computed hybrid FC: scale product, symmetric rows") {
    // Input {1, -2, 0.5}: R = 2, s_in = 2/127, 127/R = 63.5: q = {64 (63.5 away from zero), -127, 32 (31.75)}.
    // W = {{1, 2, 3}, {-127, 0, 127}}, s_w = 0.25: acc = {64 - 254 + 96, -8128 + 4064} = {-94, -4064}.
    // out = float(acc) * f32(s_in * s_w) + bias, bias = {1, 0}.
    const std::vector<float> input = {1.0f, -2.0f, 0.5f};
    const std::vector<int8_t> w = {1, 2, 3, -127, 0, 127};
    const float s_w = 0.25f;
    const std::vector<float> bias = {1.0f, 0.0f};
    const auto packed = kernels::pack_int8_weights(w.data(), 2, 3, &s_w, 1);
    CHECK(packed.row_sums == std::vector<int32_t>{6, 0});
    const FullyConnectedParams p{1, 3, 2, Activation::none};
    kernels::FullyConnectedHybridScratch scratch;
    scratch.reserve(p);
    test::for_each_path([&](SimdPath path) {
      std::vector<float> out(2, NAN);
      kernels::fully_connected_hybrid(p, {HybridInputQuantization::symmetric_rows, HybridEpilogue::scale_product},
                                      packed, input.data(), bias.data(), out.data(), scratch, nullptr, path);
      CHECK(scratch.q[0] == 64);
      CHECK(scratch.q[1] == -127);
      CHECK(scratch.q[2] == 32);
      CHECK(scratch.acc[0] == -94);
      CHECK(scratch.acc[1] == -4064);
      const float scale = (2.0f / 127.0f) * 0.25f;
      CHECK(out[0] == -94.0f * scale + 1.0f);
      CHECK(out[1] == -4064.0f * scale + 0.0f);
    });
  }
}

}  // namespace
}  // namespace qgate
