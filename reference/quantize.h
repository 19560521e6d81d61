// Naive twins of kernels/quantize.h's row quantizers: DESIGN.md 2.1 / 2.1b transcribed literally, one value at a
// time, as test oracles. Same signatures as the kernels.
#pragma once

#include <cstdint>

namespace qgate::reference {

void quantize_row_symmetric(const float* x, int64_t n, int8_t* q, float* scale);
void quantize_row_asymmetric(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point);
void quantize_rows_symmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales);
void quantize_rows_asymmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                              int32_t* zero_points);

}  // namespace qgate::reference
