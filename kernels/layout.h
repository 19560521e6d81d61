// Data-movement kernels that copy a strided view of one tensor into a dense output: transpose, slice,
// strided_slice, tile, space_to_depth, depth_to_space. They move raw elements of `elem_size` bytes, so they
// work for every dtype (shape computations use int32 tensors). Row-major layout throughout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace qgate::kernels {

using Dims = std::span<const int32_t>;

// out[i_0, ..., i_{r-1}] = in[sum_k i_k * in_strides[k]] for every index of the dense `out_dims`. Strides are in
// elements and may be zero or negative; `in` points at the view's first element. Dims that are contiguous in
// both are merged, an innermost stride of 1 becomes memcpy, and large copies split their rows over threads.
void copy_strided(std::span<const int64_t> out_dims, std::span<const int64_t> in_strides, const void* in, void* out,
                  size_t elem_size);

// out.shape[i] = in.shape[perm[i]]. perm must be a permutation of [0, rank).
void transpose(Dims in_shape, std::span<const int32_t> perm, const void* in, void* out, size_t elem_size);

// out = in[begin[k] : begin[k] + size[k]] per dim; begin and size must already be resolved and in range.
void slice(Dims in_shape, std::span<const int64_t> begin, std::span<const int64_t> size, const void* in, void* out,
           size_t elem_size);

// TFLite StridedSlice: one begin/end/stride per spec entry, with bit i of each mask referring to entry i.
struct StridedSliceParams {
  std::vector<int64_t> begin, end, strides;
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;  // end is relative to begin: end_k := begin_k + end_k before masks and clamping
};

// The resolved slice: per input dim the first index, the step and the count; and the final output shape
// (new axes inserted, shrunk axes removed; the element order is the same either way).
struct StridedSlicePlan {
  std::vector<int64_t> start, step, count;
  std::vector<int32_t> out_shape;
  std::string error;  // non-empty when the spec is invalid for this input shape
};

// Resolution rules (TF/TFLite): an entry with its ellipsis bit covers as many input dims as the entries that do
// not consume one (ellipsis, new axis) leave over; input dims after the last entry are taken whole. An entry
// with its new_axis bit adds a size-1 output dim and consumes no input dim. Otherwise, for input dim size d and
// stride s != 0: start = begin_mask ? (s > 0 ? 0 : d - 1) : begin, + d if negative, clamped to [0, d] (s > 0) or
// [-1, d - 1] (s < 0); stop likewise from end (end_mask: past the end in the stride's direction); count =
// max(0, ceil((stop - start) / s)). With the shrink bit the dim is start alone (which must be in [0, d)) and
// is dropped from the output shape.
StridedSlicePlan plan_strided_slice(const StridedSliceParams& p, Dims in_shape);
void strided_slice(const StridedSlicePlan& plan, Dims in_shape, const void* in, void* out, size_t elem_size);

// out.shape[k] = in.shape[k] * multiples[k].
void tile(Dims in_shape, std::span<const int64_t> multiples, const void* in, void* out, size_t elem_size);

// NHWC. space_to_depth: out[b, y, x, (dy * bs + dx) * C + c] = in[b, y * bs + dy, x * bs + dx, c].
// depth_to_space is its inverse: out[b, y * bs + dy, x * bs + dx, c] = in[b, y, x, (dy * bs + dx) * C_out + c].
void space_to_depth(Dims in_shape, int32_t block, const void* in, void* out, size_t elem_size);
void depth_to_space(Dims in_shape, int32_t block, const void* in, void* out, size_t elem_size);

// Row-major strides (in elements) of a shape.
std::vector<int64_t> dense_strides(Dims shape);

}  // namespace qgate::kernels
