// Statistics the metrics need, kept apart so each can be checked against hand-computed values: a portable
// pseudo-random generator (same bits on every platform and compiler), nearest-rank percentiles, the exact
// McNemar p-value, the paired bootstrap and a least-squares slope. Pure functions; no state but the generator.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace qgate::metrics {

// SplitMix64 (Steele, Lea, Flood 2014; the seeding generator of Vigna's xoshiro family): a 64-bit counter
// advanced by the golden-ratio constant and passed through a bijective mixer. Integer-only, so a seed gives
// the same stream everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform integer in [0, n), n >= 1, unbiased (Lemire's multiply-shift with rejection).
  uint64_t below(uint64_t n);

 private:
  uint64_t state_;
};

// Nearest-rank percentile of an ascending array: the element of 1-based rank ceil(percent/100 * n), at least
// rank 1; percent in (0, 100] with up to 4 decimals taken exactly (rank computed in integers, so p99.9 of
// 1000 values is rank 999, not 1000 by a rounding accident). The median is percentile 50: the lower middle
// element when n is even. Returns 0 for an empty array.
double percentile_nearest_rank(std::span<const double> sorted, double percent);

// McNemar's test on the discordant pairs b (A right, B wrong) and c (A wrong, B right): the exact two-sided
// binomial p-value p = min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2). Computed from the largest
// term (log-gamma) times a sum of ratios <= 1, so it stays accurate for b + c in the millions. b + c == 0: 1.
double mcnemar_exact_p(int64_t b, int64_t c);
// The continuity-corrected chi-square statistic (|b - c| - 1)^2 / (b + c), 0 when b + c == 0, and its
// upper-tail p-value (1 degree of freedom). For readers used to the asymptotic form; qgate's verdict uses the
// exact p-value.
double mcnemar_chi2(int64_t b, int64_t c);
double mcnemar_chi2_p(int64_t b, int64_t c);

// Paired bootstrap of the means of several per-sample difference series that share the resampling: each
// resample draws n indices uniformly with replacement (SplitMix64(seed)); for series s the resampled statistic
// is mean over the drawn indices of diffs[s][i]. `diffs` holds one series per entry, each of length n.
// Returns, per series, the `resamples` statistics sorted ascending. Deterministic: a pure function of the
// series (in their given order), the seed and the resample count.
std::vector<std::vector<double>> paired_bootstrap_means(std::span<const std::vector<int8_t>> diffs,
                                                        int resamples, uint64_t seed);

// Bootstrap of statistics that are not means of small integers (ratios of sums, mean IoU, average precision, means
// of real per-sample values). Each resample draws n indices exactly as paired_bootstrap_means does (the same
// SplitMix64(seed) stream, the same draws), counts how often each sample was drawn, and calls
// statistic(counts, out) to fill `k` statistics from those counts (a sample drawn c times weighs c). Returns, per
// statistic, the `resamples` values sorted ascending. Deterministic as long as `statistic` is: a pure function of
// the counts, summing in sample order. With resamples <= 0 or n == 0: k empty vectors.
std::vector<std::vector<double>> weighted_bootstrap(
    int64_t n, int resamples, uint64_t seed, int k,
    const std::function<void(std::span<const uint32_t> counts, std::span<double> out)>& statistic);

// Percentile interval of a sorted bootstrap distribution at confidence level `confidence` (e.g. 0.95): the
// nearest-rank percentiles 100*(1-confidence)/2 and 100*(1+confidence)/2.
struct Interval {
  double low = 0, high = 0;
};
Interval percentile_interval(std::span<const double> sorted, double confidence);

// Least-squares slope of y over x (ordinary regression, y = a + slope * x). 0 when fewer than 2 points or
// all x equal.
double least_squares_slope(std::span<const double> x, std::span<const double> y);

}  // namespace qgate::metrics
