// The TFLite op table (internal to harness/tflite/): which qgate OpType a builtin operator code or a custom op
// name becomes. A code or name without a row imports as OpType::count_ and is refused, with every other such
// operator, by check_tflite_ops_supported (import.h). Adding a TFLite op is one row here (plus its options
// table in options.cpp when it has one new to qgate, and the Op itself in harness/ops/).
#pragma once

#include <optional>
#include <string_view>

#include "harness/graph.h"

namespace qgate::tflite_import {

inline constexpr int kCustomCode = 32;  // BuiltinOperator CUSTOM

std::optional<OpType> op_from_builtin(int code);
std::optional<OpType> op_from_custom(std::string_view name);

// True for the MediaPipe custom ops whose options are TfLite C parameter structs in custom_options.
bool has_mediapipe_options(OpType op);

}  // namespace qgate::tflite_import
