// Executor: runs a Graph's nodes in order over an arena of activation tensors.
//
// Plans: the graph may declare symbolic input dimensions (core/tensor.h); prepare() takes the concrete input shapes
// of a run and makes a plan for them: every node prepared for those shapes (output shapes inferred, weights
// packed, scratch sized), the activations allocated, and the nodes that depend only on shapes and constants
// (prepare_time_nodes: a SHAPE and the arithmetic on it) run once. A plan is kept per input-shape set, so
// switching between sizes seen before costs a lookup.
//
// Observers see every node's outputs right after the node runs; this is the tap all per-layer metrics use.
// With no observer attached the cost is one branch per node.
#pragma once

#include <memory>
#include <vector>

#include "harness/graph.h"
#include "harness/op.h"

namespace qgate {

class Observer {
 public:
  virtual ~Observer() = default;
  // Called after `node` ran; `outputs` are its output tensors (valid until the next run()).
  virtual void on_node(const Node& node, const std::vector<Tensor*>& outputs) = 0;
};

class Executor {
 public:
  // Borrows `graph` (it must outlive the executor). Throws ModelError listing every node whose op has no
  // implementation, before anything runs.
  explicit Executor(const Graph& graph);
  ~Executor();

  // Makes the plan for these input shapes current, preparing it when new (empty: the declared shapes, which must
  // then be concrete). The shapes are checked against the declared ones first (check_input_shapes). Throws
  // InputError for shapes the model does not take, ModelError naming the node when a node cannot take them.
  void prepare(const std::vector<Shape>& input_shapes = {});
  // The input shapes of the current plan.
  const std::vector<Shape>& input_shapes() const;
  // Plans kept at most; preparing one more drops the least recently used.
  static constexpr size_t kMaxPlans = 8;

  size_t num_inputs() const { return graph_.inputs.size(); }
  size_t num_outputs() const { return graph_.outputs.size(); }
  // The current plan's tensors, after prepare().
  Tensor& input(size_t i);
  const Tensor& output(size_t i) const;
  // Any tensor by id (constants included).
  const Tensor& tensor(int id) const;

  // Runs all nodes (but the prepare-time ones, whose outputs are already there). Inputs must have been written.
  // Never throws for a prepared graph.
  void run(Observer* observer = nullptr);
  // Runs every node on the inputs `reference` saw: before each node, its non-constant inputs are copied from
  // the same input slot of the same node in `reference` (which must have run the same topology: a float graph
  // and its quantized twin have the same nodes in the same order). Each node's output then shows that node's own error alone (isolated error), not the error
  // accumulated upstream.
  void run_isolated(const Executor& reference, Observer* observer = nullptr);
  // Runs nodes first..end only, on what `reference` computed before them: every non-constant tensor a node here
  // reads that no node here writes (graph inputs and outputs of nodes before `first`) is copied from `reference`,
  // which must have run the same topology on the same sample. When this graph equals the reference's up to
  // `first` (a model quantized from node `first` on), the outputs are those of a full run at the cost of the
  // suffix. Variable (state) tensors are not copied: call reset_state() first.
  void run_from(int first, const Executor& reference, Observer* observer = nullptr);
  // Ids of the nodes whose last run() met bad data they could not reject at prepare (Op::run_failed), e.g. an
  // out-of-range EMBEDDING_LOOKUP index; empty after a clean run.
  std::vector<int> failed_nodes() const;
  // Zeroes the variable (state) tensors: RNN and LSTM hidden and cell state.
  void reset_state();

  const Graph& graph() const { return graph_; }

 private:
  struct Plan;
  Plan& plan() const;
  std::unique_ptr<Plan> make_plan(const std::vector<Shape>& input_shapes) const;

  const Graph& graph_;
  std::vector<char> at_prepare_;              // node id -> runs once at prepare (prepare_time_nodes)
  std::vector<std::unique_ptr<Plan>> plans_;  // least recently used first
};

// Throws ModelError listing every node of `graph` whose op qgate cannot run ("3 unsupported ops: node 4
// custom 'Foo', node 9 ..."). Used by importers before returning a graph.
void check_ops_supported(const Graph& graph);

// Checks concrete shapes given for the model's inputs (one per input, in order) against the declared ones: the
// rank, every fixed dimension, one value per symbol (two inputs declared [batch,...] take one batch size), and
// no negative dimension. Throws InputError naming the input, the dimension, the declared and the given value:
//   "m.onnx: input 'x' dim 1: declared 3, given 4 (declared [batch,3,height,width], given [1,4,64,64])"
void check_input_shapes(const Graph& graph, const std::vector<Shape>& given);

}  // namespace qgate
