#include <doctest/doctest.h>

#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "reference/layout.h"

namespace qgate::kernels {
namespace {

// Data movement is compared exactly, byte for byte, for element sizes 1, 4 and 8.
std::string shape_str(const std::vector<int32_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

int64_t count(const std::vector<int32_t>& s) {
  int64_t n = 1;
  for (int32_t d : s) n *= d;
  return n;
}

// Distinct byte patterns so a misplaced element shows; outputs start as 0xAB (the sentinel).
std::vector<uint8_t> pattern(int64_t bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(static_cast<size_t>(bytes));
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}
std::vector<uint8_t> sentinel(int64_t bytes) { return std::vector<uint8_t>(static_cast<size_t>(bytes), 0xAB); }

const std::vector<std::vector<int32_t>> kShapes = {{7}, {3, 5}, {2, 3, 4}, {1, 5, 7, 3}, {2, 4, 3, 17}, {2, 1, 3, 2, 5}};

// Runs body(shape, element size, input bytes) for each of kShapes with element sizes 1, 4 and 8, each input a
// byte pattern of its own (seeds counted up from `seed`).
template <typename Body>
void for_each_layout_case(uint32_t& seed, Body body) {
  for (const auto& s : kShapes)
    for (size_t es : {size_t{1}, size_t{4}, size_t{8}}) {
      CAPTURE(shape_str(s));
      CAPTURE(es);
      body(s, es, pattern(count(s) * es, seed++));
    }
}

TEST_SUITE("kernels.layout") {
  TEST_CASE("transpose, slice, tile equal reference over shapes and dtype sizes") {
    uint32_t seed = 1;
    for_each_layout_case(seed, [&](const std::vector<int32_t>& s, size_t es, const std::vector<uint8_t>& in) {
      const int rank = static_cast<int>(s.size());
      // Every rotation and the reversal of the dims.
      std::vector<std::vector<int32_t>> perms;
      for (int r = 0; r < rank; ++r) {
        std::vector<int32_t> p(rank);
        for (int k = 0; k < rank; ++k) p[k] = (k + r) % rank;
        perms.push_back(p);
      }
      std::vector<int32_t> rev(rank);
      std::iota(rev.rbegin(), rev.rend(), 0);
      perms.push_back(rev);
      for (const auto& p : perms) {
        CAPTURE(shape_str(p));
        auto got = sentinel(count(s) * es), want = sentinel(count(s) * es);
        transpose(s, p, in.data(), got.data(), es);
        reference::transpose(s, p, in.data(), want.data(), es);
        REQUIRE(got == want);
      }
      std::vector<int64_t> begin(rank), size(rank), mult(rank);
      std::vector<int32_t> out_s(rank), tiled(rank);
      for (int k = 0; k < rank; ++k) {
        begin[k] = s[k] / 3;
        size[k] = s[k] - begin[k] - (s[k] > 2 ? 1 : 0);
        out_s[k] = static_cast<int32_t>(size[k]);
        mult[k] = 1 + (k % 3);
        tiled[k] = static_cast<int32_t>(s[k] * mult[k]);
      }
      auto got = sentinel(count(out_s) * es), want = sentinel(count(out_s) * es);
      slice(s, begin, size, in.data(), got.data(), es);
      reference::slice(s, begin, size, in.data(), want.data(), es);
      REQUIRE(got == want);
      got = sentinel(count(tiled) * es);
      want = sentinel(count(tiled) * es);
      tile(s, mult, in.data(), got.data(), es);
      reference::tile(s, mult, in.data(), want.data(), es);
      REQUIRE(got == want);
    });
  }

  TEST_CASE("pad, concatenation, split equal reference") {
    uint32_t seed = 100;
    for_each_layout_case(seed, [&](const std::vector<int32_t>& s, size_t es, const std::vector<uint8_t>& in) {
      const int rank = static_cast<int>(s.size());
      std::vector<int64_t> before(rank), after(rank);
      std::vector<int32_t> out_s(rank);
      for (int k = 0; k < rank; ++k) {
        before[k] = k % 2;
        after[k] = (k + 1) % 3;
        out_s[k] = static_cast<int32_t>(before[k] + s[k] + after[k]);
      }
      for (uint64_t value : {uint64_t{0}, uint64_t{0x0102030405060708}}) {
        auto got = sentinel(count(out_s) * es), want = sentinel(count(out_s) * es);
        pad(s, before, after, in.data(), &value, got.data(), es);
        reference::pad(s, before, after, in.data(), &value, want.data(), es);
        REQUIRE(got == want);
      }
      // Concatenate three inputs along each axis, then split back.
      for (int axis = 0; axis < rank; ++axis) {
        CAPTURE(axis);
        int64_t outer = 1, inner = 1;
        for (int k = 0; k < axis; ++k) outer *= s[k];
        for (int k = axis + 1; k < rank; ++k) inner *= s[k];
        const std::vector<int64_t> sizes = {s[axis], 2, 0};
        const auto b = pattern(outer * 2 * inner * static_cast<int64_t>(es), seed++);
        const std::vector<const void*> ins = {in.data(), b.data(), in.data()};  // the last has size 0
        const int64_t total = (s[axis] + 2) * outer * inner * static_cast<int64_t>(es);
        auto got = sentinel(total), want = sentinel(total);
        concatenation(ins, sizes, outer, inner, got.data(), es);
        reference::concatenation(ins, sizes, outer, inner, want.data(), es);
        REQUIRE(got == want);
        auto p0 = sentinel(static_cast<int64_t>(in.size())), p1 = sentinel(static_cast<int64_t>(b.size()));
        uint8_t dummy = 0;
        const std::vector<void*> outs = {p0.data(), p1.data(), &dummy};
        split(got.data(), sizes, outer, inner, outs, es);
        REQUIRE(p0 == in);
        REQUIRE(p1 == b);
      }
    });
  }

  TEST_CASE("pad_mirror equals reference: reflect, symmetric and edge, pads past the edge") {
    uint32_t seed = 41;
    for_each_layout_case(seed, [](const std::vector<int32_t>& s, size_t es, const std::vector<uint8_t>& in) {
      const int rank = static_cast<int>(s.size());
      for (kernels::MirrorMode mode : {kernels::MirrorMode::reflect, kernels::MirrorMode::symmetric,
                                       kernels::MirrorMode::edge}) {
        std::vector<int64_t> before(rank), after(rank);
        std::vector<int32_t> out_s(rank);
        for (int k = 0; k < rank; ++k) {  // pads up to 2 dims past the edge: mirrored more than once
          before[k] = (k % 3) * 2;
          after[k] = ((k + 2) % 3) * 2 + 1;
          out_s[k] = static_cast<int32_t>(before[k] + s[k] + after[k]);
        }
        CAPTURE(static_cast<int>(mode));
        auto got = sentinel(count(out_s) * es), want = sentinel(count(out_s) * es);
        kernels::pad_mirror(mode, s, before, after, in.data(), got.data(), es);
        reference::pad_mirror(mode, s, before, after, in.data(), want.data(), es);
        REQUIRE(got == want);
      }
    });
  }

  TEST_CASE("hand-computed: ONNX's Pad examples, reflect and edge") {
    const float x[] = {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f};  // [3, 2]
    const std::vector<int32_t> s = {3, 2};
    const std::vector<int64_t> before = {0, 2}, after = {0, 0};
    float y[12];
    kernels::pad_mirror(kernels::MirrorMode::reflect, s, before, after, x, y, 4);
    const float reflect[] = {1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f};
    for (int i = 0; i < 12; ++i) CHECK(y[i] == reflect[i]);
    kernels::pad_mirror(kernels::MirrorMode::edge, s, before, after, x, y, 4);
    const float edge[] = {1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f};
    for (int i = 0; i < 12; ++i) CHECK(y[i] == edge[i]);
  }

  TEST_CASE("space_to_depth and depth_to_space equal reference and invert each other") {
    for (int bs : {1, 2, 3})
      for (size_t es : {size_t{1}, size_t{4}}) {
        const std::vector<int32_t> s = {2, 3 * bs, 2 * bs, 5};
        const std::vector<int32_t> d = {2, 3, 2, 5 * bs * bs};
        CAPTURE(bs);
        CAPTURE(es);
        const auto in = pattern(count(s) * es, 7);
        auto got = sentinel(count(d) * es), want = sentinel(count(d) * es);
        space_to_depth(s, bs, in.data(), got.data(), es);
        reference::space_to_depth(s, bs, in.data(), want.data(), es);
        REQUIRE(got == want);
        auto back = sentinel(count(s) * es), back_ref = sentinel(count(s) * es);
        depth_to_space(d, bs, got.data(), back.data(), es);
        reference::depth_to_space(d, bs, got.data(), back_ref.data(), es);
        REQUIRE(back == back_ref);
        REQUIRE(back == in);
      }
  }

  TEST_CASE("gather equals reference; out-of-range indices give zeros") {
    // params [2, 3, 5, 4] gathered on axis 2 with batch_dims 1: indices [2, 6].
    std::vector<float> params(2 * 3 * 5 * 4);
    std::iota(params.begin(), params.end(), 1.0f);
    const std::vector<int32_t> idx = {4, 0, 2, 2, 5, -1, 1, 3, 0, 4, 4, 1};
    std::vector<int64_t> idx64(idx.begin(), idx.end());
    const int64_t n = 2 * 3 * 6 * 4;
    std::vector<float> got(n, std::nanf("")), want(n, std::nanf(""));
    CHECK(gather(params.data(), idx.data(), nullptr, 2, 3, 5, 6, 4, got.data(), 4) == 3 * 2);  // 5 and -1, 3 times
    CHECK(reference::gather(params.data(), nullptr, idx64.data(), 2, 3, 5, 6, 4, want.data(), 4) == 6);
    CHECK(std::memcmp(got.data(), want.data(), n * 4) == 0);
    // out[0, 0, 0, :] = params[0, 0, 4, :] = 17..20; out[0, 0, 4, :] (index 5) = zeros.
    CHECK(got[0] == 17.0f);
    CHECK(got[3] == 20.0f);
    CHECK(got[4 * 4] == 0.0f);
  }

  TEST_CASE("large tensors take the threaded path and still equal reference") {
    // Big enough that parallel_for splits rows over threads.
    const std::vector<int32_t> s = {1, 48, 64, 32};
    const auto in = pattern(count(s) * 4, 11);
    const std::vector<int32_t> perm = {0, 3, 1, 2};
    auto got = sentinel(count(s) * 4), want = sentinel(count(s) * 4);
    transpose(s, perm, in.data(), got.data(), 4);
    reference::transpose(s, perm, in.data(), want.data(), 4);
    REQUIRE(got == want);
    const std::vector<int64_t> before = {0, 1, 2, 0}, after = {0, 2, 1, 0};
    const std::vector<int32_t> ps = {1, 51, 67, 32};
    const float zero = 0.0f;
    got = sentinel(count(ps) * 4);
    want = sentinel(count(ps) * 4);
    pad(s, before, after, in.data(), &zero, got.data(), 4);
    reference::pad(s, before, after, in.data(), &zero, want.data(), 4);
    REQUIRE(got == want);
  }

  // x[i][j] = 10 * i + j on a 3x4 tensor; expected values follow the documented TF/TFLite semantics.
  std::vector<int32_t> run_slice(const StridedSliceParams& p, const std::vector<int32_t>& shape,
                                 const std::vector<int32_t>& x, std::vector<int32_t>* out_shape) {
    StridedSlicePlan plan = plan_strided_slice(p, shape);
    REQUIRE(plan.error.empty());
    *out_shape = plan.out_shape;
    const int64_t n = count(plan.out_shape);
    std::vector<int32_t> got(static_cast<size_t>(n), -999), want(static_cast<size_t>(n), -998);
    strided_slice(plan, shape, x.data(), got.data(), 4);
    reference::strided_slice(plan, shape, x.data(), want.data(), 4);
    CHECK(got == want);
    return got;
  }

  TEST_CASE("strided_slice masks and negative strides (hand-computed)") {
    const std::vector<int32_t> s2 = {3, 4};
    std::vector<int32_t> x2;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) x2.push_back(10 * i + j);
    std::vector<int32_t> os;

    SUBCASE("begin/end mask on dim 0, reversed dim 1 from -1 down to (excluding) 0") {
      StridedSliceParams p{{0, -1}, {0, 0}, {1, -1}, 1, 1, 0, 0, 0, false};
      CHECK(run_slice(p, s2, x2, &os) == std::vector<int32_t>{3, 2, 1, 13, 12, 11, 23, 22, 21});
      CHECK(os == std::vector<int32_t>{3, 3});
    }
    SUBCASE("shrink dim 0 at row 1, every second column") {
      StridedSliceParams p{{1, 0}, {2, 4}, {1, 2}, 0, 0, 0, 0, 1, false};
      CHECK(run_slice(p, s2, x2, &os) == std::vector<int32_t>{10, 12});
      CHECK(os == std::vector<int32_t>{2});
    }
    SUBCASE("shrink with a negative index gives a scalar") {
      StridedSliceParams p{{-1, -2}, {0, 0}, {1, 1}, 0, 0, 0, 0, 3, false};
      CHECK(run_slice(p, s2, x2, &os) == std::vector<int32_t>{22});
      CHECK(os.empty());
    }
    SUBCASE("only dim 0 given: dim 1 is taken whole; begin clamps; stride -2 from the end") {
      StridedSliceParams p{{10}, {-10}, {-2}, 0, 0, 0, 0, 0, false};
      // start 10 clamps to 2, stop -10 + 3 = -7 clamps to -1: rows 2, 0.
      CHECK(run_slice(p, s2, x2, &os) == std::vector<int32_t>{20, 21, 22, 23, 0, 1, 2, 3});
      CHECK(os == std::vector<int32_t>{2, 4});
    }
    SUBCASE("offset: end is relative to begin") {
      StridedSliceParams p{{0, 1}, {3, 2}, {1, 1}, 0, 0, 0, 0, 0, true};
      CHECK(run_slice(p, s2, x2, &os) == std::vector<int32_t>{1, 2, 11, 12, 21, 22});
      CHECK(os == std::vector<int32_t>{3, 2});
    }
    SUBCASE("empty result when start passes stop") {
      StridedSliceParams p{{2, 0}, {1, 4}, {1, 1}, 0, 0, 0, 0, 0, false};
      run_slice(p, s2, x2, &os);
      CHECK(os == std::vector<int32_t>{0, 4});
    }
    SUBCASE("ellipsis then new axis then reversed last dim: x[..., newaxis, ::-1]") {
      const std::vector<int32_t> s3 = {2, 3, 4};
      std::vector<int32_t> x3, want;
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 3; ++b)
          for (int c = 0; c < 4; ++c) x3.push_back(100 * a + 10 * b + c);
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 3; ++b)
          for (int c = 3; c >= 0; --c) want.push_back(100 * a + 10 * b + c);
      StridedSliceParams p{{0, 0, 0}, {0, 0, 0}, {1, 1, -1}, 4, 4, 1, 2, 0, false};
      CHECK(run_slice(p, s3, x3, &os) == want);
      CHECK(os == std::vector<int32_t>{2, 3, 1, 4});
    }
    SUBCASE("errors") {
      CHECK_FALSE(plan_strided_slice({{5}, {6}, {1}, 0, 0, 0, 0, 1, false}, s2).error.empty());   // shrink out of range
      CHECK_FALSE(plan_strided_slice({{0}, {1}, {0}, 0, 0, 0, 0, 0, false}, s2).error.empty());   // zero stride
      CHECK_FALSE(plan_strided_slice({{0, 0, 0}, {1, 1, 1}, {1, 1, 1}, 0, 0, 0, 0, 0, false}, s2).error.empty());
    }
  }
}

}  // namespace
}  // namespace qgate::kernels
