// SPLIT, SPLIT_V and UNPACK, for any dtype.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/concatenation.h"

namespace qgate::ops {

namespace {

// Shared by the three ops: input x split along `axis` into pieces of `sizes`.
class SplitBase : public Op {
 protected:
  void setup(OpContext& ctx, const Tensor& x, int axis, std::vector<int64_t> sizes, bool drop_axis) {
    if (sizes.size() != ctx.outputs.size())
      ctx.fail(fmt::format("makes {} pieces but the node has {} outputs", sizes.size(), ctx.outputs.size()));
    sizes_ = std::move(sizes);
    outer_ = 1;
    inner_ = 1;
    for (int k = 0; k < axis; ++k) outer_ *= x.shape[k];
    for (size_t k = axis + 1; k < x.shape.size(); ++k) inner_ *= x.shape[k];
    for (size_t i = 0; i < sizes_.size(); ++i) {
      Shape s = x.shape;
      if (drop_axis) s.erase(s.begin() + axis);
      else s[axis] = static_cast<int32_t>(sizes_[i]);
      ctx.out(i).dtype = x.dtype;
      ctx.out(i).shape = s;
    }
    ptrs_.assign(sizes_.size(), nullptr);
  }
  void run_split(OpContext& ctx, const Tensor& x) {
    for (size_t i = 0; i < ptrs_.size(); ++i) ptrs_[i] = ctx.out(i).data.data();
    kernels::split(x.data.data(), sizes_, outer_, inner_, ptrs_, elem_size(x));
  }

 private:
  std::vector<void*> ptrs_;
  std::vector<int64_t> sizes_;
  int64_t outer_ = 0, inner_ = 0;
};

// SPLIT: inputs (axis, x); num_splits equal pieces.
class Split : public SplitBase {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, ctx.outputs.size());
    const Tensor& x = ctx.in(1);
    const std::vector<int64_t> a = const_ints(ctx, 0, "axis");
    if (a.size() != 1) ctx.fail(fmt::format("axis input has {} values, expected 1", a.size()));
    const int axis = normalize_axis(ctx, a[0], static_cast<int>(x.shape.size()), "axis");
    const int64_t n = ctx.node.attrs.get_int("num_splits", static_cast<int64_t>(ctx.outputs.size()));
    if (ctx.symbolic && x.shape[axis] < 0 && n >= 1) {
      setup(ctx, x, axis, std::vector<int64_t>(static_cast<size_t>(n), kUnknownDim), false);
      return;
    }
    if (n < 1 || x.shape[axis] % n != 0)
      ctx.fail(fmt::format("num_splits {} does not divide dim {} of size {} in {}", n, axis, x.shape[axis],
                           shape_string(x.shape)));
    setup(ctx, x, axis, std::vector<int64_t>(static_cast<size_t>(n), x.shape[axis] / n), false);
  }
  void run(OpContext& ctx) override { run_split(ctx, ctx.in(1)); }
};

// SPLIT_V: inputs (x, size_splits, axis); one size may be -1 (the rest).
class SplitV : public SplitBase {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, ctx.outputs.size());
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> sizes = const_ints(ctx, 1, "size_splits");
    const std::vector<int64_t> a = const_ints(ctx, 2, "axis");
    if (a.size() != 1) ctx.fail(fmt::format("axis input has {} values, expected 1", a.size()));
    const int axis = normalize_axis(ctx, a[0], static_cast<int>(x.shape.size()), "axis");
    const int64_t n = ctx.node.attrs.get_int("num_splits", static_cast<int64_t>(sizes.size()));
    if (n != static_cast<int64_t>(sizes.size()))
      ctx.fail(fmt::format("num_splits {} differs from the {} size_splits", n, sizes.size()));
    int infer = -1;
    int64_t sum = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] == -1 && infer < 0) {
        infer = static_cast<int>(i);
      } else if (sizes[i] < 0) {
        ctx.fail(fmt::format("size_splits [{}] has a negative size or more than one -1", fmt::join(sizes, ",")));
      } else {
        sum += sizes[i];
      }
    }
    if (ctx.symbolic && x.shape[axis] < 0) {
      if (infer >= 0) sizes[infer] = kUnknownDim;
    } else if (infer >= 0) {
      if (sum > x.shape[axis])
        ctx.fail(fmt::format("size_splits [{}] exceed dim {} of size {}", fmt::join(sizes, ","), axis, x.shape[axis]));
      sizes[infer] = x.shape[axis] - sum;
    } else if (sum != x.shape[axis]) {
      ctx.fail(fmt::format("size_splits [{}] sum to {}, dim {} has size {}", fmt::join(sizes, ","), sum, axis,
                           x.shape[axis]));
    }
    setup(ctx, x, axis, sizes, false);
  }
  void run(OpContext& ctx) override { run_split(ctx, ctx.in(0)); }
};

// UNPACK: num slices of size 1 along axis, with that axis removed.
class Unpack : public SplitBase {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, ctx.outputs.size());
    const Tensor& x = ctx.in(0);
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", 0), static_cast<int>(x.shape.size()), "axis");
    const int64_t num = ctx.node.attrs.get_int("num", x.shape[axis]);
    if (num != x.shape[axis] && !(ctx.symbolic && x.shape[axis] < 0 && num > 0))
      ctx.fail(fmt::format("num {} differs from dim {} of size {} in {}", num, axis, x.shape[axis],
                           shape_string(x.shape)));
    setup(ctx, x, axis, std::vector<int64_t>(static_cast<size_t>(num), 1), true);
  }
  void run(OpContext& ctx) override { run_split(ctx, ctx.in(0)); }
};

}  // namespace

QGATE_REGISTER_OP(OpType::split, Split);
QGATE_REGISTER_OP(OpType::split_v, SplitV);
QGATE_REGISTER_OP(OpType::unpack, Unpack);

}  // namespace qgate::ops
