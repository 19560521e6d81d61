// Internal to datasets/: what open_dataset() hands each loader, and helpers loaders share.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/preprocess.h"

namespace qgate {

struct LoaderContext {
  std::string prefix;  // "data KIND:ARGS", starts every error
  std::string args;    // ARGS
  std::vector<std::string> class_names;  // from --labels; empty without it
  std::string labels_file;
  std::string labels_sha256;  // of the --labels file's bytes, "" without it
  std::string vocab_file;
  Preprocess preprocess;  // JSON merged with flags
  std::vector<ModelInput> inputs;

  // The model's only input; throws when it has several (no loader feeds more than one yet).
  const ModelInput& single_input() const;
  // ARGS split at commas: 1 to max_args of them, the first not empty; else InputError "PREFIX: expected USAGE".
  std::vector<std::string> split_args(size_t max_args, const char* usage) const;
  // Throws when any preprocessing option is set, for kinds that feed data as stored.
  void refuse_preprocess(const std::string& why) const;
  // Checks a label against --labels (if given) and returns it; `sample` names it in the error.
  int64_t check_label(int64_t label, const std::string& sample) const;
  // Label from text: an integer index, or a class name from --labels.
  int64_t parse_label(const std::string& text, const std::string& sample) const;
  // Number of classes from --labels, else max label + 1 (0 when there are no labels).
  int64_t num_classes(int64_t max_label) const;
  // "; 10 classes (--labels L.txt)" style text for describe().
  std::string classes_text(int64_t num_classes) const;
};

// Computes a fingerprint once, on first use, from any thread.
class LazyFingerprint {
 public:
  template <typename F> const std::string& get(F compute) const {
    std::call_once(once_, [&] { value_ = compute(); });
    return value_;
  }

 private:
  mutable std::once_flag once_;
  mutable std::string value_;
};

// The last path component ("t10k-images-idx3-ubyte.gz").
std::string base_name(const std::string& path);

std::unique_ptr<Dataset> open_idx(const LoaderContext& ctx);
std::unique_ptr<Dataset> open_folder(const LoaderContext& ctx);
std::unique_ptr<Dataset> open_list(const LoaderContext& ctx);
std::unique_ptr<Dataset> open_npy(const LoaderContext& ctx);
std::unique_ptr<Dataset> open_text(const LoaderContext& ctx);

}  // namespace qgate
