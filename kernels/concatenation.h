// Concatenation and split along one axis, for any dtype. A tensor is viewed as [outer, axis * inner], where
// outer is the product of the dims before the axis and inner the product of those after it; each outer row is
// then one memcpy per input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qgate::kernels {

// Input i is [outer, axis_sizes[i], inner]; out is [outer, sum(axis_sizes), inner].
void concatenation(std::span<const void* const> inputs, std::span<const int64_t> axis_sizes, int64_t outer,
                   int64_t inner, void* out, size_t elem_size);

// The inverse: output i receives [outer, axis_sizes[i], inner] from in = [outer, sum(axis_sizes), inner].
void split(const void* in, std::span<const int64_t> axis_sizes, int64_t outer, int64_t inner,
           std::span<void* const> outputs, size_t elem_size);

}  // namespace qgate::kernels
