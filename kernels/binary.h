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
  prelu,      // a >= 0 ? a : a * b (b is alpha)
  floor_mod,  // the remainder with the sign of b (Python's %, TFLite FLOOR_MOD, ONNX Mod with fmod 0)
  trunc_mod,  // the remainder with the sign of a (C's fmod and %, ONNX Mod with fmod 1)
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

// Integer arithmetic: add, sub, mul, div (truncating toward zero), maximum, minimum, pow (b >= 0 by repeated
// squaring; b < 0 gives the truncated 1 / a^-b: 1 for a = 1, +-1 for a = -1, else 0), floor_mod, trunc_mod.
// Wrap-around on overflow; a division or remainder by zero gives 0 (the op wrappers reject constant zero
// divisors); clamping activations clamp to their integer bounds. squared_difference and prelu write nothing.
void binary_int32(BinaryOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, int32_t* out,
                  Activation act);
void binary_int64(BinaryOp op, const BroadcastShape& s, const int64_t* a, const int64_t* b, int64_t* out);

// Walks the collapsed dims of `s` for output elements [begin, end), calling
// row(a_offset, a_step, b_offset, b_step, out_offset, n) for each stretch of the innermost dim (steps 0 or 1).
// Shared by the elementwise kernels over a BroadcastShape (binary, compare, logical).
template <typename RowFn>
void for_each_broadcast_row(const BroadcastShape& s, int64_t begin, int64_t end, RowFn&& row) {
  const int r = s.rank;
  const int64_t inner = s.dims[r - 1];
  const int a_step = static_cast<int>(s.a_strides[r - 1]);
  const int b_step = static_cast<int>(s.b_strides[r - 1]);
  int64_t pos = begin;
  while (pos < end) {
    // Decompose pos into an index over the outer dims and an offset inside the row.
    int64_t rem = pos / inner;
    const int64_t col = pos - rem * inner;
    int64_t a_off = col * a_step, b_off = col * b_step;
    for (int d = r - 2; d >= 0; --d) {
      const int64_t i = rem % s.dims[d];
      rem /= s.dims[d];
      a_off += i * s.a_strides[d];
      b_off += i * s.b_strides[d];
    }
    const int64_t n = inner - col < end - pos ? inner - col : end - pos;
    row(a_off, a_step, b_off, b_step, pos, n);
    pos += n;
  }
}

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
