#include "kernels/pool.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

PoolGeometry pool_geometry(int32_t in, int32_t filter, int32_t stride, int padding) {
  PoolGeometry g;
  g.out = padding == 0 ? (in + stride - 1) / stride : (in - filter + stride) / stride;
  g.pad = std::max(0, ((g.out - 1) * stride + filter - in) / 2);
  return g;
}

namespace {

// Rows per task so that each task moves a few hundred KB at least; small tensors run inline.
int64_t row_grain(int64_t row_work) { return std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, row_work)); }

void max_into_scalar(float* acc, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] = acc[i] < x[i] ? x[i] : acc[i];
}
void add_into_scalar(float* acc, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += x[i];
}
// x = clamp(divide ? x / d : x, lo, hi) with std::max/std::min's NaN behaviour (NaN passes through).
void scale_clamp_scalar(float* x, int64_t n, float d, float lo, float hi, bool divide) {
  for (int64_t i = 0; i < n; ++i) {
    float v = divide ? x[i] / d : x[i];
    x[i] = std::min(std::max(v, lo), hi);
  }
}

// Visits each output row (b, oy) and each output pixel's window, clipped to the image.
template <typename PixelFn>
void for_each_window(const Pool2DParams& p, const Nhwc& in, const Nhwc& out, PixelFn&& pixel) {
  const int64_t rows = int64_t{out.n} * out.h;
  parallel_for(rows, row_grain(int64_t{out.w} * out.c * p.filter_h * p.filter_w), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int32_t b = static_cast<int32_t>(r / out.h), oy = static_cast<int32_t>(r % out.h);
      const int32_t iy0 = oy * p.stride_h - p.pad_top;
      const int32_t fy0 = std::max(0, -iy0), fy1 = std::min(p.filter_h, in.h - iy0);
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t ix0 = ox * p.stride_w - p.pad_left;
        const int32_t fx0 = std::max(0, -ix0), fx1 = std::min(p.filter_w, in.w - ix0);
        pixel(b, oy, ox, iy0 + fy0, iy0 + fy1, ix0 + fx0, ix0 + fx1);
      }
    }
  });
}

// Max or average pooling: each output pixel starts at the neutral value, takes in every in-image pixel of its
// window (max, or sum), is divided by their count (average only) and clamped.
void pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape, float* out,
            bool average, SimdPath path) {
  const bool avx2 = resolve_path(path) == SimdPath::avx2;
  auto take_in = average ? (avx2 ? detail::add_into_avx2 : add_into_scalar)
                         : (avx2 ? detail::max_into_avx2 : max_into_scalar);
  auto scale_clamp = avx2 ? detail::scale_clamp_avx2 : scale_clamp_scalar;
  const float start = average ? 0.0f : std::numeric_limits<float>::lowest();
  const ActivationRange range = activation_range(p.activation);
  const int64_t C = in_shape.c;
  for_each_window(p, in_shape, out_shape, [&](int32_t b, int32_t oy, int32_t ox, int32_t y0, int32_t y1, int32_t x0,
                                              int32_t x1) {
    float* o = out + ((int64_t{b} * out_shape.h + oy) * out_shape.w + ox) * C;
    std::fill(o, o + C, start);
    for (int32_t y = y0; y < y1; ++y)
      for (int32_t x = x0; x < x1; ++x) take_in(o, in + ((int64_t{b} * in_shape.h + y) * in_shape.w + x) * C, C);
    const int32_t count = average ? std::max(0, y1 - y0) * std::max(0, x1 - x0) : 1;
    scale_clamp(o, C, static_cast<float>(count), range.lo, range.hi, average);
  });
}

}  // namespace

void max_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape, float* out,
                SimdPath path) {
  pool2d(p, in_shape, in, out_shape, out, false, path);
}

void average_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                    float* out, SimdPath path) {
  pool2d(p, in_shape, in, out_shape, out, true, path);
}

void max_pool2d_with_argmax(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                            float* out, float* indices_f32, int32_t* indices_i32) {
  const ActivationRange range = activation_range(p.activation);
  const int32_t C = in_shape.c;
  // The argmax needs a per-channel comparison with the winner's position, so this stays a scalar loop; it is a
  // rare op in small segmentation models.
  for_each_window(p, in_shape, out_shape, [&](int32_t b, int32_t oy, int32_t ox, int32_t y0, int32_t y1, int32_t x0,
                                              int32_t x1) {
    const int64_t o = ((int64_t{b} * out_shape.h + oy) * out_shape.w + ox) * C;
    const float* img = in + int64_t{b} * in_shape.h * in_shape.w * C;
    for (int32_t c = 0; c < C; ++c) {
      float m = std::numeric_limits<float>::lowest();
      int32_t arg = (y0 * in_shape.w + x0) * C + c;
      for (int32_t y = y0; y < y1; ++y)
        for (int32_t x = x0; x < x1; ++x) {
          const int32_t idx = (y * in_shape.w + x) * C + c;
          if (img[idx] > m) {
            m = img[idx];
            arg = idx;
          }
        }
      out[o + c] = std::min(std::max(m, range.lo), range.hi);
      if (indices_i32) indices_i32[o + c] = arg;
      else indices_f32[o + c] = static_cast<float>(arg);
    }
  });
}

void max_unpool2d(const Nhwc& in_shape, const float* in, const float* indices_f32, const int32_t* indices_i32,
                  const Nhwc& out_shape, float* out) {
  std::memset(out, 0, static_cast<size_t>(out_shape.elements()) * sizeof(float));
  const int64_t in_image = int64_t{in_shape.h} * in_shape.w * in_shape.c;
  const int64_t out_image = int64_t{out_shape.h} * out_shape.w * out_shape.c;
  // Serial within an image so the "later value wins" rule holds; images are independent.
  parallel_for(in_shape.n, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* o = out + b * out_image;
      for (int64_t i = b * in_image; i < (b + 1) * in_image; ++i) {
        const int64_t idx = indices_i32 ? int64_t{indices_i32[i]} : static_cast<int64_t>(indices_f32[i]);
        if (idx >= 0 && idx < out_image) o[idx] = in[i];
      }
    }
  });
}

}  // namespace qgate::kernels
