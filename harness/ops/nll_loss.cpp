// NLL_LOSS (ONNX NegativeLogLikelihoodLoss): inputs input [N, C, d...] (float32), target [N, d...] (int64),
// weight [C]?; attrs reduction ("none", "sum", "mean"), ignore_index (when present). The output is [N, d...]
// for "none", a scalar otherwise. A target out of range (and not ignored) is reported through run_failed().
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/nll_loss.h"

namespace qgate::ops {

namespace {

class NllLossOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, 1);
    ctx.expect_input(0, DType::f32);
    ctx.expect_input(1, DType::i64);
    const Tensor& x = ctx.in(0);
    const Tensor& t = ctx.in(1);
    if (x.shape.size() < 2 || t.shape.size() + 1 != x.shape.size() || t.shape[0] != x.shape[0])
      ctx.fail(fmt::format("input {} and target {} must be [N, C, d...] and [N, d...]", shape_string(x.shape),
                           shape_string(t.shape)));
    for (size_t k = 1; k < t.shape.size(); ++k)
      if (t.shape[k] != x.shape[k + 1])
        ctx.fail(fmt::format("input {} and target {} differ in a d dim", shape_string(x.shape), shape_string(t.shape)));
    p_ = {};
    p_.batch = x.shape[0];
    p_.classes = x.shape[1];
    p_.inner = p_.batch * p_.classes == 0 ? 0 : x.elements() / (p_.batch * p_.classes);
    if (ctx.has_input(2) && (ctx.in(2).dtype != DType::f32 || ctx.in(2).elements() != p_.classes))
      ctx.fail(fmt::format("weight '{}' must hold {} float32 values", ctx.in(2).name, p_.classes));
    p_.has_ignore_index = ctx.node.attrs.has("ignore_index");
    p_.ignore_index = ctx.node.attrs.get_int("ignore_index", 0);
    const std::string r = ctx.node.attrs.get_string("reduction", "mean");
    if (r == "none") p_.reduction = kernels::LossReduction::none;
    else if (r == "sum") p_.reduction = kernels::LossReduction::sum;
    else if (r == "mean") p_.reduction = kernels::LossReduction::mean;
    else ctx.fail(fmt::format("reduction '{}' is not none, sum or mean", r));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = p_.reduction == kernels::LossReduction::none ? t.shape : Shape{};
  }
  void run(OpContext& ctx) override {
    bad_ = kernels::nll_loss(p_, ctx.in(0).as<float>(), ctx.in(1).as<int64_t>(),
                             ctx.has_input(2) ? ctx.in(2).as<float>() : nullptr, ctx.out(0).as<float>());
  }
  bool run_failed() const override { return bad_ != 0; }

 private:
  kernels::NllLossParams p_;
  int64_t bad_ = 0;
};

}  // namespace

QGATE_REGISTER_OP(OpType::nll_loss, NllLossOp);

}  // namespace qgate::ops
