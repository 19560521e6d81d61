#include "harness/weight_rules.h"

namespace qgate {

std::vector<WeightSlot> weight_slots(const Node& node) {
  switch (node.op) {
    case OpType::conv2d: return {{1, 0, true}};
    case OpType::depthwise_conv2d: return {{1, 3, true}};
    case OpType::fully_connected: return {{1, 0, false}};
    case OpType::embedding_lookup: return {{1, 0, false}};
    case OpType::rnn:
    case OpType::unidirectional_sequence_rnn: return {{1, 0, false}, {2, 0, false}};
    case OpType::bidirectional_sequence_rnn:  // fw W, R; bw W, R; fw and bw aux weights
      return {{1, 0, false}, {2, 0, false}, {5, 0, false}, {6, 0, false}, {10, 0, false}, {11, 0, false}};
    case OpType::gru: return {{1, 0, false}, {2, 0, false}};  // W, R
    case OpType::lstm:
    case OpType::unidirectional_sequence_lstm: {
      std::vector<WeightSlot> s;
      for (int i : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16}) s.push_back({i, 0, false});
      return s;
    }
    case OpType::bidirectional_sequence_lstm: {  // fw and bw gate, peephole, projection and aux weights
      std::vector<WeightSlot> s;
      for (int i : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 33, 40, 41,
                    42, 43, 44, 45, 46, 47})
        s.push_back({i, 0, false});
      return s;
    }
    default: return {};
  }
}

}  // namespace qgate
