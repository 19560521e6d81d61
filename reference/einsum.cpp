#include "reference/einsum.h"

namespace qgate::reference {

void einsum(const kernels::EinsumPlan& plan, std::span<const float* const> operands, float* out) {
  // Labels that index the output, and those summed over.
  std::vector<int> kept, summed;
  for (int k = 0; k < plan.labels; ++k) (plan.out_strides[k] ? kept : summed).push_back(k);
  int64_t sum_count = 1;
  for (int k : summed) sum_count *= plan.sizes[k];
  for (int64_t o = 0; o < plan.out_elements; ++o) {
    std::vector<int64_t> value(plan.labels, 0);
    for (int k : kept) value[k] = (o / plan.out_strides[k]) % plan.sizes[k];
    double acc = 0;
    for (int64_t s = 0; s < sum_count; ++s) {
      int64_t rem = s;
      for (int j = static_cast<int>(summed.size()) - 1; j >= 0; --j) {
        value[summed[j]] = rem % plan.sizes[summed[j]];
        rem /= plan.sizes[summed[j]];
      }
      double prod = 1;
      for (int i = 0; i < plan.operands; ++i) {
        int64_t off = 0;
        for (int k = 0; k < plan.labels; ++k) off += value[k] * plan.strides[i][k];
        prod *= operands[i][off];
      }
      acc += prod;
    }
    out[o] = static_cast<float>(acc);
  }
}

}  // namespace qgate::reference
