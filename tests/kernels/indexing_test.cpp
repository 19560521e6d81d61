#include <doctest/doctest.h>

#include <vector>

#include "core/tensor.h"
#include "reference/indexing.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::ScatterReduction;

int64_t count(const Shape& s) { return shape_elements(s); }

// Indices in [-dim, dim), some out of range when `wild` (the kernel writes zeros or skips them).
std::vector<int64_t> indices_for(int64_t n, int64_t dim, uint32_t seed, bool wild) {
  std::vector<int64_t> v(n);
  uint32_t x = seed;
  for (auto& k : v) {
    x = x * 1664525u + 1013904223u;
    k = static_cast<int64_t>(x >> 8) % (2 * dim) - dim;
    if (wild && (x & 0xf) == 0) k = dim + 2;
  }
  return v;
}

TEST_SUITE("kernels.indexing") {

TEST_CASE("gather_elements and scatter_elements equal the reference, every axis, smaller index shapes") {
  struct Case {
    Shape data, index;
  };
  for (const Case& c : {Case{{5}, {3}}, Case{{3, 4}, {3, 4}}, Case{{3, 4}, {2, 3}}, Case{{2, 3, 4}, {2, 2, 4}},
                        Case{{1, 5, 2, 3}, {1, 3, 2, 2}}}) {
    const auto data = test::random_floats(count(c.data), 3, -2.0f, 2.0f);
    const auto updates = test::random_floats(count(c.index), 4, -2.0f, 2.0f);
    for (int axis = 0; axis < static_cast<int>(c.data.size()); ++axis)
      for (bool wild : {false, true}) {
        CAPTURE(shape_string(c.data));
        CAPTURE(shape_string(c.index));
        CAPTURE(axis);
        const auto idx = indices_for(count(c.index), c.data[axis], 17 + axis, wild);
        auto want = test::nan_filled(count(c.index)), got = test::nan_filled(count(c.index));
        reference::gather_elements(c.data, data.data(), c.index, idx.data(), axis, want.data());
        const int64_t bad = kernels::gather_elements(c.data, data.data(), c.index, idx.data(), axis, got.data(), 4);
        CHECK(got == want);
        if (!wild) CHECK(bad == 0);
        for (ScatterReduction r : {ScatterReduction::none, ScatterReduction::add, ScatterReduction::mul}) {
          auto want_s = test::nan_filled(count(c.data)), got_s = test::nan_filled(count(c.data));
          reference::scatter_elements(c.data, data.data(), c.index, idx.data(), updates.data(), axis, r,
                                      want_s.data());
          kernels::scatter_elements(c.data, data.data(), c.index, idx.data(), updates.data(), axis, r, got_s.data());
          CHECK(got_s == want_s);
        }
      }
  }
}

TEST_CASE("gather_nd and scatter_nd equal the reference, tuples of 1..rank coordinates, batch_dims") {
  struct Case {
    Shape data, index;
    int batch_dims;
  };
  for (const Case& c : {Case{{5}, {3, 1}, 0}, Case{{3, 4}, {2, 2}, 0}, Case{{3, 4}, {2, 1}, 0},
                        Case{{2, 3, 4}, {5, 2}, 0}, Case{{2, 3, 4}, {2, 2, 1}, 1}, Case{{2, 3, 4}, {2, 1}, 1},
                        Case{{2, 2, 3}, {2, 2, 2, 1}, 0}}) {
    CAPTURE(shape_string(c.data));
    CAPTURE(shape_string(c.index));
    CAPTURE(c.batch_dims);
    kernels::GatherNdShape s;
    std::vector<int32_t> out_shape;
    REQUIRE(kernels::make_gather_nd_shape(c.data, c.index, c.batch_dims, &s, &out_shape) == "");
    const auto data = test::random_floats(count(c.data), 5, -2.0f, 2.0f);
    // Coordinates within range of the dims they index (the tuple's k-th against data dim batch_dims + k).
    std::vector<int64_t> idx(count(c.index));
    const int q = c.index.back();
    for (size_t p = 0; p < idx.size(); ++p) {
      const int64_t dim = c.data[c.batch_dims + p % q];
      idx[p] = static_cast<int64_t>(p * 7 % (2 * dim)) - dim;
    }
    auto want = test::nan_filled(shape_elements(out_shape)), got = test::nan_filled(shape_elements(out_shape));
    reference::gather_nd(c.data, data.data(), c.index, idx.data(), c.batch_dims, want.data());
    CHECK(kernels::gather_nd(s, data.data(), idx.data(), got.data(), 4) == 0);
    CHECK(got == want);
    if (c.batch_dims != 0) continue;  // ONNX's ScatterND has no batch dims
    const auto updates = test::random_floats(shape_elements(out_shape), 6, -2.0f, 2.0f);
    for (ScatterReduction r : {ScatterReduction::none, ScatterReduction::add, ScatterReduction::mul}) {
      auto want_s = test::nan_filled(count(c.data)), got_s = test::nan_filled(count(c.data));
      reference::scatter_nd(c.data, data.data(), c.index, idx.data(), updates.data(), r, want_s.data());
      kernels::scatter_nd(s, data.data(), idx.data(), updates.data(), r, got_s.data());
      CHECK(got_s == want_s);
    }
  }
  kernels::GatherNdShape s;
  std::vector<int32_t> out_shape;
  CHECK(kernels::make_gather_nd_shape(Shape{2, 3}, Shape{2, 3}, 0, &s, &out_shape) != "");  // q = 3 > rank 2
  CHECK(kernels::make_gather_nd_shape(Shape{2, 3}, Shape{3, 1}, 1, &s, &out_shape) != "");  // batch dims differ
}

TEST_CASE("one_hot and trilu equal the reference") {
  for (int64_t depth : {1, 3, 10}) {
    const auto idx = indices_for(12, depth, 9, true);
    for (int64_t outer : {1, 3}) {
      const int64_t inner = 12 / outer;
      std::vector<float> want(outer * depth * inner, -1), got(outer * depth * inner, -2);
      const float on = 5, off = -3;
      reference::one_hot(idx.data(), outer, depth, inner, on, off, want.data());
      kernels::one_hot(idx.data(), outer, depth, inner, &on, &off, got.data(), 4);
      CHECK(got == want);
    }
  }
  for (int64_t rows : {1, 3, 5})
    for (int64_t cols : {1, 4, 5})
      for (int64_t k : {-7, -1, 0, 2, 9})
        for (bool upper : {false, true}) {
          const auto x = test::random_floats(2 * rows * cols, 11, 1.0f, 2.0f);
          auto want = test::nan_filled(x.size()), got = test::nan_filled(x.size());
          reference::trilu(x.data(), 2, rows, cols, k, upper, want.data());
          kernels::trilu(x.data(), 2, rows, cols, k, upper, got.data(), 4);
          CHECK(got == want);
        }
}

TEST_CASE("reverse_sequence equals the reference, time axis first or second") {
  for (bool time_first : {true, false})
    for (int64_t steps : {1, 4})
      for (int64_t inner : {1, 3}) {
        const int64_t batch = 3;
        const std::vector<int64_t> lens = {steps, 0, steps > 1 ? steps - 1 : 1};
        const std::vector<int32_t> shape =
            time_first ? std::vector<int32_t>{int32_t(steps), int32_t(batch), int32_t(inner)}
                       : std::vector<int32_t>{int32_t(batch), int32_t(steps), int32_t(inner)};
        const auto x = test::random_floats(steps * batch * inner, 12, -1.0f, 1.0f);
        auto want = test::nan_filled(x.size()), got = test::nan_filled(x.size());
        reference::reverse_sequence(shape, time_first ? 0 : 1, time_first ? 1 : 0, lens.data(), x.data(), want.data());
        kernels::reverse_sequence(x.data(), shape[0], shape[1], inner, time_first, lens.data(), got.data(), 4);
        CHECK(got == want);
      }
}

TEST_CASE("hand-computed: ONNX's ReverseSequence example, batch axis first") {
  // x [4 batch, 4 steps], lengths 1, 2, 3, 4: row b reverses its first b + 1 steps.
  const float x[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const int64_t lens[] = {1, 2, 3, 4};
  float out[16];
  kernels::reverse_sequence(x, 4, 4, 1, /*time_first=*/false, lens, out, 4);
  const float want[] = {0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12};
  for (int k = 0; k < 16; ++k) CHECK(out[k] == want[k]);
}

TEST_CASE("hand-computed: ONNX's GatherElements and ScatterElements examples") {
  const float data[] = {1, 2, 3, 4};
  const int64_t idx[] = {0, 0, 1, 0};
  float out[4];
  kernels::gather_elements(Shape{2, 2}, data, Shape{2, 2}, idx, 1, out, 4);
  CHECK((out[0] == 1 && out[1] == 1 && out[2] == 4 && out[3] == 3));
  const float d2[] = {1, 2, 3, 4, 5};
  const int64_t i2[] = {1, 3};
  const float u2[] = {1.1f, 2.1f};
  float o2[5];
  kernels::scatter_elements(Shape{1, 5}, d2, Shape{1, 2}, i2, u2, 1, ScatterReduction::none, o2);
  CHECK((o2[0] == 1 && o2[1] == 1.1f && o2[2] == 3 && o2[3] == 2.1f && o2[4] == 5));
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
