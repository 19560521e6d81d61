// DEPTHWISE_CONV_2D: input [N,H,W,Cin], filter [1,KH,KW,Cin*depth_multiplier] (constant), optional float bias.
//
// A float filter runs the float kernel. An int8 filter runs the hybrid kernel (kernels/depthwise_conv2d_hybrid.h,
// docs/arithmetic.md#depthwise_conv_2d) in TFLite's one hybrid depthwise mode, whatever asymmetric_quantize_inputs
// and qgate_epilogue say (DepthwiseConv2DOptions have no such option, and XNNPACK leaves dynamic-range depthwise
// to TFLite's builtin kernel): each image quantized asymmetric, padded taps skipped, acc = sum w * (q - zp), and
//   out = f32(f32(f32(acc) * s_in) * s_w[c]) + bias,
// the order of TFLite's optimized DepthwiseConvHybridGeneral, which its builtin resolver runs on x86. (Its
// reference kernel computes f32(acc) * f32(s_w[c] * s_in) and its NEON path f32(f32(acc) * s_w[c]) * s_in:
// up to 1 ulp apart.) TFLite requires per-channel scales on dimension 3; qgate also accepts one per-tensor
// scale (a per-tensor scheme) and repeats it for every channel.
// onnxruntime's dynamic quantization (qgate_input_quantization "ort-u8-tensor", qgate_epilogue "onnxruntime": a
// depthwise ConvInteger as quantize_dynamic writes it) instead quantizes the whole input (every image) with one
// uint8 scale and zero point and computes out = f32(f32(acc) * f32(s_in * s_w[c])) + bias; the product is exact
// (qgate_saturation is accepted and ignored, as for conv2d: ConvInteger does not saturate).
#include <vector>

#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/conv_attrs.h"
#include "harness/ops/hybrid_util.h"
#include "harness/ops/op_util.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/depthwise_conv2d_hybrid.h"

namespace qgate {
namespace {

class DepthwiseConv2DOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    hybrid_ = ops::expect_conv_inputs(ctx);
    const Shape& in = ctx.in(0).shape;
    const Shape& f = ctx.in(1).shape;
    if (ctx.symbolic) {
      ops::infer_window_output(ctx, f[1], f[2], f[3], /*dilated=*/true);
      return;
    }
    kernels::DepthwiseConv2DParams& p = params_;
    p.batch = in[0];
    p.in_h = in[1];
    p.in_w = in[2];
    p.in_c = in[3];
    if (f[0] != 1) ctx.fail(fmt::format("filter has shape {}, expected [1, KH, KW, channels]", shape_string(f)));
    p.kernel_h = f[1];
    p.kernel_w = f[2];
    const int32_t out_c = f[3];
    if (p.in_c <= 0 || out_c % p.in_c != 0)
      ctx.fail(fmt::format("filter has {} channels, not a multiple of the input's {} channels", out_c, p.in_c));
    // The channel counts decide the multiplier (as TFLite does); the attribute, when present, must agree.
    p.depth_multiplier = out_c / p.in_c;
    const int64_t attr_dm = ctx.node.attrs.get_int("depth_multiplier", p.depth_multiplier);
    if (attr_dm != p.depth_multiplier && attr_dm != 0)
      ctx.fail(fmt::format("depth_multiplier is {}, but the filter has {} channels for {} input channels", attr_dm,
                           out_c, p.in_c));
    ops::read_conv_window(ctx, p);
    bias_ = ops::read_bias(ctx, 2, out_c);
    if (ops::litert_cpu(ctx)) p.accumulation = kernels::FloatAccumulation::xnnpack_wasm;
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {p.batch, p.out_h, p.out_w, out_c};
    if (hybrid_) {
      const ops::Int8Weights w = ops::read_int8_weights(ctx, 1, 3, out_c, "filter");
      if (ops::read_ort_hybrid(ctx).enabled) {
        hybrid_params_ = {kernels::HybridInputQuantization::ort_u8_tensor, kernels::HybridEpilogue::scale_product};
      } else {
        // LiteRT's builtin kernel indexes the scale array by output channel: with one per-tensor scale it reads
        // past the array, so there is no LiteRT arithmetic to reproduce (measured: outputs of 1e30 and more).
        if (ops::litert_cpu(ctx) && w.scales.size() == 1 && out_c > 1)
          ctx.fail(fmt::format("int8 filter '{}' has one per-tensor scale; LiteRT's hybrid DEPTHWISE_CONV_2D reads one "
                               "scale per output channel ({}) and computes garbage with it, so litert-cpu cannot "
                               "reproduce it (quantize depthwise filters per channel, as tflite-dynamic does)",
                               ctx.in(1).name, out_c));
        // Read only to reject bad values: TFLite's one hybrid depthwise mode ignores both (see the top).
        (void)ops::read_xnnpack_epilogue(ctx);
        (void)ops::read_asymmetric_inputs(ctx);
        hybrid_params_ = {kernels::HybridInputQuantization::asymmetric_rows,
                          kernels::HybridEpilogue::input_scale_first};
      }
      packed_ = kernels::pack_depthwise_conv2d_int8_weights(p, w.data, w.scales.data(),
                                                            static_cast<int32_t>(w.scales.size()));
    }
    if (p.depth_multiplier > 1) {
      // Depth multiplier m: output channel c * m + j reads input channel c. Replicating each input channel m
      // times turns it into a multiplier-1 depthwise over C * m channels (same products, same order), which
      // runs on the vector path. Hybrid too: the replicated image has the same min and max, hence the same
      // scale, zero point and quantized values.
      replicated_.assign(static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * out_c), 0.0f);
      flat_ = p;
      flat_.in_c = out_c;
      flat_.depth_multiplier = 1;
    }
    if (hybrid_) scratch_.reserve(replicated_.empty() ? p : flat_);
  }

  void run(OpContext& ctx) override {
    const float* in = replicated_.empty() ? ctx.in(0).as<float>() : replicate(ctx.in(0).as<float>());
    const kernels::DepthwiseConv2DParams& p = replicated_.empty() ? params_ : flat_;
    if (hybrid_)
      kernels::depthwise_conv2d_hybrid(p, hybrid_params_, packed_, in, bias_, ctx.out(0).as<float>(), scratch_);
    else
      kernels::depthwise_conv2d_float(p, in, ctx.in(1).as<float>(), bias_, ctx.out(0).as<float>());
  }

  const float* replicate(const float* in) {
    const int32_t m = params_.depth_multiplier;
    const int64_t pixels = int64_t{params_.batch} * params_.in_h * params_.in_w;
    float* dst = replicated_.data();
    for (int64_t px = 0; px < pixels; ++px)
      for (int32_t c = 0; c < params_.in_c; ++c) {
        const float v = in[px * params_.in_c + c];
        for (int32_t j = 0; j < m; ++j) *dst++ = v;
      }
    return replicated_.data();
  }

 private:
  kernels::DepthwiseConv2DParams params_;
  kernels::DepthwiseConv2DParams flat_;  // the multiplier-1 view over the replicated input
  std::vector<float> replicated_;        // input with each channel repeated depth_multiplier times
  const float* bias_ = nullptr;
  bool hybrid_ = false;
  kernels::HybridParams hybrid_params_;
  kernels::PackedDepthwiseConv2DInt8Weights packed_;
  kernels::DepthwiseConv2DHybridScratch scratch_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::depthwise_conv2d, DepthwiseConv2DOp);

}  // namespace qgate
