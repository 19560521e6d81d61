// CONV_2D: input [N,H,W,Cin], filter OHWI [Cout,KH,KW,Cin/groups] (constant), optional float bias [Cout].
//
// A float filter runs the float kernel. An int8 filter runs the hybrid kernel (kernels/conv2d_hybrid.h,
// docs/arithmetic.md#conv_2d); the mode follows what TFLite runs for the same tensors:
//   qgate_epilogue "xnnpack"                  -> XNNPACK qd8: each image asymmetric, im2col padded with its zero
//                                                point, out = f32(f32(f32(acc) * s_in) * s_w[n]) + bias.
//   "xnnpack", pointwise (1x1 filter, stride 1, one group)
//                                             -> XNNPACK runs it as a fully connected layer over the pixels:
//                                                each PIXEL (its in_c values) asymmetric with its own scale and zero
//                                                point, same epilogue. Measured with LiteRT.js on fmnist_cnn
//                                                (tests/parity/own_models.txt): per-pixel rows bit-exact, per-image
//                                                rows NMSE 1e-4, while its 3x3 conv and depthwise stay per image.
//   "tflite", groups > 1                      -> TFLite sends grouped hybrid convs to its reference per-channel
//                                                kernel: asymmetric image, out = f32(f32(acc) * s_w[n]) * s_in + bias.
//   "tflite", >1 distinct scales, or asymmetric_quantize_inputs = 1
//                                             -> per-channel path (EvalHybridPerChannel, optimized): asymmetric
//                                                image, zero-point padding, out = f32(acc) * f32(s_w[n] * s_in) + bias.
//   "tflite", otherwise (one distinct scale)  -> per-tensor path (EvalHybrid): symmetric image, zero padding,
//                                                out = f32(acc) * f32(s_in * s_w) + bias.
//   "onnxruntime" with qgate_input_quantization "ort-u8-tensor"
//                                             -> onnxruntime's ConvInteger as quantize_dynamic writes it: the whole
//                                                input (every image of the batch) uint8 with one scale and zero
//                                                point (DynamicQuantizeLinear), padding with that zero point (the
//                                                ConvInteger spec), out = f32(f32(acc) * f32(s_in * s_w[n])) + bias
//                                                (Cast, Mul by the scale product, Add of the reshaped bias).
//                                                Grouped convolutions too (ConvInteger's group). The product is
//                                                exact even under qgate_saturation "avx2-u8s8": onnxruntime 1.30's
//                                                ConvInteger with int8 weights does not saturate int16 pairs on
//                                                AVX2 without VNNI, unlike its MatMulInteger (measured under
//                                                valgrind on tests/data/ort/saturate_conv.onnx, whose pairs reach
//                                                61999: bit-exact with the exact product; ort.saturation_valgrind).
// Written "float(acc - rowsum*zp) * s_w[n] * s_in[b] + bias", the per-channel epilogue is ambiguous without its
// grouping: TFLite's reference kernel multiplies left to right, its optimized kernel (what its builtin resolver
// runs for an ungrouped conv) multiplies the two scales first; the two differ by up to 1 ulp. We follow the
// kernel TFLite picks. TFLite's Conv2DOptions have no asymmetric_quantize_inputs; qgate honours the attribute
// (set by a scheme) by taking the per-channel path's arithmetic with the one scale repeated.
// Dilation: older TFLite releases run the per-channel (and per-tensor) hybrid conv with dilation forced to 1 --
// a defect that computes the wrong taps; qgate applies the dilation as the op's options say.
#include <vector>

#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/conv_attrs.h"
#include "harness/ops/hybrid_util.h"
#include "harness/ops/op_util.h"
#include "kernels/conv2d.h"
#include "kernels/conv2d_hybrid.h"
#include "kernels/fully_connected_hybrid.h"
#include "kernels/parallel.h"

namespace qgate {
namespace {

class Conv2DOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    hybrid_ = ops::expect_conv_inputs(ctx);
    const Shape& in = ctx.in(0).shape;
    const Shape& f = ctx.in(1).shape;
    if (ctx.symbolic) {
      ops::infer_window_output(ctx, f[1], f[2], f[0], /*dilated=*/true);
      return;
    }
    kernels::Conv2DParams& p = params_;
    p.batch = in[0];
    p.in_h = in[1];
    p.in_w = in[2];
    p.in_c = in[3];
    p.out_c = f[0];
    p.kernel_h = f[1];
    p.kernel_w = f[2];
    if (f[3] <= 0 || p.in_c % f[3] != 0)
      ctx.fail(fmt::format("filter has {} input channels, input has {} (must be equal, or a multiple for a grouped "
                           "convolution)", f[3], p.in_c));
    p.groups = p.in_c / f[3];
    if (p.out_c % p.groups != 0)
      ctx.fail(fmt::format("filter has {} output channels, not a multiple of the {} groups ({} input channels / {} "
                           "per filter)", p.out_c, p.groups, p.in_c, f[3]));
    ops::read_conv_window(ctx, p);
    bias_ = ops::read_bias(ctx, 2, p.out_c);

    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {p.batch, p.out_h, p.out_w, p.out_c};
    slots_ = kernels::num_threads();
    if (hybrid_) {
      prepare_hybrid(ctx);
      return;
    }
    if (ops::litert_cpu(ctx)) p.accumulation = xnnpack_accumulation(p);
    weights_ = kernels::pack_conv2d_weights(p, ctx.in(1).as<float>());
    scratch_.assign(static_cast<size_t>(kernels::conv2d_scratch_size(p) * slots_), 0.0f);
  }

  void run(OpContext& ctx) override {
    if (pointwise_fc_)
      kernels::fully_connected_hybrid(fc_shape_, hybrid_params_, fc_packed_, ctx.in(0).as<float>(), bias_,
                                      ctx.out(0).as<float>(), fc_scratch_);
    else if (hybrid_)
      kernels::conv2d_hybrid(params_, hybrid_params_, packed_, ctx.in(0).as<float>(), bias_, ctx.out(0).as<float>(),
                             hybrid_scratch_);
    else
      kernels::conv2d_float(params_, weights_, ctx.in(0).as<float>(), bias_, ctx.out(0).as<float>(),
                            scratch_.data(), slots_);
  }

 private:
  // XNNPACK (wasm) runs a 1x1, stride-1, unpadded, ungrouped convolution as a fully connected layer, whose GEMM is
  // the narrow nr2 kernel when xnnpack_wasm_uses_nr2(out_c); any other convolution as an indirect GEMM, narrow
  // when a group has fewer than 8 output channels.
  static kernels::FloatAccumulation xnnpack_accumulation(const kernels::Conv2DParams& p) {
    const bool fully_connected = p.groups == 1 && p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 &&
                                 p.stride_w == 1 && p.pad_top == 0 && p.pad_left == 0 && p.out_h == p.in_h &&
                                 p.out_w == p.in_w && p.in_c + p.out_c > 2;
    const bool narrow = fully_connected ? kernels::xnnpack_wasm_uses_nr2(p.out_c) : p.out_c / p.groups < 8;
    return narrow ? kernels::FloatAccumulation::xnnpack_wasm_c4 : kernels::FloatAccumulation::xnnpack_wasm;
  }

  void prepare_hybrid(OpContext& ctx) {
    const kernels::Conv2DParams& p = params_;
    const int64_t depth = int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups);
    if (depth > kernels::kHybridMaxDepth)
      ctx.fail(fmt::format("int8 filter has {} taps per output (KH*KW*Cin/groups); the hybrid int32 accumulators "
                           "are exact only up to {}", depth, kernels::kHybridMaxDepth));
    const ops::Int8Weights w = ops::read_int8_weights(ctx, 1, 0, p.out_c, "filter");
    using kernels::HybridEpilogue;
    using kernels::HybridInputQuantization;
    kernels::HybridParams& h = hybrid_params_;
    const bool pointwise = p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 && p.groups == 1;
    if (const ops::OrtHybrid ort = ops::read_ort_hybrid(ctx); ort.enabled) {
      h = {HybridInputQuantization::ort_u8_tensor, HybridEpilogue::scale_product};
    } else if (const bool xnnpack = ops::xnnpack_runs_hybrid(ctx, w, bias_ != nullptr, true); xnnpack && pointwise) {
      // A 1x1 stride-1 filter is [out_c][in_c] over rows of in_c values: the FC kernel with one row per pixel.
      pointwise_fc_ = true;
      h = {HybridInputQuantization::xnnpack_rows, HybridEpilogue::input_scale_first};
      fc_shape_ = {int64_t{p.batch} * p.in_h * p.in_w, p.in_c, p.out_c, p.activation};
      fc_packed_ = kernels::pack_int8_weights(w.data, p.out_c, p.in_c, w.scales.data(),
                                              static_cast<int32_t>(w.scales.size()));
      fc_scratch_.reserve(fc_shape_);
      return;
    } else if (xnnpack) {
      h = {HybridInputQuantization::xnnpack_rows, HybridEpilogue::input_scale_first};
    } else if (p.groups > 1) {
      h = {HybridInputQuantization::asymmetric_rows, HybridEpilogue::weight_scale_first};
    } else if (w.distinct_scales || ops::read_asymmetric_inputs(ctx)) {
      h = {HybridInputQuantization::asymmetric_rows, HybridEpilogue::scale_product};
    } else {
      h = {HybridInputQuantization::symmetric_rows, HybridEpilogue::scale_product};
    }
    packed_ = kernels::pack_conv2d_int8_weights(p, w.data, w.scales.data(), static_cast<int32_t>(w.scales.size()));
    hybrid_scratch_.reserve(p, slots_);
  }

  kernels::Conv2DParams params_;
  kernels::PackedConv2DWeights weights_;
  const float* bias_ = nullptr;
  std::vector<float> scratch_;  // slots_ per-thread im2col blocks
  int slots_ = 1;
  bool hybrid_ = false;
  kernels::HybridParams hybrid_params_;
  kernels::PackedConv2DInt8Weights packed_;
  kernels::Conv2DHybridScratch hybrid_scratch_;
  bool pointwise_fc_ = false;  // XNNPACK's pointwise conv: the hybrid FC kernel with one row per pixel
  kernels::FullyConnectedParams fc_shape_;
  kernels::PackedInt8Weights fc_packed_;
  kernels::FullyConnectedHybridScratch fc_scratch_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::conv2d, Conv2DOp);

}  // namespace qgate
