// Ops along one axis: ARG_MAX, ARG_MIN (inputs x, axis; attrs keep_dims (qgate, default 0: the axis is removed,
// as TFLite does), select_last_index; output int32 or int64 as the output tensor is typed), TOPK_V2 (inputs x,
// k; attrs axis (default -1: TFLite's last axis), largest (default 1); outputs values and int32 or int64
// indices), CUMSUM (inputs x, axis; attrs exclusive, reverse), HARDMAX (attr axis: 1 at the first maximum of
// every line, 0 elsewhere).
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/arg_minmax.h"
#include "kernels/cumsum.h"
#include "kernels/one_hot.h"
#include "kernels/topk.h"

namespace qgate::ops {

namespace {

kernels::AxisShape axis_shape(const Shape& s, int axis) {
  kernels::AxisShape a;
  for (int k = 0; k < axis; ++k) a.outer *= s[k];
  a.axis = s[axis];
  for (size_t k = axis + 1; k < s.size(); ++k) a.inner *= s[k];
  return a;
}

// The axis from constant input i (a scalar or one-element tensor).
int axis_input(const OpContext& ctx, size_t i, int rank) {
  const std::vector<int64_t> v = const_ints(ctx, i, "axis");
  if (v.size() != 1) ctx.fail(fmt::format("axis input holds {} values, expected 1", v.size()));
  return normalize_axis(ctx, v[0], rank, "axis");
}

template <kernels::ArgOp A>
class ArgMinMaxOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    if (x.dtype != DType::f32 && x.dtype != DType::i32 && x.dtype != DType::i64)
      ctx.fail(fmt::format("input '{}' is {}, expected float32, int32 or int64", x.name, dtype_name(x.dtype)));
    if (x.shape.empty()) ctx.fail("input is a scalar");
    const int axis = axis_input(ctx, 1, static_cast<int>(x.shape.size()));
    shape_ = axis_shape(x.shape, axis);
    if (shape_.axis == 0) ctx.fail(fmt::format("axis {} of {} is empty", axis, shape_string(x.shape)));
    last_ = ctx.node.attrs.get_bool("select_last_index", false);
    Tensor& out = ctx.out(0);
    if (out.dtype != DType::i32 && out.dtype != DType::i64)
      ctx.fail(fmt::format("output '{}' is {}, expected int32 or int64", out.name, dtype_name(out.dtype)));
    out.shape = x.shape;
    if (ctx.node.attrs.get_bool("keep_dims", false)) out.shape[axis] = 1;
    else out.shape.erase(out.shape.begin() + axis);
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& out = ctx.out(0);
    int64_t* o64 = out.dtype == DType::i64 ? out.as<int64_t>() : nullptr;
    int32_t* o32 = out.dtype == DType::i32 ? out.as<int32_t>() : nullptr;
    switch (x.dtype) {
      case DType::f32: kernels::arg_minmax(A, shape_, x.as<float>(), last_, o64, o32); break;
      case DType::i32: kernels::arg_minmax(A, shape_, x.as<int32_t>(), last_, o64, o32); break;
      default: kernels::arg_minmax(A, shape_, x.as<int64_t>(), last_, o64, o32); break;
    }
  }

 private:
  kernels::AxisShape shape_;
  bool last_ = false;
};

class TopKOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 2);
    const Tensor& x = ctx.in(0);
    if (x.dtype != DType::f32 && x.dtype != DType::i64)
      ctx.fail(fmt::format("input '{}' is {}, expected float32 or int64", x.name, dtype_name(x.dtype)));
    if (x.shape.empty()) ctx.fail("input is a scalar");
    const int rank = static_cast<int>(x.shape.size());
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", -1), rank, "axis");
    const std::vector<int64_t> k = const_ints(ctx, 1, "k");
    if (k.size() != 1 || k[0] < 0 || k[0] > x.shape[axis])
      ctx.fail(fmt::format("k [{}] must be one value in [0, {}] (the size of axis {})", fmt::join(k, ","),
                           x.shape[axis], axis));
    k_ = k[0];
    largest_ = ctx.node.attrs.get_bool("largest", true);
    shape_ = axis_shape(x.shape, axis);
    Tensor& idx = ctx.out(1);
    if (idx.dtype != DType::i32 && idx.dtype != DType::i64)
      ctx.fail(fmt::format("indices output '{}' is {}, expected int32 or int64", idx.name, dtype_name(idx.dtype)));
    Shape out = x.shape;
    out[axis] = static_cast<int32_t>(k_);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
    idx.shape = out;
    scratch_.resize(static_cast<size_t>(shape_.axis));
    indices64_.resize(idx.dtype == DType::i32 ? static_cast<size_t>(shape_elements(out)) : 0);
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& idx = ctx.out(1);
    int64_t* indices = idx.dtype == DType::i64 ? idx.as<int64_t>() : indices64_.data();
    if (x.dtype == DType::f32)
      kernels::topk(shape_, k_, largest_, x.as<float>(), ctx.out(0).as<float>(), indices, scratch_.data());
    else
      kernels::topk(shape_, k_, largest_, x.as<int64_t>(), ctx.out(0).as<int64_t>(), indices, scratch_.data());
    if (idx.dtype == DType::i32)
      for (size_t i = 0; i < indices64_.size(); ++i) idx.as<int32_t>()[i] = static_cast<int32_t>(indices64_[i]);
  }

 private:
  kernels::AxisShape shape_;
  int64_t k_ = 1;
  bool largest_ = true;
  std::vector<int64_t> scratch_, indices64_;
};

class CumSumOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    if (x.dtype != DType::f32 && x.dtype != DType::i32 && x.dtype != DType::i64)
      ctx.fail(fmt::format("input '{}' is {}, expected float32, int32 or int64", x.name, dtype_name(x.dtype)));
    if (x.shape.empty()) ctx.fail("input is a scalar");
    shape_ = axis_shape(x.shape, axis_input(ctx, 1, static_cast<int>(x.shape.size())));
    exclusive_ = ctx.node.attrs.get_bool("exclusive", false);
    reverse_ = ctx.node.attrs.get_bool("reverse", false);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    switch (x.dtype) {
      case DType::f32: kernels::cumsum(shape_, exclusive_, reverse_, x.as<float>(), y.as<float>()); break;
      case DType::i32: kernels::cumsum(shape_, exclusive_, reverse_, x.as<int32_t>(), y.as<int32_t>()); break;
      default: kernels::cumsum(shape_, exclusive_, reverse_, x.as<int64_t>(), y.as<int64_t>()); break;
    }
  }

 private:
  kernels::AxisShape shape_;
  bool exclusive_ = false, reverse_ = false;
};

// 1 at the position of the first maximum along the axis, 0 elsewhere: the maximum's position (arg_minmax), then
// its one-hot line (one_hot over the same [outer, axis, inner] view).
class HardmaxOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    if (x.shape.empty()) ctx.fail("input is a scalar");
    const int rank = static_cast<int>(x.shape.size());
    shape_ = axis_shape(x.shape, normalize_axis(ctx, ctx.node.attrs.get_int("axis", -1), rank, "axis"));
    positions_.resize(static_cast<size_t>(shape_.outer * shape_.inner));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    if (shape_.axis == 0) return;
    kernels::arg_minmax(kernels::ArgOp::max, shape_, ctx.in(0).as<float>(), false, positions_.data(), nullptr);
    const float one = 1.0f, zero = 0.0f;
    kernels::one_hot(positions_.data(), shape_.outer, shape_.axis, shape_.inner, &one, &zero, ctx.out(0).as<float>(),
                     sizeof(float));
  }

 private:
  kernels::AxisShape shape_;
  std::vector<int64_t> positions_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::arg_max, ArgMinMaxOp<kernels::ArgOp::max>);
QGATE_REGISTER_OP(OpType::arg_min, ArgMinMaxOp<kernels::ArgOp::min>);
QGATE_REGISTER_OP(OpType::topk_v2, TopKOp);
QGATE_REGISTER_OP(OpType::cumsum, CumSumOp);
QGATE_REGISTER_OP(OpType::hardmax, HardmaxOp);

}  // namespace qgate::ops
