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

void mean_rows_xnnpack_wasm(const float* in, int64_t outer, int64_t rows, int64_t inner, float* out) {
  const float scale = 1.0f / static_cast<float>(rows);
  for (int64_t o = 0; o < outer; ++o) {
    float* dst = out + o * inner;
    std::fill(dst, dst + inner, 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      const float* src = in + (o * rows + r) * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] += src[i];
    }
    for (int64_t i = 0; i < inner; ++i) dst[i] = 0.0f + dst[i] * scale;
  }
}

namespace {

// One axis of xnn_indirection_init_resize_bilinear2d_hwc_f32: the low source index, the high one and the weight.
struct BilinearAxis {
  int32_t lo = 0, hi = 0;
  float alpha = 0.0f;
};

std::vector<BilinearAxis> bilinear_axis(int32_t in, int32_t out, bool align_corners, bool half_pixel_centers) {
  const int32_t adjustment = align_corners && out != 1 ? 1 : 0;
  const float scale = static_cast<float>(in - adjustment) / static_cast<float>(out - adjustment);
  const float max_index = static_cast<float>(in - 1);
  const bool legacy = align_corners || !half_pixel_centers;
  const float offset = 0.5f * scale - 0.5f;
  std::vector<BilinearAxis> axis(static_cast<size_t>(out));
  for (int32_t o = 0; o < out; ++o) {
    float x = static_cast<float>(o) * scale;
    if (legacy) {
      x = std::min(x, max_index);
    } else {
      x = x + offset;
      x = std::min(std::max(x, 0.0f), max_index);
    }
    BilinearAxis& a = axis[static_cast<size_t>(o)];
    a.lo = static_cast<int32_t>(x);
    a.hi = std::min(a.lo + 1, in - 1);
    a.alpha = x - static_cast<float>(a.lo);
  }
  return axis;
}

}  // namespace

void resize_bilinear_xnnpack_wasm(bool align_corners, bool half_pixel_centers, const Nhwc& in_shape, const float* in,
                                  const Nhwc& out_shape, float* out) {
  const std::vector<BilinearAxis> ys = bilinear_axis(in_shape.h, out_shape.h, align_corners, half_pixel_centers);
  const std::vector<BilinearAxis> xs = bilinear_axis(in_shape.w, out_shape.w, align_corners, half_pixel_centers);
  const int64_t C = in_shape.c;
  const int64_t rows = int64_t{out_shape.n} * out_shape.h;
  parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / out_shape.h;
      const BilinearAxis& y = ys[static_cast<size_t>(r % out_shape.h)];
      const float* image = in + b * in_shape.h * in_shape.w * C;
      for (int32_t ox = 0; ox < out_shape.w; ++ox) {
        const BilinearAxis& x = xs[static_cast<size_t>(ox)];
        const float* tl = image + (int64_t{y.lo} * in_shape.w + x.lo) * C;
        const float* tr = image + (int64_t{y.lo} * in_shape.w + x.hi) * C;
        const float* bl = image + (int64_t{y.hi} * in_shape.w + x.lo) * C;
        const float* br = image + (int64_t{y.hi} * in_shape.w + x.hi) * C;
        float* o = out + (r * out_shape.w + ox) * C;
        for (int64_t c = 0; c < C; ++c) {
          const float top = (tr[c] - tl[c]) * x.alpha + tl[c];
          const float bottom = (br[c] - bl[c]) * x.alpha + bl[c];
          o[c] = (bottom - top) * y.alpha + top;
        }
      }
    }
  });
}

void transpose_conv2d_xnnpack_wasm(const TransposeConv2DParams& p, const float* filter, const float* input,
                                   const float* bias, float* output) {
  const bool narrow = p.out_c < 8;
  const int64_t rows = int64_t{p.batch} * p.out_h;
  parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int32_t b = static_cast<int32_t>(r / p.out_h), oy = static_cast<int32_t>(r % p.out_h);
      for (int32_t ox = 0; ox < p.out_w; ++ox) {
        float* o = output + (r * p.out_w + ox) * p.out_c;
        for (int32_t oc = 0; oc < p.out_c; ++oc) {
          float lane[4] = {bias ? bias[oc] : 0.0f, 0.0f, 0.0f, 0.0f};
          for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
            const int32_t ty = oy + p.pad_top - ky;
            if (ty < 0 || ty % p.stride_h != 0 || ty / p.stride_h >= p.in_h) continue;
            for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
              const int32_t tx = ox + p.pad_left - kx;
              if (tx < 0 || tx % p.stride_w != 0 || tx / p.stride_w >= p.in_w) continue;
              const float* x = input + ((int64_t{b} * p.in_h + ty / p.stride_h) * p.in_w + tx / p.stride_w) * p.in_c;
              const float* w = filter + ((int64_t{oc} * p.kernel_h + ky) * p.kernel_w + kx) * p.in_c;
              for (int32_t ic = 0; ic < p.in_c; ++ic) {
                const float product = x[ic] * w[ic];
                lane[narrow ? ic % 4 : 0] += product;
              }
            }
          }
          o[oc] = apply_activation(p.activation, narrow ? (lane[0] + lane[2]) + (lane[1] + lane[3]) : lane[0]);
        }
      }
    }
  });
}

}  // namespace qgate::kernels
