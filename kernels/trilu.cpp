#include "kernels/trilu.h"

#include <algorithm>
#include <cstring>

namespace qgate::kernels {

void trilu(const void* in, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper, void* out,
           size_t elem_size) {
  const auto* src = static_cast<const unsigned char*>(in);
  auto* dst = static_cast<unsigned char*>(out);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < rows; ++r) {
      // Row r keeps the columns [r + k, cols) (upper) or [0, r + k] (lower): one contiguous run.
      const int64_t first = upper ? std::clamp<int64_t>(r + k, 0, cols) : 0;
      const int64_t end = upper ? cols : std::clamp<int64_t>(r + k + 1, 0, cols);
      const size_t row = static_cast<size_t>((b * rows + r) * cols) * elem_size;
      std::memset(dst + row, 0, static_cast<size_t>(cols) * elem_size);
      if (end > first)
        std::memcpy(dst + row + first * elem_size, src + row + first * elem_size,
                    static_cast<size_t>(end - first) * elem_size);
    }
}

}  // namespace qgate::kernels
