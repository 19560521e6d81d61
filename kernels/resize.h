// Spatial resizing of NHWC tensors with TFLite's coordinate rules (reference_ops ResizeBilinear and
// ResizeNearestNeighbor), so the fast kernels equal TFLite's reference kernels bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/pool.h"  // Nhwc

namespace qgate::kernels {

struct ResizeParams {
  bool align_corners = false;
  bool half_pixel_centers = false;  // TFLite rejects both set; callers must too
};

// scale = in / out, or (in - 1) / (out - 1) with align_corners and out > 1, computed in float.
float resize_scale(int32_t in, int32_t out, bool align_corners);

// Source coordinate of output position `o` along one axis: v = (o + 0.5) * scale - 0.5 with half-pixel
// centres, else o * scale; lo = max(floor(v), 0), hi = min(ceil(v), in - 1).
struct BilinearTap {
  float v;
  int32_t lo, hi;
};
BilinearTap bilinear_tap(int32_t o, float scale, bool half_pixel_centers, int32_t in);

// out = in[y0,x0]*(1-dy)*(1-dx) + in[y1,x0]*dy*(1-dx) + in[y0,x1]*(1-dy)*dx + in[y1,x1]*dy*dx with
// dy = v_y - y0, dx = v_x - x0, evaluated left to right as TFLite does.
void resize_bilinear(const ResizeParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape, float* out,
                     SimdPath path = SimdPath::automatic);

// Source index along one axis: min(align_corners ? round((o + off) * scale) : floor((o + off) * scale), in - 1),
// off = 0.5 with half-pixel centres (then also clamped at 0). round() is half away from zero.
int32_t nearest_source(int32_t o, int32_t in, int32_t out, bool align_corners, bool half_pixel_centers);

// Copies whole pixels (c elements of elem_size bytes); works for every dtype.
void resize_nearest_neighbor(const ResizeParams& p, const Nhwc& in_shape, const void* in, const Nhwc& out_shape,
                             void* out, size_t elem_size);

namespace detail {
// One output pixel's channels; resize_avx2.cpp. Same operation order as the scalar loop (no FMA).
void bilinear_pixel_avx2(float* out, const float* a, const float* b, const float* c, const float* d, int64_t n,
                         float wy0, float dy, float wx0, float dx);
}  // namespace detail

}  // namespace qgate::kernels
