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
enum OnnxType {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kBool = 9, kFloat16 = 10, kDouble = 11, kBfloat16 = 16
};

// "float64", "uint16", ... for messages: the TensorProto.DataType of a number.
std::string onnx_type_name(int64_t onnx_type);
// "sequence", "optional", "map", "sparse tensor" or "tensor": what a graph input or output holds.
std::string onnx_value_kind(const onnx::TypeProto& type);

// A constant Tensor with the proto's values: float, double, float16 and bfloat16 become float32 (file_dtype keeps
// f16 for float16), the integer types and bool keep theirs. Data kept in an external file (data_location
// EXTERNAL) is read from its `location`, relative to the folder of `source` (the model file), at `offset` for
// `length` bytes. Throws ModelError naming `source` and the tensor for a missing or short external file, a
// location outside the model's folder, a value count that does not match the shape, or another data type.
Tensor tensor_from_proto(const onnx::TensorProto& tp, const std::string& source);

// The DType qgate computes an ONNX element type in: float, double, float16 and bfloat16 as float32 (qgate's float
// kernels are float32; a Cast to float16 rounds to float16 values), uint8, int8, int32, int64 and bool as
// themselves; nullopt for the others (strings, int16, the unsigned types above 8 bits, complex).
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
