// Naive twin of kernels/grid_sample.h, in double: bilinear as the general Keys-free sum over the four corners with
// each corner read through its own bounds test, reflection by repeated folding instead of fmod.
#pragma once

#include "kernels/grid_sample.h"

namespace qgate::reference {

void grid_sample(const kernels::GridSampleParams& p, const float* x, const float* grid, float* y);

}  // namespace qgate::reference
