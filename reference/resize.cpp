#include "reference/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qgate::reference {

namespace {

float scale_of(int in, int out, bool align_corners) {
  return (align_corners && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                    : static_cast<float>(in) / static_cast<float>(out);
}

}  // namespace

void resize_bilinear(const kernels::ResizeParams& p, const kernels::Nhwc& in_shape, const float* in,
                     const kernels::Nhwc& out_shape, float* out) {
  const float sy = scale_of(in_shape.h, out_shape.h, p.align_corners);
  const float sx = scale_of(in_shape.w, out_shape.w, p.align_corners);
  auto at = [&](int b, int y, int x, int c) {
    return in[((int64_t{b} * in_shape.h + y) * in_shape.w + x) * in_shape.c + c];
  };
  for (int b = 0; b < out_shape.n; ++b)
    for (int y = 0; y < out_shape.h; ++y)
      for (int x = 0; x < out_shape.w; ++x)
        for (int c = 0; c < out_shape.c; ++c) {
          const float iy = p.half_pixel_centers ? (y + 0.5f) * sy - 0.5f : y * sy;
          const float ix = p.half_pixel_centers ? (x + 0.5f) * sx - 0.5f : x * sx;
          const int y0 = std::max(static_cast<int>(std::floor(iy)), 0);
          const int y1 = std::min(static_cast<int>(std::ceil(iy)), in_shape.h - 1);
          const int x0 = std::max(static_cast<int>(std::floor(ix)), 0);
          const int x1 = std::min(static_cast<int>(std::ceil(ix)), in_shape.w - 1);
          const float v = at(b, y0, x0, c) * (1 - (iy - y0)) * (1 - (ix - x0)) +
                          at(b, y1, x0, c) * (iy - y0) * (1 - (ix - x0)) +
                          at(b, y0, x1, c) * (1 - (iy - y0)) * (ix - x0) + at(b, y1, x1, c) * (iy - y0) * (ix - x0);
          out[((int64_t{b} * out_shape.h + y) * out_shape.w + x) * out_shape.c + c] = v;
        }
}

void resize_nearest_neighbor(const kernels::ResizeParams& p, const kernels::Nhwc& in_shape, const void* in,
                             const kernels::Nhwc& out_shape, void* out, size_t elem_size) {
  auto source = [&](int o, int in_size, int out_size) {
    const float scale = scale_of(in_size, out_size, p.align_corners);
    const float v = (o + (p.half_pixel_centers ? 0.5f : 0.0f)) * scale;
    int s = std::min(p.align_corners ? static_cast<int>(std::round(v)) : static_cast<int>(std::floor(v)), in_size - 1);
    return p.half_pixel_centers ? std::max(s, 0) : s;
  };
  for (int b = 0; b < out_shape.n; ++b)
    for (int y = 0; y < out_shape.h; ++y)
      for (int x = 0; x < out_shape.w; ++x)
        for (int c = 0; c < out_shape.c; ++c) {
          const int sy = source(y, in_shape.h, out_shape.h), sx = source(x, in_shape.w, out_shape.w);
          std::memcpy(static_cast<std::byte*>(out) +
                          (((int64_t{b} * out_shape.h + y) * out_shape.w + x) * out_shape.c + c) * elem_size,
                      static_cast<const std::byte*>(in) +
                          (((int64_t{b} * in_shape.h + sy) * in_shape.w + sx) * in_shape.c + c) * elem_size,
                      elem_size);
        }
}

}  // namespace qgate::reference
