#include "kernels/lstm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qgate::kernels {

void LstmScratch::resize(const LstmWeights& w, int batch, int64_t sequence_rows) {
  const int64_t cells = static_cast<int64_t>(batch) * w.n_cell();
  gates.assign(static_cast<size_t>(4 * cells), 0.0f);
  cell_out.assign(static_cast<size_t>(cells), 0.0f);
  if (!w.hybrid()) return;
  input.resize(static_cast<int64_t>(batch) * w.n_input(), batch);
  aux.resize(static_cast<int64_t>(batch) * w.n_aux(), batch);
  output_state.resize(static_cast<int64_t>(batch) * w.n_output(), batch);
  cell_out_q.resize(cells, batch);
  // Every row of the sequence shares one scale and zero point; the per-row arrays hold a step's batch of copies.
  sequence.resize(sequence_rows * w.n_input(), batch);
}

namespace {

// Which sources of this step are skipped and where their quantized rows are.
struct StepSources {
  const float* x;
  const float* aux;
  const float* h;
  bool skip_x, skip_aux, skip_h;
  QuantizedRows xq, auxq, hq;
  SimdPath path;  // of every product and quantizer of the step
};

void add_product(const RecurrentMatrix& w, const float* src, const QuantizedRows& q, int batch, bool asymmetric,
                 float* gate, int n_cell, SimdPath path) {
  if (w.hybrid()) matvec_accumulate_hybrid(w, q, batch, asymmetric, gate, n_cell, path);
  else matvec_accumulate_f32(w, src, batch, gate, n_cell, path);
}

void activate_gate(const LstmParams& p, int g, int64_t count, Activation act, float* gate) {
  if (p.gate_clip > 0.0f)
    for (int64_t i = 0; i < count; ++i) gate[i] = std::max(std::min(p.gate_clip, gate[i]), -p.gate_clip);
  if (g == lstm_cell_gate) {
    apply_recurrent_activation(act, gate, count);
  } else {
    for (int64_t i = 0; i < count; ++i) gate[i] = sigmoid_eigen(gate[i]);
  }
}

// onnxruntime's DynamicQuantizeLSTM gate: the input product (its GEMM writes the gate), the recurrent product
// added, the peephole term added, then the bias (Wb + Rb) added and the clip applied.
void compute_gate_ort(const LstmParams& p, const LstmWeights& w, int g, int batch, const StepSources& s,
                      const float* c, Activation act, float* gate) {
  const int n_cell = w.n_cell();
  const int64_t count = static_cast<int64_t>(batch) * n_cell;
  std::fill_n(gate, count, 0.0f);
  matvec_accumulate_hybrid(w.input_to[g], s.xq, batch, true, gate, n_cell, s.path);
  matvec_accumulate_hybrid(w.recurrent_to[g], s.hq, batch, true, gate, n_cell, s.path);
  for (int b = 0; b < batch; ++b) {
    float* row = gate + static_cast<size_t>(b) * n_cell;
    if (const float* peep = w.peephole[g]) {
      const float* cb = c + static_cast<size_t>(b) * n_cell;
      for (int n = 0; n < n_cell; ++n) row[n] += peep[n] * cb[n];
    }
    for (int n = 0; n < n_cell; ++n) row[n] += w.bias[g][n];
  }
  activate_gate(p, g, count, act, gate);
}

// TFLite's CalculateLstmGate{Float,Hybrid}.
void compute_gate(const LstmParams& p, const LstmWeights& w, int g, int batch, const StepSources& s, const float* c,
                  Activation act, float* gate) {
  const int n_cell = w.n_cell();
  const float* ln = w.layer_norm[g];
  if (p.ort_dynamic) {
    compute_gate_ort(p, w, g, batch, s, c, act, gate);
    return;
  }
  for (int b = 0; b < batch; ++b) {
    float* row = gate + static_cast<size_t>(b) * n_cell;
    if (ln) std::fill_n(row, n_cell, 0.0f);
    else std::memcpy(row, w.bias[g], n_cell * sizeof(float));
  }
  if (!s.skip_x) add_product(w.input_to[g], s.x, s.xq, batch, p.asymmetric_inputs, gate, n_cell, s.path);
  if (!s.skip_aux) add_product(w.aux_to[g], s.aux, s.auxq, batch, p.asymmetric_inputs, gate, n_cell, s.path);
  if (!s.skip_h) add_product(w.recurrent_to[g], s.h, s.hq, batch, p.asymmetric_inputs, gate, n_cell, s.path);
  if (const float* peep = w.peephole[g]) {
    for (int b = 0; b < batch; ++b) {
      float* row = gate + static_cast<size_t>(b) * n_cell;
      const float* cb = c + static_cast<size_t>(b) * n_cell;
      for (int n = 0; n < n_cell; ++n) row[n] += peep[n] * cb[n];
    }
  }
  if (ln) {
    // TFLite's MeanStddevNormalization (two passes, epsilon 1e-8 on the variance), then * coefficient + bias.
    for (int b = 0; b < batch; ++b) {
      float* row = gate + static_cast<size_t>(b) * n_cell;
      float sum = 0.0f;
      for (int n = 0; n < n_cell; ++n) sum += row[n];
      const float mean = sum / static_cast<float>(n_cell);
      float sum_diff_sq = 0.0f;
      for (int n = 0; n < n_cell; ++n) {
        const float d = row[n] - mean;
        sum_diff_sq += d * d;
      }
      const float variance = sum_diff_sq / static_cast<float>(n_cell);
      const float stddev_inv = 1.0f / std::sqrt(variance + 1e-8f);
      for (int n = 0; n < n_cell; ++n) row[n] = (row[n] - mean) * stddev_inv;
      for (int n = 0; n < n_cell; ++n) row[n] = ln[n] * row[n];
      for (int n = 0; n < n_cell; ++n) row[n] += w.bias[g][n];
    }
  }
  activate_gate(p, g, static_cast<int64_t>(batch) * n_cell, act, gate);
}

// One step; x_pre (ort_dynamic only) holds this step's rows of the sequence quantized once by lstm_sequence.
void step(const LstmParams& p, const LstmWeights& w, int batch, const float* x, const QuantizedRows* x_pre,
          const float* aux, float* h, float* c, float* out, int out_stride, LstmScratch& scratch, SimdPath path) {
  const int n_cell = w.n_cell(), n_input = w.n_input(), n_output = w.n_output(), n_aux = w.n_aux();
  const bool hybrid = w.hybrid();
  const int64_t cells = static_cast<int64_t>(batch) * n_cell;

  StepSources s{};
  s.x = x;
  s.aux = n_aux > 0 ? aux : nullptr;
  s.h = h;
  s.path = path;
  // Skips test the whole batch of a source (docs/arithmetic.md#lstm). The float step skips all-zero input and
  // aux but always adds the recurrent product, like TFLite's float LSTM.
  s.skip_x = all_zero(x, static_cast<int64_t>(batch) * n_input);
  s.skip_aux = s.aux == nullptr || all_zero(s.aux, static_cast<int64_t>(batch) * n_aux);
  s.skip_h = hybrid && all_zero(h, static_cast<int64_t>(batch) * n_output);
  if (p.ort_dynamic) {
    // No skips: onnxruntime multiplies zero inputs too (the sums are 0 either way).
    s.skip_x = s.skip_h = false;
    s.skip_aux = true;
    s.xq = *x_pre;
    s.hq = scratch.output_state.view();
    float scale;
    int32_t zero_point;
    quantize_tensor_ort_s8(h, static_cast<int64_t>(batch) * n_output, s.hq.q, &scale, &zero_point, path);
    std::fill_n(s.hq.scale, batch, scale);
    std::fill_n(s.hq.zero_point, batch, zero_point);
  } else if (hybrid) {
    s.xq = scratch.input.view();
    s.auxq = scratch.aux.view();
    s.hq = scratch.output_state.view();
    if (!s.skip_x) quantize_rows(x, batch, n_input, p.asymmetric_inputs, s.xq, path);
    if (!s.skip_aux) quantize_rows(s.aux, batch, n_aux, p.asymmetric_inputs, s.auxq, path);
    if (!s.skip_h) quantize_rows(h, batch, n_output, p.asymmetric_inputs, s.hq, path);
  }

  float* ig = scratch.gates.data();
  float* fg = ig + cells;
  float* gg = fg + cells;
  float* og = gg + cells;
  const bool cifg = w.cifg();
  if (!cifg) compute_gate(p, w, lstm_input_gate, batch, s, c, Activation::none, ig);
  compute_gate(p, w, lstm_forget_gate, batch, s, c, Activation::none, fg);
  compute_gate(p, w, lstm_cell_gate, batch, s, c, p.activation, gg);

  // c = f*c, then c += g*i with each product rounded (TFLite's UpdateLstmCell), CIFG: i = 1 - f.
  for (int64_t i = 0; i < cells; ++i) c[i] = fg[i] * c[i];
  for (int64_t i = 0; i < cells; ++i) c[i] += gg[i] * (cifg ? 1.0f - fg[i] : ig[i]);
  if (p.cell_clip > 0.0f)
    for (int64_t i = 0; i < cells; ++i) c[i] = std::max(std::min(p.cell_clip, c[i]), -p.cell_clip);

  compute_gate(p, w, lstm_output_gate, batch, s, c, Activation::none, og);

  // m = o * act(c). With activation NONE TFLite leaves its scratch unwritten (stale data); we use act(c) = c.
  float* m = scratch.cell_out.data();
  for (int64_t i = 0; i < cells; ++i) m[i] = recurrent_activation(p.activation, c[i]);
  for (int64_t i = 0; i < cells; ++i) m[i] = og[i] * m[i];

  if (w.projection.present()) {
    for (int b = 0; b < batch; ++b) {
      float* hb = h + static_cast<size_t>(b) * n_output;
      if (w.projection_bias) std::memcpy(hb, w.projection_bias, n_output * sizeof(float));
      else std::fill_n(hb, n_output, 0.0f);
    }
    if (!hybrid) {
      matvec_accumulate_f32(w.projection, m, batch, h, n_output, path);
    } else if (!all_zero(m, cells)) {
      QuantizedRows mq = scratch.cell_out_q.view();
      quantize_rows(m, batch, n_cell, p.asymmetric_inputs, mq, path);
      matvec_accumulate_hybrid(w.projection, mq, batch, p.asymmetric_inputs, h, n_output, path);
    }
    if (p.proj_clip > 0.0f)
      for (int64_t i = 0; i < static_cast<int64_t>(batch) * n_output; ++i)
        h[i] = std::max(std::min(p.proj_clip, h[i]), -p.proj_clip);
  } else {
    std::memcpy(h, m, static_cast<size_t>(cells) * sizeof(float));
  }
  for (int b = 0; b < batch; ++b)
    std::memcpy(out + static_cast<size_t>(b) * out_stride, h + static_cast<size_t>(b) * n_output,
                n_output * sizeof(float));
}

}  // namespace

void lstm_step(const LstmParams& p, const LstmWeights& w, int batch, const float* x, const float* aux, float* h,
               float* c, float* out, int out_stride, LstmScratch& scratch, SimdPath path) {
  step(p, w, batch, x, nullptr, aux, h, c, out, out_stride, scratch, path);
}

void lstm_sequence(const LstmParams& p, const LstmWeights& w, const SequenceLayout& layout, bool forward,
                   const float* x, const float* aux, float* h, float* c, float* out, int out_stride,
                   LstmScratch& scratch, SimdPath path) {
  const int B = layout.batch, T = layout.time, I = w.n_input(), A = w.n_aux();
  const int n_cell = w.n_cell(), n_output = w.n_output();
  // aux rows are n_aux wide: TFLite's sequence LSTM offsets the aux pointer by the input's step (n_input), a
  // defect that shows only when the sizes differ; this is the correct offset.
  if (p.ort_dynamic) {
    // The whole sequence quantized once (onnxruntime's input GEMM covers every step); the scratch holds
    // time * batch rows (LstmScratch::resize).
    QuantizedRows all = scratch.sequence.view();
    float scale;
    int32_t zero_point;
    quantize_tensor_ort_s8(x, static_cast<int64_t>(T) * B * I, all.q, &scale, &zero_point, path);
    std::fill_n(all.scale, B, scale);
    std::fill_n(all.zero_point, B, zero_point);
    for (int s = 0; s < T; ++s) {
      const int t = forward ? s : T - 1 - s;
      const size_t row0 = static_cast<size_t>(t) * B;
      const QuantizedRows xq{all.q + row0 * I, all.scale, all.zero_point};
      step(p, w, B, x + row0 * I, &xq, nullptr, h, c, out + row0 * out_stride, out_stride, scratch, path);
    }
    return;
  }
  if (layout.time_major) {
    for (int s = 0; s < T; ++s) {
      const int t = forward ? s : T - 1 - s;
      const size_t row0 = static_cast<size_t>(t) * B;
      step(p, w, B, x + row0 * I, nullptr, aux ? aux + row0 * A : nullptr, h, c, out + row0 * out_stride, out_stride,
           scratch, path);
    }
    return;
  }
  for (int b = 0; b < B; ++b) {
    // State rows are n_output / n_cell wide (TFLite offsets the output state by the output's row width, which
    // differs for a merged bidirectional output).
    float* hb = h + static_cast<size_t>(b) * n_output;
    float* cb = c + static_cast<size_t>(b) * n_cell;
    for (int s = 0; s < T; ++s) {
      const int t = forward ? s : T - 1 - s;
      const size_t row = static_cast<size_t>(b) * T + t;
      step(p, w, 1, x + row * I, nullptr, aux ? aux + row * A : nullptr, hb, cb, out + row * out_stride, out_stride,
           scratch, path);
    }
  }
}

}  // namespace qgate::kernels
