// onnxruntime's dynamic quantization (quantize_dynamic) as qgate's hybrid layers.
//
// quantize_dynamic writes, per MatMul:  x -> DynamicQuantizeLinear -> (y, y_scale, y_zp);
//   MatMulInteger(y, W_int8 [K, N], y_zp, W_zp) -> Cast(to float) -> Mul(., Mul(y_scale, W_scale)) [-> Add(bias)]
// and its graph optimizer fuses that into com.microsoft DynamicQuantizeMatMul(x, W, W_scale, W_zp, bias) or
// MatMulIntegerToFloat(y, W, y_scale, W_scale, y_zp, W_zp, bias). Each becomes one hybrid fully_connected node
// with the int8 weight (transposed to [N, K]) and onnxruntime's input quantization and epilogue.
//
// And per Conv:  ConvInteger(y, W_int8 [O, I/group, KH, KW], y_zp, W_zp) -> Cast(to float)
//   -> Mul(., Mul(y_scale, W_scale)) [-> Add(., Reshape(bias [O], [1, -1, 1, 1]))]
// which becomes one hybrid conv2d node (the weight transposed to OHWI, the ConvInteger's strides, dilations,
// pads and group) with the same input quantization and epilogue; a depthwise ConvInteger (group > 1, one input
// channel per group) becomes a hybrid depthwise_conv2d the same way.
//
// Anything not matching runs as the separate integer ops (their handlers are in ops.h).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "harness/graph.h"

namespace qgate::onnx_import {

class Importer;

// One recognised pattern: the nodes it covers and the constants the fused layer takes.
struct OrtDynamicPattern {
  const onnx::NodeProto* conv = nullptr;   // the ConvInteger of a conv pattern (null: a fully connected one)
  const onnx::NodeProto* final = nullptr;  // the node whose output the fused layer produces
  std::string x;                           // the float input
  std::string weight, weight_scale, weight_zp, bias;  // initializer / constant names ("" when absent)
  std::vector<const onnx::NodeProto*> covered;        // nodes the fused layer replaces (except the DQL)
  const onnx::NodeProto* dql = nullptr;
};

struct OrtDynamicPatterns {
  std::map<const onnx::NodeProto*, OrtDynamicPattern> fused;  // keyed by the pattern's last node
  std::set<const onnx::NodeProto*> skipped;  // nodes a fused layer replaces, and DQLs all of whose readers fused
};

// Finds the patterns in the model's graph (read only; the nodes are keyed by address into `model`).
OrtDynamicPatterns find_ort_dynamic_patterns(const onnx::ModelProto& model, const std::string& source);

// onnxruntime's arithmetic on a hybrid node (fully connected, conv, LSTM): the input quantized per tensor to
// uint8 with a zero point, onnxruntime's epilogue.
void set_ort_dynamic_arithmetic(Attributes& a);

// Emits the hybrid fully_connected / conv2d / depthwise_conv2d node of one pattern, at the place of its last node.
void import_ort_dynamic(Importer& im, const OrtDynamicPattern& p);

}  // namespace qgate::onnx_import
