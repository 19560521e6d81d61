// Error types that cross module boundaries. Loaders and the CLI report errors that name the file, the field,
// the value and the rule; kernels never throw.
#pragma once

#include <stdexcept>
#include <string>

namespace qgate {

// Bad input or usage: a malformed model, a shape the op cannot take, a missing file. CLI exit status 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A model file that does not satisfy the format or an op's rules. Also exit status 2.
class ModelError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace qgate
