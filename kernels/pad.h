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

// MIRROR_PAD (and ONNX Pad's reflect and edge modes): every cell outside the input takes the value of the input
// cell its coordinate maps to, per dim: reflect mirrors about the edge cell (-1 -> 1, d -> d - 2), symmetric
// about the edge itself (-1 -> 0, d -> d - 1), edge clamps (-1 -> 0, d -> d - 1 for every distance); pads longer
// than the dim keep mirroring (ONNX allows them; TFLite's MIRROR_PAD does not). Dims must be at least 1.
enum class MirrorMode : uint8_t { reflect, symmetric, edge };
void pad_mirror(MirrorMode mode, std::span<const int32_t> in_shape, std::span<const int64_t> before,
                std::span<const int64_t> after, const void* in, void* out, size_t elem_size);

}  // namespace qgate::kernels
