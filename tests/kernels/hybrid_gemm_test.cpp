#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <random>
#include <vector>

#include "kernels/hybrid_gemm.h"
#include "kernels/quantize.h"
#include "reference/hybrid_gemm.h"
#include "tests/kernels/float_check.h"

namespace qgate {
namespace {

using kernels::HybridEpilogue;
using kernels::HybridFcParams;
using kernels::HybridInputQuantization;
using kernels::SimdPath;

constexpr int32_t kSentinel = std::numeric_limits<int32_t>::min() + 12345;

// Random int8 in [lo, hi], with a share of values pinned to the ends so extremes always occur.
std::vector<int8_t> random_int8(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi), pick(0, 9);
  std::vector<int8_t> v(n);
  for (auto& x : v) {
    const int p = pick(rng);
    x = static_cast<int8_t>(p == 0 ? lo : (p == 1 ? hi : d(rng)));
  }
  return v;
}

std::vector<int32_t> run_fast(const std::vector<int8_t>& w, int32_t n, int32_t k, const std::vector<int8_t>& q,
                              const int32_t* zp, int32_t m, SimdPath path) {
  const float one = 1.0f;
  const auto packed = kernels::pack_int8_weights(w.data(), n, k, &one, 1);
  std::vector<int32_t> acc(static_cast<size_t>(m) * n, kSentinel);
  kernels::hybrid_gemm_s8s8s32(packed, q.data(), zp, m, acc.data(), path);
  return acc;
}

void check_gemm(const std::vector<int8_t>& w, int32_t n, int32_t k, const std::vector<int8_t>& q,
                const std::vector<int32_t>& zp, int32_t m) {
  for (bool with_zp : {false, true}) {
    std::vector<int32_t> want(static_cast<size_t>(m) * n);
    reference::hybrid_gemm_s8s8s32(w.data(), n, k, q.data(), with_zp ? zp.data() : nullptr, m, want.data());
    for (SimdPath path : test::testable_paths()) {
      CAPTURE(fmt::format("{} zp{}", test::path_name(path), with_zp));
      const auto got = run_fast(w, n, k, q, with_zp ? zp.data() : nullptr, m, path);
      int bad = 0;
      for (size_t i = 0; i < got.size() && bad < 5; ++i)
        if (got[i] != want[i]) {
          ++bad;
          FAIL_CHECK("acc[" << i / n << "][" << i % n << "]: got " << got[i] << ", reference " << want[i]);
        }
    }
  }
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) return false;
  return true;
}

TEST_SUITE("kernels.hybrid_gemm") {
  TEST_CASE("int32 accumulators match the reference exactly over M x K x N, both paths, with and without zp") {
    uint32_t seed = 1;
    for (int32_t m : {1, 2, 3, 4, 5, 7, 16, 33})
      for (int32_t k : {1, 3, 15, 16, 17, 31, 32, 33, 64, 100, 1024})
        for (int32_t n : {1, 3, 7, 8, 9, 16, 33, 100}) {
          CAPTURE(fmt::format("M{} K{} N{}", m, k, n));
          ++seed;
          const auto w = random_int8(static_cast<size_t>(n) * k, seed, -127, 127);
          const auto q = random_int8(static_cast<size_t>(m) * k, seed + 7, -128, 127);
          const auto zp = random_int8(static_cast<size_t>(m), seed + 9, -128, 127);
          check_gemm(w, n, k, q, std::vector<int32_t>(zp.begin(), zp.end()), m);
        }
  }

  TEST_CASE("extreme operands: -128 activations against -127 weights never saturate the int16 pair sums") {
    for (int32_t k : {2, 32, 33, 1024}) {
      CAPTURE(k);
      const int32_t m = 3, n = 5;
      std::vector<int8_t> w(static_cast<size_t>(n) * k, -127), q(static_cast<size_t>(m) * k, -128);
      for (int32_t i = 0; i < k; ++i) w[static_cast<size_t>(k) + i] = 127;              // channel 1 all +127
      for (int32_t i = 0; i < k; ++i) q[static_cast<size_t>(k) + i] = 127;              // row 1 all +127
      for (int32_t i = 0; i < k; i += 2) q[2 * static_cast<size_t>(k) + i] = 127;       // row 2 alternating
      check_gemm(w, n, k, q, {-128, 127, 0}, m);
      const auto acc = run_fast(w, n, k, q, nullptr, m, SimdPath::automatic);
      CHECK(acc[0] == 128 * 127 * k);   // (-128) * (-127) summed
      CHECK(acc[1] == -128 * 127 * k);  // (-128) * 127
      CHECK(acc[static_cast<size_t>(n)] == -127 * 127 * k);
    }
  }

  TEST_CASE("saturating u8s8 pairs (onnxruntime AVX2 arithmetic) match the reference, both paths") {
    // Activations near 255 (as uint8) against weights near +-127 make pair sums overflow int16.
    for (int32_t m : {1, 2, 3, 5})
      for (int32_t k : {1, 2, 7, 32, 33, 64, 95})
        for (int32_t n : {1, 4, 6}) {
          CAPTURE(fmt::format("m{} k{} n{}", m, k, n));
          const auto w = random_int8(static_cast<size_t>(n) * k, 11 + k, -127, 127);
          auto q = random_int8(static_cast<size_t>(m) * k, 29 + n, 60, 127);
          std::vector<int32_t> zp(static_cast<size_t>(m));
          for (int32_t b = 0; b < m; ++b) zp[static_cast<size_t>(b)] = -128 + 37 * b;
          std::vector<uint8_t> u(q.size());
          std::vector<int32_t> zp_u8(zp.size());
          for (size_t i = 0; i < q.size(); ++i) u[i] = static_cast<uint8_t>(q[i] + 128);
          for (size_t i = 0; i < zp.size(); ++i) zp_u8[i] = zp[i] + 128;
          std::vector<int32_t> want(static_cast<size_t>(m) * n);
          reference::gemm_u8s8_saturating_pairs(w.data(), n, k, u.data(), zp_u8.data(), m, want.data());
          const float one = 1.0f;
          const auto packed = kernels::pack_int8_weights(w.data(), n, k, &one, 1);
          for (SimdPath path : test::testable_paths()) {
            CAPTURE(test::path_name(path));
            std::vector<int32_t> acc(want.size(), kSentinel);
            kernels::hybrid_gemm_s8s8s32(packed, q.data(), zp.data(), m, acc.data(), path,
                                         kernels::Int8ProductArithmetic::saturating_u8s8_pairs);
            CHECK(acc == want);
          }
        }
  }

  TEST_CASE("saturating u8s8: 255 x 127 over K = 64 gives 32 saturated pairs (onnxruntime under valgrind)") {
    // uint8 255 (int8 127 with zero point -128 = uint8 0) times 127: each pair 64770 clamps to 32767.
    const std::vector<int8_t> w(64, 127), q(64, 127);
    const int32_t zp = -128;
    const float one = 1.0f;
    const auto packed = kernels::pack_int8_weights(w.data(), 1, 64, &one, 1);
    for (SimdPath path : test::testable_paths()) {
      int32_t sat = 0, exact = 0;
      kernels::hybrid_gemm_s8s8s32(packed, q.data(), &zp, 1, &sat, path,
                                   kernels::Int8ProductArithmetic::saturating_u8s8_pairs);
      kernels::hybrid_gemm_s8s8s32(packed, q.data(), &zp, 1, &exact, path);
      CHECK(sat == 1048544);    // 32 * 32767
      CHECK(exact == 2072640);  // 64 * 255 * 127
    }
  }

  TEST_CASE("a weight matrix with an all-zero channel") {
    const int32_t m = 4, n = 9, k = 70;
    auto w = random_int8(static_cast<size_t>(n) * k, 5, -127, 127);
    for (int32_t i = 0; i < k; ++i) w[4 * static_cast<size_t>(k) + i] = 0;
    const auto q = random_int8(static_cast<size_t>(m) * k, 6, -128, 127);
    check_gemm(w, n, k, q, {3, -128, 127, 0}, m);
    const auto acc = run_fast(w, n, k, q, nullptr, m, SimdPath::automatic);
    for (int32_t b = 0; b < m; ++b) CHECK(acc[static_cast<size_t>(b) * n + 4] == 0);
  }

  TEST_CASE("results do not depend on the thread count") {
    const int32_t m = 3, n = 1000, k = 1024;
    const auto w = random_int8(static_cast<size_t>(n) * k, 8, -127, 127);
    const auto q = random_int8(static_cast<size_t>(m) * k, 9, -128, 127);
    const std::vector<int32_t> zp = {1, -5, 100};
    for (SimdPath path : test::testable_paths()) {
      std::vector<int32_t> one, two;
      {
        test::ThreadCount t(1);
        one = run_fast(w, n, k, q, zp.data(), m, path);
      }
      {
        test::ThreadCount t(2);
        two = run_fast(w, n, k, q, zp.data(), m, path);
      }
      CHECK(one == two);
    }
  }

  TEST_CASE("epilogues match the reference bit for bit, per-tensor and per-channel") {
    const int32_t m = 5, n = 37;
    std::mt19937 rng(3);
    std::uniform_int_distribution<int32_t> d(-3000000, 3000000);
    std::vector<int32_t> acc(static_cast<size_t>(m) * n);
    for (auto& a : acc) a = d(rng);
    const auto s_in = test::random_floats(m, 4, 1e-4f, 1e-1f);
    const auto s_w = test::random_floats(n, 5, 1e-4f, 1e-2f);
    const auto bias = test::random_floats(n, 6);
    const auto start = test::random_floats(static_cast<size_t>(m) * n, 7);
    for (int32_t count : {1, n}) {
      CAPTURE(count);
      auto got = start, want = start;  // builtin accumulates onto what is there
      kernels::hybrid_accumulate_tflite(acc.data(), m, n, s_in.data(), s_w.data(), count, got.data());
      reference::hybrid_accumulate_tflite(acc.data(), m, n, s_in.data(), s_w.data(), count, want.data());
      CHECK(same_bits(got, want));
      for (const float* b : {bias.data(), static_cast<const float*>(nullptr)}) {
        auto got2 = test::nan_filled(acc.size()), want2 = test::nan_filled(acc.size());
        kernels::hybrid_output_xnnpack_qd8(acc.data(), m, n, s_in.data(), s_w.data(), count, b, got2.data());
        reference::hybrid_output_xnnpack_qd8(acc.data(), m, n, s_in.data(), s_w.data(), count, b, want2.data());
        CHECK(same_bits(got2, want2));
      }
    }
    // The two orders are different arithmetic: they must disagree somewhere on this data (else a test mixed them).
    auto builtin = std::vector<float>(acc.size(), 0.0f), qd8 = test::nan_filled(acc.size());
    kernels::hybrid_accumulate_tflite(acc.data(), m, n, s_in.data(), s_w.data(), n, builtin.data());
    kernels::hybrid_output_xnnpack_qd8(acc.data(), m, n, s_in.data(), s_w.data(), n, nullptr, qd8.data());
    CHECK_FALSE(same_bits(builtin, qd8));
  }

  TEST_CASE("hybrid fully connected matches the reference bit for bit") {
    const kernels::Activation acts[] = {kernels::Activation::none, kernels::Activation::relu,
                                        kernels::Activation::relu6};
    int i = 0;
    for (SimdPath path : test::testable_paths())
      for (auto mode : {HybridInputQuantization::symmetric_rows, HybridInputQuantization::asymmetric_rows})
        for (auto epi : {HybridEpilogue::tflite_builtin, HybridEpilogue::xnnpack_qd8})
          for (int32_t rows : {1, 2, 5})
            for (int32_t k : {3, 33, 100})
              for (int32_t n : {1, 9, 40}) {
                ++i;
                const bool per_channel = i % 2 == 0, with_bias = i % 3 != 0;
                HybridFcParams p{mode, epi, acts[i % 3]};
                CAPTURE(fmt::format("{} mode{} epi{} rows{} K{} N{} per_channel{} bias{}", test::path_name(path),
                                    int(mode), int(epi), rows, k, n, per_channel, with_bias));
                auto input = test::random_floats(static_cast<size_t>(rows) * k, 20u + i, -2.0f, 3.0f);
                if (rows > 1)  // one all-zero row among non-zero ones: still multiplied (the skip is whole-input)
                  std::fill(input.begin() + k, input.begin() + 2 * k, 0.0f);
                auto w = random_int8(static_cast<size_t>(n) * k, 30u + i, -127, 127);
                if (n > 1) std::fill(w.begin(), w.begin() + k, int8_t{0});
                auto scales = test::random_floats(per_channel ? n : 1, 40u + i, 1e-3f, 1e-2f);
                if (per_channel && n > 1) scales[0] = 0.0f;  // the all-zero channel's scale
                const auto bias = test::random_floats(n, 50u + i);
                const float* b = with_bias ? bias.data() : nullptr;
                const auto packed = kernels::pack_int8_weights(w.data(), n, k, scales.data(),
                                                               static_cast<int32_t>(scales.size()));
                kernels::HybridScratch scratch;
                scratch.reserve(rows, n, k);
                auto got = test::nan_filled(static_cast<size_t>(rows) * n), want = got;
                kernels::fully_connected_hybrid(p, packed, b, input.data(), rows, got.data(), scratch, path);
                reference::fully_connected_hybrid(p, w.data(), n, k, scales.data(),
                                                  static_cast<int32_t>(scales.size()), b, input.data(), rows,
                                                  want.data());
                CHECK(same_bits(got, want));
              }
  }

  TEST_CASE("hybrid fully connected: an all-zero input skips the multiply (builtin) and keeps the bias bits") {
    const int32_t rows = 2, n = 3, k = 40;
    const std::vector<float> input(static_cast<size_t>(rows) * k, -0.0f);
    const std::vector<int8_t> w(static_cast<size_t>(n) * k, 5);
    const float scale = 0.5f;
    const std::vector<float> bias = {-0.0f, 1.5f, -2.0f};
    const auto packed = kernels::pack_int8_weights(w.data(), n, k, &scale, 1);
    kernels::HybridScratch scratch;
    scratch.reserve(rows, n, k);
    auto out = test::nan_filled(static_cast<size_t>(rows) * n);
    kernels::fully_connected_hybrid({HybridInputQuantization::asymmetric_rows, HybridEpilogue::tflite_builtin,
                                     kernels::Activation::none},
                                    packed, bias.data(), input.data(), rows, out.data(), scratch);
    for (int32_t b = 0; b < rows; ++b)
      for (int32_t j = 0; j < n; ++j)
        CHECK(std::bit_cast<uint32_t>(out[static_cast<size_t>(b) * n + j]) == std::bit_cast<uint32_t>(bias[j]));
  }

  TEST_CASE("hand-computed hybrid FC: builtin order, symmetric rows") {
    // Input {1, -2, 0.5}: R = 2, s_in = 2/127, 127/R = 63.5: q = {64 (63.5 away from zero), -127, 32 (31.75)}.
    // W = {{1, 2, 3}, {-127, 0, 127}}, s_w = 0.25: acc = {64 - 254 + 96, -8128 + 4064} = {-94, -4064}.
    // out = bias + float(acc) * f32(s_in * s_w), bias = {1, 0}.
    const std::vector<float> input = {1.0f, -2.0f, 0.5f};
    const std::vector<int8_t> w = {1, 2, 3, -127, 0, 127};
    const float s_w = 0.25f;
    const std::vector<float> bias = {1.0f, 0.0f};
    const auto packed = kernels::pack_int8_weights(w.data(), 2, 3, &s_w, 1);
    CHECK(packed.row_sums == std::vector<int32_t>{6, 0});
    kernels::HybridScratch scratch;
    scratch.reserve(1, 2, 3);
    std::vector<float> out(2, NAN);
    kernels::fully_connected_hybrid({HybridInputQuantization::symmetric_rows, HybridEpilogue::tflite_builtin,
                                     kernels::Activation::none},
                                    packed, bias.data(), input.data(), 1, out.data(), scratch);
    CHECK(scratch.q[0] == 64);
    CHECK(scratch.q[1] == -127);
    CHECK(scratch.q[2] == 32);
    CHECK(scratch.acc[0] == -94);
    CHECK(scratch.acc[1] == -4064);
    const float scale = (2.0f / 127.0f) * 0.25f;
    CHECK(out[0] == 1.0f + -94.0f * scale);
    CHECK(out[1] == 0.0f + -4064.0f * scale);
  }
}

}  // namespace
}  // namespace qgate
