// Naive float fully connected: the oracle for kernels::fully_connected_float. Double accumulation.
#pragma once

#include "kernels/fully_connected.h"

namespace qgate::reference {

// weights [units, depth]; bias may be nullptr.
void fully_connected_float(const kernels::FullyConnectedParams& p, const float* input, const float* weights,
                           const float* bias, float* output);

}  // namespace qgate::reference
