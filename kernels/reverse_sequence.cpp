#include "kernels/reverse_sequence.h"

#include <algorithm>
#include <cstring>

namespace qgate::kernels {

void reverse_sequence(const void* in, int64_t dim0, int64_t dim1, int64_t inner, bool time_first,
                      const int64_t* seq_lens, void* out, size_t elem_size) {
  const auto* src = static_cast<const unsigned char*>(in);
  auto* dst = static_cast<unsigned char*>(out);
  const int64_t steps = time_first ? dim0 : dim1;
  const size_t run = static_cast<size_t>(inner) * elem_size;  // one (time, batch) entry: contiguous
  for (int64_t i0 = 0; i0 < dim0; ++i0)
    for (int64_t i1 = 0; i1 < dim1; ++i1) {
      const int64_t t = time_first ? i0 : i1, b = time_first ? i1 : i0;
      const int64_t len = std::clamp<int64_t>(seq_lens[b], 0, steps);
      const int64_t from = t < len ? len - 1 - t : t;
      const int64_t s0 = time_first ? from : i0, s1 = time_first ? i1 : from;
      std::memcpy(dst + static_cast<size_t>(i0 * dim1 + i1) * run, src + static_cast<size_t>(s0 * dim1 + s1) * run,
                  run);
    }
}

}  // namespace qgate::kernels
