// GRU over a sequence, one direction, float and hybrid, with ONNX GRU's semantics (gate order z, r, n; ONNX
// calls the candidate gate h):
//
//   z = sigmoid(clip(Wz x + Wbz + Rz h + Rbz))
//   r = sigmoid(clip(Wr x + Wbr + Rr h + Rbr))
//   linear_before_reset 0: n = tanh(clip(Wn x + Wbn + Rn (r * h) + Rbn))
//   linear_before_reset 1: n = tanh(clip(Wn x + Wbn + r * (Rn h + Rbn)))   (PyTorch's form)
//   h = (1 - z) * n + z * h
//
// clip only with GruParams::gate_clip > 0; sigmoid and tanh are the Eigen forms the other recurrent kernels use.
// Float or hybrid is chosen by the weights (both float, or both int8 with one scale each). The input projection
// of every time step is one product over all batch * time rows, made before the recurrence; the recurrent
// products are made per step over the whole batch (in both layouts: rows are independent).
// Hybrid: x rows, h rows and (linear_before_reset 0) r * h rows are quantized per row, symmetric or asymmetric,
// and multiplied in int8 with exact int32 accumulation, then added as f32(acc) * f32(s_in * s_w) onto the bias
// (recurrent_common.h). There is no all-zero skip: a zero row quantizes to q = 0 and adds exactly 0.
// Every pre-activation is formed in one order: (Wb + W x) + (Rb + R h), each product added onto its bias.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/recurrent_common.h"

namespace qgate::kernels {

struct GruParams {
  bool linear_before_reset = false;
  float gate_clip = 0.0f;          // > 0: clip every gate pre-activation to +-gate_clip (ONNX's `clip`)
  bool asymmetric_inputs = false;  // hybrid only
};

// W [3H, I] with rows z, r, n; R split into its z and r rows [2H, H] and its n rows [H, H] (the n rows multiply
// r * h when linear_before_reset is 0). Biases [3H] in the same row order, or null (zero).
struct GruWeights {
  RecurrentMatrix input;
  RecurrentMatrix recurrent_zr;
  RecurrentMatrix recurrent_n;
  const float* input_bias = nullptr;
  const float* recurrent_bias = nullptr;

  int hidden() const { return recurrent_n.rows; }
  int n_input() const { return input.cols; }
  bool hybrid() const { return input.hybrid(); }
};

// Scratch for one sequence shape (owned by the op, sized at prepare; run never resizes it).
struct GruScratch {
  std::vector<float> x_proj;  // batch * time * 3H: Wb + W x of every row
  std::vector<float> h_proj;  // batch * 3H: Rb + R h of the current step (z, r, then n)
  std::vector<float> reset_h;  // batch * H: r * h (linear_before_reset 0)
  QuantizedRowsBuffer x_q, h_q;  // hybrid only

  void resize(const GruWeights& w, const SequenceLayout& layout);
};

// Runs the sequence. x follows `layout` ([time, batch, I] or [batch, time, I]); h [batch, H] holds the initial
// state and ends with the final one; out rows follow the layout with out_stride floats each (H written).
// forward = false walks time from last to first; outputs stay at their time steps.
void gru_sequence(const GruParams& p, const GruWeights& w, const SequenceLayout& layout, bool forward,
                  const float* x, float* h, float* out, int out_stride, GruScratch& scratch,
                  SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
