// ReverseSequence (ONNX): along the time axis, the first seq_lens[b] steps of every batch entry b in reverse
// order, the steps after them copied as they are. Any element type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qgate::kernels {

// in and out are [dim0, dim1, inner], the time axis and the batch axis being dims 0 and 1 in either order
// (time_first: dim 0 is time). seq_lens holds one length per batch entry; a length outside [0, time steps] is
// clamped to it (the op wrapper refuses such constant lengths).
void reverse_sequence(const void* in, int64_t dim0, int64_t dim1, int64_t inner, bool time_first,
                      const int64_t* seq_lens, void* out, size_t elem_size);

}  // namespace qgate::kernels
