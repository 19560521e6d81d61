// Helpers for the datasets/ tests: a temporary directory, small files, and the text of an expected error.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "datasets/spec.h"
#include "core/errors.h"

namespace qgate::test {

// A fresh directory under $TMPDIR, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qgate-datasets-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name = "") const { return name.empty() ? path_ : path_ + "/" + name; }
  // Writes `bytes` to `name` (parent folders created) and returns the full path.
  std::string write(const std::string& name, const std::string& bytes) const {
    std::filesystem::path p = path(name);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

 private:
  std::string path_;
};

// The message of the InputError `fn` throws, or "no error".
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

inline ModelInput model_input(const std::string& name, DType dtype, Shape shape) {
  return ModelInput{name, dtype, std::move(shape)};
}

inline std::unique_ptr<Dataset> open(const std::string& spec, const ModelInput& input,
                                     const Preprocess& pre = {}, const std::string& labels = "",
                                     const std::string& vocab = "", const std::string& json = "") {
  return open_dataset({.spec = spec, .labels_file = labels, .vocab_file = vocab, .preprocess_json = json,
                       .preprocess = pre},
                      {input});
}

}  // namespace qgate::test
