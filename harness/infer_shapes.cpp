#include "harness/infer_shapes.h"

#include "harness/op.h"

namespace qgate {

void infer_shapes(Graph& graph) {
  const std::vector<char> at_prepare = prepare_time_nodes(graph);
  for (Node& n : graph.nodes) {
    auto op = make_op(n.op);
    if (!op) continue;  // refused later, with every unsupported op listed (check_ops_supported)
    OpContext ctx{graph, n, {}, {}};
    for (int t : n.inputs) ctx.inputs.push_back(t < 0 ? nullptr : &graph.tensors[t]);
    for (int t : n.outputs) ctx.outputs.push_back(&graph.tensors[t]);
    prepare_maybe_symbolic(*op, ctx);
    if (at_prepare[n.id])
      for (Tensor* out : ctx.outputs) out->computed_at_prepare = true;
  }
}

}  // namespace qgate
