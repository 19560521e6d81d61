// Quantization arithmetic of TFLite's dynamic-range (hybrid) kernels: float rows to int8 on the fly, and the
// symmetric weight quantizer of post-training quantization. DESIGN.md 2, 2.1 and 2.1b are the specification;
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

#include "kernels/gemm.h"  // SimdPath

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

// Scale and zero point of an asymmetric row from its float min and max (the double arithmetic of 2.1b).
struct AsymmetricParams {
  float scale;
  int32_t zero_point;
};
AsymmetricParams asymmetric_params(float row_min, float row_max);

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

namespace detail {
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
