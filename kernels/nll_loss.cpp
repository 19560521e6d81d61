#include "kernels/nll_loss.h"

namespace qgate::kernels {

int64_t nll_loss(const NllLossParams& p, const float* input, const int64_t* target, const float* weight, float* out) {
  double sum = 0, weight_sum = 0;
  int64_t bad = 0;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t i = 0; i < p.inner; ++i) {
      const int64_t t = target[n * p.inner + i];
      float loss = 0.0f;
      if (!(p.has_ignore_index && t == p.ignore_index)) {
        if (t < 0 || t >= p.classes) {
          ++bad;
        } else {
          const float w = weight ? weight[t] : 1.0f;
          loss = -input[(n * p.classes + t) * p.inner + i] * w;
          weight_sum += w;
        }
      }
      if (p.reduction == LossReduction::none) out[n * p.inner + i] = loss;
      sum += loss;
    }
  if (p.reduction == LossReduction::sum) out[0] = static_cast<float>(sum);
  if (p.reduction == LossReduction::mean) out[0] = static_cast<float>(sum / weight_sum);
  return bad;
}

}  // namespace qgate::kernels
