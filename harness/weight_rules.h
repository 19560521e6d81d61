// Which node inputs are weights of an op with a hybrid kernel, and each one's output-channel axis: CONV_2D dim 0
// (OHWI), DEPTHWISE_CONV_2D dim 3 (1HWO), the rest dim 0. Biases are not weights (they stay float). What a
// scheme does with each weight is decided by the PTQ transform (harness/ptq.h).
#pragma once

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

}  // namespace qgate
