#include "reference/gru.h"

#include <algorithm>
#include <vector>

#include "reference/recurrent.h"

namespace qgate::reference {

namespace {

// Row n of W times v: float (dot from 0 in k order) or hybrid (v quantized as one row, exact int32, then
// f32(acc) * f32(s_in * s_w)). Returned unadded: the caller adds it onto the bias.
float product(const kernels::RecurrentMatrix& w, int n, const std::vector<float>& v, bool asym) {
  if (!w.hybrid()) {
    float dot = 0.0f;
    for (int k = 0; k < w.cols; ++k) dot += w.f32[static_cast<size_t>(n) * w.cols + k] * v[k];
    return dot;
  }
  const QuantizedRow q = quantize_row(v.data(), w.cols, asym);
  return static_cast<float>(hybrid_row_dot(w, n, q)) * (q.scale * w.scale);
}

float bias_at(const float* b, int i) { return b ? b[i] : 0.0f; }
float clip(float v, float c) { return c > 0.0f ? std::clamp(v, -c, c) : v; }

}  // namespace

void gru_sequence(const kernels::GruParams& p, const kernels::GruWeights& w, const kernels::SequenceLayout& l,
                  bool forward, const float* x, float* h, float* out, int out_stride, kernels::GruScratch&) {
  const int H = w.hidden(), I = w.n_input();
  for (int s = 0; s < l.time; ++s) {
    const int t = forward ? s : l.time - 1 - s;
    for (int b = 0; b < l.batch; ++b) {
      const size_t row = l.time_major ? static_cast<size_t>(t) * l.batch + b : static_cast<size_t>(b) * l.time + t;
      const std::vector<float> xv(x + row * I, x + row * I + I);
      const std::vector<float> hv(h + static_cast<size_t>(b) * H, h + static_cast<size_t>(b) * H + H);
      std::vector<float> z(H), r(H), hn(H);
      for (int k = 0; k < H; ++k) {
        const float xz = bias_at(w.input_bias, k) + product(w.input, k, xv, p.asymmetric_inputs);
        const float hz = bias_at(w.recurrent_bias, k) + product(w.recurrent_zr, k, hv, p.asymmetric_inputs);
        z[k] = kernels::sigmoid_eigen(clip(xz + hz, p.gate_clip));
        const float xr = bias_at(w.input_bias, H + k) + product(w.input, H + k, xv, p.asymmetric_inputs);
        const float hr = bias_at(w.recurrent_bias, H + k) + product(w.recurrent_zr, H + k, hv, p.asymmetric_inputs);
        r[k] = kernels::sigmoid_eigen(clip(xr + hr, p.gate_clip));
      }
      std::vector<float> rh(H);
      for (int k = 0; k < H; ++k) rh[k] = r[k] * hv[k];
      for (int k = 0; k < H; ++k) {
        const float xn = bias_at(w.input_bias, 2 * H + k) + product(w.input, 2 * H + k, xv, p.asymmetric_inputs);
        float pre;
        if (p.linear_before_reset) {
          const float rec = bias_at(w.recurrent_bias, 2 * H + k) + product(w.recurrent_n, k, hv, p.asymmetric_inputs);
          pre = xn + r[k] * rec;
        } else {
          pre = xn + (bias_at(w.recurrent_bias, 2 * H + k) + product(w.recurrent_n, k, rh, p.asymmetric_inputs));
        }
        const float n = kernels::tanh_eigen(clip(pre, p.gate_clip));
        hn[k] = (1.0f - z[k]) * n + z[k] * hv[k];
      }
      for (int k = 0; k < H; ++k) {
        h[static_cast<size_t>(b) * H + k] = hn[k];
        out[row * out_stride + k] = hn[k];
      }
    }
  }
}

}  // namespace qgate::reference
