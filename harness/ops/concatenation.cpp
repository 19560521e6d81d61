// CONCATENATION (with fused activation on float) and PACK, for any dtype.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/concatenation.h"

namespace qgate::ops {

namespace {

int64_t product(const Shape& s, int from, int to) {
  int64_t p = 1;
  for (int k = from; k < to; ++k) p *= s[k];
  return p;
}

class Concatenation : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    if (ctx.inputs.empty()) ctx.fail("has no inputs");
    ctx.expect_arity(ctx.inputs.size(), ctx.inputs.size(), 1);
    const Tensor& first = ctx.in(0);
    const int rank = static_cast<int>(first.shape.size());
    const int64_t axis_attr = ctx.node.attrs.get_int("axis", 0);
    const int axis = normalize_axis(ctx, axis_attr, rank, "axis");
    act_ = kernels::Activation::none;
    if (first.dtype == DType::f32) act_ = clamp_activation(ctx);
    Shape out = first.shape;
    out[axis] = 0;
    sizes_.clear();
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      const Tensor& t = ctx.in(i);
      if (t.dtype != first.dtype)
        ctx.fail(fmt::format("input {} is {}, input 0 is {} (dtypes must match)", i, dtype_name(t.dtype),
                             dtype_name(first.dtype)));
      bool ok = static_cast<int>(t.shape.size()) == rank;
      for (int k = 0; ok && k < rank; ++k) ok = k == axis || dims_may_match(t.shape[k], first.shape[k]);
      if (!ok)
        ctx.fail(fmt::format("concatenation axis {}: input {} has shape {}, input 0 has {} (all dims but the axis "
                             "must match)",
                             axis_attr, i, shape_string(t.shape), shape_string(first.shape)));
      out[axis] = out[axis] < 0 || t.shape[axis] < 0 ? kUnknownDim : out[axis] + t.shape[axis];
      sizes_.push_back(t.shape[axis]);
    }
    if (ctx.symbolic) {
      // A dimension besides the axis: the first input's, or a concrete one where that is symbolic.
      for (size_t i = 1; i < ctx.inputs.size(); ++i)
        for (int k = 0; k < rank; ++k)
          if (k != axis && out[k] < 0 && ctx.in(i).shape[k] >= 0) out[k] = ctx.in(i).shape[k];
      ctx.out(0).dtype = first.dtype;
      ctx.out(0).shape = out;
      return;
    }
    outer_ = product(first.shape, 0, axis);
    inner_ = product(first.shape, axis + 1, rank);
    ptrs_.assign(ctx.inputs.size(), nullptr);
    ctx.out(0).dtype = first.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    for (size_t i = 0; i < ptrs_.size(); ++i) ptrs_[i] = ctx.in(i).data.data();
    kernels::concatenation(ptrs_, sizes_, outer_, inner_, ctx.out(0).data.data(), elem_size(ctx.out(0)));
    if (act_ != kernels::Activation::none)
      kernels::apply_activation(act_, ctx.out(0).as<float>(), ctx.out(0).elements());
  }

 private:
  std::vector<const void*> ptrs_;
  std::vector<int64_t> sizes_;
  int64_t outer_ = 0, inner_ = 0;
  kernels::Activation act_ = kernels::Activation::none;
};

// PACK: N inputs of one shape S stacked along a new axis: [S[:axis], N, S[axis:]].
class Pack : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    if (ctx.inputs.empty()) ctx.fail("has no inputs");
    ctx.expect_arity(ctx.inputs.size(), ctx.inputs.size(), 1);
    const int64_t count = ctx.node.attrs.get_int("values_count", static_cast<int64_t>(ctx.inputs.size()));
    if (count != static_cast<int64_t>(ctx.inputs.size()))
      ctx.fail(fmt::format("values_count {} differs from the {} inputs", count, ctx.inputs.size()));
    const Tensor& first = ctx.in(0);
    const int rank = static_cast<int>(first.shape.size());
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", 0), rank + 1, "axis");
    for (size_t i = 1; i < ctx.inputs.size(); ++i) {
      const Tensor& t = ctx.in(i);
      if (t.dtype != first.dtype || (t.shape != first.shape && !ctx.symbolic))
        ctx.fail(fmt::format("input {} is {} {}, input 0 is {} {} (pack needs equal shapes and dtypes)", i,
                             dtype_name(t.dtype), shape_string(t.shape), dtype_name(first.dtype),
                             shape_string(first.shape)));
    }
    outer_ = product(first.shape, 0, axis);
    inner_ = product(first.shape, axis, rank);
    sizes_.assign(ctx.inputs.size(), 1);
    ptrs_.assign(ctx.inputs.size(), nullptr);
    Shape out = first.shape;
    out.insert(out.begin() + axis, static_cast<int32_t>(ctx.inputs.size()));
    ctx.out(0).dtype = first.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    for (size_t i = 0; i < ptrs_.size(); ++i) ptrs_[i] = ctx.in(i).data.data();
    kernels::concatenation(ptrs_, sizes_, outer_, inner_, ctx.out(0).data.data(), elem_size(ctx.out(0)));
  }

 private:
  std::vector<const void*> ptrs_;
  std::vector<int64_t> sizes_;
  int64_t outer_ = 0, inner_ = 0;
};

}  // namespace

QGATE_REGISTER_OP(OpType::concatenation, Concatenation);
QGATE_REGISTER_OP(OpType::pack, Pack);

}  // namespace qgate::ops
