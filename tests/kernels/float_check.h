// Shared helpers for float kernel tests: deterministic random data, NaN-sentinel outputs and the sum-order
// tolerance check against a reference kernel.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kernels/parallel.h"
#include "tests/test_assets.h"

namespace qgate::test {

// Fast and reference kernels differ only in summation order (float FMA chains vs double sums), so an output may
// be off by a few ulps of the sum of its terms' magnitudes: |fast - ref| <= kSumOrderRelTol * sum |terms|.
// The bound on a float sum of K terms is about K * 2^-24 * sum |terms|; K here stays below ~500 and
// random-sign sums come in far lower, so 1e-5 leaves a wide margin yet catches any wrong or missing term.
constexpr double kSumOrderRelTol = 1e-5;

inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  do {
    for (float& x : v) x = dist(rng);
  } while (n > 1 && *std::min_element(v.begin(), v.end()) == *std::max_element(v.begin(), v.end()));
  return v;
}

inline std::vector<float> abs_of(const std::vector<float>& v) {
  std::vector<float> a(v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = std::fabs(v[i]);
  return a;
}

inline std::vector<float> nan_filled(size_t n) { return std::vector<float>(n, std::numeric_limits<float>::quiet_NaN()); }

// Checks every element: finite (the NaN sentinel was overwritten) and within the sum-order tolerance, where
// magnitude[i] is the reference kernel run on |input|, |weights|, |bias| with no activation.
inline void check_close(const std::vector<float>& got, const std::vector<float>& want,
                        const std::vector<float>& magnitude) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i) {
    const double tol = kSumOrderRelTol * magnitude[i] + 1e-30;
    if (!(std::fabs(double{got[i]} - double{want[i]}) <= tol)) {
      ++bad;
      FAIL_CHECK("element " << i << ": got " << got[i] << ", reference " << want[i] << ", tolerance " << tol);
    }
  }
}

// Sets the kernel thread count for one scope, then restores the machine default.
struct ThreadCount {
  explicit ThreadCount(int n) { kernels::set_num_threads(n); }
  ~ThreadCount() { kernels::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }
};

}  // namespace qgate::test
