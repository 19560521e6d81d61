// ONE_HOT (ONNX OneHot): indices viewed as [outer, inner] around the new axis; out is [outer, depth, inner].
#pragma once

#include <cstddef>
#include <cstdint>

namespace qgate::kernels {

// out[o, d, i] = on if indices[o, i] == d (an index in [-depth, 0) counts from the end), else off; an index
// outside [-depth, depth) gives a line of off. on and off point at one element of elem_size bytes.
void one_hot(const int64_t* indices, int64_t outer, int64_t depth, int64_t inner, const void* on, const void* off,
             void* out, size_t elem_size);

}  // namespace qgate::kernels
