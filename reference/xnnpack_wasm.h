// Naive twins of the XNNPACK (WebAssembly SIMD) summation orders of kernels/gemm.h and kernels/xnnpack_wasm.h,
// written from the microkernels' description: test oracles for the packed, vectorised kernels.
#pragma once

#include <cstdint>

#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"

namespace qgate::reference {

// CONV_2D under p.accumulation (xnnpack_wasm or xnnpack_wasm_c4): per output, the bias, then the taps (kh, kw)
// in order, each its group's input channels in order; every product rounded before it is added; padded taps add
// nothing. c4: four partial sums by input channel mod 4 (within each tap), (l0 + l2) + (l1 + l3). filter OHWI.
void conv2d_xnnpack_wasm(const kernels::Conv2DParams& p, const float* input, const float* filter, const float* bias,
                         float* output);

// DEPTHWISE_CONV_2D under xnnpack_wasm: the bias, then the taps column by column (kw outer, kh inner).
void depthwise_conv2d_xnnpack_wasm(const kernels::DepthwiseConv2DParams& p, const float* input, const float* filter,
                                   const float* bias, float* output);

}  // namespace qgate::reference
