// SELECT_V2 (ONNX Where): out = cond ? x : y with numpy broadcasting of all three inputs, any element type.
// make_select_shape() runs once at prepare; select() walks the output with one running offset per input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/binary.h"

namespace qgate::kernels {

struct SelectShape {
  // Output dims right-aligned and padded with leading 1s to kMaxBroadcastRank; element strides of each input
  // over them (0 where that input broadcasts).
  std::array<int64_t, kMaxBroadcastRank> dims{}, cond_strides{}, x_strides{}, y_strides{};
  int64_t out_elements = 0;
};

// Returns false when a dim of the three shapes differs from the others and is not 1, or a rank exceeds
// kMaxBroadcastRank. `out_shape` / `out_rank` receive the broadcast shape (rank = the largest input rank).
bool make_select_shape(std::span<const int32_t> cond, std::span<const int32_t> x, std::span<const int32_t> y,
                       SelectShape* out, std::array<int32_t, kMaxBroadcastRank>* out_shape, int* out_rank);

// cond is bool (any nonzero byte selects x); x, y and out hold elements of elem_size bytes.
void select(const SelectShape& s, const uint8_t* cond, const void* x, const void* y, void* out, size_t elem_size);

}  // namespace qgate::kernels
