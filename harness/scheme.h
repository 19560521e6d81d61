// A quantization scheme: how weights become integers, how activations are handled at run time, and which ops
// are quantized. Parsed from and printed to one canonical string, e.g. "per-channel,bits=4,act=asym,min-elements=0"
// or "tflite-dynamic".
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "harness/graph.h"

namespace qgate {

enum class WeightGranularity : uint8_t {
  converter_default,  // CONV_2D per-channel on dim 0, DEPTHWISE per-channel on dim 3, the rest per-tensor
  per_tensor,
  per_channel,        // on each op's output-channel axis
};

enum class ActivationMode : uint8_t {
  op_default,   // each op's asymmetric_quantize_inputs option (already-quantized models)
  symmetric,    // hybrid: rows quantized symmetric int8
  asymmetric,   // hybrid: rows quantized asymmetric int8 with a zero point
  weight_only,  // weights dequantized once at load, float compute
  ort_u8_tensor,  // onnxruntime DynamicQuantizeLinear: the whole input tensor uint8 with one scale and zero point
};

// The order of a hybrid kernel's float epilogue (docs/arithmetic.md#epilogues).
enum class Epilogue : uint8_t {
  tflite,   // out = bias + f32(acc) * f32(s_in * s_w): TFLite's builtin kernels
  xnnpack,  // out = f32(f32(acc * s_in) * s_w) + bias: XNNPACK's qd8 path, what TFLite runs on CPU for FC/conv
  onnxruntime,  // out = f32(f32(acc) * f32(s_in * s_w)) + bias: quantize_dynamic's Cast, Mul, Add
};

// Whose weight quantizer: TFLite's (half away from zero, s = R / qmax in float) or onnxruntime quantize_dynamic's
// (half to even, s = float32(2R / 2qmax) in double, 1 for an all-zero tensor). Set by the preset only.
enum class WeightQuantizer : uint8_t { tflite, onnxruntime };

// The integer product's arithmetic (kernels::Int8ProductArithmetic).
enum class Saturation : uint8_t {
  none,       // exact int32
  avx2_u8s8,  // onnxruntime's uint8 x int8 GEMM on AVX2 without VNNI: adjacent k pairs saturate to int16
};

// Whose arithmetic the graph computes with. by_epilogue: qgate's float kernels and the hybrid kernels the
// epilogue (and activation) keys name. litert_cpu: every op as LiteRT's CPU path computes it (XNNPACK delegate
// where it takes the op, TFLite's builtin kernels elsewhere; docs/litert-cpu.md), the float ops included.
enum class Arithmetic : uint8_t { by_epilogue, litert_cpu };

struct Scheme {
  std::string base = "tflite-dynamic";  // preset or granularity word the string starts with
  WeightGranularity granularity = WeightGranularity::converter_default;
  int bits = 8;
  ActivationMode activations = ActivationMode::asymmetric;
  int64_t min_elements = 1024;  // weights with fewer elements stay float
  Epilogue epilogue = Epilogue::tflite;
  std::set<OpType> ops;         // op types whose weights are quantized
  WeightQuantizer weight_quantizer = WeightQuantizer::tflite;
  bool reduce_range = false;    // onnxruntime's reduce_range: 7-bit weights in [-64, 64]
  Saturation saturation = Saturation::none;
  Arithmetic arithmetic = Arithmetic::by_epilogue;

  // Parses "tflite-dynamic", "per-channel,bits=4,act=asym,min-elements=0", "ort-dynamic,granularity=per-channel,
  // saturate=avx2-u8s8", ... Throws InputError naming the token and the rule.
  static Scheme parse(const std::string& text);
  // Canonical string: the base, then only the keys that differ from the base's defaults, in the order
  // granularity, bits, act, min-elements, epilogue, ops, reduce-range, saturate, arithmetic.
  // parse(s.to_string()) == s.
  std::string to_string() const;
  bool operator==(const Scheme&) const = default;

  bool quantizes(OpType op) const { return ops.count(op) != 0; }
  // Per-channel for this op under this scheme?
  bool per_channel_for(OpType op) const;
  // Largest weight magnitude: 2^(bits-1) - 1, or 64 under reduce_range.
  int weight_qmax() const { return reduce_range ? 64 : (1 << (bits - 1)) - 1; }
};

// The presets, for --help texts: "tflite-dynamic, tflite-dynamic-legacy, xnnpack-qd8, weight-only-int8,
// ort-dynamic".
std::string scheme_preset_names();
// Every op type with a hybrid kernel (the default `ops` of every preset).
std::set<OpType> hybrid_op_types();

}  // namespace qgate
