// Hybrid (dynamic-range) fully connected: float input rows, int8 weights [units, depth] with one scale per tensor or
// per output channel, float bias and output (TFLite FULLY_CONNECTED with int8 weights, XNNPACK's qd8 fully
// connected, onnxruntime's MatMulInteger after DynamicQuantizeLinear; docs/arithmetic.md#fully_connected).
//
// Method: the input rows are quantized with HybridParams::input_quantization (kernels/hybrid_params.h), multiplied
// by the packed weights in int8 with exact (or onnxruntime's saturating) int32 sums (kernels/hybrid_gemm.h), and
// each accumulator becomes a float through HybridParams::epilogue; then the fused activation.
//
// Thread safety: pure over its arguments except `scratch`, which one call owns while it runs.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/fully_connected.h"  // FullyConnectedParams
#include "kernels/hybrid_gemm.h"
#include "kernels/hybrid_params.h"

namespace qgate::kernels {

// Run-time buffers, sized once in prepare by reserve(). After a run, q, input_scales and zero_points hold the
// quantized rows, their scales and zero points, and acc the int32 accumulators ([rows][units]).
struct FullyConnectedHybridScratch {
  std::vector<int8_t> q;
  std::vector<float> input_scales;
  std::vector<int32_t> zero_points;
  std::vector<int32_t> acc;
  void reserve(const FullyConnectedParams& p);
};

// output [rows][units] = act(epilogue(quantized input x W^T)); input [rows][depth]; bias: units floats or null.
// w packs the weights for p (w.n == units, w.k == depth). acc_out, when not null, receives every int32 accumulator
// ([rows][units]; 0 where zero_input_gives_bias skipped the multiply), for tests. Never allocates once scratch is
// reserved for p; results do not depend on the thread count or the path.
void fully_connected_hybrid(const FullyConnectedParams& p, const HybridParams& h, const PackedInt8Weights& w,
                            const float* input, const float* bias, float* output,
                            FullyConnectedHybridScratch& scratch, int32_t* acc_out = nullptr,
                            SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
