// GATHER_ND and ScatterND (ONNX): indexing by coordinate tuples. The last dim of `indices` holds q coordinates
// into the leading dims of data (after batch_dims shared leading dims); each tuple picks a slice of the
// remaining dims.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/gather_elements.h"

namespace qgate::kernels {

// Geometry, computed once at prepare: batch = product of the batch_dims leading dims (shared by data and
// indices), tuples = index tuples per batch, q = coordinates per tuple, slice = elements per picked slice,
// coord_dims = the q data dims the coordinates index, data_batch_stride = data elements per batch.
struct GatherNdShape {
  int64_t batch = 1, tuples = 1, slice = 1, data_batch_stride = 1;
  int q = 0;
  int32_t coord_dims[8] = {};
};

// The geometry of data and indices shapes with batch_dims shared leading dims; out_shape receives the gather's
// output shape (indices' dims but the last, then data's dims after batch_dims + q). An empty string on success,
// else the rule the shapes break.
std::string make_gather_nd_shape(std::span<const int32_t> data_shape, std::span<const int32_t> index_shape,
                                 int batch_dims, GatherNdShape* s, std::vector<int32_t>* out_shape);

// out[b, t, :] = data[b, indices[b, t, 0], ..., indices[b, t, q - 1], :]. Negative coordinates count from the end;
// a tuple out of range writes zeros. Returns the number of such tuples.
int64_t gather_nd(const GatherNdShape& s, const void* data, const int64_t* indices, void* out, size_t elem_size);

// out starts as a copy of data (batch = 1 in ONNX's ScatterND); then, tuple by tuple in order, the slice it picks
// is set to (or has added or multiplied in) the tuple's slice of updates. Out-of-range tuples are skipped and
// counted.
int64_t scatter_nd(const GatherNdShape& s, const float* data, const int64_t* indices, const float* updates,
                   ScatterReduction reduction, float* out);
int64_t scatter_nd(const GatherNdShape& s, const int64_t* data, const int64_t* indices, const int64_t* updates,
                   ScatterReduction reduction, int64_t* out);

}  // namespace qgate::kernels
