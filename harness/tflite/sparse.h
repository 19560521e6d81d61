// Sparse TFLite constants (the format's SparsityParameters) expanded to dense storage at load (internal to
// harness/tflite/).
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "core/tensor.h"
#include "tflite_schema_generated.h"

namespace qgate::tflite_import {

// Fills `out` (shape and dtype already set) with the dense row-major values of the sparse constant whose stored
// values are `bytes`; every position the index arrays do not address is 0. Checks the sparsity metadata against
// the shape and the buffer, throwing ModelError as "<source>: <where>: <what> (<rule>)".
void densify_sparse_constant(const tflite::SparsityParameters* sp, std::span<const std::byte> bytes,
                             const std::string& source, const std::string& where, Tensor& out);

}  // namespace qgate::tflite_import
