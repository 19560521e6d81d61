// Graph IR: tensors (constants owned here), nodes in execution order, model inputs and outputs.
//
// Node ids are positions in `nodes` and stay stable across transforms: the quantized twin of a graph (PTQ
// transform) has the same node ids and names, so per-layer metrics pair nodes by id.
//
// Attribute contract: a node's attributes use the TFLite schema's option field names in snake_case
// ("stride_w", "fused_activation_function", "depth_multiplier", ...) and enums keep the TFLite schema's
// integer values (Padding SAME = 0, VALID = 1; ActivationFunctionType NONE = 0, RELU = 1, RELU_N1_TO_1 = 2,
// RELU6 = 3, TANH = 4, SIGN_BIT = 5). Importers of other formats translate into the same names.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace qgate {

enum class OpType : uint16_t {
  add, sub, mul, div, maximum, minimum, squared_difference,
  relu, relu6, relu_n1_to_1, relu_0_to_1, prelu, leaky_relu, logistic, tanh, hard_swish, elu, gelu,
  exp, log, sqrt, rsqrt, abs, neg, square, pow,
  conv2d, depthwise_conv2d, fully_connected, transpose_conv, conv2d_transpose_bias,
  max_pool2d, average_pool2d, mean, sum, reduce_max,
  pad, padv2, reshape, squeeze, expand_dims, concatenation, split, split_v, softmax, log_softmax,
  dequantize, quantize, cast, resize_bilinear, resize_nearest_neighbor, transpose, strided_slice, slice,
  gather, densify, batch_matmul, pack, unpack, tile, space_to_depth, depth_to_space,
  embedding_lookup, rnn, unidirectional_sequence_rnn, bidirectional_sequence_rnn,
  unidirectional_sequence_lstm, bidirectional_sequence_lstm, lstm,
  max_pooling_with_argmax,  // MediaPipe custom op "MaxPoolingWithArgmax2D"
  max_unpooling,            // MediaPipe custom op "MaxUnpooling2D"
  dynamic_quantize_linear, matmul_integer, conv_integer,  // ONNX integer ops (onnxruntime dynamic quantization)
  gru,                      // ONNX GRU semantics (no TFLite builtin): one direction, see harness/ops/gru.cpp
  shape,                    // SHAPE: its input's dimensions, known once the input shapes are (computed at prepare)
  // Elementwise math (TFLite names where TFLite has the op; the others are ONNX's, in snake_case).
  floor, ceil, round, sign, sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, erf, reciprocal,
  softplus, softsign, selu, celu, thresholded_relu, shrink, mish,
  round_to_float16,  // float32 values rounded to the nearest float16 value (ONNX Cast to float16)
  // Comparisons, logic and selection (bool is one byte, 0 or 1).
  equal, not_equal, less, less_equal, greater, greater_equal, logical_and, logical_or, logical_xor, logical_not,
  is_nan, is_inf, select_v2, floor_mod, trunc_mod,
  // Generators and data movement.
  fill, range, broadcast_to, one_hot, trilu, mirror_pad, gather_elements, gather_nd, scatter_elements,
  scatter_nd_update, reverse_sequence,
  // Whole-axis ops.
  arg_max, arg_min, topk_v2, cumsum, reduce_min, reduce_prod, hardmax, layer_norm, group_norm,
  local_response_normalization, einsum, det,
  // Window ops over channels-first tensors of any spatial rank (ONNX layout), and ONNX's Resize and GridSample.
  conv_nd, conv_transpose_nd, pool_nd, max_unpool_nd, resize_nd, grid_sample,
  // ONNX's affine int8 / uint8 quantization (QuantizeLinear, DequantizeLinear), and the NegativeLogLikelihoodLoss.
  quantize_linear, dequantize_linear, nll_loss,
  // Signal processing (ONNX opset 17) and RoiAlign.
  dft, stft, roi_align,
  count_
};

// Lowercase name used in reports and errors, e.g. "conv2d".
std::string_view op_name(OpType op);
std::optional<OpType> op_from_name(std::string_view name);

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

// Named attributes of a node; see the contract above.
class Attributes {
 public:
  void set(const std::string& key, AttrValue v) { values_[key] = std::move(v); }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_float(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const { return get_int(key, fallback ? 1 : 0) != 0; }
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& key) const;
  std::vector<double> get_floats(const std::string& key) const;
  const std::map<std::string, AttrValue>& all() const { return values_; }

 private:
  std::map<std::string, AttrValue> values_;
};

struct Node {
  int id = 0;
  OpType op = OpType::count_;
  std::string name;          // for reports: the name of its first output tensor unless the format names nodes
  std::vector<int> inputs;   // tensor ids; -1 marks an absent optional input
  std::vector<int> outputs;  // tensor ids
  Attributes attrs;
  int version = 1;           // the format's op version (TFLite: 1 float, 2 hybrid, 3 asymmetric)
};

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // execution order
  std::vector<int> inputs;  // tensor ids, model input order; their shapes are the declared ones (maybe symbolic)
  std::vector<int> outputs; // tensor ids, model output order
  std::string source;       // file it came from, for messages
  // Names of the symbolic dimensions (core/tensor.h): symbol k, stored as the dimension -2 - k, is symbols[k].
  // Dimensions with one name are one symbol: two inputs declared [batch,...] take the same batch size.
  std::vector<std::string> symbols;

  // Checks every tensor id, that each tensor is produced at most once, that every node input is a constant,
  // a model input, a variable or an earlier node's output (topological order), and that outputs are produced.
  // Throws ModelError naming the node and the rule.
  void validate() const;
  // "conv2d node 12 (name)" for messages.
  std::string describe(const Node& n) const;
  // "[batch,3,?,?]": a shape with its symbols named.
  std::string shape_text(const Shape& s) const;
  // The symbol named `name`, added when new; its dimension value (-2 - k).
  int32_t symbol(const std::string& name);
  // True when some model input's declared shape has a symbolic dimension.
  bool has_symbolic_inputs() const;
};

// The nodes an Executor runs once at prepare, when the input shapes are known, and not again per run: SHAPE, and
// every node reading an output of such a node and otherwise only constants (the shape arithmetic after a SHAPE).
// A model output is always computed by run().
std::vector<char> prepare_time_nodes(const Graph& graph);

}  // namespace qgate
