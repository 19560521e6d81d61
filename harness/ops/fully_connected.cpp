// FULLY_CONNECTED (float): input of any shape with a multiple of K elements, weights [N, K] (constant),
// optional bias [N]; keep_num_dims keeps the input's leading dimensions.
#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/conv_attrs.h"
#include "kernels/fully_connected.h"

namespace qgate {
namespace {

class FullyConnectedOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, 1);
    ctx.expect_input(0, DType::f32);
    ctx.expect_input(1, DType::f32, 2);
    ops::expect_constant(ctx, 1, "weights");
    if (const int64_t fmt_id = ctx.node.attrs.get_int("weights_format", 0); fmt_id != 0)
      ctx.fail(fmt::format("weights_format is {}, only DEFAULT (0) is supported", fmt_id));
    const Shape& in = ctx.in(0).shape;
    const Shape& w = ctx.in(1).shape;
    kernels::FullyConnectedParams& p = params_;
    p.units = w[0];
    p.depth = w[1];
    const int64_t elements = ctx.in(0).elements();
    if (p.depth <= 0 || elements % p.depth != 0)
      ctx.fail(fmt::format("input {} has {} elements, not a multiple of the weights' depth {} (weights {})",
                           shape_string(in), elements, p.depth, shape_string(w)));
    p.rows = elements / p.depth;
    p.activation = ops::read_activation(ctx);
    bias_ = ops::read_bias(ctx, 2, p.units);
    ctx.out(0).dtype = DType::f32;
    if (ctx.node.attrs.get_bool("keep_num_dims", false)) {
      if (in.empty() || in.back() != p.depth)
        ctx.fail(fmt::format("keep_num_dims needs the input's last dimension to equal the weights' depth {}, input "
                             "is {}", p.depth, shape_string(in)));
      Shape out = in;
      out.back() = static_cast<int32_t>(p.units);
      ctx.out(0).shape = out;
    } else {
      ctx.out(0).shape = {static_cast<int32_t>(p.rows), static_cast<int32_t>(p.units)};
    }
    weights_ = kernels::pack_fully_connected_weights(p, ctx.in(1).as<float>());
  }

  void run(OpContext& ctx) override {
    kernels::fully_connected_float(params_, weights_, ctx.in(0).as<float>(), bias_, ctx.out(0).as<float>());
  }

 private:
  kernels::FullyConnectedParams params_;
  kernels::PackedMatrix weights_;
  const float* bias_ = nullptr;
};

}  // namespace

QGATE_REGISTER_OP(OpType::fully_connected, FullyConnectedOp);

}  // namespace qgate
