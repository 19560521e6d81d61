// DFT and STFT (ONNX opset 17): discrete Fourier transforms along one axis, direct O(n^2) sums in double (the
// signal lengths of audio front ends are a few hundred to a few thousand samples; no FFT).
#pragma once

#include <cstdint>

namespace qgate::kernels {

struct DftParams {
  int64_t outer = 1, length = 1, inner = 1;  // input viewed as [outer, length, inner, components]
  bool complex_input = false;                // components 2 (real, imaginary) or 1 (real)
  int64_t dft_length = 1;                    // the signal is zero-padded or truncated to this
  bool inverse = false;                      // exp(+i...) and 1 / dft_length
  bool onesided = false;                     // only the bins 0..dft_length / 2
};

// The number of output bins.
inline int64_t dft_bins(const DftParams& p) { return p.onesided ? p.dft_length / 2 + 1 : p.dft_length; }

// out is [outer, dft_bins(p), inner, 2]: X[k] = sum over j < dft_length of x[j] exp(-+2 pi i k j / dft_length).
void dft(const DftParams& p, const float* x, float* out);

// STFT of a [batch, length, components] signal: frames of frame_length samples every frame_step, each multiplied
// by window (frame_length values; null: none) and transformed (dft_length = frame_length). out is
// [batch, frames, bins, 2], frames = (length - frame_length) / frame_step + 1.
struct StftParams {
  int64_t batch = 1, length = 1, frame_step = 1, frame_length = 1;
  bool complex_input = false, onesided = true;
};
inline int64_t stft_frames(const StftParams& p) { return (p.length - p.frame_length) / p.frame_step + 1; }
void stft(const StftParams& p, const float* x, const float* window, float* out);

// ONNX's MelWeightMatrix: [dft_length / 2 + 1, num_mel_bins] triangular filters, as ONNX defines them: num_mel_bins
// + 2 points evenly spaced in mel (2595 log10(1 + f / 700)) from lower to upper edge, with a step of
// (high - low) / (num_mel_bins + 2); each point back in hertz and to a spectrogram bin
// floor((dft_length + 1) * f / sample_rate); filter i rises from point i to point i + 1 and falls to point i + 2.
// Bins outside [0, dft_length / 2] are skipped.
void mel_weight_matrix(int64_t num_mel_bins, int64_t dft_length, int64_t sample_rate, float lower_edge_hertz,
                       float upper_edge_hertz, float* out);

}  // namespace qgate::kernels
