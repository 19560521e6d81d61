// FULLY_CONNECTED: input of any shape with a multiple of K elements, weights [N, K] (constant), optional bias [N];
// keep_num_dims keeps the input's leading dimensions.
//
// Float weights run the float kernel. int8 weights run the hybrid kernel (docs/arithmetic.md#fully_connected): each
// input row quantized (asymmetric when asymmetric_quantize_inputs is 1, else symmetric), exact int32 product, then
//   qgate_epilogue "tflite":  out = bias + f32(acc) * f32(s_in * s_w[n]), the multiply skipped (out = bias)
//                             when the whole input is zero (TFLite's IsZeroVector over all rows);
//   qgate_epilogue "xnnpack": out = f32(f32(f32(acc) * s_in) * s_w[n]) + bias, no skip.
// onnxruntime's dynamic quantization (qgate_input_quantization "ort-u8-tensor", qgate_epilogue "onnxruntime"):
// the whole input quantized uint8 with one scale and zero point (DynamicQuantizeLinear), then
// out = f32(f32(acc) * f32(s_in * s_w[n])) + bias; qgate_saturation "avx2-u8s8" forms the product with
// onnxruntime's saturating AVX2 arithmetic.
// Weight scales: one (per-tensor) or N (per-channel on dimension 0); fused activation in float.
#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/conv_attrs.h"
#include "harness/ops/hybrid_util.h"
#include "harness/ops/op_util.h"
#include "kernels/fully_connected.h"
#include "kernels/fully_connected_hybrid.h"

namespace qgate {
namespace {

class FullyConnectedOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, 1);
    ctx.expect_input(0, DType::f32);
    hybrid_ = ctx.in(1).dtype == DType::i8;
    ctx.expect_input(1, hybrid_ ? DType::i8 : DType::f32, 2);
    ops::expect_constant(ctx, 1, "weights");
    if (const int64_t fmt_id = ctx.node.attrs.get_int("weights_format", 0); fmt_id != 0)
      ctx.fail(fmt::format("weights_format is {}, only DEFAULT (0) is supported", fmt_id));
    const Shape& in = ctx.in(0).shape;
    const Shape& w = ctx.in(1).shape;
    kernels::FullyConnectedParams& p = params_;
    p.units = w[0];
    p.depth = w[1];
    if (ctx.symbolic && !shape_is_concrete(in)) {
      // Rows of `depth` values: the input's leading dimensions, or one unknown count.
      Shape out = in;
      if (in.empty() || in.back() != p.depth || !ctx.node.attrs.get_bool("keep_num_dims", false)) {
        const bool two_d = in.size() == 2 && in.back() == p.depth;
        out = {two_d ? in[0] : kUnknownDim, 0};
      }
      out.back() = static_cast<int32_t>(p.units);
      ctx.out(0).dtype = DType::f32;
      ctx.out(0).shape = out;
      return;
    }
    const int64_t elements = ctx.in(0).elements();
    if (p.depth <= 0 || elements % p.depth != 0)
      ctx.fail(fmt::format("input {} has {} elements, not a multiple of the weights' depth {} (weights {})",
                           shape_string(in), elements, p.depth, shape_string(w)));
    p.rows = elements / p.depth;
    p.activation = ops::read_activation(ctx);
    // XNNPACK (wasm) multiplies narrow layers with its nr2 GEMM (kernels/gemm.h).
    if (ops::litert_cpu(ctx))
      p.accumulation = kernels::xnnpack_wasm_uses_nr2(p.units) ? kernels::FloatAccumulation::xnnpack_wasm_c4
                                                                 : kernels::FloatAccumulation::xnnpack_wasm;
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
    if (hybrid_)
      prepare_hybrid(ctx);
    else
      weights_ = kernels::pack_fully_connected_weights(p, ctx.in(1).as<float>());
  }

  void run(OpContext& ctx) override {
    if (hybrid_)
      kernels::fully_connected_hybrid(params_, hybrid_params_, packed_, ctx.in(0).as<float>(), bias_,
                                      ctx.out(0).as<float>(), scratch_);
    else
      kernels::fully_connected_float(params_, weights_, ctx.in(0).as<float>(), bias_, ctx.out(0).as<float>());
  }

 private:
  void prepare_hybrid(OpContext& ctx) {
    const kernels::FullyConnectedParams& p = params_;
    if (p.depth > kernels::kHybridMaxDepth)
      ctx.fail(fmt::format("int8 weights have depth {}; the hybrid int32 accumulators are exact only up to {}",
                           p.depth, kernels::kHybridMaxDepth));
    const ops::Int8Weights w = ops::read_int8_weights(ctx, 1, 0, p.units, "weights");
    using kernels::HybridEpilogue;
    using kernels::HybridInputQuantization;
    kernels::HybridParams& h = hybrid_params_;
    if (const ops::OrtHybrid ort = ops::read_ort_hybrid(ctx); ort.enabled) {
      h.input_quantization = HybridInputQuantization::ort_u8_tensor;
      h.epilogue = HybridEpilogue::scale_product;
      h.product = ort.saturating ? kernels::Int8ProductArithmetic::saturating_u8s8_pairs
                                 : kernels::Int8ProductArithmetic::exact;
    } else {
      // XNNPACK quantizes its rows its own way (asymmetric always); TFLite's builtin kernel by the op's flag.
      const bool xnnpack = ops::xnnpack_runs_hybrid(ctx, w, bias_ != nullptr, false);
      const bool asymmetric = ops::read_asymmetric_inputs(ctx);
      if (xnnpack) {
        // XNNPACK quantizes its rows its own way (asymmetric always) and has no zero-input skip.
        h.input_quantization = HybridInputQuantization::xnnpack_rows;
        h.epilogue = HybridEpilogue::input_scale_first;
      } else {
        // TFLite's builtin kernel: rows by the op's flag; a whole-zero input leaves the bias.
        h.input_quantization = asymmetric ? HybridInputQuantization::asymmetric_rows
                                          : HybridInputQuantization::symmetric_rows;
        h.epilogue = HybridEpilogue::scale_product;
        h.zero_input_gives_bias = true;
      }
    }
    const auto n = static_cast<int32_t>(p.units), k = static_cast<int32_t>(p.depth);
    packed_ = kernels::pack_int8_weights(w.data, n, k, w.scales.data(), static_cast<int32_t>(w.scales.size()));
    scratch_.reserve(p);
  }

  kernels::FullyConnectedParams params_;
  kernels::PackedMatrix weights_;
  const float* bias_ = nullptr;
  bool hybrid_ = false;
  kernels::HybridParams hybrid_params_;
  kernels::PackedInt8Weights packed_;
  kernels::FullyConnectedHybridScratch scratch_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::fully_connected, FullyConnectedOp);

}  // namespace qgate
