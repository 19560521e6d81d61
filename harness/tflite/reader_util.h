// What the TFLite reader's parts share (internal to harness/tflite/): the one error form "<file>: <where>: <what>",
// the size limit that tells a corrupt shape from a real one, and how an int vector of the file is printed.
#pragma once

#include <cstdint>
#include <string>

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include "core/errors.h"

namespace qgate::tflite_import {

// No tensor qgate handles comes near this; a larger one is a corrupt shape, not a real model.
inline constexpr int64_t kMaxTensorBytes = int64_t{1} << 40;

using FbIntVector = flatbuffers::Vector<int32_t>;

// Throws the ModelError of an import of `source`: fail(where, what), `where` naming the tensor or operator,
// `what` the value and the rule.
struct ImportFailure {
  const std::string& source;
  [[noreturn]] void operator()(const std::string& where, const std::string& what) const {
    throw ModelError(fmt::format("{}: {}: {}", source, where, what));
  }
};

// "[1,2,3]"; "[]" for an absent vector.
inline std::string int_list(const FbIntVector* v) {
  std::string s = "[";
  if (v)
    for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) s += (i ? "," : "") + std::to_string(v->Get(i));
  return s + "]";
}

}  // namespace qgate::tflite_import
