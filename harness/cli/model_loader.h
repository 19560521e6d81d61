// One entry point for model files: picks the importer by content, folds constants, checks every op is
// supported and the graph is well formed.
#pragma once

#include <string>

#include "harness/graph.h"

namespace qgate {

enum class ModelFormat { tflite, onnx };

struct LoadedModel {
  Graph graph;
  ModelFormat format = ModelFormat::tflite;
  std::string sha256;  // of the file bytes
  size_t file_bytes = 0;
  int folded_nodes = 0;
};

// Throws ModelError/InputError with a one-line reason naming the file.
LoadedModel load_model(const std::string& path);

}  // namespace qgate
