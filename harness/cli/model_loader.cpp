#include "harness/cli/model_loader.h"

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/fold_constants.h"
#include "harness/infer_shapes.h"
#include "core/files.h"
#include "harness/onnx/import.h"
#include "core/sha256.h"
#include "harness/tflite/import.h"

namespace qgate {

LoadedModel load_model(const std::string& path) {
  const std::string bytes = read_file(path);
  LoadedModel m;
  m.sha256 = sha256_hex(bytes);
  m.file_bytes = bytes.size();
  if (bytes.size() >= 8 && bytes.compare(4, 4, "TFL3") == 0) {
    m.format = ModelFormat::tflite;
    // Unsupported ops are checked after folding: a folded node never runs.
    m.graph = import_tflite(std::as_bytes(std::span(bytes.data(), bytes.size())), path,
                            TfliteImportOptions{.check_ops_supported = false});
  } else if (looks_like_onnx(bytes)) {
    m.format = ModelFormat::onnx;
    m.graph = import_onnx(bytes, path);
  } else {
    throw ModelError(fmt::format("{}: neither a TensorFlow Lite model (file identifier 'TFL3' missing at byte 4) "
                                 "nor an ONNX ModelProto", path));
  }
  for (Tensor& t : m.graph.tensors) t.file_dtype = t.dtype;
  m.folded_nodes = fold_constants(m.graph);
  m.graph.validate();
  if (m.format == ModelFormat::tflite) check_tflite_ops_supported(m.graph);
  else check_ops_supported(m.graph);
  // The ONNX importer infers symbolic shapes as it builds; a TFLite graph holds the file's placeholder sizes.
  if (m.format == ModelFormat::tflite && m.graph.has_symbolic_inputs()) infer_shapes(m.graph);
  return m;
}

}  // namespace qgate
