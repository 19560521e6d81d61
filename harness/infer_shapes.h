// Shape inference over a graph whose model inputs are declared with symbolic dimensions (core/tensor.h).
#pragma once

#include "harness/graph.h"

namespace qgate {

// Prepares every node in order for shape inference (OpContext::symbolic where an input is symbolic) and writes the
// shapes it infers into the graph's non-constant tensors: symbols where ops copy them, kUnknownDim where a size
// depends on one, concrete sizes where none does. Outputs of nodes computed at prepare (prepare_time_nodes) are
// marked Tensor::computed_at_prepare. Throws ModelError naming the node that cannot infer over its inputs.
// The importers that do not infer as they build (TFLite) call it when the model's inputs are symbolic; the ONNX
// importer infers node by node as it emits them.
void infer_shapes(Graph& graph);

}  // namespace qgate
