#include "kernels/gather.h"

#include <cstring>

namespace qgate::kernels {

int64_t gather(const void* params, const int32_t* idx32, const int64_t* idx64, int64_t batch, int64_t outer,
               int64_t axis_size, int64_t coords, int64_t inner, void* out, size_t elem_size,
               bool wrap_negative) {
  const size_t slice = static_cast<size_t>(inner) * elem_size;
  const auto* src = static_cast<const std::byte*>(params);
  auto* dst = static_cast<std::byte*>(out);
  int64_t bad = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < outer; ++o) {
      const std::byte* base = src + (b * outer + o) * axis_size * static_cast<int64_t>(slice);
      for (int64_t i = 0; i < coords; ++i, dst += slice) {
        int64_t idx = idx32 ? int64_t{idx32[b * coords + i]} : idx64[b * coords + i];
        if (wrap_negative && idx < 0) idx += axis_size;
        if (idx < 0 || idx >= axis_size) {
          std::memset(dst, 0, slice);
          ++bad;
          continue;
        }
        std::memcpy(dst, base + idx * static_cast<int64_t>(slice), slice);
      }
    }
  return bad;
}

}  // namespace qgate::kernels
