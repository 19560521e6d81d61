// GRID_SAMPLE (ONNX GridSample, 2-D): x [N, C, H, W] float32, grid [N, H_out, W_out, 2]; attrs mode ("bilinear",
// "nearest", "bicubic"), padding_mode ("zeros", "border", "reflection"), align_corners.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/grid_sample.h"

namespace qgate::ops {

namespace {

class GridSampleOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::f32, 4);
    ctx.expect_input(1, DType::f32, 4);
    const Shape& x = ctx.in(0).shape;
    const Shape& g = ctx.in(1).shape;
    if (g[0] != x[0] || g[3] != 2)
      ctx.fail(fmt::format("grid {} must be [{}, H_out, W_out, 2] for input {}", shape_string(g), x[0], shape_string(x)));
    p_ = {};
    p_.batch = x[0];
    p_.channels = x[1];
    p_.in_h = x[2];
    p_.in_w = x[3];
    p_.out_h = g[1];
    p_.out_w = g[2];
    const std::string mode = ctx.node.attrs.get_string("mode", "bilinear");
    if (mode == "bilinear") p_.mode = kernels::GridSampleMode::bilinear;
    else if (mode == "nearest") p_.mode = kernels::GridSampleMode::nearest;
    else if (mode == "bicubic") p_.mode = kernels::GridSampleMode::bicubic;
    else ctx.fail(fmt::format("mode '{}' is not bilinear, nearest or bicubic", mode));
    const std::string pad = ctx.node.attrs.get_string("padding_mode", "zeros");
    if (pad == "zeros") p_.padding = kernels::GridSamplePadding::zeros;
    else if (pad == "border") p_.padding = kernels::GridSamplePadding::border;
    else if (pad == "reflection") p_.padding = kernels::GridSamplePadding::reflection;
    else ctx.fail(fmt::format("padding_mode '{}' is not zeros, border or reflection", pad));
    p_.align_corners = ctx.node.attrs.get_bool("align_corners", false);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {x[0], x[1], g[1], g[2]};
  }
  void run(OpContext& ctx) override {
    kernels::grid_sample(p_, ctx.in(0).as<float>(), ctx.in(1).as<float>(), ctx.out(0).as<float>());
  }

 private:
  kernels::GridSampleParams p_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::grid_sample, GridSampleOp);

}  // namespace qgate::ops
