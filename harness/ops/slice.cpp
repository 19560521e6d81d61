// SLICE and STRIDED_SLICE, any dtype; begin/end/strides/size must be constant.
#include <algorithm>

#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/layout.h"

namespace qgate::ops {

namespace {

constexpr size_t kMaxRank = 8;

class Slice : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() > kMaxRank) ctx.fail(fmt::format("input rank {} exceeds {}", x.shape.size(), kMaxRank));
    const auto begin = known_ints(ctx, 1, "begin"), size = known_ints(ctx, 2, "size");
    if (!begin || !size) {
      ctx.out(0).dtype = x.dtype;
      ctx.out(0).shape.assign(x.shape.size(), kUnknownDim);
      return;
    }
    begin_ = *begin;
    size_ = *size;
    if (begin_.size() != x.shape.size() || size_.size() != x.shape.size())
      ctx.fail(fmt::format("begin [{}] and size [{}] must have one value per dim of {}", fmt::join(begin_, ","),
                           fmt::join(size_, ","), shape_string(x.shape)));
    Shape out(x.shape.size());
    for (size_t k = 0; k < x.shape.size(); ++k) {
      const int64_t d = x.shape[k];
      if (d < 0 && ctx.symbolic) {
        out[k] = size_[k] == -1 ? (begin_[k] == 0 ? x.shape[k] : kUnknownDim) : static_cast<int32_t>(size_[k]);
        continue;
      }
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
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(4, 4, 1);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() > kMaxRank) ctx.fail(fmt::format("input rank {} exceeds {}", x.shape.size(), kMaxRank));
    kernels::StridedSliceParams p;
    const Attributes& a = ctx.node.attrs;
    p.begin_mask = static_cast<int32_t>(a.get_int("begin_mask", 0));
    p.end_mask = static_cast<int32_t>(a.get_int("end_mask", 0));
    p.ellipsis_mask = static_cast<int32_t>(a.get_int("ellipsis_mask", 0));
    p.new_axis_mask = static_cast<int32_t>(a.get_int("new_axis_mask", 0));
    p.shrink_axis_mask = static_cast<int32_t>(a.get_int("shrink_axis_mask", 0));
    p.offset = a.get_bool("offset", false);
    const auto begin = known_ints(ctx, 1, "begin"), end = known_ints(ctx, 2, "end"),
               strides = known_ints(ctx, 3, "strides");
    if (!begin || !end || !strides) {
      // Values computed from the input shapes: the rank only, from a slice of everything.
      const size_t n = static_cast<size_t>(std::max<int64_t>(ctx.in(1).elements(), 0));
      p.begin.assign(n, 0);
      p.end.assign(n, 0);
      p.strides.assign(n, 1);
      p.begin_mask = p.end_mask = static_cast<int32_t>((int64_t{1} << n) - 1);
      Shape probe(x.shape.size(), 1);
      const kernels::StridedSlicePlan plan = kernels::plan_strided_slice(p, probe);
      ctx.out(0).dtype = x.dtype;
      ctx.out(0).shape.assign(plan.out_shape.size(), kUnknownDim);
      return;
    }
    p.begin = *begin;
    p.end = *end;
    p.strides = *strides;
    if (ctx.symbolic && !shape_is_concrete(x.shape)) {
      ctx.out(0).dtype = x.dtype;
      ctx.out(0).shape = infer_symbolic(ctx, p, x.shape);
      return;
    }
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
  // The output shape over symbolic input dimensions: planned twice, with each symbolic dimension replaced by one of
  // two large distinct sizes. An output dimension equal in both plans does not depend on them; one equal to the
  // stand-in of input dimension k in both is that dimension (its symbol kept); any other is unknown.
  static Shape infer_symbolic(const OpContext& ctx, const kernels::StridedSliceParams& p, const Shape& in) {
    Shape probe[2] = {in, in};
    for (size_t k = 0; k < in.size(); ++k)
      if (in[k] < 0) {
        probe[0][k] = static_cast<int32_t>(1000003 + 2 * k);
        probe[1][k] = static_cast<int32_t>(2000003 + 2 * k);
      }
    const kernels::StridedSlicePlan a = kernels::plan_strided_slice(p, probe[0]);
    const kernels::StridedSlicePlan b = kernels::plan_strided_slice(p, probe[1]);
    if (!a.error.empty() || !b.error.empty() || a.out_shape.size() != b.out_shape.size())
      ctx.fail(fmt::format("begin [{}] end [{}] strides [{}] on input {}: {}", fmt::join(p.begin, ","),
                           fmt::join(p.end, ","), fmt::join(p.strides, ","), shape_string(in),
                           a.error.empty() ? b.error : a.error));
    Shape out(a.out_shape.size(), kUnknownDim);
    for (size_t d = 0; d < out.size(); ++d) {
      if (a.out_shape[d] == b.out_shape[d]) out[d] = a.out_shape[d];
      for (size_t k = 0; k < in.size(); ++k)
        if (in[k] < 0 && a.out_shape[d] == probe[0][k] && b.out_shape[d] == probe[1][k]) out[d] = in[k];
    }
    return out;
  }

  kernels::StridedSlicePlan plan_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::slice, Slice);
QGATE_REGISTER_OP(OpType::strided_slice, StridedSlice);

}  // namespace qgate::ops
