#include "reference/det.h"

#include <vector>

namespace qgate::reference {

namespace {

double cofactor_det(const std::vector<double>& m, int64_t n) {
  if (n == 0) return 1.0;
  if (n == 1) return m[0];
  double d = 0;
  for (int64_t c = 0; c < n; ++c) {
    std::vector<double> minor;
    for (int64_t r = 1; r < n; ++r)
      for (int64_t k = 0; k < n; ++k)
        if (k != c) minor.push_back(m[r * n + k]);
    d += (c % 2 ? -1.0 : 1.0) * m[c] * cofactor_det(minor, n - 1);
  }
  return d;
}

}  // namespace

void det(const float* in, int64_t batch, int64_t n, float* out) {
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<double> m(in + b * n * n, in + (b + 1) * n * n);
    out[b] = static_cast<float>(cofactor_det(m, n));
  }
}

}  // namespace qgate::reference
