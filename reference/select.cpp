#include "reference/select.h"

#include <cstring>

namespace qgate::reference {

void select(const kernels::SelectShape& s, const uint8_t* cond, const void* x, const void* y, void* out,
            size_t elem_size) {
  constexpr int R = kernels::kMaxBroadcastRank;
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t rem = o, c = 0, ix = 0, iy = 0;
    for (int d = R - 1; d >= 0; --d) {
      const int64_t i = rem % s.dims[d];
      rem /= s.dims[d];
      c += i * s.cond_strides[d];
      ix += i * s.x_strides[d];
      iy += i * s.y_strides[d];
    }
    const void* src = cond[c] != 0 ? static_cast<const char*>(x) + ix * elem_size
                                   : static_cast<const char*>(y) + iy * elem_size;
    std::memcpy(static_cast<char*>(out) + o * elem_size, src, elem_size);
  }
}

}  // namespace qgate::reference
