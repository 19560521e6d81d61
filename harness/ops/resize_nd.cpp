// RESIZE_ND (ONNX Resize of any dims, float32): attrs mode ("nearest", "linear", "cubic"),
// coordinate_transformation_mode, nearest_mode, cubic_coeff_a, exclude_outside, extrapolation_value as ONNX
// names them, and, resolved by the importer, sizes (the output shape), scales (one per dim: as given, or
// sizes / input) and roi (starts then ends, for tf_crop_and_resize).
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/resize_nd.h"

namespace qgate::ops {

namespace {

using kernels::CoordinateTransform;
using kernels::NearestRounding;
using kernels::ResizeMode;

class ResizeNdOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    const int rank = static_cast<int>(x.shape.size());
    if (rank < 1 || rank > kernels::kMaxResizeRank)
      ctx.fail(fmt::format("input {} has rank {} (1 to {} supported)", shape_string(x.shape), rank,
                           kernels::kMaxResizeRank));
    const Attributes& a = ctx.node.attrs;
    const std::vector<int64_t> sizes = a.get_ints("sizes");
    const std::vector<double> scales = a.get_floats("scales"), roi = a.get_floats("roi");
    if (static_cast<int>(sizes.size()) != rank || static_cast<int>(scales.size()) != rank)
      ctx.fail(fmt::format("sizes [{}] and scales need one value per dim of {}", fmt::join(sizes, ","),
                           shape_string(x.shape)));
    p_ = {};
    p_.rank = rank;
    Shape out;
    for (int d = 0; d < rank; ++d) {
      if (sizes[d] < 1 || scales[d] <= 0) ctx.fail(fmt::format("dim {}: size {} scale {}", d, sizes[d], scales[d]));
      p_.in[d] = x.shape[d];
      p_.out[d] = sizes[d];
      p_.scale[d] = static_cast<float>(scales[d]);
      p_.roi_start[d] = roi.size() == 2u * rank ? static_cast<float>(roi[d]) : 0.0f;
      p_.roi_end[d] = roi.size() == 2u * rank ? static_cast<float>(roi[rank + d]) : 1.0f;
      out.push_back(static_cast<int32_t>(sizes[d]));
    }
    const std::string mode = a.get_string("mode", "nearest");
    if (mode == "nearest") p_.mode = ResizeMode::nearest;
    else if (mode == "linear") p_.mode = ResizeMode::linear;
    else if (mode == "cubic") p_.mode = ResizeMode::cubic;
    else ctx.fail(fmt::format("mode '{}' is not nearest, linear or cubic", mode));
    const std::string ctm = a.get_string("coordinate_transformation_mode", "half_pixel");
    static const std::pair<const char*, CoordinateTransform> kTransforms[] = {
        {"half_pixel", CoordinateTransform::half_pixel},
        {"pytorch_half_pixel", CoordinateTransform::pytorch_half_pixel},
        {"align_corners", CoordinateTransform::align_corners},
        {"asymmetric", CoordinateTransform::asymmetric},
        {"tf_half_pixel_for_nn", CoordinateTransform::tf_half_pixel_for_nn},
        {"tf_crop_and_resize", CoordinateTransform::tf_crop_and_resize}};
    bool found = false;
    for (const auto& [name, t] : kTransforms)
      if (ctm == name) {
        p_.transform = t;
        found = true;
      }
    if (!found) ctx.fail(fmt::format("coordinate_transformation_mode '{}' is unknown", ctm));
    const std::string nm = a.get_string("nearest_mode", "round_prefer_floor");
    if (nm == "round_prefer_floor") p_.rounding = NearestRounding::round_prefer_floor;
    else if (nm == "round_prefer_ceil") p_.rounding = NearestRounding::round_prefer_ceil;
    else if (nm == "floor") p_.rounding = NearestRounding::floor;
    else if (nm == "ceil") p_.rounding = NearestRounding::ceil;
    else ctx.fail(fmt::format("nearest_mode '{}' is unknown", nm));
    p_.cubic_a = static_cast<float>(a.get_float("cubic_coeff_a", -0.75));
    p_.exclude_outside = a.get_bool("exclude_outside", false);
    p_.extrapolation_value = static_cast<float>(a.get_float("extrapolation_value", 0.0));
    kernels::make_resize_taps(p_, &taps_);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override { kernels::resize_nd(p_, taps_, ctx.in(0).as<float>(), ctx.out(0).as<float>()); }

 private:
  kernels::ResizeNdParams p_;
  kernels::ResizeTaps taps_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::resize_nd, ResizeNdOp);

}  // namespace qgate::ops
