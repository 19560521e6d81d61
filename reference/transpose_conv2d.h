// Naive float transposed convolution (scatter form): the oracle for kernels::transpose_conv2d_float.
#pragma once

#include "kernels/transpose_conv2d.h"

namespace qgate::reference {

// filter [out_c, kernel_h, kernel_w, in_c]; bias may be nullptr.
void transpose_conv2d_float(const kernels::TransposeConv2DParams& p, const float* input, const float* filter,
                            const float* bias, float* output);

}  // namespace qgate::reference
