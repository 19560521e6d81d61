#include "kernels/topk.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace qgate::kernels {

namespace {

// a before b in the "largest first" order: NaN above every number.
template <typename T>
bool above(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
  }
  return a > b;
}

template <typename T>
void topk_lines(const AxisShape& s, int64_t k, bool largest, const T* in, T* values, int64_t* indices,
                int64_t* scratch) {
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* line = in + o * s.axis * s.inner + i;
      for (int64_t j = 0; j < s.axis; ++j) scratch[j] = j;
      // Ties go to the lower position: the order is (value, then position), a strict weak order.
      const auto before = [&](int64_t a, int64_t b) {
        const T va = line[a * s.inner], vb = line[b * s.inner];
        if (largest ? above(va, vb) : above(vb, va)) return true;
        if (largest ? above(vb, va) : above(va, vb)) return false;
        return a < b;
      };
      std::partial_sort(scratch, scratch + k, scratch + s.axis, before);
      for (int64_t j = 0; j < k; ++j) {
        const int64_t at = (o * k + j) * s.inner + i;
        values[at] = line[scratch[j] * s.inner];
        indices[at] = scratch[j];
      }
    }
  }
}

}  // namespace

void topk(const AxisShape& s, int64_t k, bool largest, const float* in, float* values, int64_t* indices,
          int64_t* scratch) {
  topk_lines(s, k, largest, in, values, indices, scratch);
}
void topk(const AxisShape& s, int64_t k, bool largest, const int64_t* in, int64_t* values, int64_t* indices,
          int64_t* scratch) {
  topk_lines(s, k, largest, in, values, indices, scratch);
}

}  // namespace qgate::kernels
