// SOFTMAX (attr beta) and LOG_SOFTMAX over the last axis.
#include <fmt/format.h>

#include "harness/op.h"
#include "kernels/softmax.h"

namespace qgate {

namespace {

template <bool kLog>
class SoftmaxOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    if (x.shape.empty()) ctx.fail(fmt::format("input '{}' is a scalar; softmax needs rank >= 1", x.name));
    beta_ = static_cast<float>(ctx.node.attrs.get_float("beta", 1.0));
    depth_ = x.shape.back();
    rows_ = depth_ == 0 ? 0 : x.elements() / depth_;
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    if (kLog) kernels::log_softmax_float(ctx.in(0).as<float>(), ctx.out(0).as<float>(), rows_, depth_);
    else kernels::softmax_float(ctx.in(0).as<float>(), ctx.out(0).as<float>(), rows_, depth_, beta_);
  }

 private:
  float beta_ = 1.0f;
  int64_t rows_ = 0, depth_ = 0;
};

}  // namespace

QGATE_REGISTER_OP(OpType::softmax, SoftmaxOp<false>);
QGATE_REGISTER_OP(OpType::log_softmax, SoftmaxOp<true>);

}  // namespace qgate
