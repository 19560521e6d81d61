#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/window_nd.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::ConvNdParams;
using kernels::PoolKind;
using kernels::PoolNdParams;

// Float accumulation over at most ~200 taps of values in [-1, 1] against double: each rounding is within
// 2^-24 of the running sum (at most 200), so 200 * 200 * 6e-8 = 2.4e-3 is the worst case; real sums stay far
// smaller, and 1e-4 absolute is still 30x below a single wrong tap.
constexpr float kAccumulationTolerance = 1e-4f;

int64_t vol(const std::array<int64_t, 3>& a) { return a[0] * a[1] * a[2]; }

std::array<int64_t, 3> padded3(std::initializer_list<int64_t> v, int64_t fill) {
  std::array<int64_t, 3> a{fill, fill, fill};
  int i = 0;
  for (int64_t x : v) a[i++] = x;
  return a;
}

struct ConvCase {
  std::initializer_list<int64_t> in, kernel, stride, dilation, pad_begin, pad_end;
  int64_t cin, cout, groups;
};

ConvNdParams conv_params(const ConvCase& c, bool transpose) {
  ConvNdParams p;
  p.spatial = static_cast<int>(c.in.size());
  p.batch = 2;
  p.in_channels = c.cin;
  p.out_channels = c.cout;
  p.groups = c.groups;
  p.in = padded3(c.in, 1);
  p.kernel = padded3(c.kernel, 1);
  p.stride = padded3(c.stride, 1);
  p.dilation = padded3(c.dilation, 1);
  p.pad_begin = padded3(c.pad_begin, 0);
  const auto pad_end = padded3(c.pad_end, 0);
  for (int d = 0; d < 3; ++d) {
    const int64_t span = (p.kernel[d] - 1) * p.dilation[d] + 1;
    p.out[d] = transpose ? (p.in[d] - 1) * p.stride[d] + span - p.pad_begin[d] - pad_end[d]
                         : (p.in[d] + p.pad_begin[d] + pad_end[d] - span) / p.stride[d] + 1;
  }
  return p;
}

const ConvCase kConvCases[] = {
    {{9}, {3}, {1}, {1}, {0}, {0}, 2, 3, 1},
    {{10}, {4}, {2}, {1}, {1}, {2}, 4, 6, 2},
    {{11}, {3}, {3}, {2}, {2}, {1}, 3, 3, 3},
    {{5, 6}, {3, 2}, {1, 2}, {1, 1}, {1, 0}, {1, 1}, 2, 4, 1},
    {{7, 7}, {3, 3}, {2, 2}, {2, 1}, {2, 1}, {2, 1}, 4, 4, 4},
    {{4, 5, 6}, {2, 3, 2}, {1, 1, 2}, {1, 1, 1}, {0, 1, 1}, {1, 1, 0}, 2, 3, 1},
    {{5, 5, 5}, {3, 3, 3}, {2, 2, 2}, {2, 1, 1}, {1, 1, 1}, {1, 1, 1}, 4, 2, 2},
};

void check_close(const std::vector<float>& got, const std::vector<float>& want) {
  int64_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    // Equal values (an empty max window's -inf on both sides too), both NaN, or within the tolerance.
    const bool ok = got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])) ||
                    std::fabs(got[i] - want[i]) <= kAccumulationTolerance;
    if (!ok && bad++ < 3) MESSAGE("element " << i << ": got " << got[i] << ", want " << want[i]);
  }
  CHECK(bad == 0);
}

TEST_SUITE("kernels.window_nd") {

TEST_CASE("conv_nd and conv_transpose_nd equal the reference: 1-3 spatial dims, groups, strides, dilations, pads") {
  for (const ConvCase& c : kConvCases)
    for (bool transpose : {false, true}) {
      const ConvNdParams p = conv_params(c, transpose);
      CAPTURE(p.spatial);
      CAPTURE(transpose);
      CAPTURE(p.in[0]);
      CAPTURE(p.groups);
      const auto x = test::random_floats(p.batch * p.in_channels * vol(p.in), 1, -1.0f, 1.0f);
      const int64_t w_count = transpose ? p.in_channels * (p.out_channels / p.groups) * vol(p.kernel)
                                        : p.out_channels * (p.in_channels / p.groups) * vol(p.kernel);
      const auto w = test::random_floats(w_count, 2, -1.0f, 1.0f);
      const auto bias = test::random_floats(p.out_channels, 3, -1.0f, 1.0f);
      const int64_t n = p.batch * p.out_channels * vol(p.out);
      for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
        auto want = test::nan_filled(n), got = test::nan_filled(n);
        if (transpose) {
          reference::conv_transpose_nd(p, x.data(), w.data(), b, want.data());
          kernels::conv_transpose_nd(p, x.data(), w.data(), b, got.data());
        } else {
          reference::conv_nd(p, x.data(), w.data(), b, want.data());
          kernels::conv_nd(p, x.data(), w.data(), b, got.data());
        }
        check_close(got, want);
      }
    }
}

TEST_CASE("pool_nd equals the reference: max with indices, average with and without the padding, lp") {
  for (const ConvCase& c : kConvCases) {
    for (bool ceil_extra : {false, true}) {
      ConvNdParams cp = conv_params(c, false);
      PoolNdParams p;
      p.spatial = cp.spatial;
      p.planes = 3;
      p.in = cp.in;
      p.kernel = cp.kernel;
      p.stride = cp.stride;
      p.dilation = cp.dilation;
      p.pad_begin = cp.pad_begin;
      p.pad_end = padded3(c.pad_end, 0);
      p.out = cp.out;
      if (ceil_extra)  // one more window than floor mode: it may reach past the padded end
        for (int d = 0; d < p.spatial; ++d) p.out[d] += 1;
      const auto x = test::random_floats(p.planes * vol(p.in), 4, -1.0f, 1.0f);
      const int64_t n = p.planes * vol(p.out);
      for (PoolKind kind : {PoolKind::max, PoolKind::average, PoolKind::lp})
        for (bool include : {false, true}) {
          p.kind = kind;
          p.count_include_pad = include;
          p.p = include ? 3.0f : 2.0f;
          CAPTURE(p.spatial);
          CAPTURE(static_cast<int>(kind));
          CAPTURE(include);
          CAPTURE(ceil_extra);
          auto want = test::nan_filled(n), got = test::nan_filled(n);
          std::vector<int64_t> want_i(n, -7), got_i(n, -8);
          reference::pool_nd(p, x.data(), want.data(), want_i.data());
          kernels::pool_nd(p, x.data(), got.data(), kind == PoolKind::max ? got_i.data() : nullptr);
          check_close(got, want);
          if (kind == PoolKind::max) CHECK(got_i == want_i);
        }
    }
  }
}

TEST_CASE("max_unpool scatters into zeros, out-of-range indices counted") {
  const float x[] = {5, 6, 7, 8};
  const int64_t idx[] = {1, 9, 30, 4};
  std::vector<float> want(10, -1), got(10, -2);
  CHECK(reference::max_unpool(x, idx, 4, want.data(), 10) == 1);
  CHECK(kernels::max_unpool(x, idx, 4, got.data(), 10) == 1);
  CHECK(got == want);
  CHECK((got[1] == 5 && got[9] == 6 && got[4] == 8 && got[0] == 0));
}

TEST_CASE("hand-computed: 1-D average with and without the padding, 1-D max with its index") {
  PoolNdParams p;
  p.spatial = 1;
  p.in = {4, 1, 1};
  p.kernel = {3, 1, 1};
  p.pad_begin = {1, 0, 0};
  p.pad_end = {1, 0, 0};
  p.out = {4, 1, 1};
  p.kind = PoolKind::average;
  const float x[] = {1, 2, 3, 4};
  float y[4];
  kernels::pool_nd(p, x, y, nullptr);
  CHECK((y[0] == 1.5f && y[1] == 2.0f && y[3] == 3.5f));
  p.count_include_pad = true;
  kernels::pool_nd(p, x, y, nullptr);
  CHECK((y[0] == 1.0f && y[3] == 7.0f / 3.0f));
  p.kind = PoolKind::max;
  int64_t idx[4];
  kernels::pool_nd(p, x, y, idx);
  CHECK((y[0] == 2 && idx[0] == 1 && y[3] == 4 && idx[3] == 3));
  ConvNdParams c;  // 1-D conv, kernel [1, 1], stride 2: sums of neighbours
  c.spatial = 1;
  c.in = {4, 1, 1};
  c.kernel = {2, 1, 1};
  c.stride = {2, 1, 1};
  c.out = {2, 1, 1};
  const float w[] = {1, 1};
  kernels::conv_nd(c, x, w, nullptr, y);
  CHECK((y[0] == 3 && y[1] == 7));
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
