#include "reference/batch_matmul.h"

namespace qgate::reference {

void batch_matmul_float(const kernels::BatchMatMulParams& p, const float* x, const float* y, float* output) {
  const size_t rank = p.out_batch.size();
  int64_t batches = 1;
  for (int32_t d : p.out_batch) batches *= d;
  for (int64_t b = 0; b < batches; ++b) {
    // Coordinates of b, then each operand's own batch index (broadcast dims contribute 0).
    int64_t rem = b, xb = 0, yb = 0, xs = 1, ys = 1;
    for (size_t i = rank; i-- > 0;) {
      const int64_t c = rem % p.out_batch[i];
      rem /= p.out_batch[i];
      xb += (p.x_batch[i] == 1 ? 0 : c) * xs;
      yb += (p.y_batch[i] == 1 ? 0 : c) * ys;
      xs *= p.x_batch[i];
      ys *= p.y_batch[i];
    }
    const float* xm = x + xb * p.m * p.k;
    const float* ym = y + yb * p.k * p.n;
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j) {
        double sum = 0.0;
        for (int64_t t = 0; t < p.k; ++t) {
          const double xv = p.adj_x ? xm[t * p.m + i] : xm[i * p.k + t];
          const double yv = p.adj_y ? ym[j * p.k + t] : ym[t * p.n + j];
          sum += xv * yv;
        }
        output[(b * p.m + i) * p.n + j] = static_cast<float>(sum);
      }
  }
}

}  // namespace qgate::reference
