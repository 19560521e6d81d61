#include "kernels/batch_matmul.h"

namespace qgate::kernels {

namespace {

// Offset (in matrices) of output batch `index` within an operand with batch dims `dims` (broadcast dims are 1).
int64_t broadcast_offset(const std::vector<int32_t>& dims, const std::vector<int32_t>& out_dims, int64_t index) {
  int64_t offset = 0, stride = 1;
  for (int i = static_cast<int>(out_dims.size()) - 1; i >= 0; --i) {
    const int64_t coord = index % out_dims[i];
    index /= out_dims[i];
    if (dims[i] != 1) offset += coord * stride;
    stride *= dims[i];
  }
  return offset;
}

}  // namespace

int64_t batch_matmul_scratch_size(const BatchMatMulParams& p) {
  return gemm_packed_size(p.k, p.n) + (p.adj_x ? p.m * p.k : 0);
}

void batch_matmul_float(const BatchMatMulParams& p, const float* x, const float* y, float* output, float* scratch,
                        SimdPath path) {
  int64_t batches = 1;
  for (int32_t d : p.out_batch) batches *= d;
  float* packed = scratch;
  float* xt = scratch + gemm_packed_size(p.k, p.n);
  int64_t packed_for = -1;  // y batch currently packed; broadcast y is packed once
  for (int64_t b = 0; b < batches; ++b) {
    const int64_t xb = broadcast_offset(p.x_batch, p.out_batch, b);
    const int64_t yb = broadcast_offset(p.y_batch, p.out_batch, b);
    if (yb != packed_for) {
      const float* yp = y + yb * p.k * p.n;
      // W[n][k] as the packer wants it: y[k][n] (stride 1 along n) or, adjoint, y[n][k].
      if (p.adj_y)
        gemm_pack_into(yp, p.n, p.k, p.k, 1, packed);
      else
        gemm_pack_into(yp, p.n, p.k, 1, p.n, packed);
      packed_for = yb;
    }
    const float* a = x + xb * p.m * p.k;
    if (p.adj_x) {
      for (int64_t i = 0; i < p.m; ++i)
        for (int64_t j = 0; j < p.k; ++j) xt[i * p.k + j] = a[j * p.m + i];
      a = xt;
    }
    gemm_packed_parallel(p.m, a, p.k, PackedView{packed, p.k, p.n}, nullptr, Activation::none,
                         output + b * p.m * p.n, p.n, FloatAccumulation::fma_bias_last, path);
  }
}

}  // namespace qgate::kernels
