#include "kernels/det.h"

#include <cmath>
#include <utility>

namespace qgate::kernels {

void det(const float* in, int64_t batch, int64_t n, float* out, double* a) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < n * n; ++i) a[i] = in[b * n * n + i];
    double d = 1.0;
    for (int64_t c = 0; c < n && d != 0.0; ++c) {
      // The row with the largest magnitude in column c becomes the pivot; a swap flips the sign.
      int64_t p = c;
      for (int64_t r = c + 1; r < n; ++r)
        if (std::fabs(a[r * n + c]) > std::fabs(a[p * n + c])) p = r;
      if (a[p * n + c] == 0.0) {
        d = 0.0;
        break;
      }
      if (p != c) {
        for (int64_t k = 0; k < n; ++k) std::swap(a[p * n + k], a[c * n + k]);
        d = -d;
      }
      d *= a[c * n + c];
      for (int64_t r = c + 1; r < n; ++r) {
        const double f = a[r * n + c] / a[c * n + c];
        for (int64_t k = c; k < n; ++k) a[r * n + k] -= f * a[c * n + k];
      }
    }
    out[b] = static_cast<float>(d);
  }
}

}  // namespace qgate::kernels
