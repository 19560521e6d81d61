// ONNX protobuf decoding for the importer: TensorProto -> Tensor (initializers, Constant values, the backend
// tests' .pb files), ONNX element types -> DType, and the attribute readers of a NodeProto. Nothing here knows
// about layouts or the graph under construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/tensor.h"

namespace qgate::onnx_import {

// TensorProto.DataType values (onnx.proto) qgate reads.
enum OnnxType { kFloat = 1, kUint8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kBool = 9, kFloat16 = 10, kDouble = 11 };

// A constant Tensor with the proto's values: float, double and float16 become float32 (file_dtype keeps f16 for
// float16), the integer types and bool keep theirs. Throws ModelError naming `source` and the tensor for
// external data, a value count that does not match the shape, or another data type.
Tensor tensor_from_proto(const onnx::TensorProto& tp, const std::string& source);

// The DType of an ONNX element type qgate computes with (float, uint8, int8, int32, int64, bool); nullopt else.
std::optional<DType> dtype_from_onnx(int64_t onnx_type);

// The initializer, or the `value` of the Constant node, that holds `name`; null when it is neither.
const onnx::TensorProto* find_constant_proto(const onnx::GraphProto& graph, const std::string& name);

// Attribute readers: the attribute of that name, or the fallback (an empty list) when the node has none.
const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& key);
int64_t attr_int(const onnx::NodeProto& n, const std::string& key, int64_t fallback);
float attr_float(const onnx::NodeProto& n, const std::string& key, float fallback);
std::string attr_string(const onnx::NodeProto& n, const std::string& key, const std::string& fallback);
std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& key);

}  // namespace qgate::onnx_import
