// qgate inspect: what is in a model and what the converter's rules would quantize.
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/cli/cli_util.h"
#include "harness/cli/commands.h"
#include "harness/model_loader.h"
#include "harness/weight_rules.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "inspect", "qgate inspect MODEL [--json]",
    "Shows the model's inputs and outputs, its op histogram, and every weight tensor of an op with a hybrid\n"
    "kernel: dtype as stored in the file, shape, bytes, and what TensorFlow Lite's dynamic-range converter\n"
    "would do with it (int8 per-tensor, int8 per-channel on an axis, or stay float and why)."};

struct WeightRow {
  const Node* node;
  int tensor;
  WeightDecision decision;
};

}  // namespace

int inspect(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("model", po::value<std::string>()->required(), "model file (.tflite)")(
      "json", po::bool_switch(), "print one JSON document instead of tables");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;

  const std::string path = vm["model"].as<std::string>();
  LoadedModel m = load_model(path);
  const Graph& g = m.graph;

  std::map<std::string, int> histogram;
  for (const Node& n : g.nodes) ++histogram[std::string(op_name(n.op))];
  std::vector<WeightRow> weights;
  for (const Node& n : g.nodes)
    for (const WeightSlot& s : weight_slots(n))
      if (s.input < static_cast<int>(n.inputs.size()) && n.inputs[s.input] >= 0)
        weights.push_back({&n, n.inputs[s.input], converter_decision(g, n, s)});

  if (vm["json"].as<bool>()) {
    nlohmann::ordered_json j;
    j["model"] = path;
    j["sha256"] = m.sha256;
    j["bytes"] = m.file_bytes;
    j["nodes"] = g.nodes.size();
    j["folded_at_load"] = m.folded_nodes;
    auto tensor_json = [&](int id) {
      const Tensor& t = g.tensors[id];
      return nlohmann::ordered_json{{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}};
    };
    for (int id : g.inputs) j["inputs"].push_back(tensor_json(id));
    for (int id : g.outputs) j["outputs"].push_back(tensor_json(id));
    j["ops"] = histogram;
    j["weights"] = nlohmann::ordered_json::array();
    for (const auto& w : weights) {
      const Tensor& t = g.tensors[w.tensor];
      j["weights"].push_back({{"node", w.node->id},
                              {"op", op_name(w.node->op)},
                              {"tensor", t.name},
                              {"file_dtype", dtype_name(t.file_dtype)},
                              {"shape", t.shape},
                              {"bytes", t.elements() * static_cast<int64_t>(dtype_size(t.file_dtype))},
                              {"quantize", w.decision.quantize},
                              {"per_channel", w.decision.per_channel},
                              {"axis", w.decision.axis},
                              {"decision", w.decision.reason}});
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }

  fmt::print("model    {}\n", path);
  fmt::print("size     {} ({} bytes), sha256 {}\n", human_bytes(static_cast<double>(m.file_bytes)), m.file_bytes,
             m.sha256);
  fmt::print("graph    {} nodes ({} constant nodes folded at load), {} tensors\n\n", g.nodes.size(), m.folded_nodes,
             g.tensors.size());
  auto print_io = [&](const char* title, const std::vector<int>& ids) {
    fmt::print("{}\n", title);
    for (size_t i = 0; i < ids.size(); ++i) {
      const Tensor& t = g.tensors[ids[i]];
      fmt::print("  {:<3}{:<40} {:<8} {}\n", i, t.name, dtype_name(t.dtype), shape_string(t.shape));
    }
  };
  print_io("inputs", g.inputs);
  print_io("outputs", g.outputs);
  fmt::print("\nops\n");
  for (const auto& [name, count] : histogram) fmt::print("  {:<28}{:>5}\n", name, count);

  fmt::print("\nweights (TensorFlow Lite dynamic-range converter defaults)\n");
  fmt::print("  {:>4}  {:<18}{:<40}{:<9}{:<18}{:>10}  {}\n", "node", "op", "tensor", "dtype", "shape", "bytes",
             "decision");
  int64_t total = 0, quantized = 0;
  for (const auto& w : weights) {
    const Tensor& t = g.tensors[w.tensor];
    int64_t bytes = t.elements() * static_cast<int64_t>(dtype_size(t.file_dtype));
    total += bytes;
    if (w.decision.quantize) quantized += bytes;
    std::string name = t.name.size() > 38 ? "..." + t.name.substr(t.name.size() - 35) : t.name;
    fmt::print("  {:>4}  {:<18}{:<40}{:<9}{:<18}{:>10}  {}\n", w.node->id, op_name(w.node->op), name,
               dtype_name(t.file_dtype), shape_string(t.shape), bytes, w.decision.reason);
  }
  fmt::print("\n  {} weight tensors, {} as stored; {} of them would become int8\n", weights.size(),
             human_bytes(static_cast<double>(total)), human_bytes(static_cast<double>(quantized)));
  return 0;
}

}  // namespace qgate::cli
