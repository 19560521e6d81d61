// TensorFlow Lite importer: a .tflite FlatBuffer -> qgate Graph (subgraph 0).
//
// Contract: the returned Graph owns copies of every constant (the file's bytes are not kept), sparse constants
// are expanded to dense at load, and Graph::validate() has passed. Anything malformed (truncated file, wrong
// identifier, an index out of range, a shape or quantization array that breaks the format's rules, an
// unsupported tensor type) throws qgate::ModelError with ONE line:
//   "<file>: <where: tensor 12 'name' / operator 3 CONV_2D>: <what> (<rule>)".
// A file that cannot be read throws qgate::InputError. Thread safety: none needed, no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "harness/graph.h"

namespace qgate {

struct TfliteImportOptions {
  // Throw one ModelError listing every operator qgate cannot run (unknown op code, or no registered Op).
  // `qgate inspect` and the import tests turn it off to look at models qgate cannot run yet.
  bool check_ops_supported = true;
};

Graph import_tflite(const std::string& path, const TfliteImportOptions& options = {});
// From bytes already in memory; `source` names them in messages (usually the file path).
Graph import_tflite(std::span<const std::byte> bytes, const std::string& source,
                    const TfliteImportOptions& options = {});

// Throws one ModelError listing each node whose TFLite op is unknown to qgate or has no registered Op, as
// "op <index> <BUILTIN_NAME>" or "op <index> custom '<name>'". import_tflite() calls it unless turned off.
void check_tflite_ops_supported(const Graph& graph);

// "CONV_2D" for 3; "BUILTIN_<code>" for codes this build does not name.
std::string tflite_builtin_name(int code);

// How a node's TFLite op is labelled in messages and histograms: "CONV_2D" or "custom 'Name'".
std::string tflite_op_label(const Node& node);

// Attribute keys (besides the option fields) the importer sets on every node, so reports and the
// supported-op check can name the original op even when qgate has no OpType for it (op = OpType::count_).
inline constexpr const char* kTfliteBuiltinCodeAttr = "tflite_builtin_code";  // int
inline constexpr const char* kTfliteOperatorIndexAttr = "tflite_operator_index";
inline constexpr const char* kTfliteCustomCodeAttr = "tflite_custom_code";    // string, custom ops only

}  // namespace qgate
