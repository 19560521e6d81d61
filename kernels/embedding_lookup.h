// Embedding lookup (TFLite EMBEDDING_LOOKUP): out row i = table row idx[i], float or int8 dequantized.
#pragma once

#include <cstdint>

namespace qgate::kernels {

// Float table [rows, cols] -> float out [n, cols]. Returns the number of out-of-range indices; their output rows
// are zeros (TFLite stops with an error there; the op reports the error, the kernel must not read out of bounds).
int64_t embedding_lookup_f32(const int32_t* idx, int64_t n, const float* table, int64_t rows, int64_t cols,
                             float* out);

// int8 table with scales: per-row (num_scales == rows) or per-tensor (num_scales == 1) -> float out:
// out[i][j] = f32(W[idx][j] * s). TFLite multiplies in double; the product of an int8 and a float is exact in
// double, so rounding it once to float equals the float product. Out-of-range indices as above.
int64_t embedding_lookup_hybrid(const int32_t* idx, int64_t n, const int8_t* table, const float* scales,
                                int64_t num_scales, int64_t rows, int64_t cols, float* out);

// int8 table -> int8 out (a fully quantized model): a plain row copy. Out-of-range rows are zeros.
int64_t embedding_lookup_i8(const int32_t* idx, int64_t n, const int8_t* table, int64_t rows, int64_t cols,
                            int8_t* out);

}  // namespace qgate::kernels
