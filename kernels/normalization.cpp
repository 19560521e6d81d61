#include "kernels/normalization.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

struct Stats {
  double mean, inv_std;
};

// Mean and 1 / sqrt(variance + epsilon) of n values at stride 1.
Stats stats(const float* x, int64_t n, float epsilon) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const double mean = n ? sum / static_cast<double>(n) : 0.0;
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) sq += (x[i] - mean) * (x[i] - mean);
  const double var = n ? sq / static_cast<double>(n) : 0.0;
  return {mean, 1.0 / std::sqrt(var + epsilon)};
}

}  // namespace

void layer_norm(const float* x, int64_t rows, int64_t cols, const float* scale, const float* bias, float epsilon,
                float* y, float* mean, float* inv_std) {
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(cols, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      const Stats st = stats(xr, cols, epsilon);
      const float m = static_cast<float>(st.mean), is = static_cast<float>(st.inv_std);
      for (int64_t c = 0; c < cols; ++c) {
        const float v = (xr[c] - m) * is * scale[c];
        yr[c] = bias ? v + bias[c] : v;
      }
      if (mean) mean[r] = m;
      if (inv_std) inv_std[r] = is;
    }
  });
}

void group_norm(const float* x, int64_t batch, int64_t channels, int64_t spatial, int64_t groups, const float* scale,
                const float* bias, float epsilon, float* y) {
  const int64_t per_group = channels / groups;
  parallel_for(batch * groups, 1, [&](int64_t b, int64_t e) {
    for (int64_t bg = b; bg < e; ++bg) {
      const int64_t first = bg * per_group * spatial;  // the group's channels are contiguous in [N, C, S]
      const Stats st = stats(x + first, per_group * spatial, epsilon);
      const float m = static_cast<float>(st.mean), is = static_cast<float>(st.inv_std);
      for (int64_t k = 0; k < per_group; ++k) {
        const int64_t c = (bg % groups) * per_group + k;
        const float* xc = x + first + k * spatial;
        float* yc = y + first + k * spatial;
        for (int64_t i = 0; i < spatial; ++i) yc[i] = (xc[i] - m) * is * scale[c] + bias[c];
      }
    }
  });
}

void local_response_normalization(const float* x, int64_t outer, int64_t channels, int64_t inner,
                                  const LrnParams& p, float* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t lo = std::max<int64_t>(0, c - p.before), hi = std::min<int64_t>(channels - 1, c + p.after);
      for (int64_t i = 0; i < inner; ++i) {
        float sum = 0;
        for (int64_t k = lo; k <= hi; ++k) {
          const float v = x[(o * channels + k) * inner + i];
          sum += v * v;
        }
        const int64_t at = (o * channels + c) * inner + i;
        y[at] = x[at] / std::pow(p.bias + p.alpha * sum, p.beta);
      }
    }
}

}  // namespace qgate::kernels
