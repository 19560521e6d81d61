// Naive twins of kernels/quantize.h's quantizers: docs/arithmetic.md#activation-quantization literally, one value at a
// time, as test oracles. Same signatures as the kernels.
#pragma once

#include <cstdint>

#include "kernels/quantize.h"

namespace qgate::reference {

void quantize_row_symmetric(const float* x, int64_t n, int8_t* q, float* scale);
void quantize_row_asymmetric(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point);
void quantize_rows_symmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales);
// XNNPACK's qd8 parameters and f32 -> qs8 conversion in XNNPACK's own order (multiply, min against the upper
// bound, round half to even, add the zero point, max against the lower bound).
void quantize_row_xnnpack(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point);
void quantize_rows_xnnpack(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                           int32_t* zero_points);
void quantize_rows_asymmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                              int32_t* zero_points);

}  // namespace qgate::reference
