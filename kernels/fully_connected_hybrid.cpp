#include "kernels/fully_connected_hybrid.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace qgate::kernels {

void FullyConnectedHybridScratch::reserve(const FullyConnectedParams& p) {
  q.resize(static_cast<size_t>(p.rows * p.depth));
  input_scales.resize(static_cast<size_t>(p.rows));
  zero_points.resize(static_cast<size_t>(p.rows));
  acc.resize(static_cast<size_t>(p.rows * p.units));
}

void fully_connected_hybrid(const FullyConnectedParams& p, const HybridParams& h, const PackedInt8Weights& w,
                            const float* input, const float* bias, float* output, FullyConnectedHybridScratch& s,
                            int32_t* acc_out, SimdPath path) {
  assert(p.depth == w.k && p.units == w.n);
  assert(s.q.size() >= static_cast<size_t>(p.rows * p.depth) && s.acc.size() >= static_cast<size_t>(p.rows * p.units));
  const auto rows = static_cast<int32_t>(p.rows);
  const int64_t out_count = p.rows * p.units;
  if (rows <= 0) return;
  if (hybrid_output_is_bias(h, input, p.rows * p.depth)) {
    fill_bias_rows(bias, rows, w.n, output);
    if (acc_out) std::fill(acc_out, acc_out + out_count, 0);
  } else {
    quantize_hybrid_input(h.input_quantization, input, rows, w.k, s.q.data(), s.input_scales.data(),
                          s.zero_points.data(), path);
    const bool zero_points = hybrid_input_has_zero_points(h.input_quantization) ||
                             h.product == Int8ProductArithmetic::saturating_u8s8_pairs;
    hybrid_gemm_s8s8s32(w, s.q.data(), zero_points ? s.zero_points.data() : nullptr, rows, s.acc.data(), h.product,
                        path);
    for (int32_t b = 0; b < rows; ++b)
      hybrid_epilogue_row(h.epilogue, s.acc.data() + int64_t{b} * w.n, w.n, s.input_scales[static_cast<size_t>(b)],
                          w.scales.data(), bias, output + int64_t{b} * w.n);
    if (acc_out) std::memcpy(acc_out, s.acc.data(), sizeof(int32_t) * static_cast<size_t>(out_count));
  }
  apply_activation(p.activation, output, out_count);
}

}  // namespace qgate::kernels
