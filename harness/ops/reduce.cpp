// MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD over the axes in input 1 (a constant int32/int64 tensor; negative axes count from the
// end, repeats are allowed), attr keep_dims.
#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/op_util.h"
#include "kernels/reduce.h"
#include "kernels/xnnpack_wasm.h"

namespace qgate {

namespace {

template <kernels::ReduceOp R>
class ReduceOpImpl : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    const Tensor& axes = ctx.in(1);
    if (axes.dtype != DType::i32 && axes.dtype != DType::i64)
      ctx.fail(fmt::format("axis input '{}' is {}, expected int32 or int64", axes.name, dtype_name(axes.dtype)));
    if (!ops::value_known(ctx, 1))
      ctx.fail(fmt::format("axis input '{}' is not a constant; qgate needs the reduced axes at prepare time",
                           axes.name));
    const int rank = static_cast<int>(x.shape.size());
    if (rank > kernels::kMaxReduceRank)
      ctx.fail(fmt::format("input shape {} has rank {}, more than the supported {}", shape_string(x.shape), rank,
                           kernels::kMaxReduceRank));
    uint32_t mask = 0;
    for (int64_t i = 0; i < axes.elements(); ++i) {
      const int64_t a = axes.dtype == DType::i32 ? axes.as<int32_t>()[i] : axes.as<int64_t>()[i];
      if (a < -rank || a >= rank)
        ctx.fail(fmt::format("axis {} is out of range for input shape {} (rank {})", a, shape_string(x.shape), rank));
      mask |= 1u << (a < 0 ? a + rank : a);
    }
    if (!ctx.symbolic) {  // the reduce plans need sizes; shape inference needs only the output's shape below
      kernels::make_reduce_shape(x.shape, mask, &shape_);
      if (R == kernels::ReduceOp::mean && ops::litert_cpu(ctx)) prepare_xnnpack(x.shape, mask);
    }
    const bool keep = ctx.node.attrs.get_bool("keep_dims", false);
    Shape out;
    for (int d = 0; d < rank; ++d) {
      if (!((mask >> d) & 1u)) out.push_back(x.shape[d]);
      else if (keep) out.push_back(1);
    }
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    if (xnnpack_rows_ > 0)
      kernels::mean_rows_xnnpack_wasm(ctx.in(0).as<float>(), xnnpack_outer_, xnnpack_rows_, xnnpack_inner_,
                                      ctx.out(0).as<float>());
    else
      kernels::reduce_float(R, shape_, ctx.in(0).as<float>(), ctx.out(0).as<float>());
  }

 private:
  // XNNPACK's order for a MEAN over one block of adjacent axes with kept elements after it (MEAN over H and W of
  // an NHWC tensor); other reductions keep qgate's kernel (docs/litert-cpu.md lists what is verified).
  void prepare_xnnpack(const Shape& shape, uint32_t mask) {
    const int rank = static_cast<int>(shape.size());
    int first = -1, last = -1;
    for (int d = 0; d < rank; ++d)
      if ((mask >> d) & 1u) {
        if (first < 0) first = d;
        else if (last != d - 1) return;  // not one block
        last = d;
      }
    if (first < 0) return;
    int64_t outer = 1, rows = 1, inner = 1;
    for (int d = 0; d < rank; ++d) (d < first ? outer : d <= last ? rows : inner) *= shape[d];
    if (inner <= 1 || rows <= 0) return;  // a contiguous reduction: another XNNPACK kernel
    xnnpack_outer_ = outer;
    xnnpack_rows_ = rows;
    xnnpack_inner_ = inner;
  }

  kernels::ReduceShape shape_;
  int64_t xnnpack_outer_ = 0, xnnpack_rows_ = 0, xnnpack_inner_ = 0;
};

}  // namespace

QGATE_REGISTER_OP(OpType::mean, ReduceOpImpl<kernels::ReduceOp::mean>);
QGATE_REGISTER_OP(OpType::sum, ReduceOpImpl<kernels::ReduceOp::sum>);
QGATE_REGISTER_OP(OpType::reduce_max, ReduceOpImpl<kernels::ReduceOp::max>);
QGATE_REGISTER_OP(OpType::reduce_min, ReduceOpImpl<kernels::ReduceOp::min>);
QGATE_REGISTER_OP(OpType::reduce_prod, ReduceOpImpl<kernels::ReduceOp::prod>);

}  // namespace qgate
