// Trilu (ONNX): the upper or lower triangle of the last two dims, the rest zero. Any element type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qgate::kernels {

// in and out are [batch, rows, cols]. upper: keeps (r, c) with c - r >= k; lower: keeps c - r <= k; every other
// element of out is zero bytes.
void trilu(const void* in, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper, void* out,
           size_t elem_size);

}  // namespace qgate::kernels
