#include "harness/metrics/statistics.h"

#include <algorithm>
#include <cmath>

namespace qgate::metrics {

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t n) {
  // Lemire (2019): the high half of x * n is uniform in [0, n) once the low half is outside the short
  // interval [0, 2^64 mod n) that would bias it.
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double percentile_nearest_rank(std::span<const double> sorted, double percent) {
  const int64_t n = static_cast<int64_t>(sorted.size());
  if (n == 0) return 0;
  // Percent in units of 1e-4 so the rank is an exact integer ceiling.
  const int64_t parts = std::clamp<int64_t>(std::llround(percent * 1e4), 0, 1000000);
  int64_t rank = (parts * n + 999999) / 1000000;
  rank = std::clamp<int64_t>(rank, 1, n);
  return sorted[static_cast<size_t>(rank - 1)];
}

double mcnemar_exact_p(int64_t b, int64_t c) {
  const int64_t n = b + c;
  const int64_t m = std::min(b, c);
  if (n <= 0 || 2 * m == n) return 1.0;  // P(X <= n/2) >= 1/2, so the doubled tail reaches 1
  if (n <= 50) {
    // Exact in integers: every partial sum of C(n, i) stays below 2^50, and 2^(1-n) scales a double exactly.
    uint64_t coefficient = 1, sum = 0;
    for (int64_t i = 0; i <= m; ++i) {
      sum += coefficient;
      coefficient = coefficient * static_cast<uint64_t>(n - i) / static_cast<uint64_t>(i + 1);
    }
    return std::min(1.0, std::ldexp(static_cast<double>(sum), static_cast<int>(1 - n)));
  }
  // The tail's largest term is t_m = C(n, m) / 2^n (m < n/2); earlier terms follow from
  // t_{i-1} / t_i = i / (n - i + 1) < 1, so the sum is 1 + (ratios) and never overflows.
  const double dn = static_cast<double>(n), dm = static_cast<double>(m);
  const double log_top = std::lgamma(dn + 1) - std::lgamma(dm + 1) - std::lgamma(dn - dm + 1) - dn * std::log(2.0);
  double term = 1, sum = 1;
  for (int64_t i = m; i >= 1; --i) {
    term *= static_cast<double>(i) / static_cast<double>(n - i + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return std::min(1.0, 2.0 * std::exp(log_top) * sum);
}

double mcnemar_chi2(int64_t b, int64_t c) {
  const int64_t n = b + c;
  if (n <= 0) return 0;
  const double d = std::max<double>(0.0, static_cast<double>(std::llabs(b - c)) - 1.0);
  return d * d / static_cast<double>(n);
}

double mcnemar_chi2_p(int64_t b, int64_t c) {
  // Upper tail of chi-square with 1 degree of freedom: P(Z^2 > x) = erfc(sqrt(x / 2)).
  return std::erfc(std::sqrt(mcnemar_chi2(b, c) / 2.0));
}

std::vector<std::vector<double>> paired_bootstrap_means(std::span<const std::vector<int8_t>> diffs,
                                                        int resamples, uint64_t seed) {
  std::vector<std::vector<double>> out(diffs.size());
  if (diffs.empty() || resamples <= 0) return out;
  const size_t n = diffs[0].size();
  if (n == 0) {
    for (auto& s : out) s.assign(static_cast<size_t>(resamples), 0.0);
    return out;
  }
  for (auto& s : out) s.reserve(static_cast<size_t>(resamples));
  SplitMix64 rng(seed);
  std::vector<int64_t> sums(diffs.size());
  for (int r = 0; r < resamples; ++r) {
    std::fill(sums.begin(), sums.end(), 0);
    for (size_t j = 0; j < n; ++j) {
      const size_t i = static_cast<size_t>(rng.below(n));
      for (size_t s = 0; s < diffs.size(); ++s) sums[s] += diffs[s][i];
    }
    // Integer sums, one division: the statistic does not depend on summation order.
    for (size_t s = 0; s < diffs.size(); ++s) out[s].push_back(static_cast<double>(sums[s]) / static_cast<double>(n));
  }
  for (auto& s : out) std::sort(s.begin(), s.end());
  return out;
}

std::vector<std::vector<double>> weighted_bootstrap(
    int64_t n, int resamples, uint64_t seed, int k,
    const std::function<void(std::span<const uint32_t> counts, std::span<double> out)>& statistic) {
  std::vector<std::vector<double>> out(static_cast<size_t>(std::max(k, 0)));
  if (n <= 0 || resamples <= 0 || k <= 0) return out;
  for (auto& s : out) s.reserve(static_cast<size_t>(resamples));
  SplitMix64 rng(seed);
  std::vector<uint32_t> counts(static_cast<size_t>(n));
  std::vector<double> values(static_cast<size_t>(k));
  for (int r = 0; r < resamples; ++r) {
    std::fill(counts.begin(), counts.end(), 0u);
    for (int64_t j = 0; j < n; ++j) ++counts[static_cast<size_t>(rng.below(static_cast<uint64_t>(n)))];
    statistic(counts, values);
    for (int s = 0; s < k; ++s) out[static_cast<size_t>(s)].push_back(values[static_cast<size_t>(s)]);
  }
  for (auto& s : out) std::sort(s.begin(), s.end());
  return out;
}

Interval percentile_interval(std::span<const double> sorted, double confidence) {
  const double tail = 100.0 * (1.0 - confidence) / 2.0;
  return {percentile_nearest_rank(sorted, tail), percentile_nearest_rank(sorted, 100.0 - tail)};
}

double least_squares_slope(std::span<const double> x, std::span<const double> y) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 2) return 0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

}  // namespace qgate::metrics
