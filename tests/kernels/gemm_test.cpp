// kernels/gemm.h (the float GEMM under conv2d, fully connected, transpose conv, batch matmul) against its twin
// (reference/gemm.h) on every path: row counts around the 6-row tile, column counts around the 16-column panel,
// both weight layouts the packer takes (row- and column-strided), strides of dense + 1 and + 3 with sentinels in the
// gaps, one panel range at a time, and the threaded product. Tolerance: the sum order (tests/kernels/float_check.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/gemm.h"
#include "reference/gemm.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::SimdPath;

struct Problem {
  int64_t m, n, k;
  bool transposed_w;  // W given as [k][n] (col_stride n) instead of [n][k]
  Activation act;
  bool with_bias;
  std::string name() const {
    return fmt::format("m{} n{} k{} {} act{} bias{}", m, n, k, transposed_w ? "W[k][n]" : "W[n][k]",
                       static_cast<int>(act), with_bias);
  }
};

// Runs gemm_packed over panels [p0, p1) (or the parallel product when parallel) and checks the written columns
// against the twin, and that every other element of C (other panels, the ldc gap) still holds the sentinel.
void check(const Problem& pr, SimdPath path, bool parallel, int64_t p0, int64_t p1, uint32_t seed) {
  CAPTURE(pr.name());
  CAPTURE(fmt::format("{} panels [{}, {})", parallel ? "parallel" : "one thread", p0, p1));
  const int64_t lda = pr.k + 1, ldc = pr.n + 3;
  const auto a = test::random_floats(static_cast<size_t>(pr.m * lda), seed);
  const auto w = test::random_floats(static_cast<size_t>(pr.n * pr.k), seed + 1);
  const auto bias = test::random_floats(static_cast<size_t>(pr.n), seed + 2);
  const float* b = pr.with_bias ? bias.data() : nullptr;
  const int64_t row_stride = pr.transposed_w ? 1 : pr.k, col_stride = pr.transposed_w ? pr.n : 1;
  const kernels::PackedMatrix packed = kernels::gemm_pack(w.data(), pr.n, pr.k, row_stride, col_stride);
  auto got = test::nan_filled(static_cast<size_t>(pr.m * ldc));
  if (parallel)
    kernels::gemm_packed_parallel(pr.m, a.data(), lda, packed.view(), b, pr.act, got.data(), ldc,
                                  kernels::FloatAccumulation::fma_bias_last, path);
  else
    kernels::gemm_packed(pr.m, a.data(), lda, packed.view(), p0, p1, b, pr.act, got.data(), ldc,
                         kernels::FloatAccumulation::fma_bias_last, 0, path);
  const int64_t n0 = std::min(pr.n, p0 * kernels::kGemmPanel), n1 = std::min(pr.n, p1 * kernels::kGemmPanel);
  auto want = test::nan_filled(got.size()), magnitude = test::nan_filled(got.size());
  reference::gemm(pr.m, n0, n1, pr.k, a.data(), lda, w.data(), row_stride, col_stride, b, pr.act, want.data(), ldc);
  const auto abs_a = test::abs_of(a), abs_w = test::abs_of(w), abs_b = test::abs_of(bias);
  reference::gemm(pr.m, n0, n1, pr.k, abs_a.data(), lda, abs_w.data(), row_stride, col_stride,
                  pr.with_bias ? abs_b.data() : nullptr, Activation::none, magnitude.data(), ldc);
  std::vector<float> got_cols, want_cols, magnitude_cols;
  for (int64_t i = 0; i < pr.m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const size_t at = static_cast<size_t>(i * ldc + j);
      if (j >= n0 && j < n1) {
        got_cols.push_back(got[at]);
        want_cols.push_back(want[at]);
        magnitude_cols.push_back(magnitude[at]);
      } else if (!std::isnan(got[at])) {
        FAIL_CHECK(fmt::format("C[{}][{}] outside columns [{}, {}) was written", i, j, n0, n1));
      }
    }
  test::check_close(got_cols, want_cols, magnitude_cols);
}

TEST_SUITE("kernels.gemm") {
  TEST_CASE("matches the reference over tile and panel edges, both weight layouts, strided A and C, every path") {
    const Activation acts[] = {Activation::none, Activation::relu, Activation::relu6, Activation::tanh};
    uint32_t seed = 10;
    test::for_each_path([&](SimdPath path) {
      for (int64_t m : {1, 2, 3, 5, 6, 7, 12, 13})
        for (int64_t n : {1, 15, 16, 17, 33})
          for (int64_t k : {1, 5, 64})
            for (bool transposed : {false, true}) {
              ++seed;
              const Problem pr{m, n, k, transposed, acts[seed % 4], seed % 3 != 0};
              check(pr, path, false, 0, kernels::gemm_panels(n), seed);
            }
    });
  }

  TEST_CASE("a panel range writes only its columns; the threaded product equals the twin") {
    uint32_t seed = 500;
    test::for_each_path([&](SimdPath path) {
      const Problem pr{9, 50, 20, false, Activation::none, true};  // 4 panels, the last partial
      for (int64_t p0 = 0; p0 < 4; ++p0)
        for (int64_t p1 = p0 + 1; p1 <= 4; ++p1) check(pr, path, false, p0, p1, ++seed);
      for (int64_t m : {1, 5, 64, 300}) {
        const Problem big{m, 70, 48, m % 2 == 0, Activation::relu, true};
        check(big, path, true, 0, kernels::gemm_panels(70), ++seed);
      }
    });
  }
}

}  // namespace
}  // namespace qgate
