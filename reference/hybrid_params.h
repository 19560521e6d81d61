// Naive twins of kernels/hybrid_params.h: the input quantizers (one row at a time with reference/quantize.h, and
// onnxruntime's DynamicQuantizeLinear over the whole input written from the ONNX definition) and the epilogue
// formulas written out one rounding at a time. Same signatures as the kernels. Also HybridTaps, what the hybrid
// twins (reference/fully_connected_hybrid.h, conv2d_hybrid.h, depthwise_conv2d_hybrid.h) computed on the way, for
// tests to compare with a kernel's scratch.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/hybrid_params.h"

namespace qgate::reference {

void quantize_hybrid_input(kernels::HybridInputQuantization how, const float* x, int64_t rows, int64_t row_length,
                           int8_t* q, float* scales, int32_t* zero_points);

float hybrid_epilogue(kernels::HybridEpilogue e, int32_t acc, float s_in, float s_w, float bias);

void hybrid_epilogue_row(kernels::HybridEpilogue e, const int32_t* acc, int32_t n, float s_in, const float* s_w,
                         const float* bias, float* out);

// Quantized rows (images for the convolutions), their scales and zero points, and the int32 accumulators
// ([rows or pixels][out channels]; all 0 when zero_input_gives_bias skipped the multiply).
struct HybridTaps {
  std::vector<int8_t> q;
  std::vector<float> input_scales;
  std::vector<int32_t> zero_points;
  std::vector<int32_t> acc;
};

// The input quantized into taps (q, input_scales, zero_points sized here).
void quantize_hybrid_input_into(kernels::HybridInputQuantization how, const float* x, int64_t rows,
                                int64_t row_length, HybridTaps& taps);

// zero_input_gives_bias and every one of the n input values compares equal to 0.
bool hybrid_output_is_bias(const kernels::HybridParams& h, const float* input, int64_t n);

// Aborts naming `what` if v does not fit int32 (a twin's accumulator must be what the kernel could hold).
int32_t checked_int32(int64_t v, const char* what);

// Output o of a hybrid convolution twin from its int64 sum: checked to fit int32 (`what` names the twin) and kept
// in taps.acc[o], then the epilogue formula and the activation.
float hybrid_conv_output(const kernels::HybridParams& h, kernels::Activation act, int64_t acc, const char* what,
                         HybridTaps& taps, int64_t o, float s_in, float s_w, float bias);

}  // namespace qgate::reference
