// Shared prepare-time plumbing of the RNN and LSTM op wrappers: binding weight tensors to kernel views and
// reading the recurrent ops' attributes.
#pragma once

#include <deque>
#include <vector>

#include "harness/op.h"
#include "kernels/recurrent_common.h"

namespace qgate::recurrent_ops {

// Binds input `i` (constant [rows, cols], float32, or int8 with one per-tensor scale) as a kernel matrix; int8
// row sums are computed into `store` (a deque: earlier entries never move). `what` names the input in errors.
// Absent optional inputs give an absent matrix when !required.
// Owner of what bind_matrix derives from a weight at prepare: int8 row sums and the packed forms.
struct MatrixStore {
  std::deque<std::vector<int32_t>> row_sums;
  std::deque<kernels::PackedMatrix> f32;
  std::deque<kernels::PackedInt8Weights> i8;
};
// pack = false skips the packed forms and row sums (a matrix only used through matrix_rows).
// row_scales: an int8 matrix may also carry one scale per row (quantized dimension 0), onnxruntime's per-channel
// DynamicQuantizeLSTM weights; TFLite's hybrid kernels take one scale.
kernels::RecurrentMatrix bind_matrix(const OpContext& ctx, size_t i, int rows, int cols, const char* what,
                                     MatrixStore& store, bool required = true, bool pack = true,
                                     bool row_scales = false);
// Rows [row0, row0 + rows) of a bound matrix as a matrix of their own (same scale), with its own row sums and
// packed forms in `store` (GRU splits its recurrent weights by gate).
kernels::RecurrentMatrix matrix_rows(const kernels::RecurrentMatrix& m, int row0, int rows, MatrixStore& store);

// Binds a float vector input of n elements (bias, layer norm); nullptr when absent and !required.
const float* bind_vector(const OpContext& ctx, size_t i, int n, const char* what, bool required = true);

// Binds a peephole vector of n elements: float32 as is, int8 dequantized as f32(w * s) into `store`.
const float* bind_peephole(const OpContext& ctx, size_t i, int n, const char* what,
                           std::deque<std::vector<float>>& store);

// All present matrices of an op must be float or all int8 (TFLite's kernels pick one mode per op).
void check_same_mode(const OpContext& ctx, const std::vector<const kernels::RecurrentMatrix*>& mats);

// fused_activation_function (NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT); schema default NONE.
kernels::Activation activation_attr(const OpContext& ctx);

// A variable state input holding `elements` floats.
void check_state(const OpContext& ctx, size_t i, int64_t elements, const char* what);

// The state (hidden h or cell c) of a sequence op. A variable input is TFLite's state tensor, updated in place and
// carried across invocations. A non-variable input (ONNX's initial_h / initial_c: a graph input, a constant or a
// computed value) or an absent one gives a buffer owned by the op that each run starts from that input's values
// (zeros when absent), so every invocation is independent.
struct SequenceState {
  int input = -1;  // node input slot; -1 or absent input: starts at zero
  bool in_place = false;
  std::vector<float> own;

  // Checks the input (float32 with `elements` values when present) and sizes the owned buffer.
  void bind(const OpContext& ctx, int slot, int64_t elements, const char* what);
  // The state at the start of a run: the variable tensor, or the owned buffer reset from the initial input.
  float* start(const OpContext& ctx);
};

// Writes `state` (elements floats) to output `i` when the node has that output (the final h or c of a sequence).
void write_final_state(const OpContext& ctx, size_t i, const float* state, int64_t elements);

// The `gate_clip` attribute (qgate extension, ONNX's `clip`: bound on the gate pre-activations); 0: none.
float gate_clip_attr(const OpContext& ctx);

// The layout of a sequence input x: [time, batch, input] when time_major, else [batch, time, input].
kernels::SequenceLayout sequence_layout(const OpContext& ctx, const Tensor& x, bool time_major);
// The shape of a sequence output with `features` per step, in the same layout.
Shape sequence_shape(const kernels::SequenceLayout& l, int features);

// What the two directions of a bidirectional sequence op read and write. merge_outputs: both directions side by
// side in output 0 (each step fw_features + bw_features), else forward in output 0 and backward in output 1.
// Non-stacking (an aux input without aux weights): the backward direction reads the aux input as its x, and no
// direction takes an auxiliary input.
struct BidirectionalIo {
  const float *fw_x, *bw_x, *aux;
  float *fw_out, *bw_out;
  int fw_stride, bw_stride;
};
// Output dtypes and shapes.
void set_bidirectional_outputs(OpContext& ctx, const kernels::SequenceLayout& l, bool merge, int fw_features,
                               int bw_features);
BidirectionalIo bidirectional_io(OpContext& ctx, size_t aux_input, bool merge, bool non_stacking, int fw_features,
                                 int bw_features);

}  // namespace qgate::recurrent_ops
