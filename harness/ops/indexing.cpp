// Indexing ops: TRILU (inputs x, k?; attr upper), ONE_HOT (inputs indices, depth, on_value, off_value; attr axis,
// default -1), GATHER_ELEMENTS (data, indices; attr axis), GATHER_ND (params, indices; attr batch_dims),
// SCATTER_ELEMENTS (data, indices, updates; attrs axis, reduction "none" | "add" | "mul") and SCATTER_ND_UPDATE
// (ONNX ScatterND: data, indices, updates; attr reduction), REVERSE_SEQUENCE (ONNX's: x, sequence_lens; attrs
// time_axis, batch_axis, 0 and 1 in either order). Indices are int32 or int64 (int32 ones are widened
// into a buffer sized at prepare); a run-time index out of range gives zeros (gathers) or is skipped (scatters),
// and the node reports it through run_failed().
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/gather_elements.h"
#include "kernels/gather_nd.h"
#include "kernels/one_hot.h"
#include "kernels/reverse_sequence.h"
#include "kernels/trilu.h"

namespace qgate::ops {

namespace {

void expect_indices(const OpContext& ctx, size_t i) {
  const Tensor& t = ctx.in(i);
  if (t.dtype != DType::i32 && t.dtype != DType::i64)
    ctx.fail(fmt::format("indices '{}' are {}, expected int32 or int64", t.name, dtype_name(t.dtype)));
}

// The indices as int64: the tensor's own data, or `buffer` filled from int32 ones.
const int64_t* indices64(const Tensor& t, std::vector<int64_t>& buffer) {
  if (t.dtype == DType::i64) return t.as<int64_t>();
  for (size_t k = 0; k < buffer.size(); ++k) buffer[k] = t.as<int32_t>()[k];
  return buffer.data();
}

kernels::ScatterReduction reduction_of(const OpContext& ctx) {
  const std::string r = ctx.node.attrs.get_string("reduction", "none");
  if (r == "none") return kernels::ScatterReduction::none;
  if (r == "add") return kernels::ScatterReduction::add;
  if (r == "mul") return kernels::ScatterReduction::mul;
  ctx.fail(fmt::format("reduction '{}' is not one of none, add, mul", r));
}

class TriluOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 2, 1);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() < 2) ctx.fail(fmt::format("input {} has rank below 2", shape_string(x.shape)));
    k_ = 0;
    if (ctx.has_input(1)) {
      const std::vector<int64_t> k = const_ints(ctx, 1, "k");
      if (k.size() != 1) ctx.fail("k must be one value");
      k_ = k[0];
    }
    upper_ = ctx.node.attrs.get_bool("upper", true);
    rows_ = x.shape[x.shape.size() - 2];
    cols_ = x.shape.back();
    batch_ = rows_ * cols_ == 0 ? 0 : x.elements() / (rows_ * cols_);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    kernels::trilu(ctx.in(0).data.data(), batch_, rows_, cols_, k_, upper_, ctx.out(0).data.data(), elem_size(ctx.in(0)));
  }

 private:
  int64_t k_ = 0, rows_ = 0, cols_ = 0, batch_ = 0;
  bool upper_ = true;
};

class ReverseSequenceOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    expect_indices(ctx, 1);
    const Tensor& x = ctx.in(0);
    const Tensor& lens = ctx.in(1);
    if (x.shape.size() < 2) ctx.fail(fmt::format("input {} has rank below 2", shape_string(x.shape)));
    const int64_t time_axis = ctx.node.attrs.get_int("time_axis", 0), batch_axis = ctx.node.attrs.get_int("batch_axis", 1);
    if (!((time_axis == 0 && batch_axis == 1) || (time_axis == 1 && batch_axis == 0)))
      ctx.fail(fmt::format("time_axis {} and batch_axis {} (0 and 1, in either order)", time_axis, batch_axis));
    time_first_ = time_axis == 0;
    const int64_t steps = x.shape[time_axis], batch = x.shape[batch_axis];
    if (lens.shape.size() != 1 || lens.shape[0] != batch)
      ctx.fail(fmt::format("sequence_lens '{}' of shape {}, expected [{}]", lens.name, shape_string(lens.shape), batch));
    if (lens.is_constant)
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t len = lens.dtype == DType::i64 ? lens.as<int64_t>()[b] : lens.as<int32_t>()[b];
        if (len < 0 || len > steps)
          ctx.fail(fmt::format("sequence_lens '{}' holds {} at {}, outside [0, {}]", lens.name, len, b, steps));
      }
    inner_ = x.shape[0] * x.shape[1] == 0 ? 0 : x.elements() / (int64_t{x.shape[0]} * x.shape[1]);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = x.shape;
    buffer_.resize(lens.dtype == DType::i32 ? static_cast<size_t>(batch) : 0);
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    kernels::reverse_sequence(x.data.data(), x.shape[0], x.shape[1], inner_, time_first_, indices64(ctx.in(1), buffer_),
                              ctx.out(0).data.data(), elem_size(x));
  }

 private:
  bool time_first_ = true;
  int64_t inner_ = 1;
  std::vector<int64_t> buffer_;
};

class OneHotOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(4, 4, 1);
    expect_indices(ctx, 0);
    const Tensor& idx = ctx.in(0);
    const std::vector<int64_t> depth = const_ints(ctx, 1, "depth");
    if (depth.size() != 1 || depth[0] < 1) ctx.fail(fmt::format("depth [{}] must be one positive value", fmt::join(depth, ",")));
    const Tensor& on = ctx.in(2);
    const Tensor& off = ctx.in(3);
    if (on.elements() != 1 || off.elements() != 1 || on.dtype != off.dtype)
      ctx.fail(fmt::format("on_value '{}' and off_value '{}' must be single values of one type", on.name, off.name));
    const int rank = static_cast<int>(idx.shape.size()) + 1;
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", -1), rank, "axis");
    depth_ = depth[0];
    outer_ = 1;
    for (int k = 0; k < axis; ++k) outer_ *= idx.shape[k];
    inner_ = outer_ == 0 ? 0 : idx.elements() / outer_;
    Shape out = idx.shape;
    out.insert(out.begin() + axis, static_cast<int32_t>(depth_));
    ctx.out(0).dtype = on.dtype;
    ctx.out(0).shape = out;
    buffer_.resize(idx.dtype == DType::i32 ? static_cast<size_t>(idx.elements()) : 0);
  }
  void run(OpContext& ctx) override {
    kernels::one_hot(indices64(ctx.in(0), buffer_), outer_, depth_, inner_, ctx.in(2).data.data(),
                     ctx.in(3).data.data(), ctx.out(0).data.data(), elem_size(ctx.in(2)));
  }

 private:
  int64_t depth_ = 1, outer_ = 1, inner_ = 1;
  std::vector<int64_t> buffer_;
};

class GatherElementsOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    expect_indices(ctx, 1);
    const Tensor& x = ctx.in(0);
    const Tensor& idx = ctx.in(1);
    const int rank = static_cast<int>(x.shape.size());
    if (rank < 1 || rank > 8 || idx.shape.size() != x.shape.size())
      ctx.fail(fmt::format("data {} and indices {} must have one rank in [1, 8]", shape_string(x.shape),
                           shape_string(idx.shape)));
    axis_ = normalize_axis(ctx, ctx.node.attrs.get_int("axis", 0), rank, "axis");
    for (int d = 0; d < rank; ++d)
      if (d != axis_ && idx.shape[d] > x.shape[d])
        ctx.fail(fmt::format("indices {} exceed data {} in dim {}", shape_string(idx.shape), shape_string(x.shape), d));
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = idx.shape;
    buffer_.resize(idx.dtype == DType::i32 ? static_cast<size_t>(idx.elements()) : 0);
  }
  void run(OpContext& ctx) override {
    bad_ = kernels::gather_elements(ctx.in(0).shape, ctx.in(0).data.data(), ctx.in(1).shape,
                                    indices64(ctx.in(1), buffer_), axis_, ctx.out(0).data.data(), elem_size(ctx.in(0)));
  }
  bool run_failed() const override { return bad_ != 0; }

 private:
  int axis_ = 0;
  int64_t bad_ = 0;
  std::vector<int64_t> buffer_;
};

class GatherNdOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    expect_indices(ctx, 1);
    std::vector<int32_t> out;
    const std::string error = kernels::make_gather_nd_shape(ctx.in(0).shape, ctx.in(1).shape,
                                                            static_cast<int>(ctx.node.attrs.get_int("batch_dims", 0)),
                                                            &shape_, &out);
    if (!error.empty())
      ctx.fail(fmt::format("params {} and indices {}: {}", shape_string(ctx.in(0).shape), shape_string(ctx.in(1).shape),
                           error));
    ctx.out(0).dtype = ctx.in(0).dtype;
    ctx.out(0).shape.assign(out.begin(), out.end());
    buffer_.resize(ctx.in(1).dtype == DType::i32 ? static_cast<size_t>(ctx.in(1).elements()) : 0);
  }
  void run(OpContext& ctx) override {
    bad_ = kernels::gather_nd(shape_, ctx.in(0).data.data(), indices64(ctx.in(1), buffer_), ctx.out(0).data.data(),
                              elem_size(ctx.in(0)));
  }
  bool run_failed() const override { return bad_ != 0; }

 private:
  kernels::GatherNdShape shape_;
  int64_t bad_ = 0;
  std::vector<int64_t> buffer_;
};

// SCATTER_ELEMENTS and SCATTER_ND_UPDATE on float32 or int64 data.
template <bool kNd>
class ScatterOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    expect_indices(ctx, 1);
    const Tensor& x = ctx.in(0);
    const Tensor& idx = ctx.in(1);
    const Tensor& upd = ctx.in(2);
    if ((x.dtype != DType::f32 && x.dtype != DType::i64) || upd.dtype != x.dtype)
      ctx.fail(fmt::format("data '{}' is {} and updates '{}' {}: both float32 or both int64", x.name,
                           dtype_name(x.dtype), upd.name, dtype_name(upd.dtype)));
    reduction_ = reduction_of(ctx);
    if (kNd) {
      std::vector<int32_t> want;
      const std::string error = kernels::make_gather_nd_shape(x.shape, idx.shape, 0, &shape_, &want);
      if (!error.empty()) ctx.fail(fmt::format("data {} and indices {}: {}", shape_string(x.shape), shape_string(idx.shape), error));
      if (Shape(want.begin(), want.end()) != upd.shape)
        ctx.fail(fmt::format("updates {} must be {}", shape_string(upd.shape), shape_string(Shape(want.begin(), want.end()))));
    } else {
      const int rank = static_cast<int>(x.shape.size());
      if (rank < 1 || rank > 8 || idx.shape.size() != x.shape.size() || upd.shape != idx.shape)
        ctx.fail(fmt::format("data {}, indices {} and updates {}: one rank in [1, 8], updates shaped as indices",
                             shape_string(x.shape), shape_string(idx.shape), shape_string(upd.shape)));
      axis_ = normalize_axis(ctx, ctx.node.attrs.get_int("axis", 0), rank, "axis");
    }
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = x.shape;
    buffer_.resize(idx.dtype == DType::i32 ? static_cast<size_t>(idx.elements()) : 0);
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const int64_t* idx = indices64(ctx.in(1), buffer_);
    if (x.dtype == DType::f32) bad_ = scatter(x.as<float>(), idx, ctx.in(2).as<float>(), ctx.out(0).as<float>(), ctx);
    else bad_ = scatter(x.as<int64_t>(), idx, ctx.in(2).as<int64_t>(), ctx.out(0).as<int64_t>(), ctx);
  }
  bool run_failed() const override { return bad_ != 0; }

 private:
  template <typename T>
  int64_t scatter(const T* data, const int64_t* idx, const T* upd, T* out, const OpContext& ctx) {
    if (kNd) return kernels::scatter_nd(shape_, data, idx, upd, reduction_, out);
    return kernels::scatter_elements(ctx.in(0).shape, data, ctx.in(1).shape, idx, upd, axis_, reduction_, out);
  }

  kernels::GatherNdShape shape_;
  kernels::ScatterReduction reduction_ = kernels::ScatterReduction::none;
  int axis_ = 0;
  int64_t bad_ = 0;
  std::vector<int64_t> buffer_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::trilu, TriluOp);
QGATE_REGISTER_OP(OpType::one_hot, OneHotOp);
QGATE_REGISTER_OP(OpType::reverse_sequence, ReverseSequenceOp);
QGATE_REGISTER_OP(OpType::gather_elements, GatherElementsOp);
QGATE_REGISTER_OP(OpType::gather_nd, GatherNdOp);
QGATE_REGISTER_OP(OpType::scatter_elements, ScatterOp<false>);
QGATE_REGISTER_OP(OpType::scatter_nd_update, ScatterOp<true>);

}  // namespace qgate::ops
