// Naive twin of kernels/nll_loss.h: the loss gathered per sample by a one-hot sum over the classes (the kernel
// indexes the target class directly), then reduced in double.
#pragma once

#include "kernels/nll_loss.h"

namespace qgate::reference {

void nll_loss(const kernels::NllLossParams& p, const float* input, const int64_t* target, const float* weight,
              float* out);

}  // namespace qgate::reference
