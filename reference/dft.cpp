#include "reference/dft.h"

#include <cmath>
#include <vector>

namespace qgate::reference {

namespace {

// The DFT of a complex sequence (re, im) of any length, zero-padded or cut to n.
void naive(const std::vector<long double>& re, const std::vector<long double>& im, int64_t n, bool inverse,
           int64_t bins, std::vector<long double>* out_re, std::vector<long double>* out_im) {
  const long double pi = 3.141592653589793238462643383279502884L;
  out_re->assign(bins, 0);
  out_im->assign(bins, 0);
  for (int64_t k = 0; k < bins; ++k)
    for (int64_t j = 0; j < n && j < static_cast<int64_t>(re.size()); ++j) {
      const long double angle = (inverse ? 2 : -2) * pi * k * j / n;
      (*out_re)[k] += re[j] * std::cos(angle) - im[j] * std::sin(angle);
      (*out_im)[k] += re[j] * std::sin(angle) + im[j] * std::cos(angle);
    }
  if (inverse)
    for (int64_t k = 0; k < bins; ++k) {
      (*out_re)[k] /= n;
      (*out_im)[k] /= n;
    }
}

}  // namespace

void dft(const kernels::DftParams& p, const float* x, float* out) {
  const int64_t comps = p.complex_input ? 2 : 1, bins = kernels::dft_bins(p);
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i) {
      std::vector<long double> re(p.length), im(p.length, 0);
      for (int64_t j = 0; j < p.length; ++j) {
        const float* e = x + ((o * p.length + j) * p.inner + i) * comps;
        re[j] = e[0];
        if (p.complex_input) im[j] = e[1];
      }
      std::vector<long double> ore, oim;
      naive(re, im, p.dft_length, p.inverse, bins, &ore, &oim);
      for (int64_t k = 0; k < bins; ++k) {
        float* y = out + ((o * bins + k) * p.inner + i) * 2;
        y[0] = static_cast<float>(ore[k]);
        y[1] = static_cast<float>(oim[k]);
      }
    }
}

void stft(const kernels::StftParams& p, const float* x, const float* window, float* out) {
  const int64_t comps = p.complex_input ? 2 : 1, frames = kernels::stft_frames(p);
  const int64_t bins = p.onesided ? p.frame_length / 2 + 1 : p.frame_length;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t f = 0; f < frames; ++f) {
      std::vector<long double> re(p.frame_length), im(p.frame_length, 0);
      for (int64_t j = 0; j < p.frame_length; ++j) {
        const float* e = x + (b * p.length + f * p.frame_step + j) * comps;
        const long double w = window ? window[j] : 1.0L;
        re[j] = e[0] * w;
        if (p.complex_input) im[j] = e[1] * w;
      }
      std::vector<long double> ore, oim;
      naive(re, im, p.frame_length, false, bins, &ore, &oim);
      for (int64_t k = 0; k < bins; ++k) {
        out[((b * frames + f) * bins + k) * 2] = static_cast<float>(ore[k]);
        out[((b * frames + f) * bins + k) * 2 + 1] = static_cast<float>(oim[k]);
      }
    }
}

}  // namespace qgate::reference
