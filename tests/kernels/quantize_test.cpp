#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/quantize.h"
#include "reference/quantize.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"

namespace qgate {
namespace {

using kernels::SimdPath;

// Checks the vector rounding against std::round + x86 conversion for each value; reports the first few misses.
void check_rounding(const std::vector<float>& ys) {
  std::vector<int32_t> got(ys.size());
  kernels::detail::round_half_away_to_int32_avx2(ys.data(), static_cast<int64_t>(ys.size()), got.data());
  int bad = 0;
  for (size_t i = 0; i < ys.size() && bad < 5; ++i) {
    const int32_t want = kernels::detail::round_half_away_to_int32(ys[i]);
    if (got[i] != want) {
      ++bad;
      FAIL_CHECK(fmt::format("y = {:a} ({}): avx2 {} vs std::round {}", ys[i], ys[i], got[i], want));
    }
  }
  CHECK(bad == 0);
}

std::vector<float> halves_and_neighbours() {
  std::vector<float> v;
  auto add3 = [&](float y) {
    v.push_back(y);
    v.push_back(std::nextafter(y, 0.0f));
    v.push_back(std::nextafter(y, y > 0 ? INFINITY : -INFINITY));
  };
  for (int k = -70000; k <= 70000; ++k) add3(static_cast<float>(k) + 0.5f);
  for (int e = 0; e <= 31; ++e) {  // around every power of two up to the int32 limit, and its halves
    for (float s : {1.0f, -1.0f}) {
      const float p = s * std::ldexp(1.0f, e);
      add3(p);
      add3(p + s * 0.5f);
      add3(p - s * 0.5f);
    }
  }
  for (float y : {0.0f, -0.0f, 0.5f, -0.5f, 0.49999997f, -0.49999997f, 1.5f, 2.5f, -2.5f, 8388607.5f, -8388607.5f,
                  8388608.0f, 16777215.0f, 2147483520.0f, 2147483648.0f, -2147483648.0f, -2147483904.0f, 1e30f,
                  -1e30f, std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                  std::numeric_limits<float>::min(), INFINITY, -INFINITY, std::numeric_limits<float>::quiet_NaN()})
    v.push_back(y);
  return v;
}

// Row data of several kinds, so every branch of the zero-point choice and of the clamps is taken.
std::vector<float> make_row(int64_t n, int kind, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (auto& v : x) {
    const float r = u(rng);
    switch (kind) {
      case 0: v = r; break;                                         // symmetric
      case 1: v = std::fabs(r) * 3.0f; break;                       // all >= 0: zp = -128
      case 2: v = -std::fabs(r) * 1e-3f; break;                     // all <= 0: zp = 127
      case 3: v = r > -0.8f ? (r + 0.8f) * 50.0f : r; break;        // mostly positive
      case 4: v = r < 0.9f ? (r - 0.9f) * 7.0f : r * 1e-4f; break;  // mostly negative
      case 5: v = std::round(r * 254.0f) / 2.0f; break;             // halves, R <= 127
      default: v = r * 1e30f; break;                                // huge
    }
  }
  return x;
}

struct RowResult {
  std::vector<int8_t> q;
  float scale = NAN;
  int32_t zp = -999;
};

RowResult run_symmetric(const std::vector<float>& x, SimdPath path, bool reference) {
  RowResult r;
  r.q.assign(x.size(), int8_t{99});  // sentinel
  if (reference)
    reference::quantize_row_symmetric(x.data(), static_cast<int64_t>(x.size()), r.q.data(), &r.scale);
  else
    kernels::quantize_row_symmetric(x.data(), static_cast<int64_t>(x.size()), r.q.data(), &r.scale, path);
  return r;
}

// A row quantizer with a zero point: the kernel on `path`, or its reference twin.
template <typename Reference, typename Kernel>
RowResult run_with_zero_point(const std::vector<float>& x, SimdPath path, bool reference, Reference twin,
                              Kernel kernel) {
  RowResult r;
  r.q.assign(x.size(), int8_t{99});
  const auto n = static_cast<int64_t>(x.size());
  if (reference) twin(x.data(), n, r.q.data(), &r.scale, &r.zp);
  else kernel(x.data(), n, r.q.data(), &r.scale, &r.zp, path);
  return r;
}

RowResult run_asymmetric(const std::vector<float>& x, SimdPath path, bool reference) {
  return run_with_zero_point(x, path, reference, reference::quantize_row_asymmetric, kernels::quantize_row_asymmetric);
}

RowResult run_xnnpack(const std::vector<float>& x, SimdPath path, bool reference) {
  return run_with_zero_point(x, path, reference, reference::quantize_row_xnnpack, kernels::quantize_row_xnnpack);
}

// Bit-for-bit: scales compared as bit patterns, values and zero points exactly.
void check_same(const RowResult& got, const RowResult& want) {
  CHECK(std::bit_cast<uint32_t>(got.scale) == std::bit_cast<uint32_t>(want.scale));
  CHECK(got.zp == want.zp);
  REQUIRE(got.q.size() == want.q.size());
  int bad = 0;
  for (size_t i = 0; i < got.q.size() && bad < 5; ++i)
    if (got.q[i] != want.q[i]) {
      ++bad;
      FAIL_CHECK("q[" << i << "]: got " << int{got.q[i]} << ", reference " << int{want.q[i]});
    }
}

void check_row_both_modes(const std::vector<float>& x) {
  const RowResult ws = run_symmetric(x, SimdPath::portable, true);
  const RowResult wa = run_asymmetric(x, SimdPath::portable, true);
  const RowResult wx = run_xnnpack(x, SimdPath::portable, true);
  // XNNPACK's parameters are undefined for a row holding an infinity or NaN (255 / inf, inf - inf): not compared.
  bool finite = true;
  for (float v : x) finite = finite && std::isfinite(v);
  test::for_each_path([&](SimdPath path) {
    check_same(run_symmetric(x, path, false), ws);
    check_same(run_asymmetric(x, path, false), wa);
    if (finite) check_same(run_xnnpack(x, path, false), wx);
  });
}

TEST_SUITE("kernels.quantize") {
  TEST_CASE("vector round-half-away equals std::round on halves, near-halves, powers of two and specials") {
    if (!test::runs(SimdPath::avx2)) return;
    check_rounding(halves_and_neighbours());
  }

  TEST_CASE("vector round-half-away equals std::round on a stride through all float bit patterns") {
    if (!test::runs(SimdPath::avx2)) return;
    // Stride 251 (prime) visits every exponent and sign with varied mantissas: ~17M values, ~0.1 s.
    std::vector<float> ys;
    ys.reserve(1u << 20);
    for (uint64_t bits = 0; bits <= 0xffffffffull; bits += 251) {
      ys.push_back(std::bit_cast<float>(static_cast<uint32_t>(bits)));
      if (ys.size() == (1u << 20)) {
        check_rounding(ys);
        ys.clear();
      }
    }
    check_rounding(ys);
  }

  // Skipped by doctest unless --no-skip: ctest case unit.kernels.rounding_every_float (label long, run by
  // `scripts/test --long`) runs it alone. ~90 s on 2 shared cores.
  TEST_CASE("vector round-half-away equals std::round on every float (long)" * doctest::skip()) {
    if (!test::runs(SimdPath::avx2)) return;
    std::vector<float> ys(1u << 24);
    for (uint64_t base = 0; base <= 0xffffffffull; base += ys.size()) {
      for (size_t i = 0; i < ys.size(); ++i) ys[i] = std::bit_cast<float>(static_cast<uint32_t>(base + i));
      check_rounding(ys);
    }
  }

  TEST_CASE("row quantizers match the reference bit for bit over lengths and data kinds, every path") {
    for (int64_t n : {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1024, 1031})
      for (int kind = 0; kind <= 6; ++kind) {
        CAPTURE(fmt::format("n{} kind{}", n, kind));
        check_row_both_modes(make_row(n, kind, static_cast<uint32_t>(n * 10 + kind)));
      }
  }

  TEST_CASE("xnnpack rows: hand-computed parameters, and where they differ from TFLite's") {
    // Row [-1, 0, 3]: range 4, inv = f32(255 / 4) = 63.75 (exact), scale = f32(1 / 63.75).
    // Errors: -128 + (-1 * 63.75) = -191.75 and 127 + 3 * 63.75 = 318.25, sum > 0 -> zp = -128 - (-63.75) =
    // -64.25 -> rint -64. q = rint(x * 63.75) - 64: -1 -> rint(-63.75) - 64 = -128; 3 -> rint(191.25) - 64 = 127.
    // Row [-0.984375, 3, 0.0078125, 0.0234375]: range 3.984375 = 255 / 64, so inv = 64 exactly and the last two
    // products are exact ties 0.5 and 1.5; zp = -128 + 63 = -65. Ties go to even (0 and 2), where TFLite's
    // round-half-away would give 1 and 2.
    struct Case {
      std::vector<float> x;
      float inv;
      int32_t zp;
      std::vector<int> q;
    };
    const Case cases[] = {{{-1.0f, 0.0f, 3.0f}, 63.75f, -64, {-128, -64, 127}},
                          {{-0.984375f, 3.0f, 0.0078125f, 0.0234375f}, 64.0f, -65, {-128, 127, -65, -63}}};
    for (const Case& c : cases)
      test::for_each_path([&](SimdPath path) {
        CAPTURE(c.inv);
        const RowResult r = run_xnnpack(c.x, path, false);
        CHECK(r.zp == c.zp);
        CHECK(std::bit_cast<uint32_t>(r.scale) == std::bit_cast<uint32_t>(1.0f / c.inv));
        for (size_t i = 0; i < c.q.size(); ++i) CHECK(int{r.q[i]} == c.q[i]);
      });
    // Range 255 / 7 is not exact in float: XNNPACK's scale f32(1 / f32(255 / 7)) and TFLite's f32(7 / 255.0)
    // differ by one ulp, the cause of the last difference with LiteRT before this quantizer existed.
    const RowResult xr = run_xnnpack({-3.0f, 4.0f}, SimdPath::portable, true);
    const RowResult tr = run_asymmetric({-3.0f, 4.0f}, SimdPath::portable, true);
    CHECK(xr.scale != tr.scale);
    CHECK(std::fabs(xr.scale - tr.scale) <= std::nextafter(tr.scale, 1.0f) - tr.scale);
  }

  TEST_CASE("all-zero rows (including -0.0) give q = 0, scale 1, zero point 0") {
    for (int64_t n : {1, 5, 32, 77}) {
      std::vector<float> x(static_cast<size_t>(n), 0.0f);
      for (size_t i = 0; i < x.size(); i += 2) x[i] = -0.0f;
      test::for_each_path([&](SimdPath path) {
        CAPTURE(fmt::format("n{}", n));
        const RowResult s = run_symmetric(x, path, false), a = run_asymmetric(x, path, false);
        CHECK(s.scale == 1.0f);
        CHECK(a.scale == 1.0f);
        CHECK(a.zp == 0);
        for (size_t i = 0; i < x.size(); ++i) CHECK((s.q[i] == 0 && a.q[i] == 0));
      });
    }
  }

  TEST_CASE("rows with a single non-zero at every position") {
    for (int64_t n : {1, 9, 33, 40})
      for (int64_t at = 0; at < n; ++at)
        for (float v : {2.5f, -0.125f, 1e-30f}) {
          CAPTURE(fmt::format("n{} at{} v{}", n, at, v));
          std::vector<float> x(static_cast<size_t>(n), 0.0f);
          x[static_cast<size_t>(at)] = v;
          check_row_both_modes(x);
          const RowResult s = run_symmetric(x, SimdPath::automatic, false);
          CHECK(s.q[static_cast<size_t>(at)] == (v > 0 ? 127 : -127));
        }
  }

  TEST_CASE("extreme values: 1e30, -1e-30, denormals, infinities") {
    const float dmin = std::numeric_limits<float>::denorm_min();
    const std::vector<std::vector<float>> rows = {
        {1e30f, -1e-30f, 0.0f, 1.0f, -1e30f, 3e29f, 5e-31f, -2e29f, 1e30f, 1e30f},
        {-1e-30f, 2e-30f, 0.0f, -3e-31f, 1e-38f, 1e-45f},
        {dmin, -dmin, 3 * dmin, 0.0f, -7 * dmin, 100 * dmin, dmin, dmin, dmin},  // 127/R overflows to inf
        {dmin, 0.0f, dmin},
        {std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(), 1.0f, 0.0f},
        {INFINITY, 1.0f, -2.0f, 0.0f},
        {-INFINITY, 1.0f, -2.0f, 0.0f, INFINITY},
    };
    for (size_t r = 0; r < rows.size(); ++r) {
      // Repeat each row to cross the 32-wide vector body and its scalar tail.
      std::vector<float> x;
      for (int rep = 0; rep < 9; ++rep) x.insert(x.end(), rows[r].begin(), rows[r].end());
      CAPTURE(r);
      check_row_both_modes(x);
    }
  }

  TEST_CASE("exact halves after scaling round away from zero") {
    // R = 127 makes 127/R = 1 exactly, so q = round(x) and halves stay halves.
    std::vector<float> x = {127.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 126.5f, -126.5f, 0.49999997f};
    std::vector<int8_t> want = {127, 1, -1, 2, -2, 3, -3, 127, -127, 0};
    test::for_each_path([&](SimdPath path) {
      for (int rep : {1, 4}) {  // scalar tail only, then vector body too
        std::vector<float> xs;
        std::vector<int8_t> ws;
        for (int i = 0; i < rep; ++i) xs.insert(xs.end(), x.begin(), x.end()), ws.insert(ws.end(), want.begin(), want.end());
        CAPTURE(fmt::format("x{}", rep));
        const RowResult s = run_symmetric(xs, path, false);
        CHECK(s.scale == 1.0f);
        CHECK(s.q == ws);
      }
    });
    // Asymmetric with min -128, max 127: scale 255/255 = 1, zero point 127 - 127 = 0 (error 254 < 256).
    std::vector<float> y = {-128.0f, 127.0f, 0.5f, -0.5f, 2.5f, -2.5f, -127.5f, 126.5f};
    std::vector<int8_t> wy = {-128, 127, 1, -1, 3, -3, -128, 127};
    test::for_each_path([&](SimdPath path) {
      std::vector<float> ys;
      std::vector<int8_t> ws;
      for (int i = 0; i < 5; ++i) ys.insert(ys.end(), y.begin(), y.end()), ws.insert(ws.end(), wy.begin(), wy.end());
      const RowResult a = run_asymmetric(ys, path, false);
      CHECK(a.scale == 1.0f);
      CHECK(a.zp == 0);
      CHECK(a.q == ws);
    });
  }

  TEST_CASE("asymmetric: zp + x * inv is two roundings, never one FMA (a value where the two differ)") {
    // Row range [-1, 3]: find x whose product x * inv rounds to a float that puts zp + product exactly on a .5
    // boundary while the unrounded (fused) sum falls short of it. An FMA-contracted AVX2 loop quantizes x one
    // step differently from TFLite's two float operations.
    const kernels::AsymmetricParams ap = kernels::asymmetric_params(-1.0f, 3.0f);
    const float inv = 1.0f / ap.scale;
    const auto zp = static_cast<float>(ap.zero_point);
    float found = NAN;
    for (int m = -120; m < 120 && std::isnan(found); ++m) {
      float x = (static_cast<float>(m) + 0.5f - zp) * ap.scale;
      for (int step = 0; step < 64; ++step) x = std::nextafter(x, -INFINITY);
      for (int step = 0; step < 128 && std::isnan(found); ++step, x = std::nextafter(x, INFINITY)) {
        if (x <= -1.0f || x >= 3.0f) continue;
        const float prod = x * inv;
        const float two_roundings = zp + prod;
        if (std::round(two_roundings) != std::round(std::fma(x, inv, zp))) found = x;
      }
    }
    REQUIRE_FALSE(std::isnan(found));
    std::vector<float> row(64, 0.25f);
    row[0] = -1.0f;
    row[1] = 3.0f;
    row[5] = found;
    row[40] = found;
    std::vector<int8_t> want(row.size());
    float s_want;
    int32_t zp_want;
    reference::quantize_row_asymmetric(row.data(), 64, want.data(), &s_want, &zp_want);
    test::for_each_path([&](SimdPath path) {
      std::vector<int8_t> got(row.size());
      float s;
      int32_t z;
      kernels::quantize_row_asymmetric(row.data(), 64, got.data(), &s, &z, path);
      CHECK(got[5] == want[5]);
      CHECK(got[40] == want[40]);
      CHECK(got == want);
    });
  }

  TEST_CASE("hand-computed asymmetric row {-1, 0.5, 2, 3}") {
    // rmin = -1, rmax = 3, s = 4/255 (double). From min: zp = -128 + 1/s = -64.25, error 128 + 63.75 = 191.75;
    // from max: zp = 127 - 3/s = -64.25, error 127 + 191.25 = 318.25. The min end wins: round(-64.25) = -64.
    // Stored scale f32(4/255) = 0.015686275; inv = 1/scale in float = 63.749996 (not 63.75), so
    //   -1  -> -64 - 63.749996 = -127.75 (float)  -> -128 (hits the low end)
    //   0.5 -> -64 + 31.874998 = -32.125          -> -32
    //   2   -> -64 + 127.49999 = 63.499992        -> 63 (exact arithmetic would say 63.5 -> 64)
    //   3   -> -64 + 191.24998 = 127.249985       -> 127
    const std::vector<float> x = {-1.0f, 0.5f, 2.0f, 3.0f};
    test::for_each_path([&](SimdPath path) {
      const RowResult a = run_asymmetric(x, path, false);
      CHECK(a.scale == static_cast<float>(4.0 / 255.0));
      CHECK(a.zp == -64);
      CHECK(a.q == std::vector<int8_t>{-128, -32, 63, 127});
      // Symmetric: R = 3, 127/R = 42.333332; -1 -> -42.33 -> -42, 0.5 -> 21.17 -> 21, 2 -> 84.67 -> 85.
      const RowResult s = run_symmetric(x, path, false);
      CHECK(s.scale == 3.0f / 127.0f);
      CHECK(s.q == std::vector<int8_t>{-42, 21, 85, 127});
    });
  }

  TEST_CASE("batched rows each get their own scale and zero point") {
    const int64_t rows = 5, k = 37;
    std::vector<float> x;
    for (int64_t r = 0; r < rows; ++r) {
      auto row = make_row(k, static_cast<int>(r), static_cast<uint32_t>(r));
      if (r == 2) std::fill(row.begin(), row.end(), 0.0f);
      x.insert(x.end(), row.begin(), row.end());
    }
    std::vector<int8_t> wq(x.size()), wqa(x.size());
    std::vector<float> ws(rows), wsa(rows);
    std::vector<int32_t> wzp(rows);
    reference::quantize_rows_symmetric(x.data(), rows, k, wq.data(), ws.data());
    reference::quantize_rows_asymmetric(x.data(), rows, k, wqa.data(), wsa.data(), wzp.data());
    test::for_each_path([&](SimdPath path) {
      std::vector<int8_t> q(x.size(), 99), qa(x.size(), 99);
      std::vector<float> s(rows, NAN), sa(rows, NAN);
      std::vector<int32_t> zp(rows, -999);
      kernels::quantize_rows_symmetric(x.data(), rows, k, q.data(), s.data(), path);
      kernels::quantize_rows_asymmetric(x.data(), rows, k, qa.data(), sa.data(), zp.data(), path);
      CHECK(q == wq);
      CHECK(qa == wqa);
      CHECK(zp == wzp);
      for (int64_t r = 0; r < rows; ++r) {
        CHECK(std::bit_cast<uint32_t>(s[r]) == std::bit_cast<uint32_t>(ws[r]));
        CHECK(std::bit_cast<uint32_t>(sa[r]) == std::bit_cast<uint32_t>(wsa[r]));
      }
      CHECK(s[2] == 1.0f);
    });
  }

  TEST_CASE("weights: range widened never shifted (min -10, max 30 -> -30..30, -10 -> -42)") {
    const std::vector<float> w = {-10.0f, 30.0f, 0.0f, 15.0f};
    std::vector<int8_t> q(w.size());
    const float s = kernels::quantize_weights_symmetric_per_tensor(w.data(), 4, 8, q.data());
    CHECK(s == 30.0f / 127.0f);
    CHECK(q == std::vector<int8_t>{-42, 127, 0, 64});  // 15 / (30/127) = 63.5 -> 64 (away from zero)
    std::vector<float> back(w.size());
    kernels::dequantize_weights(q.data(), 1, 1, 4, &s, back.data());
    CHECK(back[1] == 127.0f * s);
    CHECK(back[0] == -42.0f * s);
  }

  TEST_CASE("weights: per-channel along an axis, an all-zero channel, bit widths 2..8") {
    // dims [2, 3, 2], axis 1: channel c holds w[o][c][i] for o < 2, i < 2.
    const std::vector<float> w = {1.0f, -2.0f, 0.0f, 0.0f, 0.5f, 0.25f,   // o = 0
                                  4.0f, 0.5f, 0.0f, -0.0f, -1.0f, 0.125f};  // o = 1
    const int64_t dims[] = {2, 3, 2};
    for (int bits = 2; bits <= 8; ++bits) {
      CAPTURE(bits);
      const int qmax = (1 << (bits - 1)) - 1;
      const auto qw = kernels::quantize_weights_symmetric(w.data(), dims, 1, bits);
      REQUIRE(qw.scales.size() == 3);
      CHECK(qw.scales[0] == 4.0f / static_cast<float>(qmax));
      CHECK(qw.scales[1] == 0.0f);  // all-zero channel: scale 0, no division
      CHECK(qw.scales[2] == 1.0f / static_cast<float>(qmax));
      CHECK(qw.values[6] == qmax);   // 4.0 is channel 0's max
      CHECK(qw.values[10] == -qmax);  // -1.0 is channel 2's extreme
      for (size_t i : {2, 3, 8, 9}) CHECK(qw.values[i] == 0);
      for (int8_t v : qw.values) CHECK((v >= -qmax && v <= qmax));
      std::vector<float> back(w.size());
      kernels::dequantize_weights(qw.values.data(), 2, 3, 2, qw.scales.data(), back.data());
      for (size_t i = 0; i < w.size(); ++i) {
        const float s = qw.scales[(i / 2) % 3];
        CHECK(back[i] == static_cast<float>(qw.values[i]) * s);
        CHECK(std::fabs(back[i] - w[i]) <= 0.5f * s * 1.0001f);  // rounding error at most half a step
      }
    }
    // 8 bits, channel 0: 1 / (4/127) = 31.75 -> 32; -2 -> -63.5 -> -64 (away from zero); 0.5 -> 15.875 -> 16.
    const auto q8 = kernels::quantize_weights_symmetric(w.data(), dims, 1, 8);
    CHECK(q8.values[0] == 32);
    CHECK(q8.values[1] == -64);
    CHECK(q8.values[7] == 16);
    // Per-tensor through the same entry point.
    const auto pt = kernels::quantize_weights_symmetric(w.data(), dims, -1, 8);
    CHECK(pt.scales == std::vector<float>{4.0f / 127.0f});
  }
}

}  // namespace
}  // namespace qgate
