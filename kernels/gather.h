// TFLite GATHER for any params dtype, int32 or int64 indices.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qgate::kernels {

// params is viewed as [batch, outer, axis_size, inner], indices as [batch, coords], out as
// [batch, outer, coords, inner]: out[b, o, i, :] = params[b, o, indices[b, i], :]. Exactly one of idx32 /
// idx64 is non-null. An index outside [0, axis_size) writes zeros for its slice (TFLite reports an error
// instead; the op wrapper rejects such indices when they are constant). Returns the number of out-of-range
// indices met. wrap_negative: an index in [-axis_size, 0) counts from the end (ONNX Gather semantics).
int64_t gather(const void* params, const int32_t* idx32, const int64_t* idx64, int64_t batch, int64_t outer,
               int64_t axis_size, int64_t coords, int64_t inner, void* out, size_t elem_size,
               bool wrap_negative = false);

}  // namespace qgate::kernels
