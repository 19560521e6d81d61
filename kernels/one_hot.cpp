#include "kernels/one_hot.h"

#include <cstring>

namespace qgate::kernels {

void one_hot(const int64_t* indices, int64_t outer, int64_t depth, int64_t inner, const void* on, const void* off,
             void* out, size_t elem_size) {
  auto* o = static_cast<unsigned char*>(out);
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t k = indices[a * inner + i];
      if (k < 0) k += depth;
      for (int64_t d = 0; d < depth; ++d)
        std::memcpy(o + ((a * depth + d) * inner + i) * elem_size, d == k ? on : off, elem_size);
    }
}

}  // namespace qgate::kernels
