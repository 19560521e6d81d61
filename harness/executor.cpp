#include "harness/executor.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/errors.h"

namespace qgate {

void check_ops_supported(const Graph& graph) {
  std::vector<std::string> missing;
  for (const Node& n : graph.nodes)
    if (!op_supported(n.op)) missing.push_back(fmt::format("node {} {}", n.id, op_name(n.op)));
  if (missing.empty()) return;
  throw ModelError(fmt::format("{}: {} unsupported op{}: {}", graph.source, missing.size(),
                               missing.size() == 1 ? "" : "s", fmt::join(missing, ", ")));
}

Executor::Executor(const Graph& graph) : graph_(graph) {
  check_ops_supported(graph_);
  owned_.resize(graph_.tensors.size());
  slots_.resize(graph_.tensors.size());
  for (size_t i = 0; i < graph_.tensors.size(); ++i) {
    const Tensor& t = graph_.tensors[i];
    if (t.is_constant) {
      slots_[i] = const_cast<Tensor*>(&t);  // ops treat inputs as read-only
    } else {
      owned_[i].name = t.name;
      owned_[i].dtype = t.dtype;
      owned_[i].shape = t.shape;
      owned_[i].quant = t.quant;
      owned_[i].is_variable = t.is_variable;
      slots_[i] = &owned_[i];
    }
  }
  ops_.reserve(graph_.nodes.size());
  contexts_.reserve(graph_.nodes.size());
  for (const Node& n : graph_.nodes) {
    ops_.push_back(make_op(n.op));
    OpContext ctx{graph_, n, {}, {}};
    for (int t : n.inputs) ctx.inputs.push_back(t < 0 ? nullptr : slots_[t]);
    for (int t : n.outputs) ctx.outputs.push_back(slots_[t]);
    contexts_.push_back(std::move(ctx));
  }
}

Executor::~Executor() = default;

void Executor::prepare(const std::vector<Shape>& input_shapes) {
  if (!input_shapes.empty() && input_shapes.size() != graph_.inputs.size())
    throw InputError(fmt::format("{}: {} input shapes given, the model has {} inputs", graph_.source,
                                 input_shapes.size(), graph_.inputs.size()));
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    Tensor& t = *slots_[graph_.inputs[i]];
    t.shape = input_shapes.empty() ? graph_.tensors[graph_.inputs[i]].shape : input_shapes[i];
    for (int32_t d : t.shape)
      if (d < 0)
        throw InputError(fmt::format("{}: input {} ('{}') has unknown dimension in shape {}", graph_.source, i,
                                     t.name, shape_string(t.shape)));
    t.allocate();
  }
  for (size_t i = 0; i < graph_.tensors.size(); ++i)
    if (graph_.tensors[i].is_variable) {
      slots_[i]->allocate();
      std::memset(slots_[i]->data.data(), 0, slots_[i]->bytes());
    }
  for (size_t i = 0; i < ops_.size(); ++i) {
    ops_[i]->prepare(contexts_[i]);
    for (Tensor* out : contexts_[i].outputs) {
      for (int32_t d : out->shape)
        if (d < 0) contexts_[i].fail(fmt::format("output '{}' has negative dimension {}", out->name, shape_string(out->shape)));
      out->allocate();
    }
  }
}

void Executor::run(Observer* observer) {
  for (size_t i = 0; i < ops_.size(); ++i) {
    ops_[i]->run(contexts_[i]);
    if (observer) observer->on_node(contexts_[i].node, contexts_[i].outputs);
  }
}

std::vector<int> Executor::failed_nodes() const {
  std::vector<int> ids;
  for (size_t i = 0; i < ops_.size(); ++i)
    if (ops_[i]->run_failed()) ids.push_back(contexts_[i].node.id);
  return ids;
}

void Executor::run_isolated(const Executor& reference, Observer* observer) {
  for (size_t i = 0; i < ops_.size(); ++i) {
    for (size_t k = 0; k < contexts_[i].inputs.size(); ++k) {
      Tensor* dst = contexts_[i].inputs[k];
      if (!dst || dst->is_constant) continue;
      // Matched by node position and input slot, not tensor id: a quantized file written by another tool may
      // number its tensors differently.
      const int id = reference.graph_.nodes[i].inputs[k];
      if (id < 0) continue;
      const Tensor& src = *reference.slots_[id];
      if (dst->is_variable) continue;  // recurrent state evolves within the node itself
      std::memcpy(dst->data.data(), src.data.data(), std::min(dst->bytes(), src.bytes()));
    }
    ops_[i]->run(contexts_[i]);
    if (observer) observer->on_node(contexts_[i].node, contexts_[i].outputs);
  }
}

void Executor::run_from(int first, const Executor& reference, Observer* observer) {
  const size_t begin = static_cast<size_t>(std::max(first, 0));
  // Tensors written by nodes from `first` on; everything else they read comes from the reference.
  std::vector<char> written(slots_.size(), 0);
  for (size_t i = begin; i < ops_.size(); ++i)
    for (int id : contexts_[i].node.outputs)
      if (id >= 0) written[id] = 1;
  auto copy_in = [&](int id) {
    Tensor* dst = slots_[id];
    if (!dst || dst->is_constant || dst->is_variable || written[id]) return;
    const Tensor& src = *reference.slots_[id];
    std::memcpy(dst->data.data(), src.data.data(), std::min(dst->bytes(), src.bytes()));
    written[id] = 1;  // once per run
  };
  for (size_t i = begin; i < ops_.size(); ++i) {
    for (int id : contexts_[i].node.inputs)
      if (id >= 0) copy_in(id);
    ops_[i]->run(contexts_[i]);
    if (observer) observer->on_node(contexts_[i].node, contexts_[i].outputs);
  }
  for (int id : graph_.outputs) copy_in(id);  // an output computed before `first`
}

void Executor::reset_state() {
  for (size_t i = 0; i < graph_.tensors.size(); ++i)
    if (graph_.tensors[i].is_variable && slots_[i]->data.size())
      std::memset(slots_[i]->data.data(), 0, slots_[i]->bytes());
}

}  // namespace qgate
