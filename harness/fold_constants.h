// Constant folding at load: every node whose inputs are all constants (a float16 DEQUANTIZE of weights, a
// DENSIFY, shape arithmetic) runs once, its outputs become constants and the node leaves the graph.
#pragma once

#include "harness/graph.h"

namespace qgate {

// Folds in place and renumbers node ids. Returns the number of nodes folded. Throws ModelError like the executor.
int fold_constants(Graph& graph);

}  // namespace qgate
