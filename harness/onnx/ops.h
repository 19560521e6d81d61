// The ONNX op handlers, grouped by the file that defines them. Each imports one node through the Importer
// (importer.h) and is reached through its row in the op table (op_table.cpp).
#pragma once

#include <onnx/onnx_pb.h>

#include "harness/graph.h"

namespace qgate::onnx_import {

class Importer;
using NodeRef = const onnx::NodeProto&;

// ops_elementwise.cpp: activations and arithmetic with numpy broadcasting (layout-preserving).
void import_leaky_relu(Importer& im, NodeRef n);
void import_elu(Importer& im, NodeRef n);
void import_hard_sigmoid(Importer& im, NodeRef n);
void import_clip(Importer& im, NodeRef n);
// Add, Sub, Mul, Div, Pow, PRelu as `op`.
void import_arithmetic(Importer& im, NodeRef n, OpType op);
// Max, Min of two inputs as MAXIMUM / MINIMUM.
void import_max_min(Importer& im, NodeRef n, OpType op);

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

// ops_spatial.cpp: the NCHW window ops, imported NHWC.
void import_conv(Importer& im, NodeRef n);
void import_conv_transpose(Importer& im, NodeRef n);
void import_pool(Importer& im, NodeRef n, bool is_max);
void import_resize(Importer& im, NodeRef n);
void import_batch_norm(Importer& im, NodeRef n);

// ops_matmul_reduce.cpp: matrix products and the ops over whole axes.
void import_gemm(Importer& im, NodeRef n);
void import_matmul(Importer& im, NodeRef n);
// GlobalAveragePool / GlobalMaxPool as MEAN / REDUCE_MAX over the spatial axes.
void import_global_pool(Importer& im, NodeRef n, OpType op);
// ReduceMean, ReduceSum, ReduceMax as MEAN, SUM, REDUCE_MAX.
void import_reduce(Importer& im, NodeRef n, OpType op);
void import_softmax(Importer& im, NodeRef n, bool log);

// recurrent.cpp: RNN, LSTM, GRU and com.microsoft DynamicQuantizeLSTM as per-direction sequence ops.
void import_rnn(Importer& im, NodeRef n);
void import_lstm(Importer& im, NodeRef n);
void import_gru(Importer& im, NodeRef n);
void import_dynamic_quantize_lstm(Importer& im, NodeRef n);

// ort_dynamic.cpp: onnxruntime's integer ops where they are not part of a fused pattern.
void import_cast(Importer& im, NodeRef n);
void import_dynamic_quantize_linear(Importer& im, NodeRef n);
void import_matmul_integer(Importer& im, NodeRef n);
void import_conv_integer(Importer& im, NodeRef n);
// com.microsoft DynamicQuantizeMatMul / MatMulIntegerToFloat outside a fused pattern: refused with the reason.
void import_unfused_ms_op(Importer& im, NodeRef n);

}  // namespace qgate::onnx_import
