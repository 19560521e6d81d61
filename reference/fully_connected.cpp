#include "reference/fully_connected.h"

namespace qgate::reference {

void fully_connected_float(const kernels::FullyConnectedParams& p, const float* input, const float* weights,
                           const float* bias, float* output) {
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t n = 0; n < p.units; ++n) {
      double sum = 0.0;
      for (int64_t k = 0; k < p.depth; ++k) sum += double{input[r * p.depth + k]} * double{weights[n * p.depth + k]};
      if (bias) sum += bias[n];
      output[r * p.units + n] = kernels::apply_activation(p.activation, static_cast<float>(sum));
    }
}

}  // namespace qgate::reference
