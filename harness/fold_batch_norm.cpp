// BatchNormalization folded into the conv before it (fold_batch_norm.h).
#include "harness/fold_batch_norm.h"

#include <cstdint>
#include <utility>

namespace qgate {

bool fold_batch_norm_into_conv(Graph& graph, Node& conv, const std::vector<float>& scale,
                               const std::vector<float>& shift, const std::string& bias_name) {
  if (conv.op != OpType::conv2d && conv.op != OpType::depthwise_conv2d) return false;
  const bool dw = conv.op == OpType::depthwise_conv2d;
  const Tensor& w = graph.tensors[conv.inputs[1]];  // read only: the filter may be shared
  // Filters are [O, KH, KW, I] (conv2d) or [1, KH, KW, O] (depthwise): the output channel is the first or last dim.
  const int64_t cout = dw ? w.shape[3] : w.shape[0];
  if (cout != static_cast<int64_t>(scale.size())) return false;
  Tensor wc;
  wc.name = w.name + "/bn";
  wc.shape = w.shape;
  wc.is_constant = true;
  wc.allocate();
  const int64_t per = w.elements() / cout;
  for (int64_t i = 0; i < w.elements(); ++i) {
    const int64_t ch = dw ? i % cout : i / per;
    wc.as<float>()[i] = w.as<float>()[i] * scale[ch];
  }
  std::vector<float> bias(cout, 0.0f);
  if (conv.inputs.size() > 2 && conv.inputs[2] >= 0)
    for (int64_t k = 0; k < cout; ++k) bias[k] = graph.tensors[conv.inputs[2]].as<float>()[k];
  for (int64_t k = 0; k < cout; ++k) bias[k] = bias[k] * scale[k] + shift[k];
  Tensor b;
  b.name = bias_name;
  b.shape = {static_cast<int32_t>(cout)};
  b.is_constant = true;
  b.allocate();
  for (int64_t k = 0; k < cout; ++k) b.as<float>()[k] = bias[k];
  // Both tensors are appended after every read above: push_back may move graph.tensors.
  graph.tensors.push_back(std::move(wc));
  conv.inputs[1] = static_cast<int>(graph.tensors.size()) - 1;
  graph.tensors.push_back(std::move(b));
  const int bias_id = static_cast<int>(graph.tensors.size()) - 1;
  if (conv.inputs.size() > 2) conv.inputs[2] = bias_id;
  else conv.inputs.push_back(bias_id);
  return true;
}

}  // namespace qgate
