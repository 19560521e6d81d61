#include "harness/ops/op_util.h"

#include <algorithm>

#include <fmt/format.h>

#include "harness/ptq.h"

namespace qgate::ops {

bool value_known(const OpContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return false;
  const Tensor& t = ctx.in(i);
  return t.is_constant || (!ctx.symbolic && t.computed_at_prepare);
}

std::optional<std::vector<int64_t>> known_ints(const OpContext& ctx, size_t i, const std::string& what) {
  if (ctx.symbolic && ctx.has_input(i) && !value_known(ctx, i)) {
    const Tensor& t = ctx.in(i);
    if (t.dtype != DType::i32 && t.dtype != DType::i64)
      ctx.fail(fmt::format("input {} ({}, '{}') is {}, expected int32 or int64", i, what, t.name, dtype_name(t.dtype)));
    return std::nullopt;
  }
  return const_ints(ctx, i, what);
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    const int32_t da = k + a.size() >= rank ? a[k + a.size() - rank] : 1;
    const int32_t db = k + b.size() >= rank ? b[k + b.size() - rank] : 1;
    out[k] = broadcast_dim(da, db);
  }
  return out;
}

Shape infer_reshape(const Shape& in, const std::vector<int64_t>& want) {
  Shape out(want.size());
  int infer = -1;
  int64_t known = 1;
  for (size_t k = 0; k < want.size(); ++k) {
    if (want[k] == -1) infer = static_cast<int>(k);
    else known *= want[k];
    out[k] = static_cast<int32_t>(want[k]);
  }
  if (infer >= 0) {
    const int64_t n = shape_elements(in);
    out[infer] = n < 0 || known == 0 ? kUnknownDim : static_cast<int32_t>(n / known);
  }
  return out;
}

std::vector<int64_t> const_ints(const OpContext& ctx, size_t i, const std::string& what) {
  if (!ctx.has_input(i)) ctx.fail(fmt::format("input {} ({}) is required but absent", i, what));
  const Tensor& t = ctx.in(i);
  if (t.dtype != DType::i32 && t.dtype != DType::i64)
    ctx.fail(fmt::format("input {} ({}, '{}') is {}, expected int32 or int64", i, what, t.name, dtype_name(t.dtype)));
  if (!value_known(ctx, i))
    ctx.fail(fmt::format("input {} ({}, '{}') is computed at run time; qgate needs it constant to fix shapes at "
                         "prepare time",
                         i, what, t.name));
  std::vector<int64_t> v(static_cast<size_t>(t.elements()));
  for (size_t k = 0; k < v.size(); ++k) v[k] = t.dtype == DType::i32 ? int64_t{t.as<int32_t>()[k]} : t.as<int64_t>()[k];
  return v;
}

int normalize_axis(const OpContext& ctx, int64_t axis, int rank, const std::string& what) {
  if (axis < -rank || axis >= rank)
    ctx.fail(fmt::format("{} {} is out of range for rank {} (must be in [{}, {}])", what, axis, rank, -rank, rank - 1));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

kernels::Activation clamp_activation(const OpContext& ctx) {
  const int64_t a = ctx.node.attrs.get_int("fused_activation_function", 0);
  if (a < 0 || a > 3)
    ctx.fail(fmt::format("fused_activation_function {} is not supported here (expected NONE=0, RELU=1, "
                         "RELU_N1_TO_1=2 or RELU6=3)",
                         a));
  return static_cast<kernels::Activation>(a);
}

kernels::Nhwc nhwc(const Shape& s) { return {s.at(0), s.at(1), s.at(2), s.at(3)}; }

bool litert_cpu(const OpContext& ctx) {
  const std::string v = ctx.node.attrs.get_string(kArithmeticAttr, "");
  if (!v.empty() && v != "litert-cpu") ctx.fail(fmt::format("{} is '{}', expected 'litert-cpu' or absent", kArithmeticAttr, v));
  return v == "litert-cpu";
}

}  // namespace qgate::ops
