// Naive twins of kernels/softmax.h, computed in double throughout.
#pragma once

#include <cstdint>

#include "kernels/softmax.h"

namespace qgate::reference {

void softmax_float(const float* in, float* out, int64_t rows, int64_t depth, float beta);
void log_softmax_float(const float* in, float* out, int64_t rows, int64_t depth);

}  // namespace qgate::reference
