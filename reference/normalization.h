// Naive twins of kernels/normalization.h, all in double from the definitions: variance as E[x^2] - E[x]^2 over a
// second, independent formula (the kernel subtracts the mean first), rounded once at the end.
#pragma once

#include "kernels/normalization.h"

namespace qgate::reference {

void layer_norm(const float* x, int64_t rows, int64_t cols, const float* scale, const float* bias, float epsilon,
                float* y, float* mean, float* inv_std);
void group_norm(const float* x, int64_t batch, int64_t channels, int64_t spatial, int64_t groups, const float* scale,
                const float* bias, float epsilon, float* y);
void local_response_normalization(const float* x, int64_t outer, int64_t channels, int64_t inner,
                                  const kernels::LrnParams& p, float* y);

}  // namespace qgate::reference
