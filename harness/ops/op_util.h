// Helpers shared by op wrappers: reading constant shape operands, normalising axes, activation attributes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/op.h"
#include "kernels/activation.h"
#include "kernels/pool.h"

namespace qgate::ops {

// Values of input i, which must be present, int32 or int64 and known at prepare: a constant, or computed at
// prepare from the input shapes (shape operands: new shapes, axes, paddings, perms). `what` names the operand in
// the error, e.g. "perm".
std::vector<int64_t> const_ints(const OpContext& ctx, size_t i, const std::string& what);
// The same, but in shape inference (ctx.symbolic) nullopt when the values are known only later.
std::optional<std::vector<int64_t>> known_ints(const OpContext& ctx, size_t i, const std::string& what);
// True when input i's data can be read in this prepare: a constant, or (outside shape inference) computed at
// prepare.
bool value_known(const OpContext& ctx, size_t i);

// A dimension computed from symbolic ones (core/tensor.h): kUnknownDim when `d` < 0, else `value`.
inline int32_t derived_dim(int64_t d, int64_t value) { return d < 0 ? kUnknownDim : static_cast<int32_t>(value); }
// True when two dimensions may be equal: either is symbolic, or they are.
inline bool dims_may_match(int32_t a, int32_t b) { return a < 0 || b < 0 || a == b; }
// Numpy broadcasting of two dimensions in shape inference: a 1 takes the other; a symbolic one takes a concrete
// size > 1 (they must match when known) or stays symbolic.
inline int32_t broadcast_dim(int32_t a, int32_t b) {
  if (a == 1) return b;
  if (b == 1) return a;
  if (a < 0) return b > 1 ? b : a;
  return a;
}
// The broadcast shape of a and b (right-aligned) in shape inference.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Output shape of a RESHAPE-like op in shape inference: `want` with -1 as the inferred dimension. Returns the
// inferred dim as kUnknownDim when the input's count is symbolic.
Shape infer_reshape(const Shape& in, const std::vector<int64_t>& want);

// axis in [-rank, rank) -> [0, rank); fails naming `what` otherwise.
int normalize_axis(const OpContext& ctx, int64_t axis, int rank, const std::string& what);

// fused_activation_function, which must be a clamp (NONE, RELU, RELU_N1_TO_1, RELU6) for these ops.
kernels::Activation clamp_activation(const OpContext& ctx);

// Dims of a rank-4 shape.
kernels::Nhwc nhwc(const Shape& s);

// Whether the node computes with LiteRT's CPU arithmetic (qgate_arithmetic "litert-cpu", harness/ptq.h); fails on
// any other value.
bool litert_cpu(const OpContext& ctx);

// Bytes per element of a tensor's dtype.
inline size_t elem_size(const Tensor& t) { return dtype_size(t.dtype); }

}  // namespace qgate::ops
