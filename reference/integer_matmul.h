// Naive twins of kernels/integer_matmul.h, written from ONNX's definitions of MatMulInteger and ConvInteger:
// every operand first widened to int64 with its zero point subtracted, ConvInteger's padding materialised as
// input zero points (the spec pads with x_zero_point), then plain int64 sums checked to fit int32. Test oracles;
// they allocate. Same signatures as the kernels.
#pragma once

#include <cstdint>

#include "kernels/integer_matmul.h"

namespace qgate::reference {

void matmul_integer(kernels::Int8Operand a, kernels::Int8Operand b, int64_t m, int64_t k, int64_t n,
                    const int32_t* a_zp, int64_t a_zp_count, const int32_t* b_zp, int64_t b_zp_count, int32_t* out);

void conv_integer_nchw(const kernels::ConvIntegerParams& p, kernels::Int8Operand x, int32_t x_zp,
                       kernels::Int8Operand w, const int32_t* w_zp, int64_t w_zp_count, int32_t* out);

}  // namespace qgate::reference
