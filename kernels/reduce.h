// Reductions over a set of axes (TFLite MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD). Sums accumulate in double, in input order, so
// every path gives the same result; mean divides the double sum by the count.
//
// make_reduce_shape() runs in prepare(): it drops size-1 dims and merges neighbouring dims that are both kept
// or both reduced. When the reduced dims form one block the input reads as [outer, reduced, inner] (mean over
// H and W of NHWC: [N, H*W, C]) and the fast path accumulates whole rows of `inner` at once.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "kernels/cpu_features.h"

namespace qgate::kernels {

constexpr int kMaxReduceRank = 8;

enum class ReduceOp : uint8_t { sum, mean, max, min, prod };

struct ReduceShape {
  // The shape and axes as given (the reference twin walks these).
  int input_rank = 0;
  std::array<int64_t, kMaxReduceRank> input_dims{};
  uint32_t axis_mask = 0;
  // Collapsed dims, outermost first; reduced[d] says whether dim d is reduced.
  int rank = 0;
  std::array<int64_t, kMaxReduceRank> dims{};
  std::array<bool, kMaxReduceRank> reduced{};
  // Set when the reduced dims are one block: input = [outer, count, inner].
  bool one_block = false;
  int64_t outer = 1, inner = 1;
  int64_t count = 1;          // elements reduced into each output
  int64_t out_elements = 1;
};

// `axis_mask` bit d set = reduce input dim d. Returns false when the rank exceeds kMaxReduceRank.
bool make_reduce_shape(std::span<const int32_t> dims, uint32_t axis_mask, ReduceShape* out);

// Over an empty reduction (count 0): sum 0, mean NaN, max the lowest float (TFLite's initial value), min the
// largest float, prod 1. min and prod (ONNX ReduceMin, ReduceProd; TFLite REDUCE_MIN, REDUCE_PROD) take the
// portable odometer walk on every path (prod multiplies in double, in input order).
void reduce_float(ReduceOp op, const ReduceShape& s, const float* in, float* out,
                  SimdPath path = SimdPath::automatic);

namespace detail {
// acc[j] += sum over r < rows of in[r * stride + j], j < width, rows in order (double accumulators).
void sum_columns_portable(const float* in, int64_t rows, int64_t stride, int64_t width, double* acc);
void sum_columns_avx2(const float* in, int64_t rows, int64_t stride, int64_t width, double* acc);
// acc[j] = max(acc[j], in[r * stride + j]) over r < rows.
void max_columns_portable(const float* in, int64_t rows, int64_t stride, int64_t width, float* acc);
void max_columns_avx2(const float* in, int64_t rows, int64_t stride, int64_t width, float* acc);
}  // namespace detail

}  // namespace qgate::kernels
