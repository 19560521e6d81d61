// The ONNX op handlers, grouped by the file that defines them. Each imports one node through the Importer
// (importer.h) and is reached through its row in the op table (op_table.cpp).
#pragma once

#include <string>

#include <onnx/onnx_pb.h>

#include "harness/graph.h"

namespace qgate::onnx_import {

class Importer;
using NodeRef = const onnx::NodeProto&;

// ops_elementwise.cpp: activations and arithmetic with numpy broadcasting (layout-preserving).
void import_leaky_relu(Importer& im, NodeRef n);
void import_neg_abs(Importer& im, NodeRef n, OpType op);
void import_elu(Importer& im, NodeRef n);
void import_hard_sigmoid(Importer& im, NodeRef n);
void import_clip(Importer& im, NodeRef n);
// Add, Sub, Mul, Div, Pow, PRelu as `op`.
void import_arithmetic(Importer& im, NodeRef n, OpType op);
// An elementwise op with parameters read from the node: alpha and beta attributes of those names (null: none).
void import_unary_with(Importer& im, NodeRef n, OpType op, const char* alpha_attr, float alpha_default,
                       const char* beta_attr = nullptr, float beta_default = 0.0f);
// Max, Min, Sum (and Mean: the sum divided by the count) of any number of inputs, as a chain of MAXIMUM, MINIMUM
// or ADD.
void import_variadic(Importer& im, NodeRef n, OpType op, bool mean = false);
// Where as SELECT_V2 (in ONNX order).
void import_where(Importer& im, NodeRef n);
void import_is_inf(Importer& im, NodeRef n);
// Mod: fmod 0 as FLOOR_MOD (the divisor's sign), fmod 1 as qgate's TRUNC_MOD (the dividend's sign).
void import_mod(Importer& im, NodeRef n);
// Pow, with its base and exponent of one type or two (casts inserted).
void import_pow(Importer& im, NodeRef n);

// ops_shape.cpp: plumbing, shape-derived constants and data movement.
void import_identity(Importer& im, NodeRef n);
void import_dropout(Importer& im, NodeRef n);
void import_constant(Importer& im, NodeRef n);
void import_shape(Importer& im, NodeRef n);
void import_reshape(Importer& im, NodeRef n);
void import_flatten(Importer& im, NodeRef n);
void import_squeeze(Importer& im, NodeRef n);
void import_unsqueeze(Importer& im, NodeRef n);
void import_transpose(Importer& im, NodeRef n);
void import_concat(Importer& im, NodeRef n);
void import_gather(Importer& im, NodeRef n);
void import_pad(Importer& im, NodeRef n);
void import_slice(Importer& im, NodeRef n);
void import_split(Importer& im, NodeRef n);
void import_expand(Importer& im, NodeRef n);

// ops_generate.cpp: generators; the ones that depend on shapes alone are constants at load.
void import_constant_of_shape(Importer& im, NodeRef n);
void import_range(Importer& im, NodeRef n);
void import_size(Importer& im, NodeRef n);
void import_eye_like(Importer& im, NodeRef n);
// HannWindow, HammingWindow, BlackmanWindow (`kind` "hann", "hamming", "blackman").
void import_window(Importer& im, NodeRef n, const std::string& kind);

// ops_spatial.cpp: the NCHW window ops, imported NHWC.
void import_conv(Importer& im, NodeRef n);
void import_conv_transpose(Importer& im, NodeRef n);
void import_pool(Importer& im, NodeRef n, bool is_max);
void import_resize(Importer& im, NodeRef n);
void import_batch_norm(Importer& im, NodeRef n);

// ops_window_nd.cpp: the window ops the NHWC forms do not express, channels-first.
void import_conv_1d(Importer& im, NodeRef n);
// Conv (transpose false) or ConvTranspose of 1 to 3 spatial dims as CONV_ND / CONV_TRANSPOSE_ND.
void import_conv_nd(Importer& im, NodeRef n, bool transpose);
// MaxPool, AveragePool, LpPool as POOL_ND of `kind` "max", "average" or "lp".
void import_pool_nd(Importer& im, NodeRef n, const char* kind);
void import_global_lp_pool(Importer& im, NodeRef n);
void import_max_unpool(Importer& im, NodeRef n);
// Resize and Upsample as RESIZE_ND.
void import_resize_nd(Importer& im, NodeRef n);
void import_grid_sample(Importer& im, NodeRef n);
void import_roi_align(Importer& im, NodeRef n);

// ops_axis.cpp: ops along axes other than plain reductions.
// ArgMax / ArgMin as ARG_MAX / ARG_MIN.
void import_arg_minmax(Importer& im, NodeRef n, OpType op);
void import_topk(Importer& im, NodeRef n);
void import_cumsum(Importer& im, NodeRef n);
void import_hardmax(Importer& im, NodeRef n);
void import_layer_norm(Importer& im, NodeRef n);
void import_instance_norm(Importer& im, NodeRef n);
void import_lrn(Importer& im, NodeRef n);
void import_mvn(Importer& im, NodeRef n);
void import_einsum(Importer& im, NodeRef n);
void import_det(Importer& im, NodeRef n);

// ops_index.cpp: indexing and rearranging.
void import_gather_elements(Importer& im, NodeRef n);
void import_gather_nd(Importer& im, NodeRef n);
// ScatterElements / Scatter (nd false) or ScatterND (nd true).
void import_scatter(Importer& im, NodeRef n, bool nd);
void import_reverse_sequence(Importer& im, NodeRef n);
void import_tile(Importer& im, NodeRef n);
void import_one_hot(Importer& im, NodeRef n);
void import_trilu(Importer& im, NodeRef n);
void import_depth_to_space(Importer& im, NodeRef n);
void import_space_to_depth(Importer& im, NodeRef n);

// ops_signal.cpp: DFT, STFT, MelWeightMatrix.
void import_dft(Importer& im, NodeRef n);
void import_stft(Importer& im, NodeRef n);
void import_mel_weight_matrix(Importer& im, NodeRef n);

// ops_quant.cpp: QuantizeLinear (dequantize false) and DequantizeLinear.
void import_quantize_linear(Importer& im, NodeRef n, bool dequantize);

// ops_loss.cpp: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
void import_nll_loss(Importer& im, NodeRef n);
void import_softmax_cross_entropy(Importer& im, NodeRef n);

// ops_matmul_reduce.cpp: matrix products and the ops over whole axes.
void import_gemm(Importer& im, NodeRef n);
void import_matmul(Importer& im, NodeRef n);
// GlobalAveragePool / GlobalMaxPool as MEAN / REDUCE_MAX over the spatial axes.
void import_global_pool(Importer& im, NodeRef n, OpType op);
// ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd as MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD.
void import_reduce(Importer& im, NodeRef n, OpType op);
// ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum, ReduceLogSumExp (`kind` without the "Reduce") from
// elementwise ops around a SUM.
void import_reduce_composite(Importer& im, NodeRef n, const std::string& kind);
void import_softmax(Importer& im, NodeRef n, bool log);

// recurrent.cpp: RNN, LSTM, GRU and com.microsoft DynamicQuantizeLSTM as per-direction sequence ops.
void import_rnn(Importer& im, NodeRef n);
void import_lstm(Importer& im, NodeRef n);
void import_gru(Importer& im, NodeRef n);
void import_dynamic_quantize_lstm(Importer& im, NodeRef n);

// ort_dynamic.cpp: onnxruntime's integer ops where they are not part of a fused pattern.
void import_cast(Importer& im, NodeRef n);
// CastLike: a Cast to the element type the model declares for input 1.
void import_cast_like(Importer& im, NodeRef n);
// Cast of input 0 to the ONNX element type `to` (Cast's attribute, CastLike's second input's type).
void cast_to(Importer& im, NodeRef n, int64_t to);
void import_dynamic_quantize_linear(Importer& im, NodeRef n);
void import_matmul_integer(Importer& im, NodeRef n);
void import_conv_integer(Importer& im, NodeRef n);
// com.microsoft DynamicQuantizeMatMul / MatMulIntegerToFloat outside a fused pattern: refused with the reason.
void import_unfused_ms_op(Importer& im, NodeRef n);

}  // namespace qgate::onnx_import
