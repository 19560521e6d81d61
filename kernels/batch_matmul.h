// Float batched matrix product (TFLite BATCH_MATMUL): out[b] = op(x[b]) * op(y[b]), op = transpose when adj_x /
// adj_y is set, batch dimensions broadcast numpy-style. y is packed per batch at run time into scratch (it is
// usually an activation), then multiplied with the GEMM engine of kernels/gemm.h.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/gemm.h"

namespace qgate::kernels {

struct BatchMatMulParams {
  // Batch dimensions of x, y and the output, all of the same rank (left-padded with 1); each x/y dimension is 1
  // or equal to the output's.
  std::vector<int32_t> x_batch, y_batch, out_batch;
  int64_t m = 1, k = 1, n = 1;  // out[b] is m x n; x[b] is m x k (k x m when adj_x); y[b] k x n (n x k when adj_y)
  bool adj_x = false, adj_y = false;
};

// Floats of scratch batch_matmul_float needs (packed y, plus transposed x when adj_x).
int64_t batch_matmul_scratch_size(const BatchMatMulParams& p);

void batch_matmul_float(const BatchMatMulParams& p, const float* x, const float* y, float* output, float* scratch,
                        SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
