// Which node inputs are weights, and what TFLite's dynamic-range converter does with each (DESIGN.md 2.3):
// weights under 1024 elements stay float; CONV_2D per-channel on dim 0 (OHWI); DEPTHWISE_CONV_2D per-channel on
// dim 3 (1HWO); FULLY_CONNECTED, EMBEDDING_LOOKUP, RNN and LSTM weights per-tensor; biases stay float.
#pragma once

#include <string>
#include <vector>

#include "harness/graph.h"

namespace qgate {

struct WeightSlot {
  int input;       // index into node.inputs
  int axis;        // output-channel axis for per-channel schemes
  bool per_channel_by_default;
};

// The weight inputs of a node that has a hybrid kernel (empty for other ops).
std::vector<WeightSlot> weight_slots(const Node& node);

struct WeightDecision {
  bool quantize = false;
  bool per_channel = false;
  int axis = 0;
  std::string reason;  // "per-channel axis 0", "stays float: 864 elements < 1024"
};

// What the converter's default would do with node input `slot` of `graph`.
WeightDecision converter_decision(const Graph& graph, const Node& node, const WeightSlot& slot);

}  // namespace qgate
