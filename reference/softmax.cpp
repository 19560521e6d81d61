#include "reference/softmax.h"

#include <cmath>
#include <vector>

namespace qgate::reference {

void softmax_float(const float* in, float* out, int64_t rows, int64_t depth, float beta) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * depth;
    double m = -INFINITY;
    for (int64_t i = 0; i < depth; ++i) m = std::fmax(m, x[i]);
    double sum = 0;
    for (int64_t i = 0; i < depth; ++i) sum += std::exp((x[i] - m) * beta);
    for (int64_t i = 0; i < depth; ++i) out[r * depth + i] = static_cast<float>(std::exp((x[i] - m) * beta) / sum);
  }
}

void log_softmax_float(const float* in, float* out, int64_t rows, int64_t depth) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * depth;
    double m = -INFINITY;
    for (int64_t i = 0; i < depth; ++i) m = std::fmax(m, x[i]);
    double sum = 0;
    for (int64_t i = 0; i < depth; ++i) sum += std::exp(x[i] - m);
    for (int64_t i = 0; i < depth; ++i) out[r * depth + i] = static_cast<float>(x[i] - m - std::log(sum));
  }
}

}  // namespace qgate::reference
