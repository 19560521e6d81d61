#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "harness/metrics/statistics.h"

using namespace qgate::metrics;

TEST_SUITE("harness.metrics") {
  TEST_CASE("SplitMix64 gives the published stream, and below() stays in range") {
    // First outputs for seed 1234567 of the reference C implementation (Vigna's splitmix64.c).
    SplitMix64 rng(1234567);
    CHECK(rng.next() == 6457827717110365317ULL);
    CHECK(rng.next() == 3203168211198807973ULL);
    CHECK(rng.next() == 9817491932198370423ULL);

    SplitMix64 r2(7);
    std::vector<int> counts(3, 0);
    for (int i = 0; i < 3000; ++i) {
      const uint64_t v = r2.below(3);
      REQUIRE(v < 3);
      ++counts[v];
    }
    for (int c : counts) CHECK(c > 800);  // each ~1000; a stuck or biased draw shows
    CHECK(SplitMix64(1).below(1) == 0);
  }

  TEST_CASE("nearest-rank percentiles on known arrays") {
    std::vector<double> ten;
    for (int i = 1; i <= 10; ++i) ten.push_back(i);
    CHECK(percentile_nearest_rank(ten, 50) == 5);    // rank ceil(5) = 5: the lower middle
    CHECK(percentile_nearest_rank(ten, 90) == 9);
    CHECK(percentile_nearest_rank(ten, 99) == 10);   // rank ceil(9.9) = 10
    CHECK(percentile_nearest_rank(ten, 10) == 1);
    CHECK(percentile_nearest_rank(ten, 11) == 2);
    CHECK(percentile_nearest_rank(ten, 0) == 1);     // rank at least 1
    CHECK(percentile_nearest_rank(ten, 100) == 10);

    std::vector<double> thousand;
    for (int i = 1; i <= 1000; ++i) thousand.push_back(i);
    CHECK(percentile_nearest_rank(thousand, 50) == 500);
    CHECK(percentile_nearest_rank(thousand, 99) == 990);
    CHECK(percentile_nearest_rank(thousand, 99.9) == 999);  // 0.999 * 1000 in floating point could ceil to 1000
    CHECK(percentile_nearest_rank(thousand, 2.5) == 25);
    CHECK(percentile_nearest_rank(thousand, 97.5) == 975);

    CHECK(percentile_nearest_rank(std::vector<double>{}, 50) == 0);
    CHECK(percentile_nearest_rank(std::vector<double>{3.5}, 99.9) == 3.5);
  }

  TEST_CASE("McNemar exact p-values equal hand-computed binomial sums") {
    // p = 2 * sum_{i <= min(b, c)} C(n, i) / 2^n, capped at 1; all exact in binary.
    CHECK(mcnemar_exact_p(0, 5) == 0.0625);                 // 2 * 1/32
    CHECK(mcnemar_exact_p(5, 0) == 0.0625);
    CHECK(mcnemar_exact_p(1, 5) == 14.0 / 64);               // 2 * (1 + 6) / 64
    CHECK(mcnemar_exact_p(2, 8) == 112.0 / 1024);            // 2 * (1 + 10 + 45) / 1024
    CHECK(mcnemar_exact_p(0, 10) == 2.0 / 1024);
    CHECK(mcnemar_exact_p(3, 3) == 1.0);                     // b == c
    CHECK(mcnemar_exact_p(1, 2) == 1.0);                     // 2 * (1 + 3) / 8 = 1
    CHECK(mcnemar_exact_p(0, 1) == 1.0);
    CHECK(mcnemar_exact_p(0, 0) == 1.0);

    // Beyond the integer path (n > 50): against a direct long-double sum of the terms.
    for (auto [b, c] : std::vector<std::pair<int64_t, int64_t>>{{20, 31}, {40, 60}, {100, 160}, {3, 200}}) {
      CAPTURE(b);
      CAPTURE(c);
      const int64_t n = b + c, m = std::min(b, c);
      long double term = std::pow(0.5L, static_cast<long double>(n)), sum = 0;
      for (int64_t i = 0; i <= m; ++i) {
        sum += term;
        term = term * static_cast<long double>(n - i) / static_cast<long double>(i + 1);
      }
      const double expected = static_cast<double>(std::min(1.0L, 2 * sum));
      CHECK(mcnemar_exact_p(b, c) == doctest::Approx(expected).epsilon(1e-12));
    }
    // Large counts stay finite and tiny rather than underflowing to NaN.
    const double tiny = mcnemar_exact_p(1000, 3000);
    CHECK(tiny >= 0);
    CHECK(tiny < 1e-100);

    // Continuity-corrected chi-square: (|10 - 20| - 1)^2 / 30 = 2.7.
    CHECK(mcnemar_chi2(10, 20) == doctest::Approx(2.7));
    CHECK(mcnemar_chi2_p(10, 20) == doctest::Approx(std::erfc(std::sqrt(1.35))));
    CHECK(mcnemar_chi2(0, 0) == 0);
    CHECK(mcnemar_chi2(4, 5) == 0);  // |b - c| - 1 = 0
  }

  TEST_CASE("paired bootstrap: reproducible, sorted, degenerate series give their mean") {
    std::vector<std::vector<int8_t>> diffs = {{0, -1, 1, 0, 0, -1, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}};
    const auto a = paired_bootstrap_means(diffs, 500, 42);
    const auto b = paired_bootstrap_means(diffs, 500, 42);
    REQUIRE(a.size() == 2);
    CHECK(a == b);
    CHECK(std::is_sorted(a[0].begin(), a[0].end()));
    CHECK(a[1].front() == 1.0);
    CHECK(a[1].back() == 1.0);
    CHECK(paired_bootstrap_means(diffs, 500, 43)[0] != a[0]);  // the seed matters
    const Interval ci = percentile_interval(a[0], 0.95);
    CHECK(ci.low <= -0.125);
    CHECK(ci.high >= -0.125);
  }

  TEST_CASE("least-squares slope") {
    std::vector<double> x = {0, 1, 2, 3}, y = {10, 8, 6, 4};
    CHECK(least_squares_slope(x, y) == doctest::Approx(-2));
    std::vector<double> y2 = {1, 3, 2, 4};  // slope = sum (x - 1.5)(y - 2.5) / 5 = 4 / 5
    CHECK(least_squares_slope(x, y2) == doctest::Approx(0.8));
    CHECK(least_squares_slope(std::vector<double>{1}, std::vector<double>{1}) == 0);
  }
}
