#include "reference/fill.h"

namespace qgate::reference {

void fill(const void* value, void* out, int64_t n, size_t elem_size) {
  for (int64_t i = 0; i < n; ++i)
    for (size_t b = 0; b < elem_size; ++b)
      static_cast<unsigned char*>(out)[i * elem_size + b] = static_cast<const unsigned char*>(value)[b];
}

int64_t range_count_float(float start, float limit, float delta) {
  int64_t n = 0;
  for (double v = start; delta > 0 ? v < limit : v > limit; v = start + static_cast<double>(n) * delta) ++n;
  return n;
}

int64_t range_count_int(int64_t start, int64_t limit, int64_t delta) {
  int64_t n = 0;
  for (int64_t v = start; delta > 0 ? v < limit : v > limit; v += delta) ++n;
  return n;
}

void range_float(float start, float delta, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(start + static_cast<double>(i) * delta);
}

void range_int64(int64_t start, int64_t delta, int64_t* out, int64_t n) {
  int64_t v = start;
  for (int64_t i = 0; i < n; ++i, v += delta) out[i] = v;
}

}  // namespace qgate::reference
