// What the elementwise kernel tests share beyond tests/support: distances in units in the last place.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace qgate::test {

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

}  // namespace qgate::test
