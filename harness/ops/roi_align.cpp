// ROI_ALIGN (ONNX RoiAlign, opset 16): x [N, C, H, W] float32, rois [R, 4] float32, batch_indices [R] int64;
// attrs mode ("avg", "max"), output_height, output_width, sampling_ratio, spatial_scale,
// coordinate_transformation_mode ("half_pixel", "output_half_pixel"). Output [R, C, output_height, output_width].
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/roi_align.h"

namespace qgate::ops {

namespace {

class RoiAlignOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    ctx.expect_input(0, DType::f32, 4);
    ctx.expect_input(1, DType::f32, 2);
    ctx.expect_input(2, DType::i64, 1);
    const Shape& x = ctx.in(0).shape;
    const Shape& rois = ctx.in(1).shape;
    if (rois[1] != 4 || ctx.in(2).shape[0] != rois[0])
      ctx.fail(fmt::format("rois {} must be [R, 4] with batch_indices [R] (given {})", shape_string(rois),
                           shape_string(ctx.in(2).shape)));
    const Attributes& a = ctx.node.attrs;
    p_ = {};
    p_.channels = x[1];
    p_.height = x[2];
    p_.width = x[3];
    p_.rois = rois[0];
    p_.out_h = a.get_int("output_height", 1);
    p_.out_w = a.get_int("output_width", 1);
    p_.sampling_ratio = a.get_int("sampling_ratio", 0);
    p_.spatial_scale = static_cast<float>(a.get_float("spatial_scale", 1.0));
    const std::string mode = a.get_string("mode", "avg"), ctm = a.get_string("coordinate_transformation_mode", "half_pixel");
    if (mode != "avg" && mode != "max") ctx.fail(fmt::format("mode '{}' is not avg or max", mode));
    if (ctm != "half_pixel" && ctm != "output_half_pixel")
      ctx.fail(fmt::format("coordinate_transformation_mode '{}' is not half_pixel or output_half_pixel", ctm));
    if (p_.out_h < 1 || p_.out_w < 1 || p_.sampling_ratio < 0)
      ctx.fail(fmt::format("output {}x{}, sampling_ratio {}", p_.out_h, p_.out_w, p_.sampling_ratio));
    p_.max = mode == "max";
    p_.half_pixel = ctm == "half_pixel";
    batch_ = x[0];
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {rois[0], x[1], static_cast<int32_t>(p_.out_h), static_cast<int32_t>(p_.out_w)};
  }
  void run(OpContext& ctx) override {
    bad_ = kernels::roi_align(p_, batch_, ctx.in(0).as<float>(), ctx.in(1).as<float>(), ctx.in(2).as<int64_t>(),
                              ctx.out(0).as<float>());
  }
  bool run_failed() const override { return bad_ != 0; }

 private:
  kernels::RoiAlignParams p_;
  int64_t batch_ = 1, bad_ = 0;
};

}  // namespace

QGATE_REGISTER_OP(OpType::roi_align, RoiAlignOp);

}  // namespace qgate::ops
