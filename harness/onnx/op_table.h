// The ONNX op table: (domain, op type) -> the handler that imports such a node. It is the one list of the ops
// qgate imports: the importer refuses every node without a row (all of them in one error) before importing any,
// and onnx_op_supported() reads it. Adding an op is one handler (ops.h) and one row (op_table.cpp).
#pragma once

#include <span>
#include <string_view>

#include <onnx/onnx_pb.h>

namespace qgate::onnx_import {

class Importer;

// Imports node n: binds its outputs through Importer::set, or throws NotSupported naming the node and the reason.
using OnnxOpHandler = void (*)(Importer& im, const onnx::NodeProto& n);

struct OnnxOpRow {
  std::string_view domain;  // "" is the default domain (also written "ai.onnx"); "com.microsoft" onnxruntime's
  std::string_view op_type;
  OnnxOpHandler handler;
};

std::span<const OnnxOpRow> onnx_op_table();

// The handler of (domain, op type), null when qgate does not import that op.
OnnxOpHandler find_onnx_op_handler(std::string_view domain, std::string_view op_type);

}  // namespace qgate::onnx_import
