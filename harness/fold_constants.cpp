#include "harness/fold_constants.h"

#include "harness/op.h"

namespace qgate {

int fold_constants(Graph& graph) {
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  int folded = 0;
  for (Node& n : graph.nodes) {
    bool all_constant = op_supported(n.op) && !n.inputs.empty();
    for (int t : n.inputs)
      if (t >= 0 && (t >= static_cast<int>(graph.tensors.size()) || !graph.tensors[t].is_constant))
        all_constant = false;
    for (int t : n.outputs)
      for (int o : graph.outputs) all_constant &= (t != o);  // a model output stays computed
    if (!all_constant) {
      n.id = static_cast<int>(kept.size());
      kept.push_back(std::move(n));
      continue;
    }
    auto op = make_op(n.op);
    OpContext ctx{graph, n, {}, {}};
    for (int t : n.inputs) ctx.inputs.push_back(t < 0 ? nullptr : &graph.tensors[t]);
    for (int t : n.outputs) ctx.outputs.push_back(&graph.tensors[t]);
    op->prepare(ctx);
    for (Tensor* out : ctx.outputs) out->allocate();
    op->run(ctx);
    const bool widening = n.op == OpType::dequantize || n.op == OpType::densify;
    for (Tensor* out : ctx.outputs) {
      out->is_constant = true;
      out->file_dtype = widening ? ctx.in(0).file_dtype : out->dtype;
    }
    ++folded;
  }
  graph.nodes = std::move(kept);
  return folded;
}

}  // namespace qgate
