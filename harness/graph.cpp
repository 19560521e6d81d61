#include "harness/graph.h"

#include <array>

#include <fmt/format.h>

#include "core/errors.h"

namespace qgate {

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(OpType::count_)> kOpNames = {
    "add", "sub", "mul", "div", "maximum", "minimum", "squared_difference",
    "relu", "relu6", "relu_n1_to_1", "relu_0_to_1", "prelu", "leaky_relu", "logistic", "tanh", "hard_swish",
    "elu", "gelu",
    "exp", "log", "sqrt", "rsqrt", "abs", "neg", "square", "pow",
    "conv2d", "depthwise_conv2d", "fully_connected", "transpose_conv", "conv2d_transpose_bias",
    "max_pool2d", "average_pool2d", "mean", "sum", "reduce_max",
    "pad", "padv2", "reshape", "squeeze", "expand_dims", "concatenation", "split", "split_v", "softmax",
    "log_softmax",
    "dequantize", "quantize", "cast", "resize_bilinear", "resize_nearest_neighbor", "transpose",
    "strided_slice", "slice",
    "gather", "densify", "batch_matmul", "pack", "unpack", "tile", "space_to_depth", "depth_to_space",
    "embedding_lookup", "rnn", "unidirectional_sequence_rnn", "bidirectional_sequence_rnn",
    "unidirectional_sequence_lstm", "bidirectional_sequence_lstm", "lstm",
    "max_pooling_with_argmax", "max_unpooling",
    "dynamic_quantize_linear", "matmul_integer", "conv_integer",
    "gru", "shape",
    "floor", "ceil", "round", "sign", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
    "atanh", "erf", "reciprocal", "softplus", "softsign", "selu", "celu", "thresholded_relu", "shrink", "mish",
    "round_to_float16",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "is_nan", "is_inf", "select_v2", "floor_mod", "trunc_mod",
    "fill", "range", "broadcast_to", "one_hot", "trilu", "mirror_pad", "gather_elements", "gather_nd",
    "scatter_elements", "scatter_nd_update", "reverse_sequence",
    "arg_max", "arg_min", "topk_v2", "cumsum", "reduce_min", "reduce_prod", "hardmax", "layer_norm", "group_norm",
    "local_response_normalization", "einsum", "det",
    "conv_nd", "conv_transpose_nd", "pool_nd", "max_unpool_nd", "resize_nd", "grid_sample",
    "quantize_linear", "dequantize_linear", "nll_loss",
    "dft", "stft", "roi_align",
};
// Every OpType has a name: a missing one would leave the last entries empty.
static_assert(!kOpNames.back().empty());

template <typename T>
const T* get_if_key(const std::map<std::string, AttrValue>& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) return nullptr;
  return std::get_if<T>(&it->second);
}

}  // namespace

std::string_view op_name(OpType op) {
  auto i = static_cast<size_t>(op);
  return i < kOpNames.size() ? kOpNames[i] : std::string_view("unknown");
}

std::optional<OpType> op_from_name(std::string_view name) {
  for (size_t i = 0; i < kOpNames.size(); ++i)
    if (kOpNames[i] == name) return static_cast<OpType>(i);
  return std::nullopt;
}

int64_t Attributes::get_int(const std::string& key, int64_t fallback) const {
  if (auto* v = get_if_key<int64_t>(values_, key)) return *v;
  if (auto* v = get_if_key<double>(values_, key)) return static_cast<int64_t>(*v);
  return fallback;
}

double Attributes::get_float(const std::string& key, double fallback) const {
  if (auto* v = get_if_key<double>(values_, key)) return *v;
  if (auto* v = get_if_key<int64_t>(values_, key)) return static_cast<double>(*v);
  return fallback;
}

std::string Attributes::get_string(const std::string& key, const std::string& fallback) const {
  if (auto* v = get_if_key<std::string>(values_, key)) return *v;
  return fallback;
}

std::vector<int64_t> Attributes::get_ints(const std::string& key) const {
  if (auto* v = get_if_key<std::vector<int64_t>>(values_, key)) return *v;
  if (auto* v = get_if_key<int64_t>(values_, key)) return {*v};
  return {};
}

std::vector<double> Attributes::get_floats(const std::string& key) const {
  if (auto* v = get_if_key<std::vector<double>>(values_, key)) return *v;
  if (auto* v = get_if_key<double>(values_, key)) return {*v};
  return {};
}

std::string Graph::describe(const Node& n) const {
  if (n.name.empty()) return fmt::format("{} node {}", op_name(n.op), n.id);
  return fmt::format("{} node {} ({})", op_name(n.op), n.id, n.name);
}

std::string Graph::shape_text(const Shape& s) const {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ',';
    if (is_symbol(s[i]) && symbol_of(s[i]) < static_cast<int>(symbols.size())) out += symbols[symbol_of(s[i])];
    else out += s[i] < 0 ? std::string("?") : std::to_string(s[i]);
  }
  return out + "]";
}

int32_t Graph::symbol(const std::string& name) {
  for (size_t k = 0; k < symbols.size(); ++k)
    if (symbols[k] == name) return symbol_dim(static_cast<int>(k));
  symbols.push_back(name);
  return symbol_dim(static_cast<int>(symbols.size()) - 1);
}

bool Graph::has_symbolic_inputs() const {
  for (int t : inputs)
    if (!shape_is_concrete(tensors[t].shape)) return true;
  return false;
}

std::vector<char> prepare_time_nodes(const Graph& graph) {
  // Per tensor: 1 a constant, 2 computed at prepare. A node reading only constants is not one of them: importers
  // fold those at load, and one left in the graph (a TFLite file's) runs, and is observed, like any other node.
  std::vector<char> known(graph.tensors.size(), 0), at_prepare(graph.nodes.size(), 0);
  for (size_t i = 0; i < graph.tensors.size(); ++i) known[i] = graph.tensors[i].is_constant ? 1 : 0;
  for (const Node& n : graph.nodes) {
    bool all = n.op == OpType::shape;  // reads only its input's shape
    if (!all) {
      bool computed = false, rest_constant = true;
      for (int t : n.inputs) {
        if (t < 0) continue;
        computed |= known[t] == 2;
        rest_constant &= known[t] != 0;
      }
      all = computed && rest_constant;
    }
    for (int t : n.outputs)
      for (int o : graph.outputs) all &= t != o;  // a model output is computed by run()
    if (!all) continue;
    at_prepare[n.id] = 1;
    for (int t : n.outputs) known[t] = 2;
  }
  return at_prepare;
}

void Graph::validate() const {
  const int count = static_cast<int>(tensors.size());
  std::vector<char> available(tensors.size(), 0);
  std::vector<int> producer(tensors.size(), -1);
  for (int i = 0; i < count; ++i)
    if (tensors[i].is_constant || tensors[i].is_variable) available[i] = 1;
  for (int t : inputs) {
    if (t < 0 || t >= count)
      throw ModelError(fmt::format("{}: model input refers to tensor {}, but the model has {} tensors", source, t, count));
    available[t] = 1;
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.id != static_cast<int>(i))
      throw ModelError(fmt::format("{}: {} has id {} at position {}", source, describe(n), n.id, i));
    for (int t : n.inputs) {
      if (t == -1) continue;
      if (t < 0 || t >= count)
        throw ModelError(fmt::format("{}: {}: input tensor index {} is out of range (the model has {} tensors)",
                                     source, describe(n), t, count));
      if (!available[t]) {
        if (producer[t] == -1) {
          bool later = false;
          for (size_t j = i; j < nodes.size(); ++j)
            for (int o : nodes[j].outputs) later |= (o == t);
          throw ModelError(fmt::format(
              "{}: {}: input tensor {} ('{}') {}", source, describe(n), t, tensors[t].name,
              later ? "is produced by a later node (cycle or operators out of topological order)"
                    : "is never produced and is not a model input or constant"));
        }
      }
    }
    for (int t : n.outputs) {
      if (t < 0 || t >= count)
        throw ModelError(fmt::format("{}: {}: output tensor index {} is out of range (the model has {} tensors)",
                                     source, describe(n), t, count));
      if (tensors[t].is_constant)
        throw ModelError(fmt::format("{}: {}: output tensor {} ('{}') is a constant", source, describe(n), t,
                                     tensors[t].name));
      if (producer[t] != -1)
        throw ModelError(fmt::format("{}: {}: output tensor {} ('{}') is already produced by node {}", source,
                                     describe(n), t, tensors[t].name, producer[t]));
      producer[t] = n.id;
      available[t] = 1;
    }
  }
  for (int t : outputs) {
    if (t < 0 || t >= count)
      throw ModelError(fmt::format("{}: model output refers to tensor {}, but the model has {} tensors", source, t, count));
    if (!available[t])
      throw ModelError(fmt::format("{}: model output tensor {} ('{}') is never produced", source, t, tensors[t].name));
  }
}

}  // namespace qgate
