// LSTM cell and its sequence loop, float and hybrid (TFLite LSTM with kernel_type FULL,
// UNIDIRECTIONAL_SEQUENCE_LSTM and the two sweeps of BIDIRECTIONAL_SEQUENCE_LSTM), with every option: CIFG,
// peephole, projection (with bias), layer norm, cell_clip, proj_clip, aux input.
//
// Float or hybrid is chosen by the weight matrices (all float, or all int8 with one scale each). In hybrid mode
// x, aux and h_{t-1} are quantized per batch row once per step (symmetric, or asymmetric with
// LstmParams::asymmetric_inputs) and shared by the four gates; the projection quantizes m per row. Peepholes,
// biases, layer-norm coefficients and the states are float in both modes (int8 peepholes are dequantized at
// prepare as f32(w * s), the arithmetic TFLite applies every step).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/recurrent_common.h"

namespace qgate::kernels {

// Gate order of every per-gate array below (and of TFLite's inputs).
enum LstmGate : int { lstm_input_gate = 0, lstm_forget_gate = 1, lstm_cell_gate = 2, lstm_output_gate = 3 };

struct LstmParams {
  Activation activation = Activation::tanh;  // of the cell gate and of the cell output; tanh is Eigen's form
  float cell_clip = 0.0f;                    // > 0: clip c to +-cell_clip
  float proj_clip = 0.0f;                    // > 0: clip the projected h to +-proj_clip
  // > 0: clip every gate's pre-activation to +-gate_clip just before its activation (ONNX LSTM's `clip`; no
  // TFLite field). Unlike cell_clip it bounds the inputs of sigmoid and of the cell gate's activation.
  float gate_clip = 0.0f;
  bool asymmetric_inputs = false;            // hybrid only
  // Hybrid only: onnxruntime's DynamicQuantizeLSTM arithmetic instead of TFLite's. lstm_sequence quantizes the
  // whole input sequence once (DynamicQuantizeLinear: uint8, one scale and zero point for all steps and rows) and
  // h_{t-1} once per step over the whole batch, the same way; each gate is f32(acc_x) * f32(s_x * s_w) plus
  // f32(acc_h) * f32(s_h * s_r), then the peephole term, then the bias. Time-major sequences, no aux input, no
  // projection, no layer norm (the op checks).
  bool ort_dynamic = false;
};

// Weights of one cell. input_to[g] [n_cell, n_input], aux_to[g] [n_cell, n_aux] (absent without aux input),
// recurrent_to[g] [n_cell, n_output]. CIFG: input_to, recurrent_to, aux_to, bias and layer_norm of the input
// gate are absent. peephole[g] [n_cell] for the input, forget and output gates (null: none; the cell gate entry
// is always null). layer_norm[g] [n_cell] (null: no layer norm). projection [n_output, n_cell] (absent:
// n_output == n_cell), projection_bias [n_output] or null.
struct LstmWeights {
  RecurrentMatrix input_to[4];
  RecurrentMatrix aux_to[4];
  RecurrentMatrix recurrent_to[4];
  const float* peephole[4] = {};
  const float* bias[4] = {};
  const float* layer_norm[4] = {};
  RecurrentMatrix projection;
  const float* projection_bias = nullptr;

  bool cifg() const { return !input_to[lstm_input_gate].present(); }
  bool hybrid() const { return input_to[lstm_forget_gate].hybrid(); }
  int n_cell() const { return input_to[lstm_forget_gate].rows; }
  int n_input() const { return input_to[lstm_forget_gate].cols; }
  int n_output() const { return recurrent_to[lstm_forget_gate].cols; }
  int n_aux() const { return aux_to[lstm_forget_gate].present() ? aux_to[lstm_forget_gate].cols : 0; }
};

// Scratch of one cell for up to `batch` rows (owned by the op, sized at prepare).
struct LstmScratch {
  std::vector<float> gates;  // 4 * batch * n_cell
  std::vector<float> cell_out;  // batch * n_cell: o * act(c)
  QuantizedRowsBuffer input, aux, output_state, cell_out_q;  // hybrid only
  QuantizedRowsBuffer sequence;  // ort_dynamic: the whole input sequence, `sequence_rows` rows

  void resize(const LstmWeights& w, int batch, int64_t sequence_rows = 0);
};

// One step over `batch` rows. x [batch, n_input], aux [batch, n_aux] or null, h (output state) [batch, n_output]
// and c (cell state) [batch, n_cell] are read and updated; out[b * out_stride + k] = h[b][k].
// Order (TFLite's LstmStep): input, forget, cell gates; c = f*c, c += g*i (CIFG: i = 1 - f), clip; output gate
// (its peephole sees the new c); m = o * act(c); h = projection (bias first, then hybrid/float product, clip)
// or m. Each gate starts at its bias (0 with layer norm), adds input, aux, recurrent, then the peephole term.
void lstm_step(const LstmParams& p, const LstmWeights& w, int batch, const float* x, const float* aux, float* h,
               float* c, float* out, int out_stride, LstmScratch& scratch, SimdPath path = SimdPath::automatic);

// Runs the cell over a sequence; layouts, out_stride and `forward` as in rnn_sequence (kernels/rnn.h).
void lstm_sequence(const LstmParams& p, const LstmWeights& w, const SequenceLayout& layout, bool forward,
                   const float* x, const float* aux, float* h, float* c, float* out, int out_stride,
                   LstmScratch& scratch, SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
