// NPY files (NumPy format 1.0/2.0/3.0, C order, little-endian) for float32, float16, int8, uint8, int32, int64.
#pragma once

#include <string>

#include "core/files.h"
#include "core/tensor.h"

namespace qgate {

// Reads a whole .npy file into a Tensor (dtype and shape from the header). Throws InputError naming the file,
// the header field and the rule on a malformed or unsupported file.
Tensor read_npy(const std::string& path);
// Parses .npy bytes; `source` names them in errors.
Tensor parse_npy(const std::string& bytes, const std::string& source);
// Serialises a tensor as .npy (format 1.0) bytes.
std::string format_npy(const Tensor& t);
// Writes `path` through a temporary file renamed into place, so a reader never sees half a file.
void write_npy(const std::string& path, const Tensor& t);

}  // namespace qgate
