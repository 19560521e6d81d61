#include "reference/normalization.h"

#include <cmath>

namespace qgate::reference {

namespace {

// Normalizes the n values x[offset(k)] (k < n) into y, with the scale and bias of value k given by sb(k).
template <typename Offset, typename ScaleBias>
void normalize(const float* x, int64_t n, float epsilon, Offset offset, ScaleBias sb, float* y, double* mean_out,
               double* inv_out) {
  double sum = 0, sum_sq = 0;
  for (int64_t k = 0; k < n; ++k) {
    const double v = x[offset(k)];
    sum += v;
    sum_sq += v * v;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  const double inv = 1.0 / std::sqrt(var + epsilon);
  for (int64_t k = 0; k < n; ++k) {
    double s, b;
    sb(k, &s, &b);
    y[offset(k)] = static_cast<float>((x[offset(k)] - mean) * inv * s + b);
  }
  if (mean_out) *mean_out = mean;
  if (inv_out) *inv_out = inv;
}

}  // namespace

void layer_norm(const float* x, int64_t rows, int64_t cols, const float* scale, const float* bias, float epsilon,
                float* y, float* mean, float* inv_std) {
  for (int64_t r = 0; r < rows; ++r) {
    double m, inv;
    normalize(
        x, cols, epsilon, [&](int64_t k) { return r * cols + k; },
        [&](int64_t k, double* s, double* b) {
          *s = scale[k];
          *b = bias ? bias[k] : 0.0;
        },
        y, &m, &inv);
    if (mean) mean[r] = static_cast<float>(m);
    if (inv_std) inv_std[r] = static_cast<float>(inv);
  }
}

void group_norm(const float* x, int64_t batch, int64_t channels, int64_t spatial, int64_t groups, const float* scale,
                const float* bias, float epsilon, float* y) {
  const int64_t per = channels / groups;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t first_channel = g * per;
      normalize(
          x, per * spatial, epsilon, [&](int64_t k) { return (b * channels + first_channel) * spatial + k; },
          [&](int64_t k, double* s, double* bb) {
            *s = scale[first_channel + k / spatial];
            *bb = bias[first_channel + k / spatial];
          },
          y, nullptr, nullptr);
    }
}

void local_response_normalization(const float* x, int64_t outer, int64_t channels, int64_t inner,
                                  const kernels::LrnParams& p, float* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        double sum = 0;
        for (int64_t k = c - p.before; k <= c + p.after; ++k) {
          if (k < 0 || k >= channels) continue;
          const double v = x[(o * channels + k) * inner + i];
          sum += v * v;
        }
        const int64_t at = (o * channels + c) * inner + i;
        y[at] = static_cast<float>(x[at] / std::pow(p.bias + static_cast<double>(p.alpha) * sum, p.beta));
      }
}

}  // namespace qgate::reference
