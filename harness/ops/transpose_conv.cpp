// Transposed convolutions (float):
// - TRANSPOSE_CONV: inputs (output_shape int32 [4] constant, weights OHWI [Cout,KH,KW,Cin], input [N,H,W,Cin],
//   optional bias [Cout]); padding, stride_w, stride_h, fused_activation_function.
// - MediaPipe's custom Convolution2DTransposeBias: inputs (input, weights OHWI, bias); padding, stride_w,
//   stride_h; output size SAME in * stride, VALID (in - 1) * stride + kernel.
// Both pad as TFLite's transpose conv: total = max((in - 1) * stride + kernel - out, 0), before = total / 2.
#include <vector>

#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/conv_attrs.h"
#include "harness/ops/op_util.h"
#include "kernels/transpose_conv2d.h"
#include "kernels/xnnpack_wasm.h"

namespace qgate {
namespace {

class TransposeConvOpBase : public Op {
 protected:
  // Fills params_ from input, weights and the requested output size, packs, and sizes the scratch.
  void setup(OpContext& ctx, size_t input_i, size_t weights_i, int32_t out_h, int32_t out_w, bool same,
             kernels::Activation act) {
    const Shape& in = ctx.in(input_i).shape;
    const Shape& w = ctx.in(weights_i).shape;
    kernels::TransposeConv2DParams& p = params_;
    p.batch = in[0];
    p.in_h = in[1];
    p.in_w = in[2];
    p.in_c = in[3];
    p.out_c = w[0];
    p.kernel_h = w[1];
    p.kernel_w = w[2];
    if (!ops::dims_may_match(w[3], p.in_c)) ctx.fail(fmt::format("weights have {} input channels, input has {}", w[3], p.in_c));
    if ((out_h <= 0 || out_w <= 0) && !ctx.symbolic) ctx.fail(fmt::format("output size {}x{} is not positive", out_h, out_w));
    p.out_h = out_h;
    p.out_w = out_w;
    if (ctx.symbolic) {
      ctx.out(0).dtype = DType::f32;
      ctx.out(0).shape = {p.batch, out_h, out_w, p.out_c};
      return;
    }
    p.pad_top = kernels::transpose_conv_pad_before(p.in_h, out_h, p.kernel_h, p.stride_h, same);
    p.pad_left = kernels::transpose_conv_pad_before(p.in_w, out_w, p.kernel_w, p.stride_w, same);
    p.activation = act;
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {p.batch, p.out_h, p.out_w, p.out_c};
    if (ops::litert_cpu(ctx)) {
      filter_ = ctx.in(weights_i).as<float>();  // a graph constant: outlives the op
      return;
    }
    weights_ = kernels::pack_transpose_conv2d_weights(p, ctx.in(weights_i).as<float>());
    scratch_.assign(static_cast<size_t>(kernels::transpose_conv2d_scratch_size(p)), 0.0f);
  }

  void run_kernel(OpContext& ctx, size_t input_i) {
    if (filter_)
      kernels::transpose_conv2d_xnnpack_wasm(params_, filter_, ctx.in(input_i).as<float>(), bias_,
                                             ctx.out(0).as<float>());
    else
      kernels::transpose_conv2d_float(params_, weights_, ctx.in(input_i).as<float>(), bias_, ctx.out(0).as<float>(),
                                      scratch_.data());
  }

  kernels::TransposeConv2DParams params_;
  kernels::PackedMatrix weights_;
  const float* bias_ = nullptr;
  std::vector<float> scratch_;  // one image's per-tap contributions
  const float* filter_ = nullptr;  // set under LiteRT's CPU arithmetic: XNNPACK's order (kernels/xnnpack_wasm.h)
};

class TransposeConvOp : public TransposeConvOpBase {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 4, 1);
    ctx.expect_input(0, DType::i32, 1);
    ctx.expect_input(1, DType::f32, 4);
    ctx.expect_input(2, DType::f32, 4);
    ops::expect_constant(ctx, 1, "weights");
    if (ctx.in(0).shape[0] != 4)
      ctx.fail(fmt::format("output_shape has {} elements, expected 4 (N, H, W, C)", ctx.in(0).shape[0]));
    const Shape& in = ctx.in(2).shape;
    const Shape& w = ctx.in(1).shape;
    params_.stride_h = ops::read_factor(ctx, "stride_h");
    params_.stride_w = ops::read_factor(ctx, "stride_w");
    const std::optional<std::vector<int64_t>> known = ops::known_ints(ctx, 0, "output_shape");
    if (!known) {  // computed from the input shapes: known at prepare
      setup(ctx, 2, 1, kUnknownDim, kUnknownDim, true, kernels::Activation::none);
      return;
    }
    const std::vector<int64_t>& os = *known;
    if (ctx.symbolic) {
      setup(ctx, 2, 1, static_cast<int32_t>(os[1]), static_cast<int32_t>(os[2]), true, kernels::Activation::none);
      return;
    }
    if (os[0] != in[0]) ctx.fail(fmt::format("output_shape batch {} differs from the input's {}", os[0], in[0]));
    if (os[3] != w[0]) ctx.fail(fmt::format("output_shape has {} channels, weights have {}", os[3], w[0]));
    const bool same = ops::read_same_padding(ctx);
    setup(ctx, 2, 1, static_cast<int32_t>(os[1]), static_cast<int32_t>(os[2]), same, ops::read_activation(ctx));
    bias_ = ops::read_bias(ctx, 3, params_.out_c);
  }
  void run(OpContext& ctx) override { run_kernel(ctx, 2); }
};

class Conv2DTransposeBiasOp : public TransposeConvOpBase {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    ctx.expect_input(0, DType::f32, 4);
    ctx.expect_input(1, DType::f32, 4);
    ctx.expect_input(2, DType::f32, 1);
    ops::expect_constant(ctx, 1, "weights");
    params_.stride_h = ops::read_factor(ctx, "stride_h");
    params_.stride_w = ops::read_factor(ctx, "stride_w");
    const bool same = ops::read_same_padding(ctx);
    const Shape& in = ctx.in(0).shape;
    const Shape& w = ctx.in(1).shape;
    const int32_t out_h = ops::derived_dim(in[1], same ? in[1] * params_.stride_h : (in[1] - 1) * params_.stride_h + w[1]);
    const int32_t out_w = ops::derived_dim(in[2], same ? in[2] * params_.stride_w : (in[2] - 1) * params_.stride_w + w[2]);
    setup(ctx, 0, 1, out_h, out_w, same, kernels::Activation::none);
    bias_ = ops::read_bias(ctx, 2, params_.out_c);
  }
  void run(OpContext& ctx) override { run_kernel(ctx, 0); }
};

}  // namespace

QGATE_REGISTER_OP(OpType::transpose_conv, TransposeConvOp);
QGATE_REGISTER_OP(OpType::conv2d_transpose_bias, Conv2DTransposeBiasOp);

}  // namespace qgate
