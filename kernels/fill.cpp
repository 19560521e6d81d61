#include "kernels/fill.h"

#include <cmath>
#include <cstring>

namespace qgate::kernels {

void fill(const void* value, void* out, int64_t n, size_t elem_size) {
  auto* o = static_cast<unsigned char*>(out);
  for (int64_t i = 0; i < n; ++i) std::memcpy(o + i * elem_size, value, elem_size);
}

int64_t range_count_float(float start, float limit, float delta) {
  const double c = std::ceil((static_cast<double>(limit) - start) / delta);
  return c > 0 ? static_cast<int64_t>(c) : 0;
}

int64_t range_count_int(int64_t start, int64_t limit, int64_t delta) {
  // ceil((limit - start) / delta) with integer division, rounding away from zero toward +inf for the count.
  const int64_t span = limit - start;
  if (span == 0 || (span > 0) != (delta > 0)) return 0;
  return (span + delta - (delta > 0 ? 1 : -1)) / delta;
}

void range_float(float start, float delta, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = start + static_cast<float>(i) * delta;
}

void range_int32(int32_t start, int32_t delta, int32_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(start + i * delta);
}

void range_int64(int64_t start, int64_t delta, int64_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = start + i * delta;
}

}  // namespace qgate::kernels
