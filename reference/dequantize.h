// Naive twins of kernels/dequantize.h, written from the formulas (ldexp for half decoding, double arithmetic
// for the affine maps).
#pragma once

#include "kernels/dequantize.h"

namespace qgate::reference {

using kernels::AffineQuant;

void dequantize_f16(const uint16_t* in, float* out, int64_t n);
void dequantize_int8(const int8_t* in, float* out, int64_t n, const AffineQuant& q);
void dequantize_uint8(const uint8_t* in, float* out, int64_t n, const AffineQuant& q);
void quantize_int8(const float* in, int8_t* out, int64_t n, const AffineQuant& q);
void quantize_uint8(const float* in, uint8_t* out, int64_t n, const AffineQuant& q);

}  // namespace qgate::reference
