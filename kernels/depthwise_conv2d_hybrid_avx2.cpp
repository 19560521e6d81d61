// AVX2 rows of the hybrid depthwise convolution (depth_multiplier 1): 16 channels per register pair, products in
// int16 (|w * (q - zp)| <= 127 * 255 = 32385 fits), sums widened to int32 lanes, so the accumulators are exact
// and equal the portable loop's. The epilogue uses separate multiplies and adds in the same order as
// hybrid_epilogue (kernels/hybrid_params.h).
//
// This file is compiled with -mfma, and GCC contracts a * b + c into an FMA by default (even for intrinsics,
// which are plain vector arithmetic): that would round the epilogue once instead of twice. Contraction is off.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include <algorithm>

#include "kernels/depthwise_conv2d_hybrid.h"

namespace qgate::kernels::detail {

namespace {

// Sums of R 16-channel groups starting at channel c over the in-image taps of output (oh, ow).
template <int R>
inline void accumulate(const DepthwiseConv2DParams& p, const int8_t* filter, const int8_t* q, int32_t zp, int32_t b,
                       int32_t oh, int32_t ow, int64_t c, __m256i* acc) {
  const __m256i vzp = _mm256_set1_epi16(static_cast<int16_t>(zp));
  for (int r = 0; r < 2 * R; ++r) acc[r] = _mm256_setzero_si256();
  const int64_t cn = p.in_c;
  for_each_in_image_tap(p, b, oh, ow, [&](int64_t t, int64_t pixel) {
    const int8_t* in = q + pixel * cn + c;
    const int8_t* w = filter + t * cn + c;
#pragma GCC unroll 2
    for (int r = 0; r < R; ++r) {
      const __m256i x = _mm256_sub_epi16(
          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * r))), vzp);
      const __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 16 * r)));
      const __m256i prod = _mm256_mullo_epi16(x, wv);
      acc[2 * r] = _mm256_add_epi32(acc[2 * r], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod)));
      acc[2 * r + 1] = _mm256_add_epi32(acc[2 * r + 1], _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1)));
    }
  });
}

// 8 outputs from 8 accumulators: hybrid_epilogue's two multiplies and one add in its order, then the clamp when
// there is one.
inline __m256 epilogue8(HybridEpilogue e, __m256i acc, __m256 s_in, const float* s_w, const float* bias, bool clamp,
                        __m256 lo, __m256 hi) {
  const __m256 a = _mm256_cvtepi32_ps(acc);
  const __m256 sw = _mm256_loadu_ps(s_w);
  const __m256 b = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
  __m256 v;
  switch (e) {
    case HybridEpilogue::scale_product: v = _mm256_add_ps(_mm256_mul_ps(a, _mm256_mul_ps(s_in, sw)), b); break;
    case HybridEpilogue::input_scale_first: v = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(a, s_in), sw), b); break;
    case HybridEpilogue::weight_scale_first: v = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(a, sw), s_in), b); break;
    default: {
      // An epilogue without a vector form here: hybrid_epilogue lane by lane.
      alignas(32) int32_t acc_lanes[8];
      alignas(32) float s_in_lanes[8], s_w_lanes[8], b_lanes[8], out_lanes[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(acc_lanes), acc);
      _mm256_store_ps(s_in_lanes, s_in);
      _mm256_store_ps(s_w_lanes, sw);
      _mm256_store_ps(b_lanes, b);
      for (int i = 0; i < 8; ++i)
        out_lanes[i] = hybrid_epilogue(e, acc_lanes[i], s_in_lanes[i], s_w_lanes[i], b_lanes[i]);
      v = _mm256_load_ps(out_lanes);
      break;
    }
  }
  // max_ps(lo, v) and min_ps(hi, v) return v when v is NaN, as std::max(v, lo) / std::min(v, hi) do.
  if (clamp) v = _mm256_min_ps(hi, _mm256_max_ps(lo, v));
  return v;
}

template <int R>
inline void channels(const DepthwiseConv2DParams& p, HybridEpilogue e, const int8_t* filter,
                     const float* weight_scales, const float* bias, const int8_t* q, int32_t zp, __m256 s_in,
                     int32_t b, int32_t oh, int32_t ow, int64_t c, bool clamp, __m256 lo, __m256 hi, float* out,
                     int32_t* acc_out) {
  __m256i acc[2 * R];
  accumulate<R>(p, filter, q, zp, b, oh, ow, c, acc);
#pragma GCC unroll 4
  for (int r = 0; r < 2 * R; ++r) {
    const int64_t cc = c + 8 * r;
    _mm256_storeu_ps(out + cc, epilogue8(e, acc[r], s_in, weight_scales + cc, bias ? bias + cc : nullptr, clamp, lo, hi));
    if (acc_out) _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc_out + cc), acc[r]);
  }
}

}  // namespace

void depthwise_conv2d_hybrid_row_avx2(const DepthwiseConv2DParams& p, HybridEpilogue epilogue,
                                      const PackedDepthwiseConv2DInt8Weights& w, const float* bias, const int8_t* q,
                                      int32_t zp, float s_in, float* output, int32_t b, int32_t oh,
                                      int32_t* acc_out) {
  const int8_t* filter = w.filter.data();
  const float* weight_scales = w.scales.data();
  const int64_t cn = p.in_c;
  const ActivationRange range = activation_range(p.activation);
  const bool clamp = p.activation == Activation::relu || p.activation == Activation::relu6 ||
                     p.activation == Activation::relu_n1_to_1;
  const __m256 lo = _mm256_set1_ps(range.lo), hi = _mm256_set1_ps(range.hi), vs_in = _mm256_set1_ps(s_in);
  for (int32_t ow = 0; ow < p.out_w; ++ow) {
    const int64_t pixel = (int64_t{b} * p.out_h + oh) * p.out_w + ow;
    float* out = output + pixel * cn;
    int32_t* acc_px = acc_out ? acc_out + pixel * cn : nullptr;
    int64_t c = 0;
    for (; c + 32 <= cn; c += 32)
      channels<2>(p, epilogue, filter, weight_scales, bias, q, zp, vs_in, b, oh, ow, c, clamp, lo, hi, out, acc_px);
    for (; c + 16 <= cn; c += 16)
      channels<1>(p, epilogue, filter, weight_scales, bias, q, zp, vs_in, b, oh, ow, c, clamp, lo, hi, out, acc_px);
    if (c < cn) {
      // Channel tail: the same sums one lane at a time.
      const auto tail = static_cast<int32_t>(cn - c);
      int32_t acc[16] = {};
      for_each_in_image_tap(p, b, oh, ow, [&](int64_t t, int64_t pixel) {
        const int8_t* in = q + pixel * cn + c;
        const int8_t* f = filter + t * cn + c;
        for (int32_t j = 0; j < tail; ++j) acc[j] += int32_t{f[j]} * (int32_t{in[j]} - zp);
      });
      hybrid_epilogue_row(epilogue, acc, tail, s_in, weight_scales + c, bias ? bias + c : nullptr, out + c);
      if (clamp) apply_activation(p.activation, out + c, tail);
      if (acc_px) std::copy(acc, acc + tail, acc_px + c);
    }
    if (!clamp) apply_activation(p.activation, out, cn);
  }
}

}  // namespace qgate::kernels::detail
