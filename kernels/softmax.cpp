#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"
#include "kernels/unary.h"

namespace qgate::kernels {

namespace {

constexpr int64_t kParallelElements = 32 * 1024;

inline float row_max(const float* x, int64_t n) {
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

int64_t row_grain(int64_t depth) { return std::max<int64_t>(1, kParallelElements / std::max<int64_t>(1, depth)); }

}  // namespace

void softmax_float(const float* in, float* out, int64_t rows, int64_t depth, float beta, SimdPath path) {
  if (depth <= 0) return;
  const bool avx2 = resolve_path(path) == SimdPath::avx2;
  parallel_for(rows, row_grain(depth), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* x = in + r * depth;
      float* y = out + r * depth;
      const float m = row_max(x, depth);
      for (int64_t i = 0; i < depth; ++i) y[i] = (x[i] - m) * beta;
      if (avx2) {
        detail::exp_avx2(y, y, depth);
      } else {
        for (int64_t i = 0; i < depth; ++i) y[i] = std::exp(y[i]);
      }
      double sum = 0;
      for (int64_t i = 0; i < depth; ++i) sum += y[i];
      const double inv = 1.0 / sum;
      for (int64_t i = 0; i < depth; ++i) y[i] = static_cast<float>(y[i] * inv);
    }
  });
}

void log_softmax_float(const float* in, float* out, int64_t rows, int64_t depth) {
  if (depth <= 0) return;
  parallel_for(rows, row_grain(depth), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* x = in + r * depth;
      float* y = out + r * depth;
      const float m = row_max(x, depth);
      double sum = 0;
      for (int64_t i = 0; i < depth; ++i) sum += std::exp(static_cast<double>(x[i] - m));
      const double log_sum = std::log(sum);
      for (int64_t i = 0; i < depth; ++i) y[i] = static_cast<float>(static_cast<double>(x[i] - m) - log_sum);
    }
  });
}

}  // namespace qgate::kernels
