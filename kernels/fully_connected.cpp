#include "kernels/fully_connected.h"

namespace qgate::kernels {

PackedMatrix pack_fully_connected_weights(const FullyConnectedParams& p, const float* weights) {
  return gemm_pack(weights, p.units, p.depth, p.depth, 1);
}

void fully_connected_float(const FullyConnectedParams& p, const PackedMatrix& weights, const float* input,
                           const float* bias, float* output, SimdPath path) {
  gemm_packed_parallel(p.rows, input, p.depth, weights.view(), bias, p.activation, output, p.units, p.accumulation,
                       path);
}

}  // namespace qgate::kernels
