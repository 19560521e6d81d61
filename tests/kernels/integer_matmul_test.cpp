// kernels/integer_matmul.h (ONNX MatMulInteger, ConvInteger) against its naive twin over shape sweeps, every
// signedness of the two operands and every zero point arrangement, outputs pre-filled with a sentinel. The
// kernels have one implementation (plain loops, no SIMD path), so there is no path to enumerate. Integer results:
// compared exactly.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/integer_matmul.h"
#include "reference/integer_matmul.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::Int8Operand;

constexpr int32_t kSentinel = std::numeric_limits<int32_t>::min() + 4242;

// n bytes of the operand's type, its ends pinned often so extreme products occur.
std::vector<uint8_t> random_operand(size_t n, bool is_unsigned, uint32_t seed) {
  return is_unsigned ? test::random_ints<uint8_t>(n, seed, 0, 255) : test::random_ints<uint8_t>(n, seed, -128, 127);
}

// count zero points in the operand's range.
std::vector<int32_t> random_zero_points(int64_t count, bool is_unsigned, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(is_unsigned ? 0 : -128, is_unsigned ? 255 : 127);
  std::vector<int32_t> v(static_cast<size_t>(count));
  for (auto& z : v) z = d(rng);
  return v;
}

void check_equal(const std::vector<int32_t>& got, const std::vector<int32_t>& want) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (got[i] != want[i]) {
      ++bad;
      FAIL_CHECK(fmt::format("out[{}]: got {}, reference {}", i, got[i], want[i]));
    }
}

TEST_SUITE("kernels.integer_matmul") {
  TEST_CASE("matmul_integer matches the reference over M x K x N, operand types and zero point counts") {
    uint32_t seed = 1;
    for (bool a_unsigned : {true, false})
      for (bool b_unsigned : {true, false})
        for (int64_t m : {1, 2, 3, 7})
          for (int64_t k : {1, 2, 5, 16, 33})
            for (int64_t n : {1, 3, 8, 9})
              for (int a_zp_mode : {0, 1, 2})      // none, per tensor, per row
                for (int b_zp_mode : {0, 1, 2}) {  // none, per tensor, per column
                  ++seed;
                  const int64_t a_zp_count = a_zp_mode == 2 ? m : a_zp_mode;
                  const int64_t b_zp_count = b_zp_mode == 2 ? n : b_zp_mode;
                  CAPTURE(fmt::format("a {} b {} M{} K{} N{} a_zp {} b_zp {}", a_unsigned ? "u8" : "s8",
                                      b_unsigned ? "u8" : "s8", m, k, n, a_zp_count, b_zp_count));
                  const auto a = random_operand(static_cast<size_t>(m * k), a_unsigned, seed);
                  const auto b = random_operand(static_cast<size_t>(k * n), b_unsigned, seed + 1000);
                  const auto a_zp = random_zero_points(std::max<int64_t>(a_zp_count, 1), a_unsigned, seed + 2000);
                  const auto b_zp = random_zero_points(std::max<int64_t>(b_zp_count, 1), b_unsigned, seed + 3000);
                  const Int8Operand oa{a.data(), a_unsigned}, ob{b.data(), b_unsigned};
                  std::vector<int32_t> want(static_cast<size_t>(m * n), kSentinel), got = want;
                  reference::matmul_integer(oa, ob, m, k, n, a_zp.data(), a_zp_count, b_zp.data(), b_zp_count,
                                            want.data());
                  kernels::matmul_integer(oa, ob, m, k, n, a_zp.data(), a_zp_count, b_zp.data(), b_zp_count,
                                          got.data());
                  check_equal(got, want);
                }
  }

  TEST_CASE("matmul_integer: hand-computed uint8 x int8 with zero points") {
    // A - 1 = {{0, 1}, {2, 3}}, B - {0, 2} (per column) = {{5, -8}, {7, 6}}:
    // {{0*5 + 1*7, 0*-8 + 1*6}, {2*5 + 3*7, 2*-8 + 3*6}} = {{7, 6}, {31, 2}}.
    const std::vector<uint8_t> a = {1, 2, 3, 4};
    const std::vector<int8_t> b = {5, -6, 7, 8};
    const int32_t a_zp = 1;
    const std::vector<int32_t> b_zp = {0, 2};
    std::vector<int32_t> out(4, kSentinel);
    kernels::matmul_integer({a.data(), true}, {b.data(), false}, 2, 2, 2, &a_zp, 1, b_zp.data(), 2, out.data());
    CHECK(out == std::vector<int32_t>{7, 6, 31, 2});
  }

  TEST_CASE("conv_integer_nchw matches the reference over shapes, groups, strides, dilation and padding") {
    struct Case {
      int64_t batch, cin, h, w, cout, kh, kw, group, stride, dilation, pad_top, pad_left, pad_bottom, pad_right;
    };
    const Case cases[] = {
        {1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1},  // SAME 3x3: every border output reads padding
        {2, 3, 5, 7, 4, 3, 3, 1, 1, 1, 0, 0, 0, 0},  // VALID, batch 2
        {1, 4, 6, 5, 6, 3, 2, 2, 2, 1, 1, 0, 1, 1},  // groups, strides, asymmetric padding
        {1, 2, 7, 7, 3, 3, 3, 1, 1, 2, 2, 2, 2, 2},  // dilation 2
        {1, 6, 4, 4, 6, 3, 3, 6, 1, 1, 1, 1, 1, 1},  // depthwise (group = channels)
        {2, 5, 1, 9, 2, 1, 4, 1, 3, 1, 0, 2, 0, 1},  // one row, wide kernel, stride 3
        {1, 3, 2, 2, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2},  // most taps in the padding
    };
    uint32_t seed = 500;
    for (const Case& c : cases)
      for (bool x_unsigned : {true, false})
        for (bool w_unsigned : {false, true})
          for (int w_zp_mode : {0, 1, 2}) {  // none, per tensor, per output channel
            ++seed;
            kernels::ConvIntegerParams p;
            p.batch = c.batch;
            p.in_channels = c.cin;
            p.in_h = c.h;
            p.in_w = c.w;
            p.out_channels = c.cout;
            p.kernel_h = c.kh;
            p.kernel_w = c.kw;
            p.group = c.group;
            p.stride_h = p.stride_w = c.stride;
            p.dilation_h = p.dilation_w = c.dilation;
            p.pad_top = c.pad_top;
            p.pad_left = c.pad_left;
            p.out_h = (c.h + c.pad_top + c.pad_bottom - c.dilation * (c.kh - 1) - 1) / c.stride + 1;
            p.out_w = (c.w + c.pad_left + c.pad_right - c.dilation * (c.kw - 1) - 1) / c.stride + 1;
            const int64_t w_zp_count = w_zp_mode == 2 ? c.cout : w_zp_mode;
            CAPTURE(fmt::format("{}x{}x{}x{} -> {} k{}x{} g{} s{} d{} pad {},{},{},{} x {} w {} w_zp {}", c.batch,
                                c.cin, c.h, c.w, c.cout, c.kh, c.kw, c.group, c.stride, c.dilation, c.pad_top,
                                c.pad_left, c.pad_bottom, c.pad_right, x_unsigned ? "u8" : "s8",
                                w_unsigned ? "u8" : "s8", w_zp_count));
            REQUIRE(p.out_h > 0);
            REQUIRE(p.out_w > 0);
            const auto x = random_operand(static_cast<size_t>(c.batch * c.cin * c.h * c.w), x_unsigned, seed);
            const auto w = random_operand(static_cast<size_t>(c.cout * (c.cin / c.group) * c.kh * c.kw), w_unsigned,
                                          seed + 1000);
            const int32_t x_zp = random_zero_points(1, x_unsigned, seed + 2000)[0];
            const auto w_zp = random_zero_points(std::max<int64_t>(w_zp_count, 1), w_unsigned, seed + 3000);
            const Int8Operand ox{x.data(), x_unsigned}, ow{w.data(), w_unsigned};
            std::vector<int32_t> want(static_cast<size_t>(c.batch * c.cout * p.out_h * p.out_w), kSentinel);
            std::vector<int32_t> got = want;
            reference::conv_integer_nchw(p, ox, x_zp, ow, w_zp.data(), w_zp_count, want.data());
            kernels::conv_integer_nchw(p, ox, x_zp, ow, w_zp.data(), w_zp_count, got.data());
            check_equal(got, want);
          }
  }

  TEST_CASE("conv_integer_nchw: hand-computed 3x3 SAME, padding reads the input zero point") {
    // x = 2 everywhere with x_zp = 2: every tap is 0, so is every output, padded or not. Then x = 3: each in-image
    // tap contributes (3 - 2) * w = w; with w = 1 the output counts the in-image taps (4 corner, 6 edge, 9 centre).
    kernels::ConvIntegerParams p;
    p.in_h = p.in_w = p.out_h = p.out_w = 3;
    p.kernel_h = p.kernel_w = 3;
    p.pad_top = p.pad_left = 1;
    const std::vector<uint8_t> twos(9, 2), threes(9, 3);
    const std::vector<int8_t> ones(9, 1);
    std::vector<int32_t> out(9, kSentinel);
    kernels::conv_integer_nchw(p, {twos.data(), true}, 2, {ones.data(), false}, nullptr, 0, out.data());
    CHECK(out == std::vector<int32_t>(9, 0));
    kernels::conv_integer_nchw(p, {threes.data(), true}, 2, {ones.data(), false}, nullptr, 0, out.data());
    CHECK(out == std::vector<int32_t>{4, 6, 4, 6, 9, 6, 4, 6, 4});
  }
}

}  // namespace
}  // namespace qgate
