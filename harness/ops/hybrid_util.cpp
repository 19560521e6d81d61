#include "harness/ops/hybrid_util.h"

#include <cmath>

#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "harness/ptq.h"
#include "kernels/hybrid_gemm.h"

namespace qgate::ops {

Int8Weights read_int8_weights(const OpContext& ctx, size_t i, int axis, int64_t channels, const char* what) {
  const Tensor& t = ctx.in(i);
  if (!t.is_constant)
    ctx.fail(fmt::format("{} (input {}, '{}') must be a constant tensor", what, i, t.name));
  const auto& scales = t.quant.scale;
  if (scales.size() != 1 && static_cast<int64_t>(scales.size()) != channels)
    ctx.fail(fmt::format("int8 {} '{}' has {} scales; a hybrid kernel needs 1 (per-tensor) or {} (one per output "
                         "channel on dimension {})", what, t.name, scales.size(), channels, axis));
  if (scales.size() > 1 && t.quant.axis != axis)
    ctx.fail(fmt::format("int8 {} '{}' is quantized per channel on dimension {}, expected dimension {} (the output "
                         "channels)", what, t.name, t.quant.axis, axis));
  for (size_t c = 0; c < scales.size(); ++c)
    if (!(scales[c] >= 0.0f) || !std::isfinite(scales[c]))
      ctx.fail(fmt::format("int8 {} '{}' has scale[{}] = {}, expected a finite value >= 0", what, t.name, c, scales[c]));
  for (size_t c = 0; c < t.quant.zero_point.size(); ++c)
    if (t.quant.zero_point[c] != 0)
      ctx.fail(fmt::format("int8 {} '{}' has zero_point[{}] = {}; hybrid kernels need symmetric weights (zero "
                           "point 0)", what, t.name, c, t.quant.zero_point[c]));
  const int8_t* w = t.as<int8_t>();
  if (!kernels::int8_weights_symmetric(w, t.elements())) {
    int64_t at = 0;
    while (w[at] != -128) ++at;
    ctx.fail(fmt::format("int8 {} '{}' holds -128 (element {}); hybrid kernels need symmetric weights in "
                         "[-127, 127], as TFLite's quantizer writes them", what, t.name, at));
  }
  Int8Weights r;
  r.data = w;
  r.scales = scales;
  for (float s : scales) r.distinct_scales = r.distinct_scales || s != scales[0];
  return r;
}

bool read_asymmetric_inputs(const OpContext& ctx) {
  const int64_t v = ctx.node.attrs.get_int(kAsymmetricInputsAttr, 0);
  if (v != 0 && v != 1) ctx.fail(fmt::format("{} is {}, expected 0 or 1", kAsymmetricInputsAttr, v));
  return v == 1;
}

bool read_xnnpack_epilogue(const OpContext& ctx) {
  const std::string v = ctx.node.attrs.get_string(kEpilogueAttr, "tflite");
  if (v != "tflite" && v != "xnnpack")
    ctx.fail(fmt::format("{} is '{}', expected 'tflite' or 'xnnpack' (onnxruntime's is fully_connected's and conv2d's only)",
                         kEpilogueAttr, v));
  return v == "xnnpack";
}

bool xnnpack_runs_hybrid(const OpContext& ctx, const Int8Weights& w, bool has_bias, bool bias_required) {
  if (!litert_cpu(ctx)) return read_xnnpack_epilogue(ctx);
  for (float s : w.scales)
    if (!(s > 0.0f) || !std::isnormal(s)) return false;
  return has_bias || !bias_required;
}

OrtHybrid read_ort_hybrid(const OpContext& ctx) {
  OrtHybrid r;
  const std::string iq = ctx.node.attrs.get_string(kInputQuantizationAttr, "");
  const std::string ep = ctx.node.attrs.get_string(kEpilogueAttr, "tflite");
  const std::string sat = ctx.node.attrs.get_string(kSaturationAttr, "");
  if (iq.empty() && ep != "onnxruntime" && sat.empty()) return r;
  if (iq != "ort-u8-tensor" || ep != "onnxruntime" || (!sat.empty() && sat != "avx2-u8s8"))
    ctx.fail(fmt::format("{} '{}', {} '{}' and {} '{}': onnxruntime's dynamic quantization needs 'ort-u8-tensor', "
                         "'onnxruntime' and (optionally) 'avx2-u8s8'", kInputQuantizationAttr, iq, kEpilogueAttr, ep,
                         kSaturationAttr, sat));
  r.enabled = true;
  r.saturating = sat == "avx2-u8s8";
  return r;
}

}  // namespace qgate::ops
