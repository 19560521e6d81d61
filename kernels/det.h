// Det (ONNX): determinants of a batch of square matrices, by LU decomposition with partial pivoting in double.
#pragma once

#include <cstdint>

namespace qgate::kernels {

// out[b] = det(in[b]) for `batch` row-major n x n matrices. `scratch` holds n * n doubles.
void det(const float* in, int64_t batch, int64_t n, float* out, double* scratch);

}  // namespace qgate::kernels
