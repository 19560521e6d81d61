// Basic RNN cell and its sequence loop, float and hybrid (TFLite RNN, UNIDIRECTIONAL_SEQUENCE_RNN and the two
// sweeps of BIDIRECTIONAL_SEQUENCE_RNN).
//
// Float or hybrid is chosen by the weights: float matrices run the float step; int8 matrices (one scale each)
// run the hybrid step, which quantizes each source per batch row (symmetric, or asymmetric when
// RnnParams::asymmetric_inputs) and accumulates int8 x int8 products into int32. All present matrices of one
// cell must be of the same kind. Outputs and the hidden state are float in both modes.
#pragma once

#include <cstdint>

#include "kernels/activation.h"
#include "kernels/recurrent_common.h"

namespace qgate::kernels {

struct RnnParams {
  Activation activation = Activation::none;  // fused_activation_function; tanh is Eigen's form
  bool asymmetric_inputs = false;            // asymmetric_quantize_inputs (hybrid only)
  float gate_clip = 0.0f;                    // > 0: clip the pre-activation to +-gate_clip (ONNX RNN's `clip`)
};

// Weights of one cell, all with rows = units: input [units, input_size], aux [units, aux_size] (absent when
// the op has no aux input), recurrent [units, units]; bias [units] (never null).
struct RnnWeights {
  RecurrentMatrix input;
  RecurrentMatrix aux;
  RecurrentMatrix recurrent;
  const float* bias = nullptr;

  int units() const { return input.rows; }
  bool hybrid() const { return input.hybrid(); }
};

// Scratch for the hybrid step: q holds batch * max(input_size, aux_size, units) values, scale and zero_point
// batch values. Unused (may be empty) in float mode.
int64_t rnn_scratch_q_size(const RnnWeights& w, int batch);

// One step over `batch` rows: out[b * out_stride + n] = act(clip(bias + W x_b + W_aux aux_b + R h_b)), then
// h_b = out_b (clip only with gate_clip > 0).
// x is [batch, input_size], aux [batch, aux_size] or null, h [batch, units] (read, then overwritten).
// Order (docs/arithmetic.md#rnn): bias, then input, aux, recurrent products; in hybrid mode a source whose whole batch
// is zero is skipped.
void rnn_step(const RnnParams& p, const RnnWeights& w, int batch, const float* x, const float* aux, float* h,
              float* out, int out_stride, const QuantizedRows& scratch, SimdPath path = SimdPath::automatic);

// Runs the cell over a sequence. x (and aux) follow `layout`; out rows follow the same layout with out_stride
// floats per row, the cell's units columns starting at `out` (a merged bidirectional output passes its second
// half as out + fw_units). forward = false walks time from last to first (the backward sweep).
// Time-major steps the whole batch at once; batch-major steps one row at a time (its all-zero skip is per row).
void rnn_sequence(const RnnParams& p, const RnnWeights& w, const SequenceLayout& layout, bool forward,
                  const float* x, const float* aux, float* h, float* out, int out_stride,
                  const QuantizedRows& scratch, SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
