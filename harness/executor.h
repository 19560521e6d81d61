// Executor: runs a Graph's nodes in order over an arena of activation tensors.
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

  // Sets input shapes (empty: the model's own) and prepares every node: validates, infers shapes, packs
  // weights, allocates activations. Throws ModelError naming the node on failure.
  void prepare(const std::vector<Shape>& input_shapes = {});

  size_t num_inputs() const { return graph_.inputs.size(); }
  size_t num_outputs() const { return graph_.outputs.size(); }
  Tensor& input(size_t i) { return *slots_[graph_.inputs.at(i)]; }
  const Tensor& output(size_t i) const { return *slots_[graph_.outputs.at(i)]; }
  // Any tensor by id (constants included), after prepare().
  const Tensor& tensor(int id) const { return *slots_.at(id); }

  // Runs all nodes. Inputs must have been written. Never throws for a prepared graph.
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
  const Graph& graph_;
  std::vector<Tensor> owned_;     // one per graph tensor; used for non-constants
  std::vector<Tensor*> slots_;    // tensor id -> graph constant or owned_ entry
  std::vector<std::unique_ptr<Op>> ops_;
  std::vector<OpContext> contexts_;
};

// Throws ModelError listing every node of `graph` whose op qgate cannot run ("3 unsupported ops: node 4
// custom 'Foo', node 9 ..."). Used by importers before returning a graph.
void check_ops_supported(const Graph& graph);

}  // namespace qgate
