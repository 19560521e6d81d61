// Helpers shared by op wrappers: reading constant shape operands, normalising axes, activation attributes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/op.h"
#include "kernels/activation.h"
#include "kernels/pool.h"

namespace qgate::ops {

// Values of input i, which must be present, constant and int32 or int64 (shape operands: new shapes, axes,
// paddings, perms). `what` names the operand in the error, e.g. "perm".
std::vector<int64_t> const_ints(const OpContext& ctx, size_t i, const std::string& what);

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
