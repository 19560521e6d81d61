#include "kernels/rnn.h"

#include <algorithm>
#include <cstring>

namespace qgate::kernels {

int64_t rnn_scratch_q_size(const RnnWeights& w, int batch) {
  int cols = std::max(w.input.cols, w.recurrent.cols);
  if (w.aux.present()) cols = std::max(cols, w.aux.cols);
  return static_cast<int64_t>(batch) * cols;
}

namespace {

// out += W * source for one source, float or hybrid; the hybrid skip rule tests the whole batch of the source.
void add_source(const RecurrentMatrix& w, const float* src, int batch, bool asymmetric, const QuantizedRows& scratch,
                float* out, int out_stride, SimdPath path) {
  if (!w.present() || src == nullptr) return;
  if (!w.hybrid()) {
    matvec_accumulate_f32(w, src, batch, out, out_stride, path);
    return;
  }
  if (all_zero(src, static_cast<int64_t>(batch) * w.cols)) return;
  quantize_rows(src, batch, w.cols, asymmetric, scratch, path);
  matvec_accumulate_hybrid(w, scratch, batch, asymmetric, out, out_stride, path);
}

}  // namespace

void rnn_step(const RnnParams& p, const RnnWeights& w, int batch, const float* x, const float* aux, float* h,
              float* out, int out_stride, const QuantizedRows& scratch, SimdPath path) {
  const int units = w.units();
  for (int b = 0; b < batch; ++b) std::memcpy(out + static_cast<size_t>(b) * out_stride, w.bias, units * sizeof(float));
  add_source(w.input, x, batch, p.asymmetric_inputs, scratch, out, out_stride, path);
  add_source(w.aux, aux, batch, p.asymmetric_inputs, scratch, out, out_stride, path);
  add_source(w.recurrent, h, batch, p.asymmetric_inputs, scratch, out, out_stride, path);
  for (int b = 0; b < batch; ++b) {
    float* ob = out + static_cast<size_t>(b) * out_stride;
    if (p.gate_clip > 0.0f)
      for (int n = 0; n < units; ++n) ob[n] = std::max(std::min(p.gate_clip, ob[n]), -p.gate_clip);
    apply_recurrent_activation(p.activation, ob, units);
    std::memcpy(h + static_cast<size_t>(b) * units, ob, units * sizeof(float));
  }
}

void rnn_sequence(const RnnParams& p, const RnnWeights& w, const SequenceLayout& layout, bool forward,
                  const float* x, const float* aux, float* h, float* out, int out_stride,
                  const QuantizedRows& scratch, SimdPath path) {
  const int B = layout.batch, T = layout.time, I = w.input.cols, A = w.aux.present() ? w.aux.cols : 0;
  const int units = w.units();
  if (layout.time_major) {
    for (int s = 0; s < T; ++s) {
      const int t = forward ? s : T - 1 - s;
      const size_t row0 = static_cast<size_t>(t) * B;
      rnn_step(p, w, B, x + row0 * I, aux ? aux + row0 * A : nullptr, h, out + row0 * out_stride, out_stride,
               scratch, path);
    }
    return;
  }
  for (int b = 0; b < B; ++b) {
    for (int s = 0; s < T; ++s) {
      const int t = forward ? s : T - 1 - s;
      const size_t row = static_cast<size_t>(b) * T + t;
      // aux rows are aux_size wide: TFLite's batch-major bidirectional RNN offsets them by input_size (a defect
      // that only shows when the sizes differ); this is the correct offset.
      rnn_step(p, w, 1, x + row * I, aux ? aux + row * A : nullptr, h + static_cast<size_t>(b) * units,
               out + row * out_stride, out_stride, scratch, path);
    }
  }
}

}  // namespace qgate::kernels
