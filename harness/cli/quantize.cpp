// qgate quantize: write the dynamic-range .tflite of a float model under a scheme.
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "harness/cli/cli_util.h"
#include "harness/cli/commands.h"
#include "core/errors.h"
#include "harness/cli/model_loader.h"
#include "core/files.h"
#include "harness/onnx/writer.h"
#include "harness/ptq.h"
#include "harness/scheme.h"
#include "harness/tflite/writer.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "quantize", "qgate quantize MODEL.tflite|MODEL.onnx [--scheme S] [--keep-float N1,N2,...] -o OUT.tflite|OUT.onnx",
    "Writes the dynamic-range model of MODEL as TensorFlow Lite's converter does: weights the scheme quantizes\n"
    "become INT8 tensors with their scales, their ops run hybrid (float activations) in LiteRT and the TFLite\n"
    "interpreter; everything else in the file is kept as it was. --keep-float names nodes (ids as 'qgate inspect'\n"
    "numbers them, or output tensor names) whose weights stay float. Weight-only schemes have no file form.\n"
    "An .onnx model is written as onnxruntime's quantize_dynamic does (--scheme ort-dynamic): MatMul and Gemm\n"
    "become DynamicQuantizeLinear + MatMulInteger + Cast + Mul (+ Add), Conv becomes DynamicQuantizeLinear +\n"
    "ConvInteger + Cast + Mul (+ Reshape/Add of the bias)."};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "3,17,conv2d_5" -> node ids; a token is a node id or a node name (the name of its first output tensor).
std::set<int> parse_keep_float(const std::string& text, const Graph& g) {
  std::set<int> ids;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string token = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (token.empty()) continue;
    char* end = nullptr;
    const long id = std::strtol(token.c_str(), &end, 10);
    if (*end == '\0') {
      if (id < 0 || id >= static_cast<long>(g.nodes.size()))
        throw InputError(fmt::format("--keep-float {}: node {} does not exist (the graph has {} nodes, ids 0..{})",
                                     text, id, g.nodes.size(), g.nodes.size() - 1));
      ids.insert(static_cast<int>(id));
      continue;
    }
    int found = -1;
    for (const Node& n : g.nodes)
      if (n.name == token) found = n.id;
    if (found < 0)
      throw InputError(fmt::format("--keep-float {}: no node is named '{}' (use node ids or output tensor names as "
                                   "'qgate inspect' shows them)", text, token));
    ids.insert(found);
  }
  return ids;
}

int quantize_onnx(const po::variables_map& vm, const std::string& model_path, const std::string& out_path) {
  if (!ends_with(out_path, ".onnx"))
    throw UsageError(fmt::format("--output {}: the quantized model of an .onnx is an .onnx (name it *.onnx)", out_path));
  if (!vm["keep-float"].as<std::string>().empty())
    throw UsageError("--keep-float: not supported for .onnx models yet");
  const Scheme scheme = Scheme::parse(vm["scheme"].as<std::string>());
  const std::string bytes = read_file(model_path);
  (void)load_model(model_path);  // the same checks as every other command: qgate can run the float model
  const OnnxWriteResult w = write_onnx_dynamic_quantized(bytes, scheme, model_path);
  write_file_atomic(out_path, w.bytes);
  fmt::print("{} -> {} (scheme {})\n", model_path, out_path, scheme.to_string());
  for (const OnnxWrittenWeight& x : w.weights)
    fmt::print("  {:<40} {:<40} {} ({} elements)\n", x.node, x.tensor,
               x.per_channel ? "int8 per-channel" : "int8 per-tensor", x.elements);
  for (const std::string& k : w.kept_float) fmt::print("  {}\n", k);
  fmt::print("  {} weight{} written int8; file: {} -> {}\n", w.weights.size(), w.weights.size() == 1 ? "" : "s",
             human_bytes(static_cast<double>(bytes.size())), human_bytes(static_cast<double>(w.bytes.size())));
  return 0;
}

}  // namespace

int quantize(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("model", po::value<std::string>()->required(), "model file (.tflite)")(
      "scheme,s", po::value<std::string>()->default_value("tflite-dynamic"),
      ("quantization scheme: a preset (" + scheme_preset_names() + ") or e.g. 'per-channel,act=sym'").c_str())(
      "keep-float", po::value<std::string>()->default_value(""),
      "comma-separated node ids or names whose weights stay float")(
      "output,o", po::value<std::string>()->required(), "the quantized model to write (.tflite)");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;

  const std::string model_path = vm["model"].as<std::string>();
  const std::string out_path = vm["output"].as<std::string>();
  if (ends_with(model_path, ".onnx")) return quantize_onnx(vm, model_path, out_path);
  if (!ends_with(out_path, ".tflite"))
    throw UsageError(fmt::format("--output {}: the quantized model of a .tflite is a .tflite (name it *.tflite)",
                                 out_path));
  const Scheme scheme = Scheme::parse(vm["scheme"].as<std::string>());
  if (scheme.activations == ActivationMode::weight_only)
    throw InputError(fmt::format("--scheme {}: weight-only schemes have no TFLite file form (a runtime runs int8 "
                                 "weights with hybrid kernels); use tflite-dynamic", scheme.to_string()));

  const std::string bytes = read_file(model_path);
  LoadedModel m = load_model(model_path);
  if (m.format != ModelFormat::tflite)
    throw InputError(fmt::format("{}: only .tflite models can be written quantized", model_path));
  const std::set<int> keep = parse_keep_float(vm["keep-float"].as<std::string>(), m.graph);
  const QuantizedGraph q = quantize_graph(m.graph, scheme, keep);
  const TfliteWriteResult w = write_tflite_quantized(bytes, q, model_path);
  write_file_atomic(out_path, w.bytes);

  fmt::print("{} -> {} (scheme {})\n", model_path, out_path, scheme.to_string());
  if (!w.weights.empty())
    fmt::print("  {:>5}  {:<22} {:<40} {:<16} {:>9} {:>9}  {}\n", "node", "op", "tensor", "quantization", "before",
               "after", "version");
  int64_t before = 0, after = 0;
  for (const TfliteWrittenWeight& x : w.weights) {
    std::string tensor = x.tensor.size() > 40 ? "..." + x.tensor.substr(x.tensor.size() - 37) : x.tensor;
    fmt::print("  {:>5}  {:<22} {:<40} {:<16} {:>9} {:>9}  {} -> {}\n", x.node, x.op, tensor,
               x.per_channel ? fmt::format("per-channel ax{}", x.axis) : "per-tensor", human_bytes(x.bytes_before),
               human_bytes(x.bytes_after), x.version_before, x.version_after);
    before += x.bytes_before;
    after += x.bytes_after;
  }
  int stay_float = 0;
  for (const WeightQuantization& r : q.weights) stay_float += r.quantized ? 0 : 1;
  fmt::print("  {} weight{} written int8 ({} -> {}), {} stay float; removed {} operator{}, {} tensor{}, {} buffer{}\n",
             w.weights.size(), w.weights.size() == 1 ? "" : "s", human_bytes(static_cast<double>(before)),
             human_bytes(static_cast<double>(after)), stay_float, w.removed_operators,
             w.removed_operators == 1 ? "" : "s", w.removed_tensors, w.removed_tensors == 1 ? "" : "s",
             w.removed_buffers, w.removed_buffers == 1 ? "" : "s");
  fmt::print("  file: {} -> {} ({:.1f}%)\n", human_bytes(static_cast<double>(bytes.size())),
             human_bytes(static_cast<double>(w.bytes.size())),
             bytes.empty() ? 0.0 : 100.0 * static_cast<double>(w.bytes.size()) / static_cast<double>(bytes.size()));
  return 0;
}

}  // namespace qgate::cli
