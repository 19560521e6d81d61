#include "harness/op.h"

#include <array>

#include <fmt/format.h>

#include "core/errors.h"

namespace qgate {

namespace {
std::array<OpFactory, static_cast<size_t>(OpType::count_)>& registry() {
  static std::array<OpFactory, static_cast<size_t>(OpType::count_)> r{};
  return r;
}
}  // namespace

void register_op(OpType type, OpFactory factory) { registry()[static_cast<size_t>(type)] = factory; }

std::unique_ptr<Op> make_op(OpType type) {
  auto i = static_cast<size_t>(type);
  if (i >= registry().size() || !registry()[i]) return nullptr;
  return registry()[i]();
}

bool op_supported(OpType type) {
  auto i = static_cast<size_t>(type);
  return i < registry().size() && registry()[i] != nullptr;
}

bool has_symbolic_input(const OpContext& ctx) {
  for (const Tensor* t : ctx.inputs)
    if (t && (!shape_is_concrete(t->shape) || t->computed_at_prepare)) return true;
  return false;
}

void prepare_maybe_symbolic(Op& op, OpContext& ctx) {
  ctx.symbolic = has_symbolic_input(ctx);
  if (ctx.symbolic && !op.infers_symbolic_shapes()) {
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      const Tensor* t = ctx.inputs[i];
      if (t && (!shape_is_concrete(t->shape) || t->computed_at_prepare))
        ctx.fail(fmt::format("input {} ('{}') has {} {}: this op does not take symbolic dimensions yet", i, t->name,
                             t->computed_at_prepare ? "values computed from the input shapes, shape" : "shape",
                             ctx.graph.shape_text(t->shape)));
    }
  }
  op.prepare(ctx);
}

void OpContext::fail(const std::string& what) const {
  throw ModelError(fmt::format("{}: {}: {}", graph.source, graph.describe(node), what));
}

void OpContext::expect_arity(size_t min_inputs, size_t max_inputs, size_t num_outputs) const {
  if (inputs.size() < min_inputs || inputs.size() > max_inputs) {
    if (min_inputs == max_inputs) fail(fmt::format("has {} inputs, expected {}", inputs.size(), min_inputs));
    fail(fmt::format("has {} inputs, expected {} to {}", inputs.size(), min_inputs, max_inputs));
  }
  if (outputs.size() != num_outputs) fail(fmt::format("has {} outputs, expected {}", outputs.size(), num_outputs));
  for (size_t i = 0; i < min_inputs; ++i)
    if (!inputs[i]) fail(fmt::format("input {} is required but absent", i));
}

void OpContext::expect_input(size_t i, DType dtype, int rank) const {
  if (!has_input(i)) fail(fmt::format("input {} is required but absent", i));
  const Tensor& t = *inputs[i];
  if (t.dtype != dtype)
    fail(fmt::format("input {} ('{}') is {}, expected {}", i, t.name, dtype_name(t.dtype), dtype_name(dtype)));
  if (rank >= 0 && static_cast<int>(t.shape.size()) != rank)
    fail(fmt::format("input {} ('{}') has shape {} of rank {}, expected rank {}", i, t.name, shape_string(t.shape),
                     t.shape.size(), rank));
}

}  // namespace qgate
