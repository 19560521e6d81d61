// Naive float depthwise convolution: the oracle for kernels::depthwise_conv2d_float. Double accumulation.
#pragma once

#include "kernels/depthwise_conv2d.h"

namespace qgate::reference {

// filter [kernel_h, kernel_w, in_c * depth_multiplier]; bias may be nullptr.
void depthwise_conv2d_float(const kernels::DepthwiseConv2DParams& p, const float* input, const float* filter,
                            const float* bias, float* output);

}  // namespace qgate::reference
