#include "reference/fully_connected_hybrid.h"

#include <vector>

#include "reference/hybrid_gemm.h"

namespace qgate::reference {

void fully_connected_hybrid(const kernels::FullyConnectedParams& p, const kernels::HybridParams& h,
                            const int8_t* weights, const float* weight_scales, int32_t scale_count,
                            const float* input, const float* bias, float* output, HybridTaps* taps) {
  HybridTaps local;
  HybridTaps& t = taps ? *taps : local;
  const auto rows = static_cast<int32_t>(p.rows), n = static_cast<int32_t>(p.units), k = static_cast<int32_t>(p.depth);
  t.acc.assign(static_cast<size_t>(int64_t{rows} * n), 0);
  if (reference::hybrid_output_is_bias(h, input, int64_t{rows} * k)) {
    for (int32_t b = 0; b < rows; ++b)
      for (int32_t j = 0; j < n; ++j) output[int64_t{b} * n + j] = bias ? bias[j] : 0.0f;
  } else {
    reference::quantize_hybrid_input_into(h.input_quantization, input, rows, k, t);
    if (h.product == kernels::Int8ProductArithmetic::saturating_u8s8_pairs) {
      std::vector<uint8_t> u(t.q.size());
      std::vector<int32_t> zp_u8(t.zero_points.size());
      for (size_t i = 0; i < u.size(); ++i) u[i] = static_cast<uint8_t>(t.q[i] + 128);
      for (size_t i = 0; i < zp_u8.size(); ++i) zp_u8[i] = t.zero_points[i] + 128;
      gemm_u8s8_saturating_pairs(weights, n, k, u.data(), zp_u8.data(), rows, t.acc.data());
    } else {
      hybrid_gemm_s8s8s32(weights, n, k, t.q.data(), t.zero_points.data(), rows, t.acc.data());
    }
    for (int32_t b = 0; b < rows; ++b)
      for (int32_t j = 0; j < n; ++j) {
        const int64_t o = int64_t{b} * n + j;
        output[o] = reference::hybrid_epilogue(h.epilogue, t.acc[static_cast<size_t>(o)],
                                               t.input_scales[static_cast<size_t>(b)],
                                               weight_scales[scale_count > 1 ? j : 0], bias ? bias[j] : 0.0f);
      }
  }
  for (int64_t i = 0; i < int64_t{rows} * n; ++i) output[i] = kernels::apply_activation(p.activation, output[i]);
}

}  // namespace qgate::reference
