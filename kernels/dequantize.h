// Conversions between float32 and stored number formats: float16 <-> float32 (TFLite DEQUANTIZE of fp16
// weights, ONNX Cast to float16), int8/uint8 -> float32 with an affine scale and zero point (DEQUANTIZE), and float32 -> int8/uint8
// (QUANTIZE).
#pragma once

#include <cstdint>

#include "kernels/cpu_features.h"

namespace qgate::kernels {

// Exact IEEE binary16 -> binary32 (subnormals, infinities and NaN payloads included).
float half_to_float(uint16_t h);
// IEEE binary32 -> binary16 bits, to nearest with ties to even (the IEEE default, numpy's astype(float16),
// ONNX's Cast); at or above 65520 (half way to 2^16) infinity; NaN a quiet NaN of the same sign.
uint16_t float_to_half(float f);
// Over n values; F16C on the AVX2 path, the same results either way.
void dequantize_f16(const uint16_t* in, float* out, int64_t n, SimdPath path = SimdPath::automatic);

// Affine parameters, per tensor (channels = 1) or per channel: element i belongs to channel
// (i / inner) % channels, i.e. the tensor reads as [outer, channels, inner] with channels along quant.axis.
// zero_point may be null (all zero). Borrowed pointers.
struct AffineQuant {
  const float* scale = nullptr;
  const int64_t* zero_point = nullptr;
  int64_t channels = 1;
  int64_t inner = 1;
  bool ties_to_even = false;  // quantize: round halves to even (ONNX QuantizeLinear) instead of away from zero
};

// out = float(q - zero_point) * scale.
void dequantize_int8(const int8_t* in, float* out, int64_t n, const AffineQuant& q);
void dequantize_uint8(const uint8_t* in, float* out, int64_t n, const AffineQuant& q);
// q = clamp(round(x / scale) + zero_point) with round half away from zero (TFLite's reference quantize), or half to
// even when ties_to_even (ONNX's QuantizeLinear); NaN maps to the zero point, +-inf to the clamp bounds.
void quantize_int8(const float* in, int8_t* out, int64_t n, const AffineQuant& q);
void quantize_uint8(const float* in, uint8_t* out, int64_t n, const AffineQuant& q);

namespace detail {
void dequantize_f16_avx2(const uint16_t* in, float* out, int64_t n);
}  // namespace detail

}  // namespace qgate::kernels
