// Deterministic test data, the same values for a given seed on every machine (mt19937 is fully specified, and
// every test build uses one standard library). Shared by the unit tests and the benchmarks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace qgate::test {

// n floats uniform in [lo, hi), drawn from `rng` (for a test that draws several arrays from one stream). For
// n > 1 and lo < hi they are never all equal (drawn again if they were), so a range-based quantizer always sees
// max > min; lo == hi gives n copies of lo (an all-zero input, say).
inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  do {
    for (float& x : v) x = dist(rng);
  } while (n > 1 && lo < hi && *std::min_element(v.begin(), v.end()) == *std::max_element(v.begin(), v.end()));
  return v;
}

// The same from a stream of its own, seeded with `seed`.
inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  return random_floats(rng, n, lo, hi);
}
// The range before the seed would convert the range's low end to a seed: refused at compile time.
std::vector<float> random_floats(size_t n, float lo, float hi, uint32_t seed) = delete;

// n integers uniform in [lo, hi] stored as T, a fifth of them pinned to lo or hi so the extreme values (and their
// products) always occur.
template <typename T>
std::vector<T> random_ints(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(lo, hi), pick(0, 9);
  std::vector<T> v(n);
  for (T& x : v) {
    const int p = pick(rng);
    x = static_cast<T>(p == 0 ? lo : p == 1 ? hi : value(rng));
  }
  return v;
}

// An output buffer before the kernel runs: an element the kernel never wrote stays NaN and fails any comparison.
inline std::vector<float> nan_filled(size_t n) {
  return std::vector<float>(n, std::numeric_limits<float>::quiet_NaN());
}

}  // namespace qgate::test
