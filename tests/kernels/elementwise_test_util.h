// Helpers shared by the elementwise kernel tests: deterministic inputs, NaN sentinels, ulp distances.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace qgate::testing {

inline std::vector<float> random_floats(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// Output buffers start as NaN so an element the kernel never wrote shows up as a mismatch.
inline std::vector<float> nan_filled(size_t n) { return std::vector<float>(n, std::numeric_limits<float>::quiet_NaN()); }

inline int32_t ordered_bits(float f) {
  int32_t i;
  std::memcpy(&i, &f, 4);
  return i < 0 ? std::numeric_limits<int32_t>::min() - i : i;  // monotonic over the floats, -0 next to +0
}

// Distance in units in the last place; 0 when both are NaN, huge when only one is.
inline int64_t ulp_distance(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<int32_t>::max();
  return std::llabs(static_cast<int64_t>(ordered_bits(a)) - ordered_bits(b));
}

}  // namespace qgate::testing
