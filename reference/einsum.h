// Naive twin of kernels/einsum.h: each output element on its own, decomposed into its label values, summing over
// every combination of the other labels with every operand offset recomputed from scratch.
#pragma once

#include "kernels/einsum.h"

namespace qgate::reference {

void einsum(const kernels::EinsumPlan& plan, std::span<const float* const> operands, float* out);

}  // namespace qgate::reference
