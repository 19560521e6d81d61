// Prepare-time plumbing shared by the hybrid paths of FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D: reading an
// int8 weight tensor with its scales, and the node attributes that choose the activation quantization and the
// epilogue (harness/ptq.h sets them; a converted .tflite carries asymmetric_quantize_inputs).
#pragma once

#include <cstdint>
#include <vector>

#include "harness/op.h"

namespace qgate::ops {

struct Int8Weights {
  const int8_t* data = nullptr;
  std::vector<float> scales;  // 1 entry (per-tensor) or one per output channel
  // More than one distinct scale: TFLite's rule for taking its per-channel conv path.
  bool distinct_scales = false;
};

// Input i: a constant int8 tensor whose scale array has 1 entry or `channels` entries on quantized dimension
// `axis`, zero points all 0, finite non-negative scales, and no -128 (the int8 GEMM's sign trick needs
// [-127, 127]). Fails naming the rule and the value otherwise.
Int8Weights read_int8_weights(const OpContext& ctx, size_t i, int axis, int64_t channels, const char* what);

// The "asymmetric_quantize_inputs" attribute (absent: 0).
bool read_asymmetric_inputs(const OpContext& ctx);

// The "qgate_epilogue" attribute: "tflite" (absent) -> false, "xnnpack" -> true; anything else fails (read
// read_ort_hybrid first where "onnxruntime" is allowed).
bool read_xnnpack_epilogue(const OpContext& ctx);

// Whether the node's hybrid product runs XNNPACK's qd8 path. Under LiteRT's CPU arithmetic (qgate_arithmetic
// "litert-cpu") that is the XNNPACK delegate's decision: it takes a FULLY_CONNECTED or CONV_2D with int8 weights
// only when every weight scale is positive and normal (an all-zero channel's scale 0 fails xnn_validate_*) and, for
// CONV_2D, when the node has a bias; otherwise TFLite's builtin hybrid kernel runs it. Else the qgate_epilogue
// attribute decides (read_xnnpack_epilogue).
bool xnnpack_runs_hybrid(const OpContext& ctx, const Int8Weights& w, bool has_bias, bool bias_required);

// onnxruntime's dynamic quantization on a fully connected or conv2d node (qgate_input_quantization "ort-u8-tensor" with
// qgate_epilogue "onnxruntime", optional qgate_saturation "avx2-u8s8"); any partial combination fails.
struct OrtHybrid {
  bool enabled = false;
  bool saturating = false;
};
OrtHybrid read_ort_hybrid(const OpContext& ctx);

}  // namespace qgate::ops
