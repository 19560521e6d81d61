// Elementwise binary ops with NumPy-style broadcasting (TFLite ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM,
// SQUARED_DIFFERENCE, POW, PRELU), up to kMaxBroadcastRank dims.
//
// make_broadcast_shape() runs once in prepare(): it aligns the shapes from the right, checks them, and collapses
// adjacent dims that broadcast the same way, so run() walks at most a few loops whose innermost row is one of
// vector op vector, vector op scalar or scalar op vector. Equal shapes, a scalar side and a per-channel vector
// (last dim) all fall out of that as one long row or rows that reuse the same vector.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "kernels/activation.h"
#include "kernels/cpu_features.h"

namespace qgate::kernels {

constexpr int kMaxBroadcastRank = 6;

enum class BinaryOp : uint8_t {
  add, sub, mul, div, maximum, minimum, squared_difference, pow,
  prelu,  // a >= 0 ? a : a * b (b is alpha)
};

struct BroadcastShape {
  // The shapes as given, right-aligned and padded with leading 1s to kMaxBroadcastRank (the reference twin
  // walks these).
  std::array<int64_t, kMaxBroadcastRank> a_dims{}, b_dims{}, out_dims{};
  // Collapsed form used by the fast kernel: `rank` dims (1 <= rank <= kMaxBroadcastRank, the last one
  // innermost) with element strides of a and b (0 on a broadcast dim). The innermost stride is 0 or 1.
  int rank = 1;
  std::array<int64_t, kMaxBroadcastRank> dims{}, a_strides{}, b_strides{};
  int64_t out_elements = 0;
};

// Fills `out` for inputs of shapes a and b (each of rank <= kMaxBroadcastRank). Returns false when a dim pair
// differs and neither is 1, or a rank exceeds kMaxBroadcastRank. `out_shape` receives the broadcast shape
// (rank = max of the two ranks) when non-null.
bool make_broadcast_shape(std::span<const int32_t> a, std::span<const int32_t> b, BroadcastShape* out,
                          std::array<int32_t, kMaxBroadcastRank>* out_shape = nullptr, int* out_rank = nullptr);

// out[i] = act(op(a[ia], b[ib])) over s.out_elements elements. Fused activations are applied in float as
// TFLite does: the clamping ones as min(max(x, lo), hi). Large tensors are split across the thread pool; every
// element is computed the same way whatever the split. `out` must not alias a or b unless shapes are equal.
void binary_float(BinaryOp op, const BroadcastShape& s, const float* a, const float* b, float* out,
                  Activation act, SimdPath path = SimdPath::automatic);

// int32 shape arithmetic: add, sub, mul, maximum, minimum (others are not supported and write nothing).
// Wrap-around on overflow; clamping activations clamp to their integer bounds.
void binary_int32(BinaryOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, int32_t* out,
                  Activation act);

namespace detail {
// One row of n outputs. a_step / b_step are 1 (walk the input) or 0 (repeat its first element).
using BinaryRowFn = void (*)(BinaryOp op, const float* a, int a_step, const float* b, int b_step, float* out,
                             int64_t n, Activation act);
void binary_row_portable(BinaryOp op, const float* a, int a_step, const float* b, int b_step, float* out,
                         int64_t n, Activation act);
void binary_row_avx2(BinaryOp op, const float* a, int a_step, const float* b, int b_step, float* out, int64_t n,
                     Activation act);
}  // namespace detail

}  // namespace qgate::kernels
