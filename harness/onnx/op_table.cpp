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
    {kDefault, "Abs", [](Importer& im, NodeRef n) { import_neg_abs(im, n, OpType::abs); }},
    {kDefault, "Neg", [](Importer& im, NodeRef n) { import_neg_abs(im, n, OpType::neg); }},
    {kDefault, "LeakyRelu", import_leaky_relu},
    {kDefault, "Elu", import_elu},
    {kDefault, "HardSigmoid", import_hard_sigmoid},
    {kDefault, "Clip", import_clip},
    {kDefault, "Add", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::add); }},
    {kDefault, "Sub", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::sub); }},
    {kDefault, "Mul", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::mul); }},
    {kDefault, "Div", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::div); }},
    {kDefault, "Pow", import_pow},
    {kDefault, "PRelu", [](Importer& im, NodeRef n) { import_arithmetic(im, n, OpType::prelu); }},
    {kDefault, "Max", [](Importer& im, NodeRef n) { import_variadic(im, n, OpType::maximum); }},
    {kDefault, "Min", [](Importer& im, NodeRef n) { import_variadic(im, n, OpType::minimum); }},
    {kDefault, "Sum", [](Importer& im, NodeRef n) { import_variadic(im, n, OpType::add); }},
    {kDefault, "Mean", [](Importer& im, NodeRef n) { import_variadic(im, n, OpType::add, /*mean=*/true); }},
    {kDefault, "Mod", import_mod},
    {kDefault, "Floor", [](Importer& im, NodeRef n) { im.unary(n, OpType::floor); }},
    {kDefault, "Ceil", [](Importer& im, NodeRef n) { im.unary(n, OpType::ceil); }},
    {kDefault, "Round", [](Importer& im, NodeRef n) { im.unary(n, OpType::round); }},
    {kDefault, "Sign", [](Importer& im, NodeRef n) { im.unary(n, OpType::sign); }},
    {kDefault, "Reciprocal", [](Importer& im, NodeRef n) { im.unary(n, OpType::reciprocal); }},
    {kDefault, "Erf", [](Importer& im, NodeRef n) { im.unary(n, OpType::erf); }},
    {kDefault, "Sin", [](Importer& im, NodeRef n) { im.unary(n, OpType::sin); }},
    {kDefault, "Cos", [](Importer& im, NodeRef n) { im.unary(n, OpType::cos); }},
    {kDefault, "Tan", [](Importer& im, NodeRef n) { im.unary(n, OpType::tan); }},
    {kDefault, "Asin", [](Importer& im, NodeRef n) { im.unary(n, OpType::asin); }},
    {kDefault, "Acos", [](Importer& im, NodeRef n) { im.unary(n, OpType::acos); }},
    {kDefault, "Atan", [](Importer& im, NodeRef n) { im.unary(n, OpType::atan); }},
    {kDefault, "Sinh", [](Importer& im, NodeRef n) { im.unary(n, OpType::sinh); }},
    {kDefault, "Cosh", [](Importer& im, NodeRef n) { im.unary(n, OpType::cosh); }},
    {kDefault, "Asinh", [](Importer& im, NodeRef n) { im.unary(n, OpType::asinh); }},
    {kDefault, "Acosh", [](Importer& im, NodeRef n) { im.unary(n, OpType::acosh); }},
    {kDefault, "Atanh", [](Importer& im, NodeRef n) { im.unary(n, OpType::atanh); }},
    {kDefault, "Softplus", [](Importer& im, NodeRef n) { im.unary(n, OpType::softplus); }},
    {kDefault, "Softsign", [](Importer& im, NodeRef n) { im.unary(n, OpType::softsign); }},
    {kDefault, "Mish", [](Importer& im, NodeRef n) { im.unary(n, OpType::mish); }},
    // ONNX's defaults: alpha and gamma of Selu are the float32 constants of the SELU paper.
    {kDefault, "Selu",
     [](Importer& im, NodeRef n) { import_unary_with(im, n, OpType::selu, "alpha", 1.67326319217681884765625f,
                                                     "gamma", 1.05070102214813232421875f); }},
    {kDefault, "Celu", [](Importer& im, NodeRef n) { import_unary_with(im, n, OpType::celu, "alpha", 1.0f); }},
    {kDefault, "ThresholdedRelu",
     [](Importer& im, NodeRef n) { import_unary_with(im, n, OpType::thresholded_relu, "alpha", 1.0f); }},
    {kDefault, "Shrink",
     [](Importer& im, NodeRef n) { import_unary_with(im, n, OpType::shrink, "lambd", 0.5f, "bias", 0.0f); }},

    // Comparisons, logic and selection: bool outputs (ops_elementwise.cpp)
    {kDefault, "Equal", [](Importer& im, NodeRef n) { im.binary(n, OpType::equal, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "Less", [](Importer& im, NodeRef n) { im.binary(n, OpType::less, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "LessOrEqual",
     [](Importer& im, NodeRef n) { im.binary(n, OpType::less_equal, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "Greater", [](Importer& im, NodeRef n) { im.binary(n, OpType::greater, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "GreaterOrEqual",
     [](Importer& im, NodeRef n) { im.binary(n, OpType::greater_equal, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "And", [](Importer& im, NodeRef n) { im.binary(n, OpType::logical_and, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "Or", [](Importer& im, NodeRef n) { im.binary(n, OpType::logical_or, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "Xor", [](Importer& im, NodeRef n) { im.binary(n, OpType::logical_xor, im.in(n, 0), im.in(n, 1)); }},
    {kDefault, "Not", [](Importer& im, NodeRef n) { im.unary(n, OpType::logical_not); }},
    {kDefault, "IsNaN", [](Importer& im, NodeRef n) { im.unary(n, OpType::is_nan); }},
    {kDefault, "IsInf", import_is_inf},
    {kDefault, "Where", import_where},

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

    // Generators (ops_generate.cpp)
    {kDefault, "ConstantOfShape", import_constant_of_shape},
    {kDefault, "Range", import_range},
    {kDefault, "Size", import_size},
    {kDefault, "EyeLike", import_eye_like},
    {kDefault, "HannWindow", [](Importer& im, NodeRef n) { import_window(im, n, "hann"); }},
    {kDefault, "HammingWindow", [](Importer& im, NodeRef n) { import_window(im, n, "hamming"); }},
    {kDefault, "BlackmanWindow", [](Importer& im, NodeRef n) { import_window(im, n, "blackman"); }},

    // Signal processing (ops_signal.cpp)
    {kDefault, "DFT", import_dft},
    {kDefault, "STFT", import_stft},
    {kDefault, "MelWeightMatrix", import_mel_weight_matrix},

    // Window ops, NHWC (ops_spatial.cpp)
    {kDefault, "Conv", import_conv},
    {kDefault, "ConvTranspose", import_conv_transpose},
    {kDefault, "MaxPool", [](Importer& im, NodeRef n) { import_pool(im, n, /*is_max=*/true); }},
    {kDefault, "AveragePool", [](Importer& im, NodeRef n) { import_pool(im, n, /*is_max=*/false); }},
    {kDefault, "Resize", import_resize},
    {kDefault, "BatchNormalization", import_batch_norm},

    // Window ops of any spatial rank, channels-first (ops_window_nd.cpp)
    {kDefault, "LpPool", [](Importer& im, NodeRef n) { import_pool_nd(im, n, "lp"); }},
    {kDefault, "GlobalLpPool", import_global_lp_pool},
    {kDefault, "MaxUnpool", import_max_unpool},
    {kDefault, "Upsample", import_resize_nd},
    {kDefault, "GridSample", import_grid_sample},
    {kDefault, "RoiAlign", import_roi_align},

    // Ops along axes (ops_axis.cpp)
    {kDefault, "ArgMax", [](Importer& im, NodeRef n) { import_arg_minmax(im, n, OpType::arg_max); }},
    {kDefault, "ArgMin", [](Importer& im, NodeRef n) { import_arg_minmax(im, n, OpType::arg_min); }},
    {kDefault, "TopK", import_topk},
    {kDefault, "CumSum", import_cumsum},
    {kDefault, "Hardmax", import_hardmax},
    {kDefault, "LayerNormalization", import_layer_norm},
    {kDefault, "InstanceNormalization", import_instance_norm},
    {kDefault, "LRN", import_lrn},
    {kDefault, "MeanVarianceNormalization", import_mvn},
    {kDefault, "Einsum", import_einsum},
    {kDefault, "Det", import_det},
    {kDefault, "NegativeLogLikelihoodLoss", import_nll_loss},
    {kDefault, "SoftmaxCrossEntropyLoss", import_softmax_cross_entropy},

    // Indexing and rearranging (ops_index.cpp)
    {kDefault, "GatherElements", import_gather_elements},
    {kDefault, "GatherND", import_gather_nd},
    {kDefault, "ScatterElements", [](Importer& im, NodeRef n) { import_scatter(im, n, /*nd=*/false); }},
    {kDefault, "Scatter", [](Importer& im, NodeRef n) { import_scatter(im, n, /*nd=*/false); }},
    {kDefault, "ScatterND", [](Importer& im, NodeRef n) { import_scatter(im, n, /*nd=*/true); }},
    {kDefault, "Tile", import_tile},
    {kDefault, "OneHot", import_one_hot},
    {kDefault, "Trilu", import_trilu},
    {kDefault, "ReverseSequence", import_reverse_sequence},
    {kDefault, "DepthToSpace", import_depth_to_space},
    {kDefault, "SpaceToDepth", import_space_to_depth},

    // Matrix products and whole-axis ops (ops_matmul_reduce.cpp)
    {kDefault, "Gemm", import_gemm},
    {kDefault, "MatMul", import_matmul},
    {kDefault, "GlobalAveragePool", [](Importer& im, NodeRef n) { import_global_pool(im, n, OpType::mean); }},
    {kDefault, "GlobalMaxPool", [](Importer& im, NodeRef n) { import_global_pool(im, n, OpType::reduce_max); }},
    {kDefault, "ReduceMean", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::mean); }},
    {kDefault, "ReduceSum", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::sum); }},
    {kDefault, "ReduceMax", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::reduce_max); }},
    {kDefault, "ReduceMin", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::reduce_min); }},
    {kDefault, "ReduceProd", [](Importer& im, NodeRef n) { import_reduce(im, n, OpType::reduce_prod); }},
    {kDefault, "ReduceL1", [](Importer& im, NodeRef n) { import_reduce_composite(im, n, "L1"); }},
    {kDefault, "ReduceL2", [](Importer& im, NodeRef n) { import_reduce_composite(im, n, "L2"); }},
    {kDefault, "ReduceSumSquare", [](Importer& im, NodeRef n) { import_reduce_composite(im, n, "SumSquare"); }},
    {kDefault, "ReduceLogSum", [](Importer& im, NodeRef n) { import_reduce_composite(im, n, "LogSum"); }},
    {kDefault, "ReduceLogSumExp", [](Importer& im, NodeRef n) { import_reduce_composite(im, n, "LogSumExp"); }},
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
    {kDefault, "QuantizeLinear", [](Importer& im, NodeRef n) { import_quantize_linear(im, n, /*dequantize=*/false); }},
    {kDefault, "DequantizeLinear", [](Importer& im, NodeRef n) { import_quantize_linear(im, n, /*dequantize=*/true); }},
    {kDefault, "Cast", import_cast},
    {kDefault, "CastLike", import_cast_like},
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
