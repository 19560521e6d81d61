#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/errors.h"
#include "harness/metrics/layer_metrics.h"
#include "harness/metrics/statistics.h"

using namespace qgate::metrics;

namespace {

bool same_sums(const ErrorSums& a, const ErrorSums& b) {
  auto eq = [](double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; };
  return a.n == b.n && a.nonfinite == b.nonfinite && eq(a.sum_x2, b.sum_x2) && eq(a.sum_e2, b.sum_e2) &&
         eq(a.sum_e, b.sum_e) && eq(a.max_abs_e, b.max_abs_e) && eq(a.sum_x_xq, b.sum_x_xq) &&
         eq(a.sum_xq2, b.sum_xq2) && eq(a.sum_abs_x, b.sum_abs_x) && eq(a.max_abs_x, b.max_abs_x) &&
         eq(a.min_x, b.min_x) && eq(a.max_x, b.max_x);
}

// Random float tensors: x in [-3, 3), xq = x + noise of +-0.05.
struct Pair {
  std::vector<float> x, xq;
};
std::vector<Pair> random_samples(int samples, int elements, uint64_t seed) {
  SplitMix64 rng(seed);
  auto uniform = [&] { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; };
  std::vector<Pair> out(samples);
  for (Pair& p : out)
    for (int i = 0; i < elements; ++i) {
      const float x = static_cast<float>(6 * uniform() - 3);
      p.x.push_back(x);
      p.xq.push_back(x + static_cast<float>(0.1 * uniform() - 0.05));
    }
  return out;
}

}  // namespace

TEST_SUITE("harness.metrics") {
  TEST_CASE("error sums equal a direct double computation") {
    const auto data = random_samples(1, 1000, 5);
    const auto& x = data[0].x;
    const auto& xq = data[0].xq;
    double sx2 = 0, se2 = 0, se = 0, mae = 0, sxxq = 0, sxq2 = 0, sax = 0, max_ax = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double a = x[i], b = xq[i], e = a - b;
      sx2 += a * a;
      se2 += e * e;
      se += e;
      mae = std::max(mae, std::abs(e));
      sxxq += a * b;
      sxq2 += b * b;
      sax += std::abs(a);
      max_ax = std::max(max_ax, std::abs(a));
    }
    TensorErrorAccumulator acc;
    acc.add(x, xq);
    const ErrorSums& s = acc.sums();
    // The accumulator sums in four interleaved lanes (a fixed order, for speed): equal to the serial double sum
    // up to reassociation of 1000 double additions, far below any reported digit.
    constexpr double kLaneReorderRelTol = 1e-12;
    CHECK(s.n == 1000);
    CHECK(s.sum_x2 == doctest::Approx(sx2).epsilon(kLaneReorderRelTol));
    CHECK(s.sum_e2 == doctest::Approx(se2).epsilon(kLaneReorderRelTol));
    CHECK(s.sum_e == doctest::Approx(se).epsilon(1e-9));  // a signed sum: relative to its (smaller) magnitude
    CHECK(s.max_abs_e == mae);
    CHECK(s.sum_x_xq == doctest::Approx(sxxq).epsilon(kLaneReorderRelTol));
    CHECK(s.sum_xq2 == doctest::Approx(sxq2).epsilon(kLaneReorderRelTol));
    CHECK(s.sum_abs_x == doctest::Approx(sax).epsilon(kLaneReorderRelTol));
    CHECK(s.max_abs_x == max_ax);

    const ErrorStats st = acc.finalize();
    CHECK(st.mse == doctest::Approx(se2 / 1000));
    CHECK(st.mean_error == doctest::Approx(se / 1000));
    CHECK(st.sqnr_db == doctest::Approx(10 * std::log10(sx2 / se2)));
    CHECK(st.cosine == doctest::Approx(sxxq / std::sqrt(sx2 * sxq2)));
    CHECK(st.nmse == doctest::Approx(se2 / sx2));
  }

  TEST_CASE("derived statistics of a small hand case") {
    // x = (1, 2, 3, 4), xq = (1, 2, 3, 3): e = (0, 0, 0, 1). sum x^2 = 30, sum e^2 = 1, sum xq^2 = 23,
    // sum x xq = 26. MSE .25, bias .25, SQNR 10 log10 30 = 14.77 dB, cosine 26 / sqrt(690), NMSE 1/30.
    const std::vector<float> x = {1, 2, 3, 4}, xq = {1, 2, 3, 3};
    const ErrorStats s = error_stats(error_sums(x, xq));
    CHECK(s.n == 4);
    CHECK(s.mse == 0.25);
    CHECK(s.rmse == 0.5);
    CHECK(s.mean_error == 0.25);
    CHECK(s.max_abs_error == 1);
    CHECK(s.sqnr_db == doctest::Approx(14.771212547));
    CHECK(s.cosine == doctest::Approx(26 / std::sqrt(690.0)));
    CHECK(s.nmse == doctest::Approx(1 / 30.0));
    CHECK(s.max_abs_x == 4);
    CHECK(s.mean_abs_x == 2.5);
    CHECK(s.scale == 0);
    CHECK_FALSE(s.flagged);
    // Steps: asymmetric (max(0, 4) - min(0, 1)) / 255, symmetric 4 / 127.
    CHECK(asymmetric_step(error_sums(x, xq)) == doctest::Approx(4 / 255.0));
    CHECK(symmetric_step(error_sums(x, xq)) == doctest::Approx(4 / 127.0));
    const ErrorStats scaled = error_stats(error_sums(x, xq), 0.5);
    CHECK(scaled.rmse_over_scale == 1.0);
    CHECK(scaled.flagged);  // 1.0 > 0.7
  }

  TEST_CASE("SQNR cap and the zero cases") {
    const std::vector<float> x = {1, -2, 3}, zero = {0, 0, 0};
    const ErrorStats same = error_stats(error_sums(x, x));
    CHECK(same.sqnr_db == kSqnrCapDb);
    CHECK(same.nmse == 0);
    CHECK(same.cosine == doctest::Approx(1));
    const ErrorStats from_zero = error_stats(error_sums(zero, x));  // reference all zero, error not
    CHECK(from_zero.sqnr_db == -kSqnrCapDb);
    CHECK(std::isinf(from_zero.nmse));
    CHECK(from_zero.cosine == 0);
    const ErrorStats both_zero = error_stats(error_sums(zero, zero));
    CHECK(both_zero.sqnr_db == kSqnrCapDb);
    CHECK(both_zero.cosine == 1);
    // 1e-6 relative error is 120 dB: capped at 100.
    const std::vector<float> big = {1e6f}, near = {1e6f - 1};
    CHECK(error_stats(error_sums(big, near)).sqnr_db == kSqnrCapDb);
    const ErrorStats empty = TensorErrorAccumulator().finalize();
    CHECK(empty.n == 0);
    CHECK(empty.sqnr_db == kSqnrCapDb);
  }

  TEST_CASE("rmse over the step: ~1/sqrt(12) for pure rounding noise") {
    // x on a fine grid over [-1, 1], xq = x rounded to a step of 2/255: uniform rounding error.
    std::vector<float> x, xq;
    const double step = 2.0 / 255;
    for (int i = 0; i <= 20000; ++i) {
      const double v = -1 + i * (2.0 / 20000);
      x.push_back(static_cast<float>(v));
      xq.push_back(static_cast<float>(std::round(v / step) * step));
    }
    TensorErrorAccumulator acc;
    acc.add(x, xq);
    CHECK(asymmetric_step(acc.sums()) == doctest::Approx(step));
    const ErrorStats s = acc.finalize(asymmetric_step(acc.sums()));
    CHECK(s.rmse_over_scale == doctest::Approx(1 / std::sqrt(12.0)).epsilon(0.01));
    CHECK_FALSE(s.flagged);
  }

  TEST_CASE("non-finite elements are counted and left out") {
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> x = {1, 2, std::nanf(""), 4}, xq = {1, 2, 3, inf};
    const ErrorSums s = error_sums(x, xq);
    CHECK(s.n == 2);
    CHECK(s.nonfinite == 2);
    CHECK(s.sum_x2 == 5);
    CHECK(s.max_x == 2);
    CHECK_THROWS_AS(error_sums(x, std::vector<float>{1}), qgate::InputError);
  }

  TEST_CASE("chunked merging in chunk order gives the same bits for any thread count") {
    // The contract of layer_metrics.h: fixed chunks of 5 consecutive samples, each fed in order into its own
    // accumulator by whichever "thread" owns it, merged in chunk order. Threads here own chunks round-robin and
    // process them in different orders; the result must not change.
    const int samples = 37, chunk = 5, chunks = (samples + chunk - 1) / chunk;
    const auto data = random_samples(samples, 64, 11);
    auto run = [&](int threads) {
      std::vector<TensorErrorAccumulator> per_chunk(chunks);
      std::vector<SeriesErrorAccumulator> series_chunk(chunks);
      for (int t = threads - 1; t >= 0; --t)
        for (int c = t; c < chunks; c += threads)
          for (int i = c * chunk; i < std::min(samples, (c + 1) * chunk); ++i) {
            per_chunk[c].add(data[i].x, data[i].xq);
            series_chunk[c].add_sequence(data[i].x, data[i].xq, 8, 2, 4, true);
          }
      TensorErrorAccumulator total;
      SeriesErrorAccumulator series;
      for (int c = 0; c < chunks; ++c) {
        total.merge(per_chunk[c]);
        series.merge(series_chunk[c]);
      }
      return std::make_pair(total, series);
    };
    const auto [t1, s1] = run(1);
    for (int threads : {2, 3, 8}) {
      CAPTURE(threads);
      const auto [tn, sn] = run(threads);
      CHECK(same_sums(t1.sums(), tn.sums()));
      REQUIRE(sn.steps().size() == 8);
      for (size_t t = 0; t < 8; ++t) CHECK(same_sums(s1.steps()[t], sn.steps()[t]));
    }
    CHECK(t1.sums().n == samples * 64);
  }

  TEST_CASE("series: per-step SQNR and its slope; time-major and batch-major agree") {
    // T = 4 steps, B = 2 rows, U = 3 units. At step t the error is 2^t * 0.01 per element, so the error
    // energy grows 4x per step and SQNR falls by 10 log10 4 = 6.0206 dB per step.
    const int T = 4, B = 2, U = 3;
    std::vector<float> tm_x, tm_xq;  // [T][B][U]
    for (int t = 0; t < T; ++t)
      for (int b = 0; b < B; ++b)
        for (int u = 0; u < U; ++u) {
          tm_x.push_back(1.0f + u);
          tm_xq.push_back(1.0f + u - 0.01f * static_cast<float>(1 << t));
        }
    std::vector<float> bm_x(tm_x.size()), bm_xq(tm_x.size());  // [B][T][U]
    for (int t = 0; t < T; ++t)
      for (int b = 0; b < B; ++b)
        for (int u = 0; u < U; ++u) {
          bm_x[(b * T + t) * U + u] = tm_x[(t * B + b) * U + u];
          bm_xq[(b * T + t) * U + u] = tm_xq[(t * B + b) * U + u];
        }
    SeriesErrorAccumulator tm, bm, by_step;
    tm.add_sequence(tm_x, tm_xq, T, B, U, true);
    bm.add_sequence(bm_x, bm_xq, T, B, U, false);
    for (int t = 0; t < T; ++t)
      by_step.add_step(t, std::span(tm_x).subspan(t * B * U, B * U), std::span(tm_xq).subspan(t * B * U, B * U));
    const SeriesErrorStats r = tm.finalize();
    REQUIRE(r.steps.size() == 4);
    for (int t = 0; t < T; ++t) {
      CAPTURE(t);
      CHECK(same_sums(tm.steps()[t], bm.steps()[t]));
      CHECK(same_sums(tm.steps()[t], by_step.steps()[t]));
      CHECK(r.steps[t].n == B * U);
    }
    CHECK(r.sqnr_slope_db_per_step == doctest::Approx(-10 * std::log10(4.0)).epsilon(1e-3));
    CHECK(r.steps[0].sqnr_db > r.steps[3].sqnr_db);
    CHECK(r.total.n == T * B * U);
    CHECK_THROWS_AS(tm.add_sequence(tm_x, tm_xq, 5, B, U, true), qgate::InputError);
  }
}
