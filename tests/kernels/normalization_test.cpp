#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/normalization.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

// Float results against double ones: the kernel rounds the mean, inv_std, the difference and two products to
// float, each within half an ulp; 1e-5 relative to the output's magnitude plus 1e-6 absolute covers that with
// margin, and is far below the 1e-3 a wrong formula would show.
void check_close(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  int64_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool ok = std::fabs(got[i] - want[i]) <= 1e-6f + 1e-5f * std::fabs(want[i]);
    if (!ok && bad++ < 3) MESSAGE("element " << i << ": got " << got[i] << ", want " << want[i]);
  }
  CHECK(bad == 0);
}

TEST_SUITE("kernels.normalization") {

TEST_CASE("layer_norm equals the reference, with and without bias, statistics outputs") {
  for (int64_t rows : {1, 3, 17})
    for (int64_t cols : {1, 2, 7, 64, 300}) {
      CAPTURE(rows);
      CAPTURE(cols);
      auto x = test::random_floats(rows * cols, 1, -3.0f, 5.0f);
      const auto scale = test::random_floats(cols, 2, 0.5f, 2.0f);
      const auto bias = test::random_floats(cols, 3, -1.0f, 1.0f);
      for (bool with_bias : {false, true}) {
        auto want = test::nan_filled(x.size()), got = test::nan_filled(x.size());
        auto want_m = test::nan_filled(rows), got_m = test::nan_filled(rows);
        auto want_i = test::nan_filled(rows), got_i = test::nan_filled(rows);
        const float* b = with_bias ? bias.data() : nullptr;
        reference::layer_norm(x.data(), rows, cols, scale.data(), b, 1e-5f, want.data(), want_m.data(), want_i.data());
        kernels::layer_norm(x.data(), rows, cols, scale.data(), b, 1e-5f, got.data(), got_m.data(), got_i.data());
        check_close(got, want);
        check_close(got_m, want_m);
        check_close(got_i, want_i);
      }
    }
}

TEST_CASE("group_norm equals the reference, instance norm being groups = channels") {
  for (int64_t channels : {1, 4, 6})
    for (int64_t groups : {int64_t{1}, int64_t{2}, channels})
      for (int64_t spatial : {1, 9, 50}) {
        if (channels % groups) continue;
        CAPTURE(channels);
        CAPTURE(groups);
        CAPTURE(spatial);
        const int64_t batch = 2;
        const auto x = test::random_floats(batch * channels * spatial, 4, -2.0f, 3.0f);
        const auto scale = test::random_floats(channels, 5, 0.5f, 2.0f);
        const auto bias = test::random_floats(channels, 6, -1.0f, 1.0f);
        auto want = test::nan_filled(x.size()), got = test::nan_filled(x.size());
        reference::group_norm(x.data(), batch, channels, spatial, groups, scale.data(), bias.data(), 1e-5f, want.data());
        kernels::group_norm(x.data(), batch, channels, spatial, groups, scale.data(), bias.data(), 1e-5f, got.data());
        check_close(got, want);
      }
}

TEST_CASE("local response normalization equals the reference, symmetric and ONNX's even windows") {
  for (int64_t size : {1, 2, 3, 5, 8}) {
    kernels::LrnParams p;
    p.before = (size - 1) / 2;
    p.after = size - 1 - p.before;
    p.alpha = 1e-2f / static_cast<float>(size);
    p.beta = 0.75f;
    p.bias = 2.0f;
    for (int64_t inner : {1, 12}) {
      const int64_t outer = 2, channels = 7;
      const auto x = test::random_floats(outer * channels * inner, 7, -3.0f, 3.0f);
      auto want = test::nan_filled(x.size()), got = test::nan_filled(x.size());
      reference::local_response_normalization(x.data(), outer, channels, inner, p, want.data());
      kernels::local_response_normalization(x.data(), outer, channels, inner, p, got.data());
      check_close(got, want);
    }
  }
}

TEST_CASE("hand-computed: layer norm of [1, 2, 3, 4]") {
  const float x[] = {1, 2, 3, 4}, scale[] = {1, 1, 2, 1}, bias[] = {0, 0, 0, 10};
  float y[4], mean, inv;
  kernels::layer_norm(x, 1, 4, scale, bias, 0.0f, y, &mean, &inv);
  // mean 2.5, variance 1.25, inv_std 0.894427191
  CHECK(mean == 2.5f);
  CHECK(inv == doctest::Approx(0.894427191f));
  CHECK(y[0] == doctest::Approx(-1.341640786f));
  CHECK(y[2] == doctest::Approx(0.894427191f));
  CHECK(y[3] == doctest::Approx(11.341640786f));
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
