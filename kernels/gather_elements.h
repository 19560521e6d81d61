// GatherElements and ScatterElements (ONNX): element-wise indexing along one axis. data, indices and updates are
// viewed around the axis as [outer, axis, inner]; indices and updates share one shape, which may be smaller than
// data's in every dim (ONNX allows it), so each has its own dims.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qgate::kernels {

enum class ScatterReduction : uint8_t { none, add, mul };

// out has indices' shape: out[p] = data[p with its axis coordinate replaced by indices[p]]. An index in
// [-axis_size, 0) counts from the end; one outside [-axis_size, axis_size) writes zeros (elem_size bytes).
// Returns the number of out-of-range indices. Ranks up to 8.
int64_t gather_elements(std::span<const int32_t> data_shape, const void* data, std::span<const int32_t> index_shape,
                        const int64_t* indices, int axis, void* out, size_t elem_size);

// out (data's shape) starts as a copy of data; then for every position p of indices, in order,
// out[p with its axis coordinate replaced by indices[p]] is set to updates[p] (none), or has it added or
// multiplied in. Out-of-range indices are skipped and counted.
int64_t scatter_elements(std::span<const int32_t> data_shape, const float* data,
                         std::span<const int32_t> index_shape, const int64_t* indices, const float* updates,
                         int axis, ScatterReduction reduction, float* out);
int64_t scatter_elements(std::span<const int32_t> data_shape, const int64_t* data,
                         std::span<const int32_t> index_shape, const int64_t* indices, const int64_t* updates,
                         int axis, ScatterReduction reduction, int64_t* out);

}  // namespace qgate::kernels
