// Op: the wrapper one level above a kernel. prepare() validates attributes and input shapes, sets each
// output's dtype and shape, and packs weights; run() calls kernels on borrowed pointers, never allocates and
// never throws.
//
// Shape inference (OpContext::symbolic): an importer, or infer_shapes, prepares nodes whose input shapes may hold
// symbolic dimensions (core/tensor.h) and whose shape operands (a RESHAPE's new shape computed from a SHAPE) may
// not be known yet. prepare() then sets the output dtypes and the shapes it can tell, copying symbols and
// writing kUnknownDim where a dimension depends on what is unknown, and returns before any check that needs
// concrete sizes and before packing: an Executor prepares the node again with concrete shapes.
//
// To add an op: write the kernel in kernels/ (and its naive twin in reference/), then an Op subclass in
// harness/ops/ registered with QGATE_REGISTER_OP(OpType::x, ClassName). Nothing else needs editing.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "harness/graph.h"

namespace qgate {

struct OpContext {
  const Graph& graph;
  const Node& node;
  std::vector<Tensor*> inputs;   // nullptr where the node's input is absent (-1)
  std::vector<Tensor*> outputs;
  bool symbolic = false;         // shape inference only (above): set when an input is symbolic or not yet known

  Tensor& in(size_t i) const { return *inputs.at(i); }
  Tensor& out(size_t i) const { return *outputs.at(i); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  // Throws ModelError("<file>: conv2d node 12 (name): <what>").
  [[noreturn]] void fail(const std::string& what) const;
  // Checks the number of inputs (at least min_inputs, at most max_inputs) and outputs.
  void expect_arity(size_t min_inputs, size_t max_inputs, size_t outputs) const;
  // Checks that input i is present and of the given dtype and rank (rank < 0: any).
  void expect_input(size_t i, DType dtype, int rank = -1) const;
};

class Op {
 public:
  virtual ~Op() = default;
  virtual void prepare(OpContext& ctx) = 0;
  virtual void run(OpContext& ctx) = 0;
  // True when the last run() met bad data it could not reject at prepare (e.g. an out-of-range index in a
  // computed EMBEDDING_LOOKUP index tensor). run() cannot throw, so the executor asks after running a node.
  virtual bool run_failed() const { return false; }
  // True when prepare() takes OpContext::symbolic (shape inference over symbolic dimensions, above). The others
  // are refused, naming the node, when an input's shape is symbolic at load.
  virtual bool infers_symbolic_shapes() const { return false; }
};

// True when some input of ctx is symbolic for shape inference: a shape with a symbolic dimension, or a value
// computed at prepare (not known while a graph is built).
bool has_symbolic_input(const OpContext& ctx);
// Prepares `op` for shape inference when has_symbolic_input (setting ctx.symbolic), else as usual. Refuses, naming
// the node and its symbolic input, an op that does not infer over symbolic shapes (Op::infers_symbolic_shapes).
void prepare_maybe_symbolic(Op& op, OpContext& ctx);

using OpFactory = std::unique_ptr<Op> (*)();

// Registry of op implementations, filled by static registrars before main().
void register_op(OpType type, OpFactory factory);
// nullptr when no implementation exists.
std::unique_ptr<Op> make_op(OpType type);
bool op_supported(OpType type);

struct OpRegistrar {
  OpRegistrar(OpType type, OpFactory factory) { register_op(type, factory); }
};

#define QGATE_CONCAT_INNER(a, b) a##b
#define QGATE_CONCAT(a, b) QGATE_CONCAT_INNER(a, b)
#define QGATE_REGISTER_OP(type, Class)                      \
  static ::qgate::OpRegistrar QGATE_CONCAT(qgate_op_registrar_, __LINE__)( \
      type, []() -> std::unique_ptr<::qgate::Op> { return std::make_unique<Class>(); })

}  // namespace qgate
