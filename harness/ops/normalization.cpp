// Normalization ops: LAYER_NORM (ONNX LayerNormalization: inputs x, scale, bias?; attrs axis (default -1),
// epsilon; outputs Y and optionally Mean and InvStdDev, shaped as x with the normalized dims 1), GROUP_NORM (x
// [N, C, ...], scale [C], bias [C]; attrs num_groups, epsilon: InstanceNormalization is num_groups = C) and
// LOCAL_RESPONSE_NORMALIZATION (TFLite's: over the last axis, attrs radius, bias, alpha, beta; qgate's
// radius_after, when set, the window's extent after the centre for ONNX's even sizes).
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/normalization.h"

namespace qgate::ops {

namespace {

// A float input of exactly `count` elements.
const Tensor& per_element(const OpContext& ctx, size_t i, int64_t count, const char* what) {
  const Tensor& t = ctx.in(i);
  if (t.dtype != DType::f32 || t.elements() != count)
    ctx.fail(fmt::format("{} '{}' is {} {}, expected {} float32 values", what, t.name, dtype_name(t.dtype),
                         shape_string(t.shape), count));
  return t;
}

class LayerNormOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, ctx.outputs.size());
    if (ctx.outputs.empty() || ctx.outputs.size() > 3) ctx.fail("expects 1 to 3 outputs");
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    const int rank = static_cast<int>(x.shape.size());
    if (rank < 1) ctx.fail("input is a scalar");
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", -1), rank, "axis");
    rows_ = 1;
    for (int k = 0; k < axis; ++k) rows_ *= x.shape[k];
    cols_ = rows_ == 0 ? 0 : x.elements() / rows_;
    per_element(ctx, 1, cols_, "scale");
    if (ctx.has_input(2)) per_element(ctx, 2, cols_, "bias");
    epsilon_ = static_cast<float>(ctx.node.attrs.get_float("epsilon", 1e-5));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = x.shape;
    Shape stat = x.shape;
    for (int k = axis; k < rank; ++k) stat[k] = 1;
    for (size_t o = 1; o < ctx.outputs.size(); ++o) {
      ctx.out(o).dtype = DType::f32;
      ctx.out(o).shape = stat;
    }
  }
  void run(OpContext& ctx) override {
    const size_t n = ctx.outputs.size();
    kernels::layer_norm(ctx.in(0).as<float>(), rows_, cols_, ctx.in(1).as<float>(),
                        ctx.has_input(2) ? ctx.in(2).as<float>() : nullptr, epsilon_, ctx.out(0).as<float>(),
                        n > 1 ? ctx.out(1).as<float>() : nullptr, n > 2 ? ctx.out(2).as<float>() : nullptr);
  }

 private:
  int64_t rows_ = 1, cols_ = 1;
  float epsilon_ = 1e-5f;
};

class GroupNormOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() < 2) ctx.fail(fmt::format("input {} needs [N, C, ...]", shape_string(x.shape)));
    batch_ = x.shape[0];
    channels_ = x.shape[1];
    spatial_ = batch_ * channels_ == 0 ? 0 : x.elements() / (batch_ * channels_);
    groups_ = ctx.node.attrs.get_int("num_groups", channels_);
    if (groups_ < 1 || channels_ % groups_ != 0)
      ctx.fail(fmt::format("num_groups {} does not divide the {} channels", groups_, channels_));
    per_element(ctx, 1, channels_, "scale");
    per_element(ctx, 2, channels_, "bias");
    epsilon_ = static_cast<float>(ctx.node.attrs.get_float("epsilon", 1e-5));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    kernels::group_norm(ctx.in(0).as<float>(), batch_, channels_, spatial_, groups_, ctx.in(1).as<float>(),
                        ctx.in(2).as<float>(), epsilon_, ctx.out(0).as<float>());
  }

 private:
  int64_t batch_ = 1, channels_ = 1, spatial_ = 1, groups_ = 1;
  float epsilon_ = 1e-5f;
};

class LrnOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    if (x.shape.empty()) ctx.fail("input is a scalar");
    channels_ = x.shape.back();
    outer_ = channels_ == 0 ? 0 : x.elements() / channels_;
    const int64_t radius = ctx.node.attrs.get_int("radius", 5);
    p_.before = radius;
    p_.after = ctx.node.attrs.get_int("radius_after", radius);
    if (p_.before < 0 || p_.after < 0) ctx.fail(fmt::format("radius {} / {} is negative", p_.before, p_.after));
    p_.bias = static_cast<float>(ctx.node.attrs.get_float("bias", 1.0));
    p_.alpha = static_cast<float>(ctx.node.attrs.get_float("alpha", 1.0));
    p_.beta = static_cast<float>(ctx.node.attrs.get_float("beta", 0.5));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    kernels::local_response_normalization(ctx.in(0).as<float>(), outer_, channels_, 1, p_, ctx.out(0).as<float>());
  }

 private:
  int64_t outer_ = 1, channels_ = 1;
  kernels::LrnParams p_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::layer_norm, LayerNormOp);
QGATE_REGISTER_OP(OpType::group_norm, GroupNormOp);
QGATE_REGISTER_OP(OpType::local_response_normalization, LrnOp);

}  // namespace qgate::ops
