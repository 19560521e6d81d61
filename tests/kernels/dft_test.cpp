#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <vector>

#include "reference/dft.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

// Double sums of at most 64 terms of magnitude <= 1 against long double: the difference is dominated by the final
// rounding to float, within 1e-5 absolute of bins of magnitude up to 64.
constexpr float kDftTolerance = 1e-5f;

void check(const std::vector<float>& got, const std::vector<float>& want) {
  int64_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) bad += !(std::fabs(got[i] - want[i]) <= kDftTolerance * (1 + std::fabs(want[i])));
  CHECK(bad == 0);
}

TEST_SUITE("kernels.dft") {

TEST_CASE("dft equals the reference: real and complex input, padding and truncation, inverse, onesided, axes") {
  for (int64_t length : {1, 5, 8, 16})
    for (int64_t dft_length : {length, length + 3, std::max<int64_t>(1, length - 2)})
      for (bool complex_input : {false, true})
        for (bool inverse : {false, true})
          for (bool onesided : {false, true})
            for (int64_t inner : {1, 3}) {
              kernels::DftParams p;
              p.outer = 2;
              p.length = length;
              p.inner = inner;
              p.complex_input = complex_input;
              p.dft_length = dft_length;
              p.inverse = inverse;
              p.onesided = onesided;
              const auto x = test::random_floats(p.outer * length * inner * (complex_input ? 2 : 1), 3, -1.0f, 1.0f);
              const int64_t n = p.outer * kernels::dft_bins(p) * inner * 2;
              auto want = test::nan_filled(n), got = test::nan_filled(n);
              reference::dft(p, x.data(), want.data());
              kernels::dft(p, x.data(), got.data());
              CAPTURE(length);
              CAPTURE(dft_length);
              check(got, want);
            }
}

TEST_CASE("stft equals the reference, with and without a window") {
  for (int64_t frame_length : {4, 7, 16})
    for (int64_t step : {1, 3, 8})
      for (bool windowed : {false, true}) {
        kernels::StftParams p;
        p.batch = 2;
        p.length = 40;
        p.frame_step = step;
        p.frame_length = frame_length;
        const auto x = test::random_floats(p.batch * p.length, 4, -1.0f, 1.0f);
        const auto w = test::random_floats(frame_length, 5, 0.0f, 1.0f);
        const int64_t n = p.batch * kernels::stft_frames(p) * (frame_length / 2 + 1) * 2;
        auto want = test::nan_filled(n), got = test::nan_filled(n);
        reference::stft(p, x.data(), windowed ? w.data() : nullptr, want.data());
        kernels::stft(p, x.data(), windowed ? w.data() : nullptr, got.data());
        check(got, want);
      }
}

TEST_CASE("hand-computed: the DFT of an impulse and of a constant") {
  kernels::DftParams p;
  p.length = 4;
  p.dft_length = 4;
  const float impulse[] = {1, 0, 0, 0}, ones[] = {1, 1, 1, 1};
  float y[8];
  kernels::dft(p, impulse, y);
  for (int k = 0; k < 4; ++k) CHECK((y[2 * k] == 1.0f && y[2 * k + 1] == 0.0f));
  kernels::dft(p, ones, y);
  CHECK(y[0] == 4.0f);
  for (int k = 1; k < 4; ++k) CHECK((std::fabs(y[2 * k]) < 1e-6f && std::fabs(y[2 * k + 1]) < 1e-6f));
}

TEST_CASE("hand-computed: a mel filter bank of 2 filters over 8 spectrogram bins") {
  // dft_length 14, 8000 Hz, 0..4000 Hz: mel 0..2146.1 in steps of a quarter, 0, 536.5, 1073.0, 1609.5 mel ->
  // 0, 426.8, 1113.8, 2219.8 Hz -> bins floor(15 f / 8000) = 0, 0, 2, 4.
  float m[8 * 2];
  kernels::mel_weight_matrix(2, 14, 8000, 0.0f, 4000.0f, m);
  // Filter 0: left = centre = bin 0 (1 there), then falling to bin 2.
  CHECK(m[0 * 2 + 0] == 1.0f);
  CHECK(m[1 * 2 + 0] == 0.5f);
  CHECK(m[2 * 2 + 0] == 0.0f);
  // Filter 1: rising over bins 0..2, falling over 2..4.
  CHECK(m[0 * 2 + 1] == 0.0f);
  CHECK(m[1 * 2 + 1] == 0.5f);
  CHECK(m[2 * 2 + 1] == 1.0f);
  CHECK(m[3 * 2 + 1] == 0.5f);
  CHECK(m[4 * 2 + 1] == 0.0f);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
