#include "harness/cli/input_shapes.h"

#include <map>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/cli/commands.h"
#include "harness/executor.h"

namespace qgate::cli {

namespace {

struct InputShapeOption {
  std::string text, name;
  Shape shape;
};

// "images:1,3,640,640"; the name is everything before the last ':' (TFLite names hold ':0').
InputShapeOption parse_input_shape(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw UsageError(fmt::format("--input-shape {}: expected NAME:D0,D1,... (e.g. images:1,3,640,640)", text));
  InputShapeOption o{text, text.substr(0, colon), {}};
  size_t start = colon + 1;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string tok = text.substr(start, end - start);
    char* stop = nullptr;
    const long v = std::strtol(tok.c_str(), &stop, 10);
    if (tok.empty() || *stop != '\0' || v < 0 || v > (1L << 30))
      throw UsageError(fmt::format("--input-shape {}: '{}' is not a size (an integer in [0, 2^30])", text, tok));
    o.shape.push_back(static_cast<int32_t>(v));
    start = end + 1;
  }
  return o;
}

}  // namespace

void add_input_shape_option(po::options_description& options) {
  options.add_options()("input-shape", po::value<std::vector<std::string>>()->composing(),
                        "NAME:D0,D1,...: the size of a model input declared with symbolic dimensions (repeatable)");
}

std::vector<Shape> input_shapes_for(const po::variables_map& vm, const Graph& graph) {
  std::vector<Shape> shapes;
  for (int id : graph.inputs) shapes.push_back(graph.tensors[id].shape);
  if (!vm.count("input-shape")) return shapes;
  std::vector<bool> given(shapes.size(), false);
  for (const std::string& text : vm["input-shape"].as<std::vector<std::string>>()) {
    const InputShapeOption o = parse_input_shape(text);
    size_t i = 0;
    while (i < graph.inputs.size() && graph.tensors[graph.inputs[i]].name != o.name) ++i;
    if (i == graph.inputs.size()) {
      std::vector<std::string> names;
      for (int id : graph.inputs) names.push_back("'" + graph.tensors[id].name + "'");
      throw UsageError(fmt::format("--input-shape {}: the model has no input '{}' (inputs: {})", text, o.name,
                                   fmt::join(names, ", ")));
    }
    if (given[i]) throw UsageError(fmt::format("--input-shape {}: input '{}' is sized twice", text, o.name));
    given[i] = true;
    shapes[i] = o.shape;
  }
  // The sized inputs are checked as a run would check them (rank, fixed sizes, one size per symbol); the others
  // take the sizes of the symbols those gave.
  std::map<int32_t, int32_t> bound;
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (!given[i]) continue;
    Graph one;  // the one input alone, for check_input_shapes' messages
    one.source = graph.source;
    one.symbols = graph.symbols;
    one.tensors.emplace_back();
    one.tensors[0].name = graph.tensors[graph.inputs[i]].name;
    one.tensors[0].shape = graph.tensors[graph.inputs[i]].shape;
    one.inputs = {0};
    check_input_shapes(one, {shapes[i]});
    const Shape& declared = graph.tensors[graph.inputs[i]].shape;
    for (size_t d = 0; d < declared.size(); ++d) {
      if (!is_symbol(declared[d])) continue;
      const auto [it, fresh] = bound.emplace(declared[d], shapes[i][d]);
      if (!fresh && it->second != shapes[i][d])
        throw InputError(fmt::format("{}: input '{}' dim {}: declared {} (one size for every input), given {}, "
                                     "another --input-shape gives {}", graph.source, one.tensors[0].name, d,
                                     graph.symbols.at(symbol_of(declared[d])), shapes[i][d], it->second));
    }
  }
  for (size_t i = 0; i < shapes.size(); ++i)
    if (!given[i])
      for (int32_t& d : shapes[i])
        if (auto it = bound.find(d); it != bound.end()) d = it->second;
  return shapes;
}

}  // namespace qgate::cli
