// Constant padding of a tensor of any dtype (TFLite PAD / PADV2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qgate::kernels {

// out.shape[k] = before[k] + in.shape[k] + after[k] (all non-negative); cells outside the copied input hold
// *pad_value (elem_size bytes). Rows are split over threads for large tensors.
void pad(std::span<const int32_t> in_shape, std::span<const int64_t> before, std::span<const int64_t> after,
         const void* in, const void* pad_value, void* out, size_t elem_size);

}  // namespace qgate::kernels
