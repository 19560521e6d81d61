#include "kernels/gru.h"

#include <algorithm>
#include <cstring>

namespace qgate::kernels {

void GruScratch::resize(const GruWeights& w, const SequenceLayout& layout) {
  const int64_t H = w.hidden(), B = layout.batch, rows = B * layout.time;
  x_proj.assign(static_cast<size_t>(rows * 3 * H), 0.0f);
  h_proj.assign(static_cast<size_t>(B * 3 * H), 0.0f);
  reset_h.assign(static_cast<size_t>(B * H), 0.0f);
  if (!w.hybrid()) return;
  x_q.resize(rows * w.n_input(), static_cast<int>(rows));
  h_q.resize(B * H, static_cast<int>(B));
}

namespace {

// out rows (stride 3H) start at the bias (zero when absent).
void fill_bias(const float* bias, int rows, int width, float* out) {
  for (int r = 0; r < rows; ++r) {
    float* row = out + static_cast<size_t>(r) * width;
    if (bias) std::memcpy(row, bias, static_cast<size_t>(width) * sizeof(float));
    else std::fill_n(row, width, 0.0f);
  }
}

// out += W * src over `rows` rows (src quantized per row into q first in hybrid mode).
void add_product(const RecurrentMatrix& w, const float* src, int rows, bool asymmetric, QuantizedRows q,
                 bool quantize, float* out, int out_stride, SimdPath path) {
  if (!w.hybrid()) {
    matvec_accumulate_f32(w, src, rows, out, out_stride, path);
    return;
  }
  if (quantize) quantize_rows(src, rows, w.cols, asymmetric, q, path);
  matvec_accumulate_hybrid(w, q, rows, asymmetric, out, out_stride, path);
}

float clip(float v, float c) { return c > 0.0f ? std::max(std::min(c, v), -c) : v; }

}  // namespace

void gru_sequence(const GruParams& p, const GruWeights& w, const SequenceLayout& layout, bool forward,
                  const float* x, float* h, float* out, int out_stride, GruScratch& s, SimdPath path) {
  const int B = layout.batch, T = layout.time, H = w.hidden(), H3 = 3 * H;
  const bool asym = p.asymmetric_inputs;
  // Input projection of all rows at once: one GEMM (float or int8) instead of one per step.
  float* xp = s.x_proj.data();
  fill_bias(w.input_bias, B * T, H3, xp);
  add_product(w.input, x, B * T, asym, s.x_q.view(), true, xp, H3, path);

  float* hp = s.h_proj.data();
  float* rh = s.reset_h.data();
  for (int step = 0; step < T; ++step) {
    const int t = forward ? step : T - 1 - step;
    fill_bias(w.recurrent_bias, B, H3, hp);
    // h is quantized once and shared by the z/r rows and (linear_before_reset 1) the n rows.
    add_product(w.recurrent_zr, h, B, asym, s.h_q.view(), true, hp, H3, path);
    if (p.linear_before_reset) add_product(w.recurrent_n, h, B, asym, s.h_q.view(), false, hp + 2 * H, H3, path);
    // z and r overwrite their pre-activations in hp.
    for (int b = 0; b < B; ++b) {
      const size_t row = layout.time_major ? static_cast<size_t>(t) * B + b : static_cast<size_t>(b) * T + t;
      const float* xr = xp + row * H3;
      float* hr = hp + static_cast<size_t>(b) * H3;
      for (int k = 0; k < 2 * H; ++k) hr[k] = sigmoid_eigen(clip(xr[k] + hr[k], p.gate_clip));
    }
    if (!p.linear_before_reset) {
      for (int b = 0; b < B; ++b)
        for (int k = 0; k < H; ++k) {
          const size_t i = static_cast<size_t>(b) * H + k;
          rh[i] = hp[static_cast<size_t>(b) * H3 + H + k] * h[i];
        }
      add_product(w.recurrent_n, rh, B, asym, s.h_q.view(), true, hp + 2 * H, H3, path);
    }
    for (int b = 0; b < B; ++b) {
      const size_t row = layout.time_major ? static_cast<size_t>(t) * B + b : static_cast<size_t>(b) * T + t;
      const float* xr = xp + row * H3;
      const float* hr = hp + static_cast<size_t>(b) * H3;
      float* hb = h + static_cast<size_t>(b) * H;
      float* ob = out + row * out_stride;
      for (int k = 0; k < H; ++k) {
        const float z = hr[k], r = hr[H + k];
        const float pre = p.linear_before_reset ? xr[2 * H + k] + r * hr[2 * H + k] : xr[2 * H + k] + hr[2 * H + k];
        const float n = tanh_eigen(clip(pre, p.gate_clip));
        hb[k] = (1.0f - z) * n + z * hb[k];
        ob[k] = hb[k];
      }
    }
  }
}

}  // namespace qgate::kernels
