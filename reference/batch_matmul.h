// Naive float batched matrix product: the oracle for kernels::batch_matmul_float. Double accumulation.
#pragma once

#include "kernels/batch_matmul.h"

namespace qgate::reference {

void batch_matmul_float(const kernels::BatchMatMulParams& p, const float* x, const float* y, float* output);

}  // namespace qgate::reference
