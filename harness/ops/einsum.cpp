// EINSUM (attr equation; 1 to 4 float32 operands) and DET (a batch of square float32 matrices, [..., n, n]).
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/det.h"
#include "kernels/einsum.h"

namespace qgate::ops {

namespace {

class EinsumOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, kernels::kMaxEinsumOperands, 1);
    std::vector<std::vector<int32_t>> shapes;
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      ctx.expect_input(i, DType::f32);
      shapes.emplace_back(ctx.in(i).shape.begin(), ctx.in(i).shape.end());
    }
    const std::string eq = ctx.node.attrs.get_string("equation", "");
    std::vector<int32_t> out;
    const std::string error = kernels::make_einsum_plan(eq, shapes, &plan_, &out);
    if (!error.empty()) ctx.fail(fmt::format("equation '{}': {}", eq, error));
    scratch_.resize(static_cast<size_t>(plan_.out_elements));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape.assign(out.begin(), out.end());
  }
  void run(OpContext& ctx) override {
    const float* ops[kernels::kMaxEinsumOperands] = {};
    for (size_t i = 0; i < ctx.inputs.size(); ++i) ops[i] = ctx.in(i).as<float>();
    kernels::einsum(plan_, std::span<const float* const>(ops, ctx.inputs.size()), ctx.out(0).as<float>(),
                    scratch_.data());
  }

 private:
  kernels::EinsumPlan plan_;
  std::vector<double> scratch_;
};

class DetOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    const Shape& s = ctx.in(0).shape;
    if (s.size() < 2 || s[s.size() - 1] != s[s.size() - 2])
      ctx.fail(fmt::format("input {} is not a batch of square matrices [..., n, n]", shape_string(s)));
    n_ = s.back();
    batch_ = n_ == 0 ? 0 : ctx.in(0).elements() / (n_ * n_);
    scratch_.resize(static_cast<size_t>(n_ * n_));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape.assign(s.begin(), s.end() - 2);
  }
  void run(OpContext& ctx) override {
    kernels::det(ctx.in(0).as<float>(), batch_, n_, ctx.out(0).as<float>(), scratch_.data());
  }

 private:
  int64_t n_ = 0, batch_ = 0;
  std::vector<double> scratch_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::einsum, EinsumOp);
QGATE_REGISTER_OP(OpType::det, DetOp);

}  // namespace qgate::ops
