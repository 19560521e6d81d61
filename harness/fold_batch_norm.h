// Folding an inference BatchNormalization into the convolution before it, on the graph IR: y = x * scale[c] +
// shift[c] per output channel c, where x is the output of a conv2d or depthwise_conv2d node, becomes that conv
// with its filter's output channels scaled and the bias bias * scale + shift. The ONNX importer calls it when it
// meets a BatchNormalization right after the conv it reads (and nothing else reads the conv's output); the BN
// then needs no node of its own.
#pragma once

#include <string>
#include <vector>

#include "harness/graph.h"

namespace qgate {

// Folds into `conv` (a node of `graph` whose outputs[0] is the tensor the BN reads) and returns true: appends
// the scaled filter ("<filter>/bn") and the new bias (`bias_name`, float [channels]) to graph.tensors and points
// the conv at them; the old filter stays (it may be shared). Returns false with the graph untouched when `conv`
// is not a conv2d / depthwise_conv2d or its output channels are not scale.size(). Filter and bias (if any) must
// be float constants; scale and shift hold one value per output channel.
bool fold_batch_norm_into_conv(Graph& graph, Node& conv, const std::vector<float>& scale,
                               const std::vector<float>& shift, const std::string& bias_name);

}  // namespace qgate
