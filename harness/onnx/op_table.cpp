// The ONNX op table (op_table.h): one row per (domain, op type) qgate imports, pointing at its handler (ops.h).
// Rows whose handler is one call carry it as a lambda.
#include "harness/onnx/op_table.h"

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"

namespace qgate::onnx_import {
namespace {

constexpr std::string_view kDefault = "";
constexpr std::string_view kMicrosoft = "com.microsoft";

const OnnxOpRow kOnnxOps[] = {
    // Activations and arithmetic (ops_elementwise.cpp)
    {kDefault, "Relu", [](Importer& im, NodeRef n) { im.unary(n, OpType::relu); }},
    {kDefault, "Sigmoid", [](Importer& im, NodeRef n) { im.unary(n, OpType::logistic); }},
    {kDefault, "Tanh", [](Importer& im, NodeRef n) { im.unary(n, OpType::tanh); }},
    {kDefault, "HardSwish", [](Importer& im, NodeRef n) { im.unary(n, OpType::hard_swish); }},
    {kDefault, "Exp", [](Importer& im, NodeRef n) { im.unary(n, OpType::exp); }},
    {kDefault, "Log", [](Importer& im, NodeRef n) { im.unary(n, OpType::log); }},
    {kDefault, "Sqrt", [](Importer& im, NodeRef n) { im.unary(n, OpType::sqrt); }},
    {kDefault, "Abs", [](Importer& im, NodeRef n) { im.unary(n, OpType::abs); }},
    {kDefault, "Neg", [](Importer& im, NodeRef n) { im.unary(n, OpType::neg); }},
    {kDefault, "LeakyRelu", import_leaky_relu},
    {kDefault, "Elu", import_elu},
    {kDefault, "HardSigmoid", import_hard_sigmoid},
    {kDefault, "Clip", import_clip},
    {kDefault, "Add", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::add); }},
    {kDefault, "Sub", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::sub); }},
    {kDefault, "Mul", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::mul); }},
    {kDefault, "Div", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::div); }},
    {kDefault, "Pow", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::pow); }},
    {kDefault, "PRelu", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::prelu); }},
    {kDefault, "Max", [](Importer& im, NodeRef n) { import_max_min(im, n, OpType::maximum); }},
    {kDefault, "Min", [](Importer& im, NodeRef n) { import_max_min(im, n, OpType::minimum); }},

    // Plumbing, shapes and data movement (ops_shape.cpp)
    {kDefault, "Identity", import_identity},
    {kDefault, "Dropout", import_dropout},
    {kDefault, "Constant", import_constant},
    {kDefault, "Shape", import_shape},
    {kDefault, "Reshape", import_reshape},
    {kDefault, "Flatten", import_flatten},
    {kDefault, "Squeeze", import_squeeze},
    {kDefault, "Unsqueeze", import_unsqueeze},
    {kDefault, "Transpose", import_transpose},
    {kDefault, "Concat", import_concat},
    {kDefault, "Gather", import_gather},
    {kDefault, "Pad", import_pad},
    {kDefault, "Slice", import_slice},
    {kDefault, "Split", import_split},
    {kDefault, "Expand", import_expand},

    // Window ops, NHWC (ops_spatial.cpp)
    {kDefault, "Conv", import_conv},
    {kDefault, "ConvTranspose", import_conv_transpose},
    {kDefault, "MaxPool", [](Importer& im, NodeRef n) { import_pool(im, n, /*is_max=*/true); }},
    {kDefault, "AveragePool", [](Importer& im, NodeRef n) { import_pool(im, n, /*is_max=*/false); }},
    {kDefault, "Resize", import_resize},
    {kDefault, "BatchNormalization", import_batch_norm},

    // Matrix products and whole-axis ops (ops_matmul_reduce.cpp)
    {kDefault, "Gemm", import_gemm},
    {kDefault, "MatMul", import_matmul},
    {kDefault, "GlobalAveragePool", [](Importer& im, NodeRef n) { import_global_pool(im, n, OpType::mean); }},
    {kDefault, "GlobalMaxPool", [](Importer& im, NodeRef n) { import_global_pool(im, n, OpType::reduce_max); }},
    {kDefault, "ReduceMean", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::mean); }},
    {kDefault, "ReduceSum", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::sum); }},
    {kDefault, "ReduceMax", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::reduce_max); }},
    {kDefault, "Softmax", [](Importer& im, NodeRef n) { import_softmax(im, n, /*log=*/false); }},
    {kDefault, "LogSoftmax", [](Importer& im, NodeRef n) { import_softmax(im, n, /*log=*/true); }},

    // Recurrent ops (recurrent.cpp)
    {kDefault, "RNN", import_rnn},
    {kDefault, "LSTM", import_lstm},
    {kDefault, "GRU", import_gru},
    {kMicrosoft, "DynamicQuantizeLSTM", import_dynamic_quantize_lstm},

    // onnxruntime dynamic quantization, where not fused into a hybrid layer (ort_dynamic.cpp)
    {kDefault, "DynamicQuantizeLinear", import_dynamic_quantize_linear},
    {kDefault, "MatMulInteger", import_matmul_integer},
    {kDefault, "ConvInteger", import_conv_integer},
    {kDefault, "Cast", import_cast},
    {kMicrosoft, "DynamicQuantizeMatMul", import_unfused_ms_op},
    {kMicrosoft, "MatMulIntegerToFloat", import_unfused_ms_op},
};

}  // namespace

std::span<const OnnxOpRow> onnx_op_table() { return kOnnxOps; }

OnnxOpHandler find_onnx_op_handler(std::string_view domain, std::string_view op_type) {
  if (domain == "ai.onnx") domain = kDefault;
  for (const OnnxOpRow& row : kOnnxOps)
    if (row.domain == domain && row.op_type == op_type) return row.handler;
  return nullptr;
}

}  // namespace qgate::onnx_import
