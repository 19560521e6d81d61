// Built without FMA contraction (no -mfma for this file): a * b + c rounds twice, as on WebAssembly SIMD.
#include "kernels/xnnpack_wasm.h"

#include <algorithm>
#include <bit>
#include <vector>

#include "kernels/activation.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

// Elements per task of the elementwise loops.
constexpr int64_t kGrain = 1 << 14;

float logistic_one(float x) {
  // The microkernel's constants, as hexadecimal floats.
  const float magic_bias = 0x1.8000FEp23f;
  const float minus_log2e = -0x1.715476p+0f;
  const float ln2_hi = 0x1.62E400p-1f;
  const float ln2_lo = 0x1.7F7D1Cp-20f;
  const float c5 = -0x1.0F9F9Cp-7f, c4 = 0x1.573A1Ap-5f, c3 = -0x1.555A80p-3f, c2 = 0x1.FFFDC6p-2f,
              c1 = -0x1.FFFFF6p-1f;
  const float denorm_cutoff = 0x1.5D589Ep+6f;
  const float z = std::fabs(x);
  float n = z * minus_log2e + magic_bias;
  // 2^n: the low bits of the biased n shifted into the exponent field.
  const float s = std::bit_cast<float>(std::bit_cast<uint32_t>(n) << 23);
  n = n - magic_bias;
  float t = n * ln2_hi + z;
  t = n * ln2_lo + t;
  float p = t * c5 + c4;
  p = t * p + c3;
  p = t * p + c2;
  p = t * p + c1;
  t = t * s;
  const float e = t * p + s;
  const float d = e + 1.0f;
  float f = e / d;
  if (z > denorm_cutoff) f = 0.0f;
  return std::signbit(x) ? f : 1.0f - f;
}

float hard_swish_one(float x) {
  float a = x * 0x1.555556p-3f + 0.5f;
  // wasm f32x4.max / min (IEEE maximum / minimum of non-NaN values).
  a = std::max(a, 0.0f);
  a = std::min(a, 1.0f);
  return a * x;
}

}  // namespace

void logistic_xnnpack_wasm(const float* in, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = logistic_one(in[i]);
  });
}

void hard_swish_xnnpack_wasm(const float* in, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = hard_swish_one(in[i]);
  });
}

void average_pool2d_xnnpack_wasm(const Pool2DParams& p, bool same_padding, const Nhwc& in_shape, const float* in,
                                 const Nhwc& out_shape, float* out) {
  const ActivationRange range = activation_range(p.activation);
  const int64_t C = in_shape.c;
  const int32_t taps = p.filter_h * p.filter_w;
  const float valid_scale = 1.0f / static_cast<float>(taps);
  const int64_t rows = int64_t{out_shape.n} * out_shape.h;
  parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    std::vector<const float*> tap(static_cast<size_t>(taps));
    std::vector<float> sum(static_cast<size_t>(C));
    for (int64_t r = r0; r < r1; ++r) {
      const int32_t b = static_cast<int32_t>(r / out_shape.h), oy = static_cast<int32_t>(r % out_shape.h);
      for (int32_t ox = 0; ox < out_shape.w; ++ox) {
        // Taps column by column; nullptr is a tap in the padding (XNNPACK's zero buffer).
        int32_t real = 0;
        size_t t = 0;
        for (int32_t kx = 0; kx < p.filter_w; ++kx)
          for (int32_t ky = 0; ky < p.filter_h; ++ky) {
            const int32_t iy = oy * p.stride_h - p.pad_top + ky, ix = ox * p.stride_w - p.pad_left + kx;
            const bool inside = iy >= 0 && iy < in_shape.h && ix >= 0 && ix < in_shape.w;
            tap[t++] = inside ? in + ((int64_t{b} * in_shape.h + iy) * in_shape.w + ix) * C : nullptr;
            real += inside;
          }
        const float scale = same_padding ? 1.0f / static_cast<float>(real) : valid_scale;
        float* o = out + ((int64_t{b} * out_shape.h + oy) * out_shape.w + ox) * C;
        std::fill(sum.begin(), sum.end(), 0.0f);
        for (int32_t first = 0; first < taps; first += 9) {
          const float* g[9];
          for (int k = 0; k < 9; ++k) g[k] = first + k < taps ? tap[static_cast<size_t>(first + k)] : nullptr;
          for (int64_t c = 0; c < C; ++c) {
            float x[9];
            for (int k = 0; k < 9; ++k) x[k] = g[k] ? g[k][c] : 0.0f;
            const float sum018 = (x[0] + x[1]) + x[8];
            const float sum2345 = (x[2] + x[3]) + (x[4] + x[5]);
            const float sum01678 = sum018 + (x[6] + x[7]);
            sum[static_cast<size_t>(c)] = sum[static_cast<size_t>(c)] + (sum2345 + sum01678);
          }
        }
        for (int64_t c = 0; c < C; ++c)
          o[c] = std::min(std::max(sum[static_cast<size_t>(c)] * scale, range.lo), range.hi);
      }
    }
  });
}

}  // namespace qgate::kernels
