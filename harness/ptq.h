// Post-training quantization transform: float Graph + Scheme -> quantized Graph with the same node ids, names
// and tensor ids. Weight tensors an op quantizes become int8 constants with their scales (per-tensor, or
// per-channel on the op's output-channel axis); under a weight-only scheme they stay float32 but hold the
// dequantized values (the weights are dequantized once at load and computed in float).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "harness/graph.h"
#include "harness/scheme.h"
#include "reports/model.h"

namespace qgate {

// Node attributes the transform sets and the hybrid ops read.
inline constexpr const char* kAsymmetricInputsAttr = "asymmetric_quantize_inputs";  // TFLite option name, 0/1
inline constexpr const char* kEpilogueAttr = "qgate_epilogue";  // "tflite", "xnnpack" or "onnxruntime"
// "ort-u8-tensor": the whole input quantized as onnxruntime's DynamicQuantizeLinear (absent: rows, per
// asymmetric_quantize_inputs).
inline constexpr const char* kInputQuantizationAttr = "qgate_input_quantization";
// "avx2-u8s8": onnxruntime's saturating uint8 x int8 product (absent: exact).
inline constexpr const char* kSaturationAttr = "qgate_saturation";
// "litert-cpu": the node computes what LiteRT's CPU path computes for it (XNNPACK delegate or TFLite builtin
// kernel, in LiteRT.js's WebAssembly build; docs/litert-cpu.md). Absent: qgate's own float kernels, and the hybrid
// kernels the attributes above name.
inline constexpr const char* kArithmeticAttr = "qgate_arithmetic";

// What happened to one weight tensor.
using reports::WeightQuantization;  // a row of the report model (reports/model.h)

struct QuantizedGraph {
  Graph graph;
  Scheme scheme;
  std::vector<WeightQuantization> weights;
};

// `keep_float`: node ids whose weights stay float (selective quantization). Throws InputError when a node id
// is out of range.
QuantizedGraph quantize_graph(const Graph& float_graph, const Scheme& scheme, const std::set<int>& keep_float = {});

// The weight-only twin of a quantized graph: every int8 weight becomes float32 holding q * s, everything else is
// copied. Running it beside the hybrid graph splits a layer's error into the weight part f(x, W^) - f(x, W) and
// the activation part f(x^, W^) - f(x, W^).
Graph dequantized_twin(const Graph& quantized);

// Whether an already-loaded graph holds int8 weights (a dynamic-range model from the converter).
bool has_int8_weights(const Graph& graph);

// Overrides every hybrid node's activation mode (`qgate run --activations sym|asym`).
void set_activation_mode(Graph& graph, bool asymmetric);

// Makes every node of `graph` compute with LiteRT's CPU arithmetic (kArithmeticAttr "litert-cpu"): each op then
// takes the kernel and rounding LiteRT's CPU path uses for it (docs/litert-cpu.md).
void set_litert_cpu_arithmetic(Graph& graph);

// The arithmetic a graph computes with, as reports name it: "litert-cpu" when its nodes carry that arithmetic;
// else by its hybrid nodes' epilogue: "tflite-builtin", "xnnpack-qd8", "onnxruntime" (a mix: "mixed"), and
// "float" when it has no int8 weights (float kernels, e.g. weight-only). Float ops outside litert-cpu run
// qgate's own kernels.
std::string arithmetic_name(const Graph& graph);

}  // namespace qgate
