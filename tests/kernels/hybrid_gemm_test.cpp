#include <doctest/doctest.h>

#include <fmt/format.h>
#include <limits>
#include <random>
#include <vector>

#include "kernels/hybrid_gemm.h"
#include "reference/hybrid_gemm.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"
#include "tests/support/threads.h"

namespace qgate {
namespace {

using kernels::Int8ProductArithmetic;
using kernels::SimdPath;

constexpr int32_t kSentinel = std::numeric_limits<int32_t>::min() + 12345;

std::vector<int32_t> run_fast(const std::vector<int8_t>& w, int32_t n, int32_t k, const std::vector<int8_t>& q,
                              const int32_t* zp, int32_t m, SimdPath path) {
  const float one = 1.0f;
  const auto packed = kernels::pack_int8_weights(w.data(), n, k, &one, 1);
  std::vector<int32_t> acc(static_cast<size_t>(m) * n, kSentinel);
  kernels::hybrid_gemm_s8s8s32(packed, q.data(), zp, m, acc.data(), Int8ProductArithmetic::exact, path);
  return acc;
}

void check_gemm(const std::vector<int8_t>& w, int32_t n, int32_t k, const std::vector<int8_t>& q,
                const std::vector<int32_t>& zp, int32_t m) {
  for (bool with_zp : {false, true}) {
    std::vector<int32_t> want(static_cast<size_t>(m) * n);
    reference::hybrid_gemm_s8s8s32(w.data(), n, k, q.data(), with_zp ? zp.data() : nullptr, m, want.data());
    test::for_each_path([&](SimdPath path) {
      CAPTURE(fmt::format("zp{}", with_zp));
      const auto got = run_fast(w, n, k, q, with_zp ? zp.data() : nullptr, m, path);
      int bad = 0;
      for (size_t i = 0; i < got.size() && bad < 5; ++i)
        if (got[i] != want[i]) {
          ++bad;
          FAIL_CHECK("acc[" << i / n << "][" << i % n << "]: got " << got[i] << ", reference " << want[i]);
        }
    });
  }
}

TEST_SUITE("kernels.hybrid_gemm") {
  TEST_CASE("int32 accumulators match the reference exactly over M x K x N, every path, with and without zp") {
    uint32_t seed = 1;
    for (int32_t m : {1, 2, 3, 4, 5, 7, 16, 33})
      for (int32_t k : {1, 3, 15, 16, 17, 31, 32, 33, 64, 100, 1024})
        for (int32_t n : {1, 3, 7, 8, 9, 16, 33, 100}) {
          CAPTURE(fmt::format("M{} K{} N{}", m, k, n));
          ++seed;
          const auto w = test::random_ints<int8_t>(static_cast<size_t>(n) * k, seed, -127, 127);
          const auto q = test::random_ints<int8_t>(static_cast<size_t>(m) * k, seed + 7, -128, 127);
          const auto zp = test::random_ints<int8_t>(static_cast<size_t>(m), seed + 9, -128, 127);
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
      test::for_each_path([&](SimdPath path) {
        const auto acc = run_fast(w, n, k, q, nullptr, m, path);
        CHECK(acc[0] == 128 * 127 * k);   // (-128) * (-127) summed
        CHECK(acc[1] == -128 * 127 * k);  // (-128) * 127
        CHECK(acc[static_cast<size_t>(n)] == -127 * 127 * k);
      });
    }
  }

  TEST_CASE("saturating u8s8 pairs (onnxruntime AVX2 arithmetic) match the reference, every path") {
    // Activations near 255 (as uint8) against weights near +-127 make pair sums overflow int16.
    for (int32_t m : {1, 2, 3, 5})
      for (int32_t k : {1, 2, 7, 32, 33, 64, 95})
        for (int32_t n : {1, 4, 6}) {
          CAPTURE(fmt::format("m{} k{} n{}", m, k, n));
          const auto w = test::random_ints<int8_t>(static_cast<size_t>(n) * k, 11 + k, -127, 127);
          auto q = test::random_ints<int8_t>(static_cast<size_t>(m) * k, 29 + n, 60, 127);
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
          test::for_each_path([&](SimdPath path) {
            std::vector<int32_t> acc(want.size(), kSentinel);
            kernels::hybrid_gemm_s8s8s32(packed, q.data(), zp.data(), m, acc.data(),
                                         Int8ProductArithmetic::saturating_u8s8_pairs, path);
            CHECK(acc == want);
          });
        }
  }

  TEST_CASE("saturating u8s8: 255 x 127 over K = 64 gives 32 saturated pairs (onnxruntime under valgrind)") {
    // uint8 255 (int8 127 with zero point -128 = uint8 0) times 127: each pair 64770 clamps to 32767.
    const std::vector<int8_t> w(64, 127), q(64, 127);
    const int32_t zp = -128;
    const float one = 1.0f;
    const auto packed = kernels::pack_int8_weights(w.data(), 1, 64, &one, 1);
    test::for_each_path([&](SimdPath path) {
      int32_t sat = 0, exact = 0;
      kernels::hybrid_gemm_s8s8s32(packed, q.data(), &zp, 1, &sat, Int8ProductArithmetic::saturating_u8s8_pairs, path);
      kernels::hybrid_gemm_s8s8s32(packed, q.data(), &zp, 1, &exact, Int8ProductArithmetic::exact, path);
      CHECK(sat == 1048544);    // 32 * 32767
      CHECK(exact == 2072640);  // 64 * 255 * 127
    });
  }

  TEST_CASE("a weight matrix with an all-zero channel") {
    const int32_t m = 4, n = 9, k = 70;
    auto w = test::random_ints<int8_t>(static_cast<size_t>(n) * k, 5, -127, 127);
    for (int32_t i = 0; i < k; ++i) w[4 * static_cast<size_t>(k) + i] = 0;
    const auto q = test::random_ints<int8_t>(static_cast<size_t>(m) * k, 6, -128, 127);
    check_gemm(w, n, k, q, {3, -128, 127, 0}, m);
    test::for_each_path([&](SimdPath path) {
      const auto acc = run_fast(w, n, k, q, nullptr, m, path);
      for (int32_t b = 0; b < m; ++b) CHECK(acc[static_cast<size_t>(b) * n + 4] == 0);
    });
  }

  TEST_CASE("results do not depend on the thread count") {
    const int32_t m = 3, n = 1000, k = 1024;
    const auto w = test::random_ints<int8_t>(static_cast<size_t>(n) * k, 8, -127, 127);
    const auto q = test::random_ints<int8_t>(static_cast<size_t>(m) * k, 9, -128, 127);
    const std::vector<int32_t> zp = {1, -5, 100};
    test::for_each_path([&](SimdPath path) {
      test::check_same_for_1_and_2_threads([&](int) { return run_fast(w, n, k, q, zp.data(), m, path); });
    });
  }
}

}  // namespace
}  // namespace qgate
