// SLICE and STRIDED_SLICE, any dtype; begin/end/strides/size must be constant.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/layout.h"

namespace qgate::ops {

namespace {

constexpr size_t kMaxRank = 8;

class Slice : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() > kMaxRank) ctx.fail(fmt::format("input rank {} exceeds {}", x.shape.size(), kMaxRank));
    begin_ = const_ints(ctx, 1, "begin");
    size_ = const_ints(ctx, 2, "size");
    if (begin_.size() != x.shape.size() || size_.size() != x.shape.size())
      ctx.fail(fmt::format("begin [{}] and size [{}] must have one value per dim of {}", fmt::join(begin_, ","),
                           fmt::join(size_, ","), shape_string(x.shape)));
    Shape out(x.shape.size());
    for (size_t k = 0; k < x.shape.size(); ++k) {
      const int64_t d = x.shape[k];
      if (size_[k] == -1) size_[k] = d - begin_[k];
      if (begin_[k] < 0 || size_[k] < 0 || begin_[k] + size_[k] > d)
        ctx.fail(fmt::format("dim {}: begin {} size {} is outside [0, {}] of input {}", k, begin_[k], size_[k], d,
                             shape_string(x.shape)));
      out[k] = static_cast<int32_t>(size_[k]);
    }
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    kernels::slice(ctx.in(0).shape, begin_, size_, ctx.in(0).data.data(), ctx.out(0).data.data(),
                   elem_size(ctx.in(0)));
  }

 private:
  std::vector<int64_t> begin_, size_;
};

class StridedSlice : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(4, 4, 1);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() > kMaxRank) ctx.fail(fmt::format("input rank {} exceeds {}", x.shape.size(), kMaxRank));
    kernels::StridedSliceParams p;
    p.begin = const_ints(ctx, 1, "begin");
    p.end = const_ints(ctx, 2, "end");
    p.strides = const_ints(ctx, 3, "strides");
    const Attributes& a = ctx.node.attrs;
    p.begin_mask = static_cast<int32_t>(a.get_int("begin_mask", 0));
    p.end_mask = static_cast<int32_t>(a.get_int("end_mask", 0));
    p.ellipsis_mask = static_cast<int32_t>(a.get_int("ellipsis_mask", 0));
    p.new_axis_mask = static_cast<int32_t>(a.get_int("new_axis_mask", 0));
    p.shrink_axis_mask = static_cast<int32_t>(a.get_int("shrink_axis_mask", 0));
    p.offset = a.get_bool("offset", false);
    plan_ = kernels::plan_strided_slice(p, x.shape);
    if (!plan_.error.empty())
      ctx.fail(fmt::format("begin [{}] end [{}] strides [{}] on input {}: {}", fmt::join(p.begin, ","),
                           fmt::join(p.end, ","), fmt::join(p.strides, ","), shape_string(x.shape), plan_.error));
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = plan_.out_shape;
  }
  void run(OpContext& ctx) override {
    kernels::strided_slice(plan_, ctx.in(0).shape, ctx.in(0).data.data(), ctx.out(0).data.data(),
                           elem_size(ctx.in(0)));
  }

 private:
  kernels::StridedSlicePlan plan_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::slice, Slice);
QGATE_REGISTER_OP(OpType::strided_slice, StridedSlice);

}  // namespace qgate::ops
