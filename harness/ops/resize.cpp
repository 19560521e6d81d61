// RESIZE_BILINEAR (float) and RESIZE_NEAREST_NEIGHBOR (any dtype), NHWC, size from a constant int32 [2] input.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/resize.h"
#include "kernels/xnnpack_wasm.h"

namespace qgate::ops {

namespace {

kernels::ResizeParams prepare_resize(OpContext& ctx) {
  ctx.expect_arity(2, 2, 1);
  const Tensor& x = ctx.in(0);
  if (x.shape.size() != 4) ctx.fail(fmt::format("input '{}' has shape {}, expected rank 4 (NHWC)", x.name, shape_string(x.shape)));
  const std::optional<std::vector<int64_t>> known = known_ints(ctx, 1, "size");
  ctx.out(0).dtype = x.dtype;
  if (!known) {  // computed from the input shapes: known at prepare
    ctx.out(0).shape = {x.shape[0], kUnknownDim, kUnknownDim, x.shape[3]};
    return {};
  }
  const std::vector<int64_t>& size = *known;
  if (size.size() != 2 || size[0] < 1 || size[1] < 1)
    ctx.fail(fmt::format("size is [{}], expected two positive values [height, width]", fmt::join(size, ",")));
  kernels::ResizeParams p;
  p.align_corners = ctx.node.attrs.get_bool("align_corners", false);
  p.half_pixel_centers = ctx.node.attrs.get_bool("half_pixel_centers", false);
  if (p.align_corners && p.half_pixel_centers)
    ctx.fail("align_corners and half_pixel_centers are both set (TFLite allows at most one)");
  ctx.out(0).dtype = x.dtype;
  ctx.out(0).shape = {x.shape[0], static_cast<int32_t>(size[0]), static_cast<int32_t>(size[1]), x.shape[3]};
  return p;
}

class ResizeBilinear : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_input(0, DType::f32, 4);
    p_ = prepare_resize(ctx);
    xnnpack_ = litert_cpu(ctx);
  }
  void run(OpContext& ctx) override {
    if (xnnpack_)
      kernels::resize_bilinear_xnnpack_wasm(p_.align_corners, p_.half_pixel_centers, nhwc(ctx.in(0).shape),
                                            ctx.in(0).as<float>(), nhwc(ctx.out(0).shape), ctx.out(0).as<float>());
    else
      kernels::resize_bilinear(p_, nhwc(ctx.in(0).shape), ctx.in(0).as<float>(), nhwc(ctx.out(0).shape),
                               ctx.out(0).as<float>());
  }

 private:
  kernels::ResizeParams p_;
  bool xnnpack_ = false;  // LiteRT's CPU arithmetic: XNNPACK's weights and order (kernels/xnnpack_wasm.h)
};

class ResizeNearestNeighbor : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override { p_ = prepare_resize(ctx); }
  void run(OpContext& ctx) override {
    kernels::resize_nearest_neighbor(p_, nhwc(ctx.in(0).shape), ctx.in(0).data.data(), nhwc(ctx.out(0).shape),
                                     ctx.out(0).data.data(), elem_size(ctx.in(0)));
  }

 private:
  kernels::ResizeParams p_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::resize_bilinear, ResizeBilinear);
QGATE_REGISTER_OP(OpType::resize_nearest_neighbor, ResizeNearestNeighbor);

}  // namespace qgate::ops
