// The TFLite op table (op_table.h) and the op names and supported-op check of import.h.
#include "harness/tflite/op_table.h"

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/op.h"
#include "harness/tflite/import.h"
#include "tflite_schema_generated.h"

namespace qgate {
namespace tflite_import {
namespace {

using B = tflite::BuiltinOperator;

struct BuiltinRow {
  B code;
  OpType op;
};

const BuiltinRow kBuiltinOps[] = {
    {B::ADD, OpType::add},
    {B::SUB, OpType::sub},
    {B::MUL, OpType::mul},
    {B::DIV, OpType::div},
    {B::MAXIMUM, OpType::maximum},
    {B::MINIMUM, OpType::minimum},
    {B::SQUARED_DIFFERENCE, OpType::squared_difference},
    {B::RELU, OpType::relu},
    {B::RELU6, OpType::relu6},
    {B::RELU_N1_TO_1, OpType::relu_n1_to_1},
    {B::RELU_0_TO_1, OpType::relu_0_to_1},
    {B::PRELU, OpType::prelu},
    {B::LEAKY_RELU, OpType::leaky_relu},
    {B::LOGISTIC, OpType::logistic},
    {B::TANH, OpType::tanh},
    {B::HARD_SWISH, OpType::hard_swish},
    {B::ELU, OpType::elu},
    {B::GELU, OpType::gelu},
    {B::EXP, OpType::exp},
    {B::LOG, OpType::log},
    {B::SQRT, OpType::sqrt},
    {B::RSQRT, OpType::rsqrt},
    {B::ABS, OpType::abs},
    {B::NEG, OpType::neg},
    {B::SQUARE, OpType::square},
    {B::POW, OpType::pow},
    {B::CONV_2D, OpType::conv2d},
    {B::DEPTHWISE_CONV_2D, OpType::depthwise_conv2d},
    {B::FULLY_CONNECTED, OpType::fully_connected},
    {B::TRANSPOSE_CONV, OpType::transpose_conv},
    {B::MAX_POOL_2D, OpType::max_pool2d},
    {B::AVERAGE_POOL_2D, OpType::average_pool2d},
    {B::MEAN, OpType::mean},
    {B::SUM, OpType::sum},
    {B::REDUCE_MAX, OpType::reduce_max},
    {B::PAD, OpType::pad},
    {B::PADV2, OpType::padv2},
    {B::RESHAPE, OpType::reshape},
    {B::SQUEEZE, OpType::squeeze},
    {B::EXPAND_DIMS, OpType::expand_dims},
    {B::CONCATENATION, OpType::concatenation},
    {B::SPLIT, OpType::split},
    {B::SPLIT_V, OpType::split_v},
    {B::SOFTMAX, OpType::softmax},
    {B::LOG_SOFTMAX, OpType::log_softmax},
    {B::DEQUANTIZE, OpType::dequantize},
    {B::QUANTIZE, OpType::quantize},
    {B::CAST, OpType::cast},
    {B::RESIZE_BILINEAR, OpType::resize_bilinear},
    {B::RESIZE_NEAREST_NEIGHBOR, OpType::resize_nearest_neighbor},
    {B::TRANSPOSE, OpType::transpose},
    {B::STRIDED_SLICE, OpType::strided_slice},
    {B::SLICE, OpType::slice},
    {B::GATHER, OpType::gather},
    {B::DENSIFY, OpType::densify},
    {B::BATCH_MATMUL, OpType::batch_matmul},
    {B::PACK, OpType::pack},
    {B::UNPACK, OpType::unpack},
    {B::TILE, OpType::tile},
    {B::SPACE_TO_DEPTH, OpType::space_to_depth},
    {B::DEPTH_TO_SPACE, OpType::depth_to_space},
    {B::EMBEDDING_LOOKUP, OpType::embedding_lookup},
    {B::RNN, OpType::rnn},
    {B::UNIDIRECTIONAL_SEQUENCE_RNN, OpType::unidirectional_sequence_rnn},
    {B::BIDIRECTIONAL_SEQUENCE_RNN, OpType::bidirectional_sequence_rnn},
    {B::UNIDIRECTIONAL_SEQUENCE_LSTM, OpType::unidirectional_sequence_lstm},
    {B::BIDIRECTIONAL_SEQUENCE_LSTM, OpType::bidirectional_sequence_lstm},
    {B::LSTM, OpType::lstm},
    {B::SHAPE, OpType::shape},
    // Comparisons, logic, selection and the elementwise math they share with ONNX.
    {B::EQUAL, OpType::equal},
    {B::NOT_EQUAL, OpType::not_equal},
    {B::LESS, OpType::less},
    {B::LESS_EQUAL, OpType::less_equal},
    {B::GREATER, OpType::greater},
    {B::GREATER_EQUAL, OpType::greater_equal},
    {B::LOGICAL_AND, OpType::logical_and},
    {B::LOGICAL_OR, OpType::logical_or},
    {B::LOGICAL_NOT, OpType::logical_not},
    {B::SELECT_V2, OpType::select_v2},
    {B::FLOOR_MOD, OpType::floor_mod},
    {B::FLOOR, OpType::floor},
    {B::CEIL, OpType::ceil},
    {B::ROUND, OpType::round},
    {B::SIN, OpType::sin},
    {B::COS, OpType::cos},
    // Generators, indexing and whole-axis ops.
    {B::FILL, OpType::fill},
    {B::RANGE, OpType::range},
    {B::BROADCAST_TO, OpType::broadcast_to},
    {B::ONE_HOT, OpType::one_hot},
    {B::MIRROR_PAD, OpType::mirror_pad},
    {B::GATHER_ND, OpType::gather_nd},
    {B::ARG_MAX, OpType::arg_max},
    {B::ARG_MIN, OpType::arg_min},
    {B::TOPK_V2, OpType::topk_v2},
    {B::CUMSUM, OpType::cumsum},
    {B::REDUCE_MIN, OpType::reduce_min},
    {B::REDUCE_PROD, OpType::reduce_prod},
    {B::LOCAL_RESPONSE_NORMALIZATION, OpType::local_response_normalization},
};

struct CustomRow {
  std::string_view name;
  OpType op;
};

// MediaPipe's custom ops (their options: decode_mediapipe_options in options.cpp).
const CustomRow kCustomOps[] = {
    {"Convolution2DTransposeBias", OpType::conv2d_transpose_bias},
    {"MaxPoolingWithArgmax2D", OpType::max_pooling_with_argmax},
    {"MaxUnpooling2D", OpType::max_unpooling},
};

}  // namespace

std::optional<OpType> op_from_builtin(int code) {
  for (const BuiltinRow& row : kBuiltinOps)
    if (static_cast<int>(row.code) == code) return row.op;
  return std::nullopt;
}

std::optional<OpType> op_from_custom(std::string_view name) {
  for (const CustomRow& row : kCustomOps)
    if (row.name == name) return row.op;
  return std::nullopt;
}

bool has_mediapipe_options(OpType op) {
  return op == OpType::conv2d_transpose_bias || op == OpType::max_pooling_with_argmax || op == OpType::max_unpooling;
}

}  // namespace tflite_import

using tflite_import::kCustomCode;

std::string tflite_builtin_name(int code) {
  if (code >= 0 && code <= static_cast<int>(tflite::BuiltinOperator::MAX)) {
    const char* n = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
    if (n && *n) return n;
  }
  return fmt::format("BUILTIN_{}", code);
}

std::string tflite_op_label(const Node& node) {
  const int code = static_cast<int>(node.attrs.get_int(kTfliteBuiltinCodeAttr, -1));
  if (code == kCustomCode) return fmt::format("custom '{}'", node.attrs.get_string(kTfliteCustomCodeAttr, ""));
  if (code >= 0) return tflite_builtin_name(code);
  return std::string(op_name(node.op));
}

void check_tflite_ops_supported(const Graph& graph) {
  std::string list;
  size_t count = 0;
  for (const Node& n : graph.nodes) {
    if (n.op != OpType::count_ && op_supported(n.op)) continue;
    // The file's operator index: node ids change when constant nodes are folded at load.
    list += fmt::format("{}op {} {}", count ? ", " : "", n.attrs.get_int(kTfliteOperatorIndexAttr, n.id),
                        tflite_op_label(n));
    ++count;
  }
  if (count)
    throw ModelError(fmt::format("{}: model: {} operator{} not supported by qgate: {} (every operator needs a "
                                 "qgate implementation)", graph.source, count, count == 1 ? " is" : "s are", list));
}

}  // namespace qgate
