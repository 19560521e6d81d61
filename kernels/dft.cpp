#include "kernels/dft.h"

#include <cmath>
#include <vector>

namespace qgate::kernels {

namespace {

// One transform of `n` samples read at `stride` (components interleaved) into `bins` outputs at out_stride.
void transform(const float* x, int64_t n, int64_t stride, bool complex_input, int64_t dft_length, bool inverse,
               int64_t bins, const float* window, float* out, int64_t out_stride) {
  const double sign = inverse ? 1.0 : -1.0;
  const int64_t used = n < dft_length ? n : dft_length;
  for (int64_t k = 0; k < bins; ++k) {
    double re = 0, im = 0;
    for (int64_t j = 0; j < used; ++j) {
      // (k * j) mod N keeps the angle small, so its cosine and sine are accurate.
      const double angle = sign * 2.0 * M_PI * static_cast<double>((k * j) % dft_length) / static_cast<double>(dft_length);
      const double w = window ? window[j] : 1.0;
      const double a = x[j * stride] * w, b = complex_input ? x[j * stride + 1] * w : 0.0;
      const double c = std::cos(angle), s = std::sin(angle);
      re += a * c - b * s;
      im += a * s + b * c;
    }
    if (inverse) {
      re /= static_cast<double>(dft_length);
      im /= static_cast<double>(dft_length);
    }
    out[k * out_stride] = static_cast<float>(re);
    out[k * out_stride + 1] = static_cast<float>(im);
  }
}

}  // namespace

void dft(const DftParams& p, const float* x, float* out) {
  const int64_t comps = p.complex_input ? 2 : 1, bins = dft_bins(p);
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i)
      transform(x + (o * p.length * p.inner + i) * comps, p.length, p.inner * comps, p.complex_input, p.dft_length,
                p.inverse, bins, nullptr, out + (o * bins * p.inner + i) * 2, p.inner * 2);
}

void stft(const StftParams& p, const float* x, const float* window, float* out) {
  const int64_t comps = p.complex_input ? 2 : 1, frames = stft_frames(p);
  const int64_t bins = p.onesided ? p.frame_length / 2 + 1 : p.frame_length;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t f = 0; f < frames; ++f)
      transform(x + (b * p.length + f * p.frame_step) * comps, p.frame_length, comps, p.complex_input,
                p.frame_length, false, bins, window, out + (b * frames + f) * bins * 2, 2);
}

void mel_weight_matrix(int64_t num_mel_bins, int64_t dft_length, int64_t sample_rate, float lower_edge_hertz,
                       float upper_edge_hertz, float* out) {
  const int64_t spectrogram_bins = dft_length / 2 + 1;
  for (int64_t i = 0; i < spectrogram_bins * num_mel_bins; ++i) out[i] = 0.0f;
  const double low = 2595.0 * std::log10(1.0 + lower_edge_hertz / 700.0);
  const double high = 2595.0 * std::log10(1.0 + upper_edge_hertz / 700.0);
  const double step = (high - low) / static_cast<double>(num_mel_bins + 2);
  std::vector<int64_t> point(num_mel_bins + 2);
  for (int64_t k = 0; k < num_mel_bins + 2; ++k) {
    const double hz = 700.0 * (std::pow(10.0, (static_cast<double>(k) * step + low) / 2595.0) - 1.0);
    point[k] = static_cast<int64_t>(std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(sample_rate)));
  }
  const auto set = [&](int64_t bin, int64_t mel, double v) {
    if (bin >= 0 && bin < spectrogram_bins) out[bin * num_mel_bins + mel] = static_cast<float>(v);
  };
  for (int64_t i = 0; i < num_mel_bins; ++i) {
    const int64_t left = point[i], centre = point[i + 1], right = point[i + 2];
    if (centre == left) set(centre, i, 1.0);
    else
      for (int64_t j = left; j <= centre; ++j) set(j, i, static_cast<double>(j - left) / static_cast<double>(centre - left));
    if (right > centre)
      for (int64_t j = centre; j < right; ++j) set(j, i, static_cast<double>(right - j) / static_cast<double>(right - centre));
  }
}

}  // namespace qgate::kernels
