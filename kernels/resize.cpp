#include "kernels/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

float resize_scale(int32_t in, int32_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

BilinearTap bilinear_tap(int32_t o, float scale, bool half_pixel_centers, int32_t in) {
  BilinearTap t;
  t.v = half_pixel_centers ? (static_cast<float>(o) + 0.5f) * scale - 0.5f : static_cast<float>(o) * scale;
  t.lo = std::max(static_cast<int32_t>(std::floor(t.v)), 0);
  t.hi = std::min(static_cast<int32_t>(std::ceil(t.v)), in - 1);
  return t;
}

int32_t nearest_source(int32_t o, int32_t in, int32_t out, bool align_corners, bool half_pixel_centers) {
  const float scale = resize_scale(in, out, align_corners);
  const float offset = half_pixel_centers ? 0.5f : 0.0f;
  const float v = (static_cast<float>(o) + offset) * scale;
  int32_t s = std::min(align_corners ? static_cast<int32_t>(std::round(v)) : static_cast<int32_t>(std::floor(v)),
                       in - 1);
  if (half_pixel_centers) s = std::max(0, s);
  return s;
}

namespace {

void bilinear_pixel_scalar(float* out, const float* a, const float* b, const float* c, const float* d, int64_t n,
                           float wy0, float dy, float wx0, float dx) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * wy0 * wx0 + b[i] * dy * wx0 + c[i] * wy0 * dx + d[i] * dy * dx;
}

int64_t row_grain(int64_t row_elems) { return std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, row_elems)); }

}  // namespace

void resize_bilinear(const ResizeParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape, float* out,
                     SimdPath path) {
  auto pixel = resolve_path(path) == SimdPath::avx2 ? detail::bilinear_pixel_avx2 : bilinear_pixel_scalar;
  const float sy = resize_scale(in_shape.h, out_shape.h, p.align_corners);
  const float sx = resize_scale(in_shape.w, out_shape.w, p.align_corners);
  const int64_t C = in_shape.c;
  const int64_t rows = int64_t{out_shape.n} * out_shape.h;
  parallel_for(rows, row_grain(int64_t{out_shape.w} * C * 4), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / out_shape.h;
      const BilinearTap ty = bilinear_tap(static_cast<int32_t>(r % out_shape.h), sy, p.half_pixel_centers, in_shape.h);
      const float dy = ty.v - static_cast<float>(ty.lo), wy0 = 1.0f - dy;
      const float* row0 = in + (b * in_shape.h + ty.lo) * in_shape.w * C;
      const float* row1 = in + (b * in_shape.h + ty.hi) * in_shape.w * C;
      float* o = out + r * out_shape.w * C;
      for (int32_t x = 0; x < out_shape.w; ++x, o += C) {
        const BilinearTap tx = bilinear_tap(x, sx, p.half_pixel_centers, in_shape.w);
        const float dx = tx.v - static_cast<float>(tx.lo), wx0 = 1.0f - dx;
        pixel(o, row0 + tx.lo * C, row1 + tx.lo * C, row0 + tx.hi * C, row1 + tx.hi * C, C, wy0, dy, wx0, dx);
      }
    }
  });
}

void resize_nearest_neighbor(const ResizeParams& p, const Nhwc& in_shape, const void* in, const Nhwc& out_shape,
                             void* out, size_t elem_size) {
  const size_t pixel_bytes = static_cast<size_t>(in_shape.c) * elem_size;
  const auto* src = static_cast<const std::byte*>(in);
  auto* dst = static_cast<std::byte*>(out);
  const int64_t rows = int64_t{out_shape.n} * out_shape.h;
  parallel_for(rows, row_grain(int64_t{out_shape.w} * in_shape.c), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / out_shape.h;
      const int32_t sy =
          nearest_source(static_cast<int32_t>(r % out_shape.h), in_shape.h, out_shape.h, p.align_corners,
                         p.half_pixel_centers);
      const std::byte* row = src + (b * in_shape.h + sy) * in_shape.w * pixel_bytes;
      std::byte* o = dst + r * out_shape.w * pixel_bytes;
      for (int32_t x = 0; x < out_shape.w; ++x, o += pixel_bytes) {
        const int32_t sx = nearest_source(x, in_shape.w, out_shape.w, p.align_corners, p.half_pixel_centers);
        std::memcpy(o, row + sx * pixel_bytes, pixel_bytes);
      }
    }
  });
}

}  // namespace qgate::kernels
