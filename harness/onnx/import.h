// ONNX importer: an ONNX ModelProto (Debian's libonnx-dev protobuf classes) into the same Graph IR as TFLite.
//
// Layout: ONNX convolution-family ops are NCHW, qgate's kernels are NHWC. The importer tracks, per ONNX value,
// whether it is stored in ONNX order or as the NHWC permutation of a 4-D NCHW value. Conv/pool ops consume
// and produce NHWC; elementwise ops, per-channel BatchNormalization, channel Softmax, Concat and ReduceMean
// stay in NHWC (constant operands and axes are permuted at load); any other op gets one TRANSPOSE back to ONNX
// order. So a conv chain has one TRANSPOSE at its entry and one where it leaves (Flatten/Reshape/graph output),
// never one per op. Weights are transposed at load (OIHW -> OHWI, depthwise -> 1HWO).
#pragma once

#include <string>

#include "harness/graph.h"

namespace qgate {

// True when `bytes` parse as an ONNX ModelProto with a graph.
bool looks_like_onnx(const std::string& bytes);

// Throws ModelError naming `source`, the node and the rule; every op type qgate cannot import is listed in one
// error. Shape-derived subgraphs (Shape, Gather, Concat, ... on static shapes) are folded while importing.
Graph import_onnx(const std::string& bytes, const std::string& source);

// The ONNX op types (default domain) the importer maps; others are refused by name.
bool onnx_op_supported(const std::string& op_type);

// A serialized TensorProto (the backend tests' input_N.pb / output_N.pb) as a constant Tensor.
Tensor parse_onnx_tensor(const std::string& bytes, const std::string& source);

}  // namespace qgate
