// TFLite operator options -> node attributes (internal to harness/tflite/): the schema's builtin option tables,
// and the raw C parameter structs MediaPipe's custom ops keep in custom_options. Attribute names and enum values
// follow the contract in harness/graph.h.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "harness/graph.h"
#include "tflite_schema_generated.h"

namespace qgate::tflite_import {

// The fields of op's builtin options table, named as the schema names them; nothing for options qgate does not run.
void decode_builtin_options(const tflite::Operator* op, Attributes& a);

// The options of a MediaPipe custom op (conv2d_transpose_bias, max_pooling_with_argmax, max_unpooling), read from
// custom_options or the large custom options stored in `file`. Throws ModelError naming `source` and `where`
// (the operator) for options too short or out of range.
void decode_mediapipe_options(const tflite::Operator* op, OpType type, std::span<const std::byte> file,
                              const std::string& source, const std::string& where, Attributes& a);

}  // namespace qgate::tflite_import
