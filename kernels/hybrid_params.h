// The one parameter set of the hybrid (dynamic-range) kernels -- FULLY_CONNECTED (kernels/fully_connected_hybrid.h),
// CONV_2D (kernels/conv2d_hybrid.h) and DEPTHWISE_CONV_2D (kernels/depthwise_conv2d_hybrid.h) -- and the functions
// its choices select: how the float input becomes int8 rows (quantize_hybrid_input) and how an int32 accumulator
// becomes a float (hybrid_epilogue). docs/arithmetic.md#activation-quantization and #epilogues give the arithmetic
// and which runtime computes which. The three kernels take their arguments in one order:
//
//   kernel(shape params, const HybridParams&, prepared weights, input, bias, output, scratch, acc_out, path)
//
// Adding an input quantizer or an epilogue (one more runtime's arithmetic) is one enum value below plus one case in
// quantize_hybrid_input (kernels/hybrid_params.cpp) or in hybrid_epilogue (below), and the same case in the twin
// (reference/hybrid_params.cpp) that the tests check it against. Every kernel, path and op then takes it from
// HybridParams. (The depthwise AVX2 loop has vector forms of the known epilogues for speed; it computes an unknown
// value with hybrid_epilogue lane by lane.)
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "kernels/cpu_features.h"

namespace qgate::kernels {

// How the float input is quantized to int8 on the fly. A "row" is what gets its own scale: K inputs of a fully
// connected layer, one whole image of a convolution.
enum class HybridInputQuantization : uint8_t {
  // TFLite, asymmetric_quantize_inputs off: each row symmetric, zero point 0 (quantize_row_symmetric).
  symmetric_rows,
  // TFLite, asymmetric_quantize_inputs on: each row asymmetric (quantize_row_asymmetric).
  asymmetric_rows,
  // XNNPACK qd8: each row asymmetric with XNNPACK's parameters and rounding (quantize_row_xnnpack).
  xnnpack_rows,
  // onnxruntime DynamicQuantizeLinear: all rows as one uint8 tensor with one scale and zero point, held as int8
  // q - 128 with zero point zp - 128 (quantize_tensor_ort_s8); the scale and zero point repeat for every row.
  ort_u8_tensor,
};

// How the int32 accumulator of output channel n (zero point already removed) becomes a float: s_in is its row's
// input scale, s_w[n] the channel's weight scale, bias[n] (absent: +0); each step rounds to float32.
enum class HybridEpilogue : uint8_t {
  // f32(f32(acc) * f32(s_in * s_w[n])) + bias[n]: TFLite's builtin FULLY_CONNECTED and CONV_2D kernels,
  // onnxruntime's dynamic quantization (Cast, Mul by the scale product, Add).
  scale_product,
  // f32(f32(f32(acc) * s_in) * s_w[n]) + bias[n]: XNNPACK qd8, TFLite's DEPTHWISE_CONV_2D on x86.
  input_scale_first,
  // f32(f32(f32(acc) * s_w[n]) * s_in) + bias[n]: TFLite's reference per-channel CONV_2D (its grouped convs).
  weight_scale_first,
};

// How the int8 x int8 -> int32 product is formed (kernels/hybrid_gemm.h).
enum class Int8ProductArithmetic : uint8_t {
  exact,  // true int32 sums (the default)
  // onnxruntime's uint8 x int8 GEMM on AVX2 CPUs without VNNI (MLAS, vpmaddubsw): the activations as uint8
  // u = q + 128 (zero point zp + 128) times the int8 weights, each adjacent pair of k (0-1, 2-3, ...) summed
  // into int16 with saturation, pair sums added in int32, then minus (zp + 128) * row_sums[n]. Differs from
  // exact only when a pair's |u0 w0 + u1 w1| exceeds 32767. Fully connected only: onnxruntime's ConvInteger does
  // not saturate (docs/arithmetic.md#conv_2d), so the convolutions require exact.
  saturating_u8s8_pairs,
};

struct HybridParams {
  HybridInputQuantization input_quantization = HybridInputQuantization::asymmetric_rows;
  HybridEpilogue epilogue = HybridEpilogue::scale_product;
  Int8ProductArithmetic product = Int8ProductArithmetic::exact;
  // TFLite's builtin FULLY_CONNECTED: when the whole input (every row) compares equal to 0 (IsZeroVector; -0.0
  // counts), nothing is quantized or multiplied and the output is act(bias) (0 without bias), bias bits kept.
  bool zero_input_gives_bias = false;
};

// Whether the quantized rows carry zero points (every quantizer but symmetric_rows).
bool hybrid_input_has_zero_points(HybridInputQuantization how);

// rows x row_length floats -> q (the same layout), with scales[r] and zero_points[r] for each row (symmetric_rows
// writes zero points of 0). Writes nothing when rows is 0.
void quantize_hybrid_input(HybridInputQuantization how, const float* x, int64_t rows, int64_t row_length, int8_t* q,
                           float* scales, int32_t* zero_points, SimdPath path = SimdPath::automatic);

// One output value (no activation).
inline float hybrid_epilogue(HybridEpilogue e, int32_t acc, float s_in, float s_w, float bias) {
  const float a = static_cast<float>(acc);
  switch (e) {
    case HybridEpilogue::scale_product: {
      const float scale = s_in * s_w;
      const float prod = a * scale;
      return prod + bias;
    }
    case HybridEpilogue::input_scale_first: {
      const float t = a * s_in;
      const float prod = t * s_w;
      return prod + bias;
    }
    case HybridEpilogue::weight_scale_first: {
      const float t = a * s_w;
      const float prod = t * s_in;
      return prod + bias;
    }
  }
  return 0.0f;
}

// out[j] = hybrid_epilogue(e, acc[j], s_in, s_w[j], bias ? bias[j] : 0) for j < n (no activation).
void hybrid_epilogue_row(HybridEpilogue e, const int32_t* acc, int32_t n, float s_in, const float* s_w,
                         const float* bias, float* out);

// zero_input_gives_bias and an input of n values that is all zero: the kernels then write bias rows and return.
bool hybrid_output_is_bias(const HybridParams& h, const float* input, int64_t n);
// rows rows of n outputs = bias (0 when null).
void fill_bias_rows(const float* bias, int64_t rows, int32_t n, float* out);

}  // namespace qgate::kernels
