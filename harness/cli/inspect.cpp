// qgate inspect: what is in a model and what the converter's rules would quantize.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/cli/cli_util.h"
#include "harness/cli/commands.h"
#include "harness/cli/input_shapes.h"
#include "harness/cli/model_loader.h"
#include "harness/executor.h"
#include "harness/ptq.h"
#include "harness/scheme.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "inspect", "qgate inspect MODEL [--scheme S] [--json] [--input-shape NAME:D0,D1,...]",
    "Shows the model's inputs and outputs, its op histogram, and every weight tensor of an op with a hybrid\n"
    "kernel: dtype as stored in the file, shape, bytes, and what the quantization scheme does with it (int8\n"
    "per-tensor, per-channel on an axis, or stay float and why). The default scheme, tflite-dynamic, is what\n"
    "TensorFlow Lite's dynamic-range converter does. Symbolic dimensions show by name ([batch,3,height,width];\n"
    "'?' for a size computed from them); with --input-shape sizing every input, the outputs' sizes at those\n"
    "input sizes follow."};

// A shape for JSON: sizes as numbers, symbolic dimensions as their names ("?" when unnamed).
nlohmann::ordered_json shape_json(const Graph& g, const Shape& s) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (int32_t d : s) {
    if (d >= 0) j.push_back(d);
    else if (is_symbol(d) && symbol_of(d) < static_cast<int>(g.symbols.size())) j.push_back(g.symbols[symbol_of(d)]);
    else j.push_back("?");
  }
  return j;
}

}  // namespace

int inspect(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("model", po::value<std::string>()->required(), "model file (.tflite)")(
      "scheme", po::value<std::string>()->default_value("tflite-dynamic"),
      ("quantization scheme: " + scheme_preset_names()).c_str())(
      "json", po::bool_switch(), "print one JSON document instead of tables");
  add_input_shape_option(options);
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;

  const std::string path = vm["model"].as<std::string>();
  LoadedModel m = load_model(path);
  const Graph& g = m.graph;
  // With every input sized: the outputs' shapes at those sizes (the plan an executor makes for them).
  const std::vector<Shape> requested = input_shapes_for(vm, g);
  std::vector<Shape> sized_outputs;
  if (vm.count("input-shape") &&
      std::all_of(requested.begin(), requested.end(), [](const Shape& s) { return shape_is_concrete(s); })) {
    Executor exec(g);
    exec.prepare(requested);
    for (size_t i = 0; i < g.outputs.size(); ++i) sized_outputs.push_back(exec.output(i).shape);
  }

  std::map<std::string, int> histogram;
  for (const Node& n : g.nodes) ++histogram[std::string(op_name(n.op))];
  const Scheme scheme = Scheme::parse(vm["scheme"].as<std::string>());
  const QuantizedGraph quantized = quantize_graph(g, scheme);
  const std::vector<WeightQuantization>& weights = quantized.weights;

  if (vm["json"].as<bool>()) {
    nlohmann::ordered_json j;
    j["model"] = path;
    j["sha256"] = m.sha256;
    j["bytes"] = m.file_bytes;
    j["nodes"] = g.nodes.size();
    j["scheme"] = scheme.to_string();
    j["folded_at_load"] = m.folded_nodes;
    auto tensor_json = [&](int id) {
      const Tensor& t = g.tensors[id];
      return nlohmann::ordered_json{{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", shape_json(g, t.shape)}};
    };
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      j["inputs"].push_back(tensor_json(g.inputs[i]));
      if (!sized_outputs.empty()) j["inputs"].back()["sized"] = requested[i];
    }
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      j["outputs"].push_back(tensor_json(g.outputs[i]));
      if (!sized_outputs.empty()) j["outputs"].back()["sized"] = sized_outputs[i];
    }
    j["ops"] = histogram;
    j["weights"] = nlohmann::ordered_json::array();
    for (const auto& w : weights) {
      const Tensor& t = g.tensors[w.tensor];
      j["weights"].push_back({{"node", w.node},
                              {"op", op_name(g.nodes[w.node].op)},
                              {"tensor", t.name},
                              {"file_dtype", dtype_name(t.file_dtype)},
                              {"shape", t.shape},
                              {"bytes", t.elements() * static_cast<int64_t>(dtype_size(t.file_dtype))},
                              {"quantized_bytes", w.quantized_bytes},
                              {"quantize", w.quantized},
                              {"per_channel", w.per_channel},
                              {"axis", w.axis},
                              {"decision", w.reason},
                              {"sqnr_db", w.quantized && w.sum_sq_error > 0
                                              ? 10.0 * std::log10(w.sum_sq / w.sum_sq_error) : 100.0}});
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }

  fmt::print("model    {}\n", path);
  fmt::print("size     {} ({} bytes), sha256 {}\n", human_bytes(static_cast<double>(m.file_bytes)), m.file_bytes,
             m.sha256);
  fmt::print("graph    {} nodes ({} constant nodes folded at load), {} tensors\n\n", g.nodes.size(), m.folded_nodes,
             g.tensors.size());
  auto print_io = [&](const char* title, const std::vector<int>& ids, const std::vector<Shape>& sized) {
    fmt::print("{}\n", title);
    for (size_t i = 0; i < ids.size(); ++i) {
      const Tensor& t = g.tensors[ids[i]];
      fmt::print("  {:<3}{:<40} {:<8} {}{}\n", i, t.name, dtype_name(t.dtype), g.shape_text(t.shape),
                 sized.empty() ? "" : "  sized " + shape_string(sized[i]));
    }
  };
  print_io("inputs", g.inputs, sized_outputs.empty() ? std::vector<Shape>{} : requested);
  print_io("outputs", g.outputs, sized_outputs);
  fmt::print("\nops\n");
  for (const auto& [name, count] : histogram) fmt::print("  {:<28}{:>5}\n", name, count);

  fmt::print("\nweights under scheme {}\n", scheme.to_string());
  fmt::print("  {:>4}  {:<18}{:<40}{:<9}{:<18}{:>10}  {:>8}  {}\n", "node", "op", "tensor", "dtype", "shape", "bytes",
             "SQNR dB", "decision");
  int64_t total = 0, quantized_total = 0, after = 0;
  for (const auto& w : weights) {
    const Tensor& t = g.tensors[w.tensor];
    int64_t bytes = t.elements() * static_cast<int64_t>(dtype_size(t.file_dtype));
    total += bytes;
    if (w.quantized) quantized_total += bytes;
    after += w.quantized ? w.quantized_bytes : bytes;
    std::string name = t.name.size() > 38 ? "..." + t.name.substr(t.name.size() - 35) : t.name;
    std::string sqnr = !w.quantized ? "-"
                       : w.sum_sq_error > 0 ? fmt::format("{:.1f}", 10.0 * std::log10(w.sum_sq / w.sum_sq_error))
                                            : "exact";
    fmt::print("  {:>4}  {:<18}{:<40}{:<9}{:<18}{:>10}  {:>8}  {}\n", w.node, op_name(g.nodes[w.node].op), name,
               dtype_name(t.file_dtype), shape_string(t.shape), bytes, sqnr, w.reason);
  }
  fmt::print("\n  {} weight tensors, {} as stored; {} of them quantized; {} after quantization\n", weights.size(),
             human_bytes(static_cast<double>(total)), human_bytes(static_cast<double>(quantized_total)),
             human_bytes(static_cast<double>(after)));
  return 0;
}

}  // namespace qgate::cli
