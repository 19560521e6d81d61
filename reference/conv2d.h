// Naive float convolution: the oracle for kernels::conv2d_float. Direct loops, double accumulation.
#pragma once

#include "kernels/conv2d.h"

namespace qgate::reference {

// filter [out_c, kernel_h, kernel_w, in_c / groups]; bias may be nullptr.
void conv2d_float(const kernels::Conv2DParams& p, const float* input, const float* filter, const float* bias,
                  float* output);

}  // namespace qgate::reference
