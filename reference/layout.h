// Naive data-movement oracles: one output element at a time, computing its input index from the definition.
#pragma once

#include "kernels/concatenation.h"
#include "kernels/gather.h"
#include "kernels/layout.h"
#include "kernels/pad.h"

namespace qgate::reference {

using kernels::Dims;

void transpose(Dims in_shape, std::span<const int32_t> perm, const void* in, void* out, size_t elem_size);
void slice(Dims in_shape, std::span<const int64_t> begin, std::span<const int64_t> size, const void* in, void* out,
           size_t elem_size);
// Walks the plan's per-dim (start, step, count) directly.
void strided_slice(const kernels::StridedSlicePlan& plan, Dims in_shape, const void* in, void* out,
                   size_t elem_size);
void tile(Dims in_shape, std::span<const int64_t> multiples, const void* in, void* out, size_t elem_size);
void space_to_depth(Dims in_shape, int32_t block, const void* in, void* out, size_t elem_size);
void depth_to_space(Dims in_shape, int32_t block, const void* in, void* out, size_t elem_size);
void pad(Dims in_shape, std::span<const int64_t> before, std::span<const int64_t> after, const void* in,
         const void* pad_value, void* out, size_t elem_size);
// By repeated folding: a coordinate outside the input is reflected (or clamped, for edge) one step at a time.
void pad_mirror(kernels::MirrorMode mode, Dims in_shape, std::span<const int64_t> before,
                std::span<const int64_t> after, const void* in, void* out, size_t elem_size);
void concatenation(std::span<const void* const> inputs, std::span<const int64_t> axis_sizes, int64_t outer,
                   int64_t inner, void* out, size_t elem_size);
void split(const void* in, std::span<const int64_t> axis_sizes, int64_t outer, int64_t inner,
           std::span<void* const> outputs, size_t elem_size);
int64_t gather(const void* params, const int32_t* idx32, const int64_t* idx64, int64_t batch, int64_t outer,
               int64_t axis_size, int64_t coords, int64_t inner, void* out, size_t elem_size,
               bool wrap_negative = false);

}  // namespace qgate::reference
