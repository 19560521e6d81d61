// SHAPE: the dimensions of its input as a 1-D int32 or int64 tensor (the output's declared dtype, as TFLite's
// out_type and ONNX's int64 say). It reads only the input's shape, so the executor computes it at prepare, with
// the nodes that compute on it (prepare_time_nodes); in shape inference its values are not known yet.
#include <fmt/format.h>

#include "harness/ops/op_util.h"

namespace qgate::ops {

namespace {

class ShapeOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    Tensor& out = ctx.out(0);
    if (out.dtype != DType::i32 && out.dtype != DType::i64)
      ctx.fail(fmt::format("output '{}' is {}, expected int32 or int64", out.name, dtype_name(out.dtype)));
    out.shape = {static_cast<int32_t>(ctx.in(0).shape.size())};
  }
  void run(OpContext& ctx) override {
    const Shape& s = ctx.in(0).shape;
    Tensor& out = ctx.out(0);
    for (size_t k = 0; k < s.size(); ++k) {
      if (out.dtype == DType::i64) out.as<int64_t>()[k] = s[k];
      else out.as<int32_t>()[k] = s[k];
    }
  }
};

}  // namespace

QGATE_REGISTER_OP(OpType::shape, ShapeOp);

}  // namespace qgate::ops
