// DFT (ONNX opset 17: input [..., 1 | 2] with the components last; input dft_length? constant; attrs axis
// (default 1), inverse, onesided) and STFT (signal [batch, length, 1 | 2], frame_step, window?, frame_length?,
// the scalars constant; attr onesided, default 1). Outputs [..., 2] (real, imaginary), float32.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/dft.h"

namespace qgate::ops {

namespace {

int64_t scalar_input(const OpContext& ctx, size_t i, const char* what) {
  const std::vector<int64_t> v = const_ints(ctx, i, what);
  if (v.size() != 1 || v[0] < 1) ctx.fail(fmt::format("{} [{}] must be one positive value", what, fmt::join(v, ",")));
  return v[0];
}

class DftOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 2, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    const int rank = static_cast<int>(x.shape.size());
    if (rank < 3 || (x.shape.back() != 1 && x.shape.back() != 2))
      ctx.fail(fmt::format("input {} must be [batch, ..., 1 or 2]", shape_string(x.shape)));
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", 1), rank - 1, "axis");
    if (axis == 0) ctx.fail("axis 0 is the batch");
    p_ = {};
    for (int k = 0; k < axis; ++k) p_.outer *= x.shape[k];
    p_.length = x.shape[axis];
    for (int k = axis + 1; k < rank - 1; ++k) p_.inner *= x.shape[k];
    p_.complex_input = x.shape.back() == 2;
    p_.dft_length = ctx.has_input(1) ? scalar_input(ctx, 1, "dft_length") : p_.length;
    p_.inverse = ctx.node.attrs.get_bool("inverse", false);
    p_.onesided = ctx.node.attrs.get_bool("onesided", false);
    Shape out = x.shape;
    out[axis] = static_cast<int32_t>(kernels::dft_bins(p_));
    out.back() = 2;
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override { kernels::dft(p_, ctx.in(0).as<float>(), ctx.out(0).as<float>()); }

 private:
  kernels::DftParams p_;
};

class StftOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 4, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() != 3 || (x.shape[2] != 1 && x.shape[2] != 2))
      ctx.fail(fmt::format("signal {} must be [batch, length, 1 or 2]", shape_string(x.shape)));
    p_ = {};
    p_.batch = x.shape[0];
    p_.length = x.shape[1];
    p_.complex_input = x.shape[2] == 2;
    p_.frame_step = scalar_input(ctx, 1, "frame_step");
    const bool windowed = ctx.has_input(2);
    if (ctx.has_input(3)) p_.frame_length = scalar_input(ctx, 3, "frame_length");
    else if (windowed) p_.frame_length = ctx.in(2).elements();
    else ctx.fail("neither a window nor a frame_length");
    if (windowed && (ctx.in(2).dtype != DType::f32 || ctx.in(2).elements() != p_.frame_length))
      ctx.fail(fmt::format("window '{}' must hold frame_length {} float32 values", ctx.in(2).name, p_.frame_length));
    if (p_.frame_length > p_.length)
      ctx.fail(fmt::format("frame_length {} exceeds the signal's {} samples", p_.frame_length, p_.length));
    p_.onesided = ctx.node.attrs.get_bool("onesided", true);
    const int64_t bins = p_.onesided ? p_.frame_length / 2 + 1 : p_.frame_length;
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {x.shape[0], static_cast<int32_t>(kernels::stft_frames(p_)), static_cast<int32_t>(bins), 2};
  }
  void run(OpContext& ctx) override {
    kernels::stft(p_, ctx.in(0).as<float>(), ctx.has_input(2) ? ctx.in(2).as<float>() : nullptr,
                  ctx.out(0).as<float>());
  }

 private:
  kernels::StftParams p_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::dft, DftOp);
QGATE_REGISTER_OP(OpType::stft, StftOp);

}  // namespace qgate::ops
