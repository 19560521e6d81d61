#include <cmath>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include "kernels/batch_matmul.h"
#include "reference/batch_matmul.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::BatchMatMulParams;
using kernels::SimdPath;

int64_t count(const std::vector<int32_t>& d) {
  int64_t n = 1;
  for (int32_t v : d) n *= v;
  return n;
}

TEST_SUITE("kernels.batch_matmul") {
  TEST_CASE("matches the reference with adjoints and broadcast batches, every path") {
    struct Batches {
      std::vector<int32_t> x, y, out;
    };
    const Batches batches[] = {{{}, {}, {}}, {{3}, {3}, {3}}, {{2, 1}, {1, 3}, {2, 3}}, {{1}, {4}, {4}}};
    int i = 0;
    test::for_each_path([&](SimdPath path) {
      for (const Batches& bt : batches)
        for (int64_t m : {1, 5, 7})
          for (int64_t k : {1, 9})
            for (int64_t n : {3, 17})
              for (bool ax : {false, true})
                for (bool ay : {false, true}) {
                  BatchMatMulParams p{bt.x, bt.y, bt.out, m, k, n, ax, ay};
                  ++i;
                  CAPTURE(fmt::format("batches {} m{} k{} n{} adj_x{} adj_y{}", count(bt.out), m, k, n, ax, ay));
                  const auto x = test::random_floats(size_t(count(p.x_batch) * m * k), 31u + i);
                  const auto y = test::random_floats(size_t(count(p.y_batch) * k * n), 37u + i);
                  const size_t out_n = size_t(count(p.out_batch) * m * n);
                  std::vector<float> want(out_n), magnitude(out_n);
                  reference::batch_matmul_float(p, x.data(), y.data(), want.data());
                  const auto ax_ = test::abs_of(x), ay_ = test::abs_of(y);
                  reference::batch_matmul_float(p, ax_.data(), ay_.data(), magnitude.data());
                  std::vector<float> scratch(size_t(kernels::batch_matmul_scratch_size(p)));
                  auto got = test::nan_filled(out_n);
                  kernels::batch_matmul_float(p, x.data(), y.data(), got.data(), scratch.data(), path);
                  for (float v : got) REQUIRE_FALSE(std::isnan(v));  // every element written
                  test::check_close(got, want, magnitude);
                }
    });
    // Every (batches, m, k, n, adj_x, adj_y) combination ran on each path this CPU has.
    CHECK(i == static_cast<int>(test::runnable_paths().size()) * 4 * 3 * 2 * 2 * 2 * 2);
  }

  // x = [[1,2],[3,4]], y = [[5,6],[7,8]], worked out by hand:
  //   x y = [[19,22],[43,50]], x y^T = [[17,23],[39,53]], x^T y = [[26,30],[38,44]].
  TEST_CASE("hand-computed 2x2 products with and without adjoints") {
    const std::vector<float> x = {1, 2, 3, 4}, y = {5, 6, 7, 8};
    struct Case {
      bool adj_x, adj_y;
      std::vector<float> want;
    };
    test::for_each_path([&](SimdPath path) {
      for (const Case& c : {Case{false, false, {19, 22, 43, 50}}, Case{false, true, {17, 23, 39, 53}},
                            Case{true, false, {26, 30, 38, 44}}}) {
          CAPTURE(c.adj_x);
        CAPTURE(c.adj_y);
        BatchMatMulParams p{{}, {}, {}, 2, 2, 2, c.adj_x, c.adj_y};
        std::vector<float> scratch(size_t(kernels::batch_matmul_scratch_size(p)));
        auto got = test::nan_filled(4);
        kernels::batch_matmul_float(p, x.data(), y.data(), got.data(), scratch.data(), path);
        CHECK(got == c.want);
      }
    });
  }
}

}  // namespace
}  // namespace qgate
