#include "harness/executor.h"

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "core/errors.h"

namespace qgate {

// One input-shape set's prepared state: the activations (one owned tensor per non-constant graph tensor), the op
// instances (packed weights, scratch) and their contexts.
struct Executor::Plan {
  std::vector<Shape> input_shapes;
  std::vector<Tensor> owned;
  std::vector<Tensor*> slots;  // tensor id -> graph constant or owned entry
  std::vector<std::unique_ptr<Op>> ops;
  std::vector<OpContext> contexts;
};

void check_ops_supported(const Graph& graph) {
  std::vector<std::string> missing;
  for (const Node& n : graph.nodes)
    if (!op_supported(n.op)) missing.push_back(fmt::format("node {} {}", n.id, op_name(n.op)));
  if (missing.empty()) return;
  throw ModelError(fmt::format("{}: {} unsupported op{}: {}", graph.source, missing.size(),
                               missing.size() == 1 ? "" : "s", fmt::join(missing, ", ")));
}

void check_input_shapes(const Graph& graph, const std::vector<Shape>& given) {
  if (given.size() != graph.inputs.size())
    throw InputError(fmt::format("{}: {} input shapes given, the model has {} inputs", graph.source, given.size(),
                                 graph.inputs.size()));
  // symbol -> (value, the input that set it)
  std::map<int32_t, std::pair<int32_t, std::string>> bound;
  for (size_t i = 0; i < given.size(); ++i) {
    const Tensor& t = graph.tensors[graph.inputs[i]];
    const Shape& want = t.shape;
    const Shape& got = given[i];
    const std::string both = fmt::format("declared {}, given {}", graph.shape_text(want), shape_string(got));
    if (got.size() != want.size())
      throw InputError(fmt::format("{}: input '{}': declared rank {}, given rank {} ({})", graph.source, t.name,
                                   want.size(), got.size(), both));
    for (size_t d = 0; d < want.size(); ++d) {
      if (got[d] < 0)
        throw InputError(fmt::format("{}: input '{}' dim {}: given {}, a size must be >= 0 ({})", graph.source,
                                     t.name, d, got[d], both));
      if (want[d] >= 0 && got[d] != want[d])
        throw InputError(fmt::format("{}: input '{}' dim {}: declared {}, given {} ({})", graph.source, t.name, d,
                                     want[d], got[d], both));
      if (!is_symbol(want[d])) continue;
      const auto [it, fresh] = bound.emplace(want[d], std::make_pair(got[d], t.name));
      if (!fresh && it->second.first != got[d])
        throw InputError(fmt::format("{}: input '{}' dim {}: declared {} (one size for every input), given {}, "
                                     "but input '{}' gives {} = {}", graph.source, t.name, d,
                                     graph.symbols.at(symbol_of(want[d])), got[d], it->second.second,
                                     graph.symbols.at(symbol_of(want[d])), it->second.first));
    }
  }
}

Executor::Executor(const Graph& graph) : graph_(graph) {
  check_ops_supported(graph_);
  at_prepare_ = prepare_time_nodes(graph_);
}

Executor::~Executor() = default;

Executor::Plan& Executor::plan() const {
  if (plans_.empty()) throw ModelError(fmt::format("{}: the executor ran before prepare()", graph_.source));
  return *plans_.back();
}

const std::vector<Shape>& Executor::input_shapes() const { return plan().input_shapes; }
Tensor& Executor::input(size_t i) { return *plan().slots[graph_.inputs.at(i)]; }
const Tensor& Executor::output(size_t i) const { return *plan().slots[graph_.outputs.at(i)]; }
const Tensor& Executor::tensor(int id) const { return *plan().slots.at(id); }

void Executor::prepare(const std::vector<Shape>& input_shapes) {
  std::vector<Shape> shapes = input_shapes;
  if (shapes.empty()) {
    for (int id : graph_.inputs) {
      const Tensor& t = graph_.tensors[id];
      if (!shape_is_concrete(t.shape))
        throw InputError(fmt::format("{}: input '{}' is declared {}: its symbolic dimensions need a size (the data's "
                                     "shape, or --input-shape {}:{})", graph_.source, t.name,
                                     graph_.shape_text(t.shape), t.name, "D0,D1,..."));
      shapes.push_back(t.shape);
    }
  }
  for (size_t k = 0; k < plans_.size(); ++k)
    if (plans_[k]->input_shapes == shapes) {
      std::rotate(plans_.begin() + static_cast<long>(k), plans_.begin() + static_cast<long>(k) + 1, plans_.end());
      return;
    }
  check_input_shapes(graph_, shapes);
  std::unique_ptr<Plan> p = make_plan(shapes);
  if (plans_.size() >= kMaxPlans) plans_.erase(plans_.begin());
  plans_.push_back(std::move(p));
}

std::unique_ptr<Executor::Plan> Executor::make_plan(const std::vector<Shape>& input_shapes) const {
  auto p = std::make_unique<Plan>();
  p->input_shapes = input_shapes;
  p->owned.resize(graph_.tensors.size());
  p->slots.resize(graph_.tensors.size());
  for (size_t i = 0; i < graph_.tensors.size(); ++i) {
    const Tensor& t = graph_.tensors[i];
    if (t.is_constant) {
      p->slots[i] = const_cast<Tensor*>(&t);  // ops treat inputs as read-only
    } else {
      p->owned[i].name = t.name;
      p->owned[i].dtype = t.dtype;
      p->owned[i].shape = t.shape;
      p->owned[i].quant = t.quant;
      p->owned[i].is_variable = t.is_variable;
      p->slots[i] = &p->owned[i];
    }
  }
  p->ops.reserve(graph_.nodes.size());
  p->contexts.reserve(graph_.nodes.size());
  for (const Node& n : graph_.nodes) {
    p->ops.push_back(make_op(n.op));
    OpContext ctx{graph_, n, {}, {}};
    for (int t : n.inputs) ctx.inputs.push_back(t < 0 ? nullptr : p->slots[t]);
    for (int t : n.outputs) ctx.outputs.push_back(p->slots[t]);
    p->contexts.push_back(std::move(ctx));
  }
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    Tensor& t = *p->slots[graph_.inputs[i]];
    t.shape = input_shapes[i];
    t.allocate();
  }
  for (size_t i = 0; i < graph_.tensors.size(); ++i)
    if (graph_.tensors[i].is_variable) {
      p->slots[i]->allocate();
      std::memset(p->slots[i]->data.data(), 0, p->slots[i]->bytes());
    }
  for (size_t i = 0; i < p->ops.size(); ++i) {
    OpContext& ctx = p->contexts[i];
    p->ops[i]->prepare(ctx);
    for (Tensor* out : ctx.outputs) {
      if (!shape_is_concrete(out->shape))
        ctx.fail(fmt::format("output '{}' has shape {}: its size is not known before the run", out->name,
                             shape_string(out->shape)));
      out->allocate();
    }
    if (at_prepare_[i]) {
      p->ops[i]->run(ctx);
      for (Tensor* out : ctx.outputs) out->computed_at_prepare = true;
    }
  }
  return p;
}

void Executor::run(Observer* observer) {
  Plan& p = plan();
  for (size_t i = 0; i < p.ops.size(); ++i) {
    if (at_prepare_[i]) continue;
    p.ops[i]->run(p.contexts[i]);
    if (observer) observer->on_node(p.contexts[i].node, p.contexts[i].outputs);
  }
}

std::vector<int> Executor::failed_nodes() const {
  const Plan& p = plan();
  std::vector<int> ids;
  for (size_t i = 0; i < p.ops.size(); ++i)
    if (p.ops[i]->run_failed()) ids.push_back(p.contexts[i].node.id);
  return ids;
}

void Executor::run_isolated(const Executor& reference, Observer* observer) {
  Plan& p = plan();
  const Plan& ref = reference.plan();
  for (size_t i = 0; i < p.ops.size(); ++i) {
    if (at_prepare_[i]) continue;
    for (size_t k = 0; k < p.contexts[i].inputs.size(); ++k) {
      Tensor* dst = p.contexts[i].inputs[k];
      if (!dst || dst->is_constant || dst->computed_at_prepare) continue;
      // Matched by node position and input slot, not tensor id: a quantized file written by another tool may
      // number its tensors differently.
      const int id = reference.graph_.nodes[i].inputs[k];
      if (id < 0) continue;
      const Tensor& src = *ref.slots[id];
      if (dst->is_variable) continue;  // recurrent state evolves within the node itself
      std::memcpy(dst->data.data(), src.data.data(), std::min(dst->bytes(), src.bytes()));
    }
    p.ops[i]->run(p.contexts[i]);
    if (observer) observer->on_node(p.contexts[i].node, p.contexts[i].outputs);
  }
}

void Executor::run_from(int first, const Executor& reference, Observer* observer) {
  Plan& p = plan();
  const Plan& ref = reference.plan();
  const size_t begin = static_cast<size_t>(std::max(first, 0));
  // Tensors written by nodes from `first` on; everything else they read comes from the reference.
  std::vector<char> written(p.slots.size(), 0);
  for (size_t i = begin; i < p.ops.size(); ++i)
    for (int id : p.contexts[i].node.outputs)
      if (id >= 0) written[id] = 1;
  auto copy_in = [&](int id) {
    Tensor* dst = p.slots[id];
    if (!dst || dst->is_constant || dst->is_variable || dst->computed_at_prepare || written[id]) return;
    const Tensor& src = *ref.slots[id];
    std::memcpy(dst->data.data(), src.data.data(), std::min(dst->bytes(), src.bytes()));
    written[id] = 1;  // once per run
  };
  for (size_t i = begin; i < p.ops.size(); ++i) {
    if (at_prepare_[i]) continue;
    for (int id : p.contexts[i].node.inputs)
      if (id >= 0) copy_in(id);
    p.ops[i]->run(p.contexts[i]);
    if (observer) observer->on_node(p.contexts[i].node, p.contexts[i].outputs);
  }
  for (int id : graph_.outputs) copy_in(id);  // an output computed before `first`
}

void Executor::reset_state() {
  Plan& p = plan();
  for (size_t i = 0; i < graph_.tensors.size(); ++i)
    if (graph_.tensors[i].is_variable && p.slots[i]->data.size())
      std::memset(p.slots[i]->data.data(), 0, p.slots[i]->bytes());
}

}  // namespace qgate
