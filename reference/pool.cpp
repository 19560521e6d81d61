#include "reference/pool.h"

#include <algorithm>
#include <limits>

namespace qgate::reference {

namespace {

int64_t offset(const Nhwc& s, int64_t b, int64_t y, int64_t x, int64_t c) { return ((b * s.h + y) * s.w + x) * s.c + c; }

float clamp(float v, kernels::Activation a) {
  const kernels::ActivationRange r = kernels::activation_range(a);
  return std::min(std::max(v, r.lo), r.hi);
}

// Calls f(b, oy, ox, c, y, x) for every real input cell of every output element's window, then done(...).
template <typename Cell, typename Done>
void pool(const Pool2DParams& p, const Nhwc& in, const Nhwc& out, Cell cell, Done done) {
  for (int b = 0; b < out.n; ++b)
    for (int oy = 0; oy < out.h; ++oy)
      for (int ox = 0; ox < out.w; ++ox)
        for (int c = 0; c < out.c; ++c) {
          for (int fy = 0; fy < p.filter_h; ++fy)
            for (int fx = 0; fx < p.filter_w; ++fx) {
              const int y = oy * p.stride_h - p.pad_top + fy, x = ox * p.stride_w - p.pad_left + fx;
              if (y >= 0 && y < in.h && x >= 0 && x < in.w) cell(b, c, y, x);
            }
          done(offset(out, b, oy, ox, c));
        }
}

}  // namespace

void max_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape, float* out) {
  float m = std::numeric_limits<float>::lowest();
  pool(p, in_shape, out_shape, [&](int b, int c, int y, int x) { m = std::max(m, in[offset(in_shape, b, y, x, c)]); },
       [&](int64_t o) {
         out[o] = clamp(m, p.activation);
         m = std::numeric_limits<float>::lowest();
       });
}

void average_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                    float* out) {
  float total = 0.0f;
  int count = 0;
  pool(p, in_shape, out_shape,
       [&](int b, int c, int y, int x) {
         total += in[offset(in_shape, b, y, x, c)];
         ++count;
       },
       [&](int64_t o) {
         out[o] = clamp(total / static_cast<float>(count), p.activation);
         total = 0.0f;
         count = 0;
       });
}

void max_pool2d_with_argmax(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                            float* out, float* indices_f32, int32_t* indices_i32) {
  float m = std::numeric_limits<float>::lowest();
  int64_t arg = -1;
  pool(p, in_shape, out_shape,
       [&](int b, int c, int y, int x) {
         const int64_t idx = (int64_t{y} * in_shape.w + x) * in_shape.c + c;
         if (arg < 0) arg = idx;  // first real cell, in case no value beats lowest()
         if (in[offset(in_shape, b, y, x, c)] > m) {
           m = in[offset(in_shape, b, y, x, c)];
           arg = idx;
         }
       },
       [&](int64_t o) {
         out[o] = clamp(m, p.activation);
         if (indices_i32) indices_i32[o] = static_cast<int32_t>(arg);
         else indices_f32[o] = static_cast<float>(arg);
         m = std::numeric_limits<float>::lowest();
         arg = -1;
       });
}

void max_unpool2d(const Nhwc& in_shape, const float* in, const float* indices_f32, const int32_t* indices_i32,
                  const Nhwc& out_shape, float* out) {
  const int64_t out_image = int64_t{out_shape.h} * out_shape.w * out_shape.c;
  for (int64_t i = 0; i < out_shape.elements(); ++i) out[i] = 0.0f;
  for (int b = 0; b < in_shape.n; ++b)
    for (int y = 0; y < in_shape.h; ++y)
      for (int x = 0; x < in_shape.w; ++x)
        for (int c = 0; c < in_shape.c; ++c) {
          const int64_t i = offset(in_shape, b, y, x, c);
          const int64_t idx = indices_i32 ? int64_t{indices_i32[i]} : static_cast<int64_t>(indices_f32[i]);
          if (idx >= 0 && idx < out_image) out[b * out_image + idx] = in[i];
        }
}

}  // namespace qgate::reference
