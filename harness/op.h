// Op: the wrapper one level above a kernel. prepare() validates attributes and input shapes, sets each
// output's dtype and shape, and packs weights; run() calls kernels on borrowed pointers, never allocates and
// never throws.
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
};

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
