// On-disk cache of a float model's outputs over a data set, shared by `qgate eval` and `qgate compare`: the float
// graph's outputs depend only on the model, the data (with its preprocessing), the output index and the kernels,
// so a later run over the same inputs reads them instead of running the float graph again.
//
// Files: $QGATE_CACHE/float-outputs/<key>.bin (default $XDG_CACHE_HOME/qgate, else ~/.cache/qgate), the key a
// SHA-256 over the model's SHA-256, the data fingerprint (which covers the preprocessing), the output index, the
// kernel path, the qgate version and, for any arithmetic other than qgate's own float kernels (litert-cpu), its
// name. A file holds the first N samples' outputs; it serves any run over at most N samples (--limit takes a
// prefix), and a run over more samples rewrites it. Layout: "QGFO", uint32 version 1, int64 samples, int64 width,
// then samples * width float32 in host byte order (the cache is local to one machine). Any missing, short or
// inconsistent file reads as a miss, never as an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/graph.h"

namespace qgate {

class FloatOutputCache {
 public:
  // A disabled cache: lookups miss and stores do nothing (--no-cache).
  FloatOutputCache() = default;
  // `float_arithmetic`: "" for qgate's own float kernels, else the arithmetic the float graph runs (litert-cpu).
  FloatOutputCache(const std::string& model_sha256, const std::string& data_fingerprint, int output_index,
                   const std::string& float_arithmetic = "");

  bool enabled() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

  // Whether the file holds at least `samples` rows (reads only the header).
  bool holds(int64_t samples) const;
  // The first `samples` rows into `out` when the file holds at least that many; false (out cleared) otherwise.
  bool load(int64_t samples, std::vector<std::vector<float>>& out) const;
  // Whether `samples` rows of `width` floats may be kept in memory and on disk (large outputs, e.g. segmentation
  // maps over a big data set, are not cached).
  static bool fits(int64_t samples, int64_t width);
  // Writes atomically. Returns "" on success, else why not (the caller warns: a failed store only costs the next
  // run a float pass).
  std::string store(const std::vector<std::vector<float>>& rows) const;

 private:
  std::string path_;
};

// Elements of one sample's `output_index` output (0 when the index does not exist: evaluate() reports that).
int64_t output_width(const Graph& graph, int output_index);

// $QGATE_CACHE/float-outputs, else $XDG_CACHE_HOME/qgate/float-outputs, else ~/.cache/qgate/float-outputs, else
// .cache/float-outputs under the working directory.
std::string float_cache_dir();

}  // namespace qgate
