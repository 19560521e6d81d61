#include "reference/nll_loss.h"

#include <cstddef>
#include <vector>

namespace qgate::reference {

void nll_loss(const kernels::NllLossParams& p, const float* input, const int64_t* target, const float* weight,
              float* out) {
  std::vector<double> loss(p.batch * p.inner, 0.0);
  double weight_sum = 0;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t i = 0; i < p.inner; ++i) {
      const int64_t t = target[n * p.inner + i];
      const bool ignored = p.has_ignore_index && t == p.ignore_index;
      for (int64_t c = 0; c < p.classes; ++c) {
        if (ignored || c != t) continue;
        const double w = weight ? weight[c] : 1.0;
        loss[n * p.inner + i] = -static_cast<double>(input[(n * p.classes + c) * p.inner + i]) * w;
        weight_sum += w;
      }
    }
  double sum = 0;
  for (double l : loss) sum += l;
  switch (p.reduction) {
    case kernels::LossReduction::none:
      for (std::size_t k = 0; k < loss.size(); ++k) out[k] = static_cast<float>(loss[k]);
      break;
    case kernels::LossReduction::sum: out[0] = static_cast<float>(sum); break;
    case kernels::LossReduction::mean: out[0] = static_cast<float>(sum / weight_sum); break;
  }
}

}  // namespace qgate::reference
