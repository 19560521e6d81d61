// TensorFlow Lite writer: patches an ORIGINAL .tflite with the int8 weights of a quantized Graph and returns a
// dynamic-range model as the TFLite converter writes it (docs/arithmetic.md#what-the-converter-writes), which
// LiteRT and the TFLite interpreter run with their hybrid (float activations, int8 weights) kernels.
//
// Contract:
// - The file is unpacked with the FlatBuffers object API, changed and packed again, so every operator, option,
//   subgraph, signature and metadata entry the file had is kept. The object API keeps only what qgate's schema
//   (harness/tflite/schema.fbs) declares: a file holding a field or union member the schema does not declare is
//   refused with a ModelError naming it, never silently stripped.
// - `quantized` must come from this file (load_model + quantize_graph): its tensor ids are the file's tensor
//   indices of subgraph 0 and each node carries its operator index (kTfliteOperatorIndexAttr).
// - For each node whose weight input is int8 in `quantized` but float in the file (a FLOAT32 constant, or the
//   output of constant ops the loader folded, such as a DEQUANTIZE of a FLOAT16 constant), the operator reads a
//   new INT8 tensor instead (same name and shape; scales, zero points 0, quantized_dimension), its options get
//   asymmetric_quantize_inputs where the op's options table has the field, and its operator code the version
//   the converter gives that hybrid form (a new OperatorCode entry when versions differ between operators).
//   Its other float inputs that folded constant ops compute (a float16 bias behind a DEQUANTIZE) become plain
//   FLOAT32 constants: LiteRT's XNNPACK delegate refuses an int8-weight CONV_2D whose bias is not static
//   ("failed to delegate CONV_2D node") and fails the whole model.
//   Constant operators, tensors, buffers and operator codes left unused by that are removed and every index is
//   renumbered; buffer 0 stays the empty sentinel. Model inputs, outputs and variable tensors are untouched.
// - Weight-only schemes are refused (InputError): a runtime would run int8 weights hybrid, not weight-only.
// - The result passes the FlatBuffers verifier. Nothing here writes files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/ptq.h"

namespace qgate {

// One weight written as INT8.
struct TfliteWrittenWeight {
  int node = -1;            // node id in the quantized graph
  int operator_index = -1;  // in the written file (operators before it may have been removed)
  std::string op;           // "CONV_2D"
  std::string tensor;       // tensor name
  int tensor_index = -1;    // in the written file
  bool per_channel = false;
  int axis = 0;             // quantized_dimension
  int64_t bytes_before = 0;  // the weight in its file dtype (float32, or float16 before DEQUANTIZE), dense
  int64_t bytes_after = 0;   // int8 values + float32 scales
  int version_before = 1;
  int version_after = 1;
};

struct TfliteWriteResult {
  std::string bytes;  // the new .tflite
  std::vector<TfliteWrittenWeight> weights;
  int removed_operators = 0;
  int removed_tensors = 0;
  int removed_buffers = 0;
};

// `source` names the original file in messages. Throws ModelError when the file and the graph do not belong
// together or the file holds fields the schema does not declare, InputError for weight-only schemes.
TfliteWriteResult write_tflite_quantized(const std::string& original_bytes, const QuantizedGraph& quantized,
                                         const std::string& source);

}  // namespace qgate
