// Embedding lookup kernels against the reference, including out-of-range indices.
#include <doctest/doctest.h>

#include <random>

#include "kernels/embedding_lookup.h"
#include "reference/recurrent.h"
#include "tests/kernels/recurrent_test_util.h"
#include "tests/support/random.h"

namespace qgate::test {

TEST_SUITE("kernels.embedding") {

TEST_CASE("embedding lookup, float and int8 (per-tensor and per-row scales), matches the reference") {
  std::mt19937 rng(5);
  for (int rows : {1, 3, 17})
    for (int cols : {1, 5, 64})
      for (int n : {1, 4, 9}) {
        CAPTURE(rows);
        CAPTURE(cols);
        CAPTURE(n);
        std::vector<float> table = random_floats(rng, static_cast<size_t>(rows) * cols, -3.0f, 3.0f);
        std::vector<int8_t> qtable(table.size());
        for (size_t i = 0; i < table.size(); ++i) qtable[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
        std::vector<float> scales = random_floats(rng, rows, 0.001f, 0.1f);
        std::vector<int32_t> idx(n);
        for (int i = 0; i < n; ++i) idx[i] = static_cast<int32_t>((i * 5 + 1) % rows);
        const size_t size = static_cast<size_t>(n) * cols;
        std::vector<float> got = nan_filled(size), want = nan_filled(size);
        CHECK(kernels::embedding_lookup_f32(idx.data(), n, table.data(), rows, cols, got.data()) == 0);
        CHECK(reference::embedding_lookup_f32(idx.data(), n, table.data(), rows, cols, want.data()) == 0);
        check_identical(got, want, "float");
        for (int64_t ns : {int64_t{1}, static_cast<int64_t>(rows)}) {
          got = nan_filled(size);
          want = nan_filled(size);
          CHECK(kernels::embedding_lookup_hybrid(idx.data(), n, qtable.data(), scales.data(), ns, rows, cols, got.data()) == 0);
          CHECK(reference::embedding_lookup_hybrid(idx.data(), n, qtable.data(), scales.data(), ns, rows, cols, want.data()) == 0);
          check_identical(got, want, ns == 1 ? "int8 per-tensor" : "int8 per-row");
        }
      }
}

TEST_CASE("embedding lookup: out-of-range indices give zero rows and are counted, other rows are written") {
  const float table[6] = {1, 2, 3, 4, 5, 6};  // 3 rows x 2
  const int32_t idx[4] = {2, -1, 3, 0};
  float out[8];
  std::fill_n(out, 8, NAN);
  CHECK(kernels::embedding_lookup_f32(idx, 4, table, 3, 2, out) == 2);
  const float want[8] = {5, 6, 0, 0, 0, 0, 1, 2};
  for (int i = 0; i < 8; ++i) CHECK(out[i] == want[i]);
  const int8_t q[6] = {-127, 127, 1, 2, 3, 4};
  const float s = 0.5f;
  std::fill_n(out, 8, NAN);
  CHECK(kernels::embedding_lookup_hybrid(idx, 4, q, &s, 1, 3, 2, out) == 2);
  const float want_q[8] = {1.5f, 2.0f, 0, 0, 0, 0, -63.5f, 63.5f};
  for (int i = 0; i < 8; ++i) CHECK(out[i] == want_q[i]);
  int8_t qo[8];
  CHECK(kernels::embedding_lookup_i8(idx, 4, q, 3, 2, qo) == 2);
  CHECK(qo[0] == 3);
  CHECK(qo[2] == 0);
  CHECK(qo[7] == 127);
}

}  // TEST_SUITE

}  // namespace qgate::test
