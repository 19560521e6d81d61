// Dataset: a labeled (or unlabeled) sequence of model inputs that `qgate eval` streams sample by sample.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace qgate {

// One model input as a data set must produce it: the model's input tensor's name, dtype and shape
// (batch dimension first and equal to 1).
struct ModelInput {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;

  static ModelInput of(const Tensor& t) { return {t.name, t.dtype, t.shape}; }
};

struct Sample {
  // One tensor per model input, in the model's input order; each has the model input's name, dtype and
  // shape (batch 1). load() reuses the buffers already in `inputs`, so a thread that keeps its Sample
  // allocates only on its first call.
  std::vector<Tensor> inputs;
  int64_t label = -1;  // class index in [0, num_classes()), or -1 for an unlabeled data set
  std::string id;      // names the sample in errors and reports: "t10k-images-idx3-ubyte.gz#123",
                       // "cat/001.jpg", "line 17"

  // The only input of a single-input model: inputs resized to one tensor with `input`'s name, dtype and shape,
  // its buffer allocated for them.
  Tensor& single_input(const ModelInput& input);
};

class Dataset {
 public:
  virtual ~Dataset();

  virtual int64_t size() const = 0;

  // Fills `out` with sample i (0 <= i < size()). Thread-safe (several threads may load different or equal
  // samples at once) and deterministic (the same i gives the same bytes on every call and every run).
  // Throws InputError naming the sample for data that cannot be read or decoded (an unreadable image, an
  // image smaller than the crop); everything checkable without decoding samples is checked when the data
  // set is opened.
  virtual void load(int64_t i, Sample& out) const = 0;

  // Class names by label index, from --labels or the data (folder names); empty when the data names none.
  virtual std::vector<std::string> class_names() const;
  // Number of classes: class_names().size() when there are names, else max label + 1; 0 when unlabeled.
  virtual int64_t num_classes() const = 0;
  // One line for reports: kind, files, sample count, classes and the resolved preprocessing.
  virtual std::string describe() const = 0;
  // Identifies the samples this data set produces, for cache keys and report manifests: a SHA-256 over the
  // data's bytes, the labels/vocabulary files and the resolved preprocessing. Image folders and lists above
  // 256 MiB hash each file's path, size and modification time instead of its bytes (reading gigabytes on every
  // run would cost more than the evaluation). The prefix says which: "sha256:<hex>" hashes contents,
  // "stat-sha256:<hex>" hashes file metadata. IDX hashes the decompressed bytes (a .gz and its plain copy
  // agree); npy hashes the arrays as NumPy would write them.
  // Computed on first call (may take a moment for large files), then cached; thread-safe.
  virtual std::string fingerprint() const = 0;
};

}  // namespace qgate
