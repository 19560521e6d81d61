#include "reference/recurrent.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qgate::reference {

using kernels::Activation;
using kernels::RecurrentMatrix;

int32_t hybrid_row_dot(const RecurrentMatrix& w, int n, const QuantizedRow& q) {
  int32_t acc = 0, rowsum = 0;
  for (int k = 0; k < w.cols; ++k) {
    const int32_t wk = w.i8[static_cast<size_t>(n) * w.cols + k];
    acc += wk * q.q[k];
    rowsum += wk;
  }
  return acc - q.zero_point * rowsum;
}

QuantizedRow quantize_row(const float* x, int n, bool asymmetric) {
  QuantizedRow r;
  r.q.assign(static_cast<size_t>(n), 0);
  float mn = 0.0f, mx = 0.0f;
  for (int i = 0; i < n; ++i) {
    if (i == 0 || x[i] < mn) mn = x[i];
    if (i == 0 || x[i] > mx) mx = x[i];
  }
  if (!asymmetric) {
    const float R = std::max(std::fabs(mn), std::fabs(mx));
    if (R == 0.0f) return r;
    r.scale = R / 127.0f;
    const float inv = 127.0f / R;
    for (int i = 0; i < n; ++i) r.q[i] = static_cast<int8_t>(std::clamp(static_cast<int>(std::round(x[i] * inv)), -127, 127));
    return r;
  }
  const double rmin = std::min(0.0f, mn), rmax = std::max(0.0f, mx);
  if (rmin == rmax) return r;
  const double s = (rmax - rmin) / 255.0;
  // The zero point comes from whichever end has the smaller error.
  const double zp = (128.0 + std::fabs(rmin / s)) < (127.0 + std::fabs(rmax / s)) ? -128.0 - rmin / s : 127.0 - rmax / s;
  r.zero_point = zp <= -128.0 ? -128 : zp >= 127.0 ? 127 : static_cast<int32_t>(std::round(zp));
  r.scale = static_cast<float>(s);
  const float inv = 1.0f / r.scale;
  for (int i = 0; i < n; ++i)
    r.q[i] = static_cast<int8_t>(std::clamp(static_cast<int>(std::round(static_cast<float>(r.zero_point) + x[i] * inv)), -128, 127));
  return r;
}

namespace {

bool batch_all_zero(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (x[i] != 0.0f) return false;
  return true;
}

// out[b][n] += W[n] . src[b], float (dot from 0 then added) or hybrid (per-row quantization, exact int32,
// f32(acc) * f32(s_in * s_w)); hybrid skips a source whose whole batch is zero.
void add_product(const RecurrentMatrix& w, const float* src, int batch, bool asym, float* out, int out_stride) {
  if (w.hybrid() && batch_all_zero(src, static_cast<int64_t>(batch) * w.cols)) return;
  for (int b = 0; b < batch; ++b) {
    const float* row = src + static_cast<size_t>(b) * w.cols;
    if (!w.hybrid()) {
      for (int n = 0; n < w.rows; ++n) {
        float dot = 0.0f;
        for (int k = 0; k < w.cols; ++k) dot += w.f32[static_cast<size_t>(n) * w.cols + k] * row[k];
        out[static_cast<size_t>(b) * out_stride + n] += dot;
      }
      continue;
    }
    const QuantizedRow q = quantize_row(row, w.cols, asym);
    const float scale = q.scale * w.scale;
    for (int n = 0; n < w.rows; ++n)
      out[static_cast<size_t>(b) * out_stride + n] += static_cast<float>(hybrid_row_dot(w, n, q)) * scale;
  }
}

// Row offset of (b, t) in a sequence tensor.
size_t seq_row(const kernels::SequenceLayout& l, int b, int t) {
  return l.time_major ? static_cast<size_t>(t) * l.batch + b : static_cast<size_t>(b) * l.time + t;
}

// The steps of a sequence in the order they run: time-major, the whole batch per step (the zero-row skip rule sees
// that step's batch), step(batch rows, first batch row b, row r of x and out); batch-major, each batch row's steps
// in turn, one row each. Backward sequences step from the last time to the first.
template <typename Step>
void for_each_step(const kernels::SequenceLayout& l, bool forward, Step step) {
  for (int b = 0; b < (l.time_major ? 1 : l.batch); ++b)
    for (int s = 0; s < l.time; ++s) {
      const int t = forward ? s : l.time - 1 - s;
      step(l.time_major ? l.batch : 1, b, seq_row(l, b, t));
    }
}

}  // namespace

void rnn_step(const kernels::RnnParams& p, const kernels::RnnWeights& w, int batch, const float* x,
              const float* aux, float* h, float* out, int out_stride, const kernels::QuantizedRows&) {
  const int U = w.units();
  for (int b = 0; b < batch; ++b)
    for (int n = 0; n < U; ++n) out[static_cast<size_t>(b) * out_stride + n] = w.bias[n];
  add_product(w.input, x, batch, p.asymmetric_inputs, out, out_stride);
  if (w.aux.present() && aux) add_product(w.aux, aux, batch, p.asymmetric_inputs, out, out_stride);
  add_product(w.recurrent, h, batch, p.asymmetric_inputs, out, out_stride);
  for (int b = 0; b < batch; ++b)
    for (int n = 0; n < U; ++n) {
      float& o = out[static_cast<size_t>(b) * out_stride + n];
      if (p.gate_clip > 0.0f) o = std::clamp(o, -p.gate_clip, p.gate_clip);
      o = kernels::recurrent_activation(p.activation, o);
      h[static_cast<size_t>(b) * U + n] = o;
    }
}

void rnn_sequence(const kernels::RnnParams& p, const kernels::RnnWeights& w, const kernels::SequenceLayout& l,
                  bool forward, const float* x, const float* aux, float* h, float* out, int out_stride,
                  const kernels::QuantizedRows& scratch) {
  const int I = w.input.cols, A = w.aux.present() ? w.aux.cols : 0, U = w.units();
  for_each_step(l, forward, [&](int rows, int b, size_t r) {
    reference::rnn_step(p, w, rows, x + r * I, aux ? aux + r * A : nullptr, h + static_cast<size_t>(b) * U,
                        out + r * out_stride, out_stride, scratch);
  });
}

namespace {

// One gate for `batch` rows, TFLite's order: bias (or 0 with layer norm), input, aux, recurrent (hybrid: each
// source skipped when its batch is all zero; float: x and aux skipped likewise), peephole, layer norm, activation.
std::vector<float> gate(const kernels::LstmParams& p, const kernels::LstmWeights& w, int g, int batch,
                        const float* x, const float* aux, const float* h, const float* c) {
  const int N = w.n_cell();
  std::vector<float> v(static_cast<size_t>(batch) * N);
  for (int b = 0; b < batch; ++b)
    for (int n = 0; n < N; ++n) v[static_cast<size_t>(b) * N + n] = w.layer_norm[g] ? 0.0f : w.bias[g][n];
  if (!batch_all_zero(x, static_cast<int64_t>(batch) * w.n_input()))
    add_product(w.input_to[g], x, batch, p.asymmetric_inputs, v.data(), N);
  if (aux && w.n_aux() > 0 && !batch_all_zero(aux, static_cast<int64_t>(batch) * w.n_aux()))
    add_product(w.aux_to[g], aux, batch, p.asymmetric_inputs, v.data(), N);
  add_product(w.recurrent_to[g], h, batch, p.asymmetric_inputs, v.data(), N);
  for (int b = 0; b < batch; ++b) {
    float* row = v.data() + static_cast<size_t>(b) * N;
    if (w.peephole[g])
      for (int n = 0; n < N; ++n) row[n] += w.peephole[g][n] * c[static_cast<size_t>(b) * N + n];
    if (w.layer_norm[g]) {
      float sum = 0.0f;
      for (int n = 0; n < N; ++n) sum += row[n];
      const float mean = sum / N;
      float ss = 0.0f;
      for (int n = 0; n < N; ++n) ss += (row[n] - mean) * (row[n] - mean);
      const float inv = 1.0f / std::sqrt(ss / N + 1e-8f);
      for (int n = 0; n < N; ++n) row[n] = w.layer_norm[g][n] * ((row[n] - mean) * inv) + w.bias[g][n];
    }
    if (p.gate_clip > 0.0f)
      for (int n = 0; n < N; ++n) row[n] = std::clamp(row[n], -p.gate_clip, p.gate_clip);
    for (int n = 0; n < N; ++n)
      row[n] = g == kernels::lstm_cell_gate ? kernels::recurrent_activation(p.activation, row[n])
                                            : kernels::sigmoid_eigen(row[n]);
  }
  return v;
}

}  // namespace

void lstm_step(const kernels::LstmParams& p, const kernels::LstmWeights& w, int batch, const float* x,
               const float* aux, float* h, float* c, float* out, int out_stride, kernels::LstmScratch&) {
  const int N = w.n_cell(), O = w.n_output();
  const size_t cells = static_cast<size_t>(batch) * N;
  std::vector<float> ig;
  if (!w.cifg()) ig = gate(p, w, kernels::lstm_input_gate, batch, x, aux, h, c);
  std::vector<float> fg = gate(p, w, kernels::lstm_forget_gate, batch, x, aux, h, c);
  std::vector<float> gg = gate(p, w, kernels::lstm_cell_gate, batch, x, aux, h, c);
  for (size_t i = 0; i < cells; ++i) {
    const float fc = fg[i] * c[i];
    const float gi = gg[i] * (w.cifg() ? 1.0f - fg[i] : ig[i]);
    c[i] = fc + gi;
    if (p.cell_clip > 0.0f) c[i] = std::clamp(c[i], -p.cell_clip, p.cell_clip);
  }
  std::vector<float> og = gate(p, w, kernels::lstm_output_gate, batch, x, aux, h, c);
  std::vector<float> m(cells);
  for (size_t i = 0; i < cells; ++i) m[i] = og[i] * kernels::recurrent_activation(p.activation, c[i]);
  if (w.projection.present()) {
    for (int b = 0; b < batch; ++b)
      for (int k = 0; k < O; ++k) h[static_cast<size_t>(b) * O + k] = w.projection_bias ? w.projection_bias[k] : 0.0f;
    add_product(w.projection, m.data(), batch, p.asymmetric_inputs, h, O);
    if (p.proj_clip > 0.0f)
      for (size_t i = 0; i < static_cast<size_t>(batch) * O; ++i) h[i] = std::clamp(h[i], -p.proj_clip, p.proj_clip);
  } else {
    std::copy(m.begin(), m.end(), h);
  }
  for (int b = 0; b < batch; ++b)
    for (int k = 0; k < O; ++k) out[static_cast<size_t>(b) * out_stride + k] = h[static_cast<size_t>(b) * O + k];
}

namespace {

// DynamicQuantizeLinear over n values, straight from its definition: range [min(x_min, 0), max(x_max, 0)],
// scale = range / 255 (1 when empty), zp = round_half_even(clamp(-x_min / scale, 0, 255)), q = clamp(
// round_half_even(x / scale) + zp, 0, 255), all float32. Returns q - zp (what the integer product uses).
std::vector<int32_t> ort_quantize(const float* x, int64_t n, float* scale) {
  float mn = 0.0f, mx = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    mn = std::min(mn, x[i]);
    mx = std::max(mx, x[i]);
  }
  *scale = mx == mn ? 1.0f : (mx - mn) / 255.0f;
  const float zp = std::nearbyint(std::clamp(0.0f - mn / *scale, 0.0f, 255.0f));
  std::vector<int32_t> q(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    q[i] = static_cast<int32_t>(std::clamp(std::nearbyint(x[i] / *scale) + zp, 0.0f, 255.0f) - zp);
  return q;
}

// out[b][n] += f32(sum_k W[n][k] * q[b][k]) * f32(s_in * s_w[n]).
void add_ort_product(const RecurrentMatrix& w, const int32_t* q, float s_in, int batch, float* out) {
  for (int b = 0; b < batch; ++b)
    for (int n = 0; n < w.rows; ++n) {
      int32_t acc = 0;
      for (int k = 0; k < w.cols; ++k)
        acc += int32_t{w.i8[static_cast<size_t>(n) * w.cols + k]} * q[static_cast<size_t>(b) * w.cols + k];
      out[static_cast<size_t>(b) * w.rows + n] +=
          static_cast<float>(acc) * (s_in * (w.row_scales ? w.row_scales[n] : w.scale));
    }
}

// onnxruntime's DynamicQuantizeLSTM (LstmParams::ort_dynamic), time-major: x quantized once for the whole
// sequence, h once per step; each gate: input product, + recurrent product, + peephole, + bias, clip, activation.
void lstm_sequence_ort(const kernels::LstmParams& p, const kernels::LstmWeights& w, const kernels::SequenceLayout& l,
                       bool forward, const float* x, float* h, float* c, float* out, int out_stride) {
  const int I = w.n_input(), N = w.n_cell(), B = l.batch;
  const size_t cells = static_cast<size_t>(B) * N;
  float sx = 1.0f;
  const std::vector<int32_t> qx = ort_quantize(x, static_cast<int64_t>(l.time) * B * I, &sx);
  for (int s = 0; s < l.time; ++s) {
    const int t = forward ? s : l.time - 1 - s;
    const size_t r = seq_row(l, 0, t);
    float sh = 1.0f;
    const std::vector<int32_t> qh = ort_quantize(h, static_cast<int64_t>(cells), &sh);
    auto gate = [&](int g) {
      std::vector<float> v(cells, 0.0f);
      add_ort_product(w.input_to[g], qx.data() + r * I, sx, B, v.data());
      add_ort_product(w.recurrent_to[g], qh.data(), sh, B, v.data());
      for (size_t i = 0; i < cells; ++i) {
        if (w.peephole[g]) v[i] += w.peephole[g][i % N] * c[i];
        v[i] += w.bias[g][i % N];
        if (p.gate_clip > 0.0f) v[i] = std::clamp(v[i], -p.gate_clip, p.gate_clip);
        v[i] = g == kernels::lstm_cell_gate ? kernels::recurrent_activation(p.activation, v[i])
                                            : kernels::sigmoid_eigen(v[i]);
      }
      return v;
    };
    std::vector<float> ig;
    if (!w.cifg()) ig = gate(kernels::lstm_input_gate);
    const std::vector<float> fg = gate(kernels::lstm_forget_gate), gg = gate(kernels::lstm_cell_gate);
    for (size_t i = 0; i < cells; ++i) {
      const float fc = fg[i] * c[i];
      const float gi = gg[i] * (w.cifg() ? 1.0f - fg[i] : ig[i]);
      c[i] = fc + gi;
      if (p.cell_clip > 0.0f) c[i] = std::clamp(c[i], -p.cell_clip, p.cell_clip);
    }
    const std::vector<float> og = gate(kernels::lstm_output_gate);
    for (size_t i = 0; i < cells; ++i) h[i] = og[i] * kernels::recurrent_activation(p.activation, c[i]);
    for (int b = 0; b < B; ++b)
      for (int k = 0; k < N; ++k) out[(r + b) * out_stride + k] = h[static_cast<size_t>(b) * N + k];
  }
}

}  // namespace

void lstm_sequence(const kernels::LstmParams& p, const kernels::LstmWeights& w, const kernels::SequenceLayout& l,
                   bool forward, const float* x, const float* aux, float* h, float* c, float* out, int out_stride,
                   kernels::LstmScratch& scratch) {
  const int I = w.n_input(), A = w.n_aux(), N = w.n_cell(), O = w.n_output();
  if (p.ort_dynamic) {
    lstm_sequence_ort(p, w, l, forward, x, h, c, out, out_stride);
    return;
  }
  for_each_step(l, forward, [&](int rows, int b, size_t r) {
    reference::lstm_step(p, w, rows, x + r * I, aux ? aux + r * A : nullptr, h + static_cast<size_t>(b) * O,
                         c + static_cast<size_t>(b) * N, out + r * out_stride, out_stride, scratch);
  });
}

int64_t embedding_lookup_f32(const int32_t* idx, int64_t n, const float* table, int64_t rows, int64_t cols,
                             float* out) {
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    const bool ok = idx[i] >= 0 && idx[i] < rows;
    bad += ok ? 0 : 1;
    for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = ok ? table[idx[i] * cols + j] : 0.0f;
  }
  return bad;
}

int64_t embedding_lookup_hybrid(const int32_t* idx, int64_t n, const int8_t* table, const float* scales,
                                int64_t num_scales, int64_t rows, int64_t cols, float* out) {
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    const bool ok = idx[i] >= 0 && idx[i] < rows;
    bad += ok ? 0 : 1;
    // TFLite multiplies in double and stores float.
    const double s = ok ? (num_scales == rows && num_scales > 1 ? scales[idx[i]] : scales[0]) : 0.0;
    for (int64_t j = 0; j < cols; ++j)
      out[i * cols + j] = ok ? static_cast<float>(table[idx[i] * cols + j] * s) : 0.0f;
  }
  return bad;
}

}  // namespace qgate::reference
