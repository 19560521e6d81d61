// onnxruntime's per-tensor uint8 quantizer (DynamicQuantizeLinear) and quantize_dynamic's weight quantizer:
// the portable and AVX2 paths against a scalar reference written from the ONNX spec, bytes compared exactly.
#include <doctest/doctest.h>

#include <cfenv>
#include <cmath>
#include <fmt/format.h>
#include <random>
#include <vector>

#include "kernels/quantize.h"
#include "tests/support/paths.h"

namespace qgate {
namespace {

using kernels::SimdPath;

// The ONNX DynamicQuantizeLinear definition, element by element (rintf rounds half to even in the default mode).
std::vector<uint8_t> reference_dql(const std::vector<float>& x, float* scale, uint8_t* zp) {
  float mn = 0.0f, mx = 0.0f;
  for (float v : x) mn = std::fmin(mn, v), mx = std::fmax(mx, v);
  *scale = mx == mn ? 1.0f : (mx - mn) / 255.0f;
  const float z = std::rintf(std::fmin(255.0f, std::fmax(0.0f, -mn / *scale)));
  *zp = static_cast<uint8_t>(z);
  std::vector<uint8_t> q(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    q[i] = static_cast<uint8_t>(std::fmin(255.0f, std::fmax(0.0f, std::rintf(x[i] / *scale) + z)));
  return q;
}

void check_case(const std::vector<float>& x, SimdPath path) {
  float want_scale;
  uint8_t want_zp;
  const std::vector<uint8_t> want = reference_dql(x, &want_scale, &want_zp);
  std::vector<uint8_t> got(x.size(), 0xAB);
  float scale = NAN;
  uint8_t zp = 0;
  kernels::quantize_tensor_ort_u8(x.data(), static_cast<int64_t>(x.size()), got.data(), &scale, &zp, path);
  CHECK(scale == want_scale);
  CHECK(zp == want_zp);
  int bad = 0;
  for (size_t i = 0; i < x.size() && bad < 5; ++i)
    if (got[i] != want[i]) {
      ++bad;
      FAIL_CHECK(fmt::format("x[{}] = {:a}: got {} want {}", i, x[i], got[i], want[i]));
    }
  // The int8 form is the same bytes with the top bit flipped, zero point shifted by 128.
  std::vector<int8_t> s8(x.size(), 0);
  int32_t zp8 = 999;
  kernels::quantize_tensor_ort_s8(x.data(), static_cast<int64_t>(x.size()), s8.data(), &scale, &zp8, path);
  CHECK(zp8 == int32_t{want_zp} - 128);
  for (size_t i = 0; i < x.size(); ++i)
    if (int32_t{s8[i]} != int32_t{want[i]} - 128) {
      FAIL_CHECK(fmt::format("s8 x[{}]: got {} want {}", i, s8[i], int32_t{want[i]} - 128));
      break;
    }
}

}  // namespace

TEST_SUITE("kernels.quantize_ort") {
  TEST_CASE("DynamicQuantizeLinear per tensor: every path matches the spec reference exactly") {
    std::mt19937 rng(7);
    test::for_each_path([&](SimdPath path) {
      for (int n : {0, 1, 7, 31, 32, 33, 64, 100, 1027}) {
        for (int kind = 0; kind < 4; ++kind) {
          CAPTURE(n);
          CAPTURE(kind);
          std::vector<float> x(static_cast<size_t>(n));
          std::uniform_real_distribution<float> u(kind == 1 ? 0.0f : -3.0f, kind == 2 ? 0.0f : 5.0f);
          for (float& v : x) v = u(rng);
          if (kind == 3 && n > 4) {
            // Exact halves after division: x = (k + 0.5) * scale for a scale of 1 (range 255).
            x[0] = 0.0f, x[1] = 255.0f;
            for (int i = 2; i < n; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i % 250) + 0.5f;
          }
          check_case(x, path);
        }
      }
    });
  }

  TEST_CASE("spec examples (onnx test_dynamicquantizelinear)") {
    // From the ONNX operator documentation: x = [0, 2, -3, -2.5, 1.34, 0.5] -> scale 5/255... zero point 153.
    std::vector<float> x = {0, 2, -3, -2.5f, 1.34f, 0.5f};
    std::vector<uint8_t> q(6);
    float s;
    uint8_t zp;
    kernels::quantize_tensor_ort_u8(x.data(), 6, q.data(), &s, &zp, SimdPath::portable);
    CHECK(zp == 153);
    CHECK(q == std::vector<uint8_t>{153, 255, 0, 26, 221, 179});
    // All zero: scale 1, zero point 0.
    std::vector<float> z(40, 0.0f);
    std::vector<uint8_t> qz(40, 9);
    kernels::quantize_tensor_ort_u8(z.data(), 40, qz.data(), &s, &zp);
    CHECK(s == 1.0f);
    CHECK(zp == 0);
    CHECK(qz == std::vector<uint8_t>(40, 0));
  }

  TEST_CASE("quantize_dynamic weights: symmetric, half to even, reduce_range [-64, 64]") {
    // absmax 2.54 -> scale 0.02, w / s = 63.5 rounds to 64 (even), 62.5 to 62; -127 and 127 reached.
    std::vector<float> w = {2.54f, -2.54f, 1.27f, 0.0f};
    std::vector<int8_t> q(4);
    const float s = kernels::quantize_weights_ort_per_tensor(w.data(), 4, 127, q.data());
    CHECK(s == static_cast<float>(2.0 * double{2.54f} / 254.0));
    CHECK(q[0] == 127);
    CHECK(q[1] == -127);
    CHECK(q[2] == static_cast<int8_t>(std::nearbyint(1.27f / s)));
    const float sr = kernels::quantize_weights_ort_per_tensor(w.data(), 4, 64, q.data());
    CHECK(sr == static_cast<float>(double{2.54f} / 64.0));
    CHECK(q[0] == 64);
    CHECK(q[1] == -64);
    // Ties: weights 0.5 and 1.5 and 2.5 with absmax 127 (scale 1) round to 0, 2, 2.
    std::vector<float> t = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f};
    std::vector<int8_t> qt(5);
    CHECK(kernels::quantize_weights_ort_per_tensor(t.data(), 5, 127, qt.data()) == 1.0f);
    CHECK(qt == std::vector<int8_t>{127, 0, 2, 2, 0});
    // All zero: scale 1 (below FLT_MIN), q 0.
    std::vector<float> z(3, 0.0f);
    std::vector<int8_t> qz(3, 5);
    CHECK(kernels::quantize_weights_ort_per_tensor(z.data(), 3, 127, qz.data()) == 1.0f);
    CHECK(qz == std::vector<int8_t>{0, 0, 0});
    // Per channel on the middle axis of [2, 2, 1]: channel 0 holds {1, 3}, channel 1 {-2, 0.5}.
    std::vector<float> pc = {1, -2, 3, 0.5f};
    std::vector<int8_t> qpc(4);
    float scales[2];
    kernels::quantize_weights_ort_per_channel(pc.data(), 2, 2, 1, 127, qpc.data(), scales);
    CHECK(scales[0] == static_cast<float>(3.0 / 127.0));
    CHECK(scales[1] == static_cast<float>(2.0 / 127.0));
    CHECK(qpc[2] == 127);
    CHECK(qpc[1] == -127);
  }
}

}  // namespace qgate
