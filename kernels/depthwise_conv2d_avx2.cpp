// AVX2 + FMA depthwise rows: 8 channels per register, up to 4 registers of channels per pass; the XNNPACK order
// (FloatAccumulation::xnnpack_wasm) with separate multiply and add.
#include <immintrin.h>

#include <algorithm>

#include "kernels/depthwise_conv2d.h"

namespace qgate::kernels::detail {

namespace {

// Lanes [0, n) set, for loads and stores of a channel tail shorter than 8.
__m256i tail_mask(int n) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane);
}

struct Tap {
  const float* in;
  const float* w;
};

// kBiasFirst: XNNPACK's wasm order (start from the bias, add each rounded product; the caller lists the taps in
// XNNPACK's order).
template <int R, bool kBiasFirst>
inline void channels(const Tap* taps, int ntaps, int64_t c, const float* bias, bool clamp, __m256 lo, __m256 hi,
                     float* out) {
  __m256 acc[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) acc[r] = kBiasFirst && bias ? _mm256_loadu_ps(bias + c + 8 * r) : _mm256_setzero_ps();
  for (int t = 0; t < ntaps; ++t)
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const __m256 x = _mm256_loadu_ps(taps[t].in + c + 8 * r), w = _mm256_loadu_ps(taps[t].w + c + 8 * r);
      if constexpr (kBiasFirst)
        acc[r] = _mm256_add_ps(acc[r], _mm256_mul_ps(x, w));
      else
        acc[r] = _mm256_fmadd_ps(x, w, acc[r]);
    }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    if (bias && !kBiasFirst) acc[r] = _mm256_add_ps(acc[r], _mm256_loadu_ps(bias + c + 8 * r));
    if (clamp) acc[r] = _mm256_min_ps(_mm256_max_ps(acc[r], lo), hi);
    _mm256_storeu_ps(out + c + 8 * r, acc[r]);
  }
}

}  // namespace

void depthwise_conv2d_row_avx2(const DepthwiseConv2DParams& p, const float* input, const float* filter,
                               const float* bias, float* output, int32_t b, int32_t oh) {
  const int64_t cn = p.in_c;  // == out_c: depth_multiplier is 1
  const ActivationRange range = activation_range(p.activation);
  const bool clamp = p.activation == Activation::relu || p.activation == Activation::relu6 ||
                     p.activation == Activation::relu_n1_to_1;
  const __m256 lo = _mm256_set1_ps(range.lo), hi = _mm256_set1_ps(range.hi);
  const bool xnnpack = p.accumulation == FloatAccumulation::xnnpack_wasm;
  constexpr int kMaxTaps = 64;
  Tap stack_taps[kMaxTaps];
  const bool many = p.kernel_h * p.kernel_w > kMaxTaps;
  for (int32_t ow = 0; ow < p.out_w; ++ow) {
    float* out = output + ((int64_t{b} * p.out_h + oh) * p.out_w + ow) * cn;
    // Large kernels (rare) go tap by tap through a one-tap list, accumulating in the output.
    Tap* taps = stack_taps;
    int ntaps = 0;
    if (!many) {
      // XNNPACK adds the taps column by column.
      for_each_in_image_tap(
          p, b, oh, ow, [&](int64_t t, int64_t pixel) { taps[ntaps++] = {input + pixel * cn, filter + t * cn}; },
          xnnpack);
      int64_t c = 0;
      if (xnnpack) {
        for (; c + 32 <= cn; c += 32) channels<4, true>(taps, ntaps, c, bias, clamp, lo, hi, out);
        for (; c + 8 <= cn; c += 8) channels<1, true>(taps, ntaps, c, bias, clamp, lo, hi, out);
      } else {
        for (; c + 32 <= cn; c += 32) channels<4, false>(taps, ntaps, c, bias, clamp, lo, hi, out);
        for (; c + 8 <= cn; c += 8) channels<1, false>(taps, ntaps, c, bias, clamp, lo, hi, out);
      }
      if (c < cn) {
        const __m256i mask = tail_mask(static_cast<int>(cn - c));
        __m256 acc = xnnpack && bias ? _mm256_maskload_ps(bias + c, mask) : _mm256_setzero_ps();
        for (int t = 0; t < ntaps; ++t) {
          const __m256 x = _mm256_maskload_ps(taps[t].in + c, mask), w = _mm256_maskload_ps(taps[t].w + c, mask);
          acc = xnnpack ? _mm256_add_ps(acc, _mm256_mul_ps(x, w)) : _mm256_fmadd_ps(x, w, acc);
        }
        if (bias && !xnnpack) acc = _mm256_add_ps(acc, _mm256_maskload_ps(bias + c, mask));
        if (clamp) acc = _mm256_min_ps(_mm256_max_ps(acc, lo), hi);
        _mm256_maskstore_ps(out + c, mask, acc);
      }
    } else {
      for (int64_t c = 0; c < cn; ++c) {
        float acc = xnnpack && bias ? bias[c] : 0.0f;
        for_each_in_image_tap(
            p, b, oh, ow,
            [&](int64_t t, int64_t pixel) {
              const float x = input[pixel * cn + c], w = filter[t * cn + c];
              acc = xnnpack ? acc + x * w : __builtin_fmaf(x, w, acc);
            },
            xnnpack);
        if (bias && !xnnpack) acc += bias[c];
        if (clamp) acc = std::min(std::max(acc, range.lo), range.hi);
        out[c] = acc;
      }
    }
    if (!clamp && p.activation != Activation::none) apply_activation(p.activation, out, cn);
  }
}

}  // namespace qgate::kernels::detail
