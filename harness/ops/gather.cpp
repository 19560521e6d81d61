// GATHER (axis, batch_dims), any params dtype, int32 or int64 indices.
//
// Out-of-range indices: constant indices are checked here and rejected; indices computed at run time that
// fall outside [0, axis size) produce zeros for their slice (run() cannot fail). TFLite reports an error.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/gather.h"

namespace qgate::ops {

namespace {

class Gather : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    const Tensor& idx = ctx.in(1);
    if (idx.dtype != DType::i32 && idx.dtype != DType::i64)
      ctx.fail(fmt::format("indices '{}' are {}, expected int32 or int64", idx.name, dtype_name(idx.dtype)));
    const int rank = static_cast<int>(x.shape.size()), irank = static_cast<int>(idx.shape.size());
    if (rank < 1) ctx.fail("params is a scalar");
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", 0), rank, "axis");
    int64_t bd = ctx.node.attrs.get_int("batch_dims", 0);
    if (bd < 0) bd += irank;
    if (bd < 0 || bd > irank || bd > axis)
      ctx.fail(fmt::format("batch_dims {} must be in [0, min(indices rank {}, axis {})]",
                           ctx.node.attrs.get_int("batch_dims", 0), irank, axis));
    for (int k = 0; k < bd; ++k)
      if (!dims_may_match(x.shape[k], idx.shape[k]))
        ctx.fail(fmt::format("batch dim {}: params {} and indices {} differ", k, shape_string(x.shape),
                             shape_string(idx.shape)));
    batch_ = outer_ = coords_ = inner_ = 1;
    for (int k = 0; k < bd; ++k) batch_ *= x.shape[k];
    for (int k = static_cast<int>(bd); k < axis; ++k) outer_ *= x.shape[k];
    for (int k = static_cast<int>(bd); k < irank; ++k) coords_ *= idx.shape[k];
    for (int k = axis + 1; k < rank; ++k) inner_ *= x.shape[k];
    axis_size_ = x.shape[axis];
    if (idx.is_constant && axis_size_ >= 0) {
      for (int64_t i = 0; i < idx.elements(); ++i) {
        const int64_t v = idx.dtype == DType::i32 ? int64_t{idx.as<int32_t>()[i]} : idx.as<int64_t>()[i];
        if (v < 0 || v >= axis_size_)
          ctx.fail(fmt::format("index {} (element {} of '{}') is outside [0, {}) for axis {} of {}", v, i, idx.name,
                               axis_size_, axis, shape_string(x.shape)));
      }
    }
    Shape out(x.shape.begin(), x.shape.begin() + axis);
    out.insert(out.end(), idx.shape.begin() + bd, idx.shape.end());
    out.insert(out.end(), x.shape.begin() + axis + 1, x.shape.end());
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    const Tensor& idx = ctx.in(1);
    kernels::gather(ctx.in(0).data.data(), idx.dtype == DType::i32 ? idx.as<int32_t>() : nullptr,
                    idx.dtype == DType::i64 ? idx.as<int64_t>() : nullptr, batch_, outer_, axis_size_, coords_,
                    inner_, ctx.out(0).data.data(), elem_size(ctx.in(0)),
                    ctx.node.attrs.get_bool("wrap_negative_indices", false));
  }

 private:
  int64_t batch_ = 1, outer_ = 1, axis_size_ = 1, coords_ = 1, inner_ = 1;
};

}  // namespace

QGATE_REGISTER_OP(OpType::gather, Gather);

}  // namespace qgate::ops
