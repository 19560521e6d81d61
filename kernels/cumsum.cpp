#include "kernels/cumsum.h"

namespace qgate::kernels {

namespace {

template <typename T>
void cumsum_lines(const AxisShape& s, bool exclusive, bool reverse, const T* in, T* out) {
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const int64_t base = o * s.axis * s.inner + i;
      T acc = 0;
      for (int64_t step = 0; step < s.axis; ++step) {
        const int64_t j = reverse ? s.axis - 1 - step : step;
        const int64_t at = base + j * s.inner;
        if (exclusive) {
          out[at] = acc;
          acc += in[at];
        } else {
          acc += in[at];
          out[at] = acc;
        }
      }
    }
  }
}

}  // namespace

void cumsum(const AxisShape& s, bool exclusive, bool reverse, const float* in, float* out) {
  cumsum_lines(s, exclusive, reverse, in, out);
}
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const int32_t* in, int32_t* out) {
  cumsum_lines(s, exclusive, reverse, in, out);
}
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const int64_t* in, int64_t* out) {
  cumsum_lines(s, exclusive, reverse, in, out);
}

}  // namespace qgate::kernels
