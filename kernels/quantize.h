// Quantization arithmetic of TFLite's dynamic-range (hybrid) kernels: float rows to int8 on the fly, and the
// symmetric weight quantizer of PTQ. Specification: docs/arithmetic.md#weight-quantization, #activation-quantization;
// the row quantizers are bit-exact with TFLite's (portable and AVX2 paths give identical bytes).
//
// Rounding is half away from zero (std::round). Float-to-int conversion of a rounded value that does not fit
// int32 (or is NaN) yields INT32_MIN before clamping, as the x86 conversion instruction TFLite compiles to on
// these CPUs does; so +-inf and NaN inputs quantize to the low end of the range. Finite inputs get there only when
// the inverse scale overflows to inf (a row of denormals: 127/R or 1/scale > FLT_MAX), as in TFLite on x86.
//
// Thread safety: all functions are pure over their arguments.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernels/cpu_features.h"

namespace qgate::kernels {

// ---- Activation rows (run time) ----

// Symmetric: R = max|x|; R == 0 -> q = 0, *scale = 1; else *scale = R/127 and q = clamp(round(x * (127/R)),
// -127, 127), 127/R being its own division. q holds n values.
void quantize_row_symmetric(const float* x, int64_t n, int8_t* q, float* scale,
                            SimdPath path = SimdPath::automatic);

// Asymmetric (TFLite `asymmetric_quantize_inputs`): range [min(0, min x), max(0, max x)] in double, scale =
// range/255 stored as float, zero point in [-128, 127] from the end with the smaller error; then
// q = clamp(round(zp + x * (1/scale)), -128, 127) in float32. An all-zero row gets q = 0, scale 1, zp 0.
void quantize_row_asymmetric(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point,
                             SimdPath path = SimdPath::automatic);

// `rows` rows of k contiguous floats, each with its own scale (and zero point); q is rows x k contiguous.
void quantize_rows_symmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                             SimdPath path = SimdPath::automatic);
void quantize_rows_asymmetric(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                              int32_t* zero_points, SimdPath path = SimdPath::automatic);

// XNNPACK's qd8 row quantization (LiteRT's XNNPACK path for dynamic-range FC and conv): range
// [min(0, min x), max(0, max x)], multiplier inv = f32(255 / range) (1 for an all-zero row), zero point nudged in
// float32 (the end with the smaller error) and rounded half to even, q = clamp(rint(x * inv) + zp, -128, 127) with
// round-half-even; the row's scale is reported as f32(1 / inv). TFLite's builtin quantizer instead computes
// range / 255 in double and rounds half away from zero: the scales differ by an ulp on some rows. A row holding an
// infinity or NaN gets unspecified values (as in XNNPACK), never a crash.
void quantize_row_xnnpack(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point,
                          SimdPath path = SimdPath::automatic);
void quantize_rows_xnnpack(const float* x, int64_t rows, int64_t k, int8_t* q, float* scales,
                           int32_t* zero_points, SimdPath path = SimdPath::automatic);
struct XnnpackRowParams {
  float inv_scale;  // the multiplier applied to x
  int32_t zero_point;
};
XnnpackRowParams xnnpack_row_params(float row_min, float row_max);

// Scale and zero point of an asymmetric row from its float min and max (the double arithmetic of 2.1b).
struct AsymmetricParams {
  float scale;
  int32_t zero_point;
};
AsymmetricParams asymmetric_params(float row_min, float row_max);
// The start of every asymmetric row quantizer: asymmetric_params stored to *scale and *zero_point. Returns false
// when the range [min(0, row_min), max(0, row_max)] is empty: the row is then all zeros, q is filled with n zeros and
// nothing is left to do.
bool start_asymmetric_row(float row_min, float row_max, int64_t n, int8_t* q, float* scale, int32_t* zero_point);

// True when every one of the n values compares equal to 0 (TFLite's IsZeroVector: -0.0 counts as zero).
bool all_zero(const float* x, int64_t n);

// ---- Weights (post-training quantization, prepare time) ----

// Symmetric, range widened never shifted: R = max(|min|, |max|), s = R/qmax with qmax = 2^(bits-1) - 1,
// q = clamp(round(w / s), -qmax, qmax). A slice whose s is 0 (all zero, or R so small that R/qmax underflows)
// gets s as computed (0 for all-zero) and q = 0, with no division by zero. bits in [2, 8].
float quantize_weights_symmetric_per_tensor(const float* w, int64_t n, int bits, int8_t* q);
// The tensor seen as [outer, channels, inner] with the channel axis in the middle; scales has `channels` entries.
void quantize_weights_symmetric_per_channel(const float* w, int64_t outer, int64_t channels, int64_t inner,
                                            int bits, int8_t* q, float* scales);
// w = q * s, same [outer, channels, inner] view; channels == 1 (with one scale) is per-tensor.
void dequantize_weights(const int8_t* q, int64_t outer, int64_t channels, int64_t inner, const float* scales,
                        float* w);

// Owning convenience for a whole tensor: axis < 0 means per-tensor (one scale), else one scale per index of
// dims[axis].
struct QuantizedWeights {
  std::vector<int8_t> values;
  std::vector<float> scales;
  int axis = -1;
  int bits = 8;
};
QuantizedWeights quantize_weights_symmetric(const float* w, std::span<const int64_t> dims, int axis, int bits);

// ---- onnxruntime's dynamic quantization (DynamicQuantizeLinear, quantize_dynamic) ----
// Rounding here is half to even (x86 vcvtps2dq in the default rounding mode, C nearbyint).

// DynamicQuantizeLinear's uint8 parameters from the tensor's float min and max: the range [min(x_min, 0),
// max(x_max, 0)], scale = range / 255 in float32 (1 when the range is empty), zero point =
// round_half_even(clamp(0 - min / scale, 0, 255)), all in float32 as onnxruntime's CPU kernel computes them.
struct OrtU8Params {
  float scale;
  uint8_t zero_point;
};
OrtU8Params ort_dynamic_params(float x_min, float x_max);

// The whole tensor (n values) with one scale and zero point, as DynamicQuantizeLinear: q = clamp(nearbyint(
// clamp(x / scale, -zp, 255 - zp)) + zp, 0, 255), the division in float32 (MLAS divides, then clamps, then
// converts; a NaN x becomes 0). Writes uint8 bytes.
void quantize_tensor_ort_u8(const float* x, int64_t n, uint8_t* q, float* scale, uint8_t* zero_point,
                            SimdPath path = SimdPath::automatic);
// The same quantization written as int8 = q - 128 with zero point zp - 128 (an identical integer product
// sum (q - zp) * w), so the int8 hybrid GEMM can consume it.
void quantize_tensor_ort_s8(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point,
                            SimdPath path = SimdPath::automatic);

// onnxruntime's quantize_dynamic weights (quant_utils compute_scale_zp + quantize_nparray, symmetric int8):
// R = max(|min w|, |max w|) (0 included), scale = float32(2R / (2 qmax)) computed in double, 1 when it is below
// FLT_MIN; q = clamp(round_half_even(w / scale) in float32, -qmax, qmax). qmax 127, or 64 with reduce_range
// (onnxruntime's reduced int8 range is [-64, 64]).
float quantize_weights_ort_per_tensor(const float* w, int64_t n, int qmax, int8_t* q);
// [outer, channels, inner] view, one scale per channel (as quantize_weights_symmetric_per_channel).
void quantize_weights_ort_per_channel(const float* w, int64_t outer, int64_t channels, int64_t inner, int qmax,
                                      int8_t* q, float* scales);

namespace detail {
// onnxruntime's quantizer over n values with given parameters; `flip` is XORed into each byte (0: uint8, 0x80:
// the int8 value q - 128).
void quantize_linear_ort_portable(const float* x, int64_t n, float scale, uint8_t zero_point, uint8_t flip,
                                  uint8_t* q);
void quantize_linear_ort_avx2(const float* x, int64_t n, float scale, uint8_t zero_point, uint8_t flip, uint8_t* q);
// q = clamp(rint(x * inv) + zp, -128, 127), round half to even (XNNPACK's f32 -> qs8 conversion).
void quantize_linear_xnnpack_portable(const float* x, int64_t n, float inv, int32_t zero_point, int8_t* q);
void quantize_linear_xnnpack_avx2(const float* x, int64_t n, float inv, int32_t zero_point, int8_t* q);
void min_max_portable(const float* x, int64_t n, float* mn, float* mx);
void min_max_avx2(const float* x, int64_t n, float* mn, float* mx);

// The two implementations behind quantize_row_* (select one with SimdPath). The *_avx2 ones need AVX2.
void quantize_row_symmetric_portable(const float* x, int64_t n, int8_t* q, float* scale);
void quantize_row_asymmetric_portable(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point);
void quantize_row_symmetric_avx2(const float* x, int64_t n, int8_t* q, float* scale);
void quantize_row_asymmetric_avx2(const float* x, int64_t n, int8_t* q, float* scale, int32_t* zero_point);

// Test hook for the vector rounding (AVX2): out[i] = round_half_away_to_int32(y[i]) for every float.
void round_half_away_to_int32_avx2(const float* y, int64_t n, int32_t* out);

// std::round(y) converted to int32 the way x86 cvtss2si does: values outside int32 and NaN give INT32_MIN.
inline int32_t round_half_away_to_int32(float y);
}  // namespace detail

}  // namespace qgate::kernels

#include <cmath>
#include <limits>

namespace qgate::kernels::detail {
inline int32_t round_half_away_to_int32(float y) {
  const float r = std::round(y);
  // 2^31 is exact in float; the negated comparison sends NaN to the INT32_MIN branch.
  if (!(r >= -2147483648.0f && r < 2147483648.0f)) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(r);
}
}  // namespace qgate::kernels::detail
