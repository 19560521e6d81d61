// Float kernels that round exactly as XNNPACK's WebAssembly SIMD microkernels do: the arithmetic LiteRT.js (wasm,
// CPU) computes for the ops its XNNPACK delegate takes (docs/litert-cpu.md). WebAssembly SIMD has no fused
// multiply-add, so every product is rounded before it is added; the order of the terms is each microkernel's.
// Plain loops (these layers are a small part of a network's work); the GEMM-shaped ops (convolution, depthwise,
// fully connected) have their XNNPACK order in their own kernels (FloatAccumulation::xnnpack_wasm).
#pragma once

#include <cstdint>

#include "kernels/pool.h"
#include "kernels/transpose_conv2d.h"

namespace qgate::kernels {

// LOGISTIC (f32-vsigmoid, wasmsimd rr2_p5_div): z = |x|; e = exp(-z) by a magic-bias range reduction to 2^n,
// a two-constant ln 2 and a degree-5 polynomial; f = e / (e + 1), 0 where z > 87.33655 (the denormal cutoff);
// the result is f for negative x (sign bit set) and 1 - f otherwise.
void logistic_xnnpack_wasm(const float* in, float* out, int64_t n);

// HARD_SWISH (f32-vhswish, wasmsimd): x * min(max(x * 0x1.555556p-3 + 0.5, 0), 1).
void hard_swish_xnnpack_wasm(const float* in, float* out, int64_t n);

// AVERAGE_POOL_2D (f32-avgpool 9p, through XNNPACK's average pooling operator): the window's taps column by
// column (kw outer, kh inner; a tap in the padding reads 0), 9 at a time; each group of 9 is summed as
// ((x2 + x3) + (x4 + x5)) + (((x0 + x1) + x8) + (x6 + x7)) and added to the running sum; the sum is multiplied by
// 1 / f32(pooling cells) (VALID), or by 1 / f32(real cells of that window) (SAME: XNNPACK's pixelwise average),
// then the fused activation clamps it.
void average_pool2d_xnnpack_wasm(const Pool2DParams& p, bool same_padding, const Nhwc& in_shape, const float* in,
                                 const Nhwc& out_shape, float* out);

// MEAN over a block of adjacent axes followed by kept ones (f32-rdsum 7p7x: XNNPACK's discontiguous reduction),
// the input viewed as [outer, rows, inner] with the rows reduced: out[o][i] = 0 + (sum of the rows in order,
// from 0) * (1 / f32(rows)).
void mean_rows_xnnpack_wasm(const float* in, int64_t outer, int64_t rows, int64_t inner, float* out);

// RESIZE_BILINEAR (XNNPACK's resize operator, f32-ibilinear wasmsimd): per output pixel, source coordinates and
// weights computed in float as xnn_indirection_init_resize_bilinear2d_hwc_f32 does (align_corners: scale
// (in - 1) / (out - 1); half-pixel centers: y = oy * scale + (0.5 * scale - 0.5) clamped to [0, in - 1];
// otherwise TensorFlow's legacy y = min(oy * scale, in - 1)), alpha = y - floor(y); then
// top = tl + (tr - tl) * alpha_x, bottom = bl + (br - bl) * alpha_x, out = top + (bottom - top) * alpha_y.
void resize_bilinear_xnnpack_wasm(bool align_corners, bool half_pixel_centers, const Nhwc& in_shape, const float* in,
                                  const Nhwc& out_shape, float* out);

// TRANSPOSE_CONV and MediaPipe's Convolution2DTransposeBias (XNNPACK's deconvolution: subconvolutions over an
// indirect GEMM): each output element is the bias, then the taps that reach it in (kh, kw) order, each summing its
// input channels, every product rounded; with fewer than 8 output channels XNNPACK's nr2 kernel keeps four partial
// sums by input channel mod 4 (FloatAccumulation::xnnpack_wasm_c4). `filter` is OHWI as stored; bias may be null.
void transpose_conv2d_xnnpack_wasm(const TransposeConv2DParams& p, const float* filter, const float* input,
                                   const float* bias, float* output);

}  // namespace qgate::kernels
