#include "kernels/concatenation.h"

#include <algorithm>
#include <cstring>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {
int64_t total_of(std::span<const int64_t> sizes) {
  int64_t t = 0;
  for (int64_t s : sizes) t += s;
  return t;
}
int64_t grain_for(int64_t row_bytes) { return std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, row_bytes)); }
}  // namespace

void concatenation(std::span<const void* const> inputs, std::span<const int64_t> axis_sizes, int64_t outer,
                   int64_t inner, void* out, size_t elem_size) {
  const int64_t row = total_of(axis_sizes) * inner * static_cast<int64_t>(elem_size);
  auto* dst = static_cast<std::byte*>(out);
  parallel_for(outer, grain_for(row), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      std::byte* d = dst + o * row;
      for (size_t i = 0; i < inputs.size(); ++i) {
        const int64_t part = axis_sizes[i] * inner * static_cast<int64_t>(elem_size);
        std::memcpy(d, static_cast<const std::byte*>(inputs[i]) + o * part, static_cast<size_t>(part));
        d += part;
      }
    }
  });
}

void split(const void* in, std::span<const int64_t> axis_sizes, int64_t outer, int64_t inner,
           std::span<void* const> outputs, size_t elem_size) {
  const int64_t row = total_of(axis_sizes) * inner * static_cast<int64_t>(elem_size);
  const auto* src = static_cast<const std::byte*>(in);
  parallel_for(outer, grain_for(row), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      const std::byte* s = src + o * row;
      for (size_t i = 0; i < outputs.size(); ++i) {
        const int64_t part = axis_sizes[i] * inner * static_cast<int64_t>(elem_size);
        std::memcpy(static_cast<std::byte*>(outputs[i]) + o * part, s, static_cast<size_t>(part));
        s += part;
      }
    }
  });
}

}  // namespace qgate::kernels
