// Naive twin of kernels/det.h: the Laplace (cofactor) expansion along the first row, in double; exponential in n,
// so for the small matrices of the tests.
#pragma once

#include "kernels/det.h"

namespace qgate::reference {

void det(const float* in, int64_t batch, int64_t n, float* out);

}  // namespace qgate::reference
