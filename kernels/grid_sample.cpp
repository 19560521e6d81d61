#include "kernels/grid_sample.h"

#include <algorithm>
#include <cmath>

namespace qgate::kernels {

namespace {

float unnormalize(float g, int64_t size, bool align_corners) {
  return align_corners ? (g + 1.0f) / 2.0f * static_cast<float>(size - 1)
                       : ((g + 1.0f) * static_cast<float>(size) - 1.0f) / 2.0f;
}

// Reflects u into [lo, hi] (as many times as it takes), lo < hi.
float reflect(float u, float lo, float hi) {
  const float span = hi - lo;
  if (span <= 0.0f) return 0.0f;
  const float d = std::fabs(u - lo);
  const float extra = std::fmod(d, span);
  const int flips = static_cast<int>(std::floor(d / span));
  return flips % 2 == 0 ? lo + extra : hi - extra;
}

// The padding rule applied to a coordinate along a dim of `size` pixels.
float pad_coordinate(float u, int64_t size, const GridSampleParams& p) {
  const float last = static_cast<float>(size - 1);
  if (p.padding == GridSamplePadding::border) return std::clamp(u, 0.0f, last);
  if (p.padding == GridSamplePadding::reflection) {
    u = p.align_corners ? reflect(u, 0.0f, last) : reflect(u, -0.5f, static_cast<float>(size) - 0.5f);
    return std::clamp(u, 0.0f, last);
  }
  return u;
}

float cubic(float t, int k) {
  // Keys' weights for the taps at offsets -1, 0, 1, 2 from floor(u), t = u - floor(u), a = -0.75.
  constexpr float a = -0.75f;
  const float d = std::fabs(t - static_cast<float>(k - 1));
  if (d <= 1.0f) return ((a + 2.0f) * d - (a + 3.0f)) * d * d + 1.0f;
  if (d < 2.0f) return ((a * d - 5.0f * a) * d + 8.0f * a) * d - 4.0f * a;
  return 0.0f;
}

}  // namespace

void grid_sample(const GridSampleParams& p, const float* x, const float* grid, float* y) {
  const int64_t plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t o = 0; o < out_plane; ++o) {
      const float* g = grid + (n * out_plane + o) * 2;
      float u = unnormalize(g[0], p.in_w, p.align_corners), v = unnormalize(g[1], p.in_h, p.align_corners);
      for (int64_t c = 0; c < p.channels; ++c) {
        const float* img = x + (n * p.channels + c) * plane;
        // A pixel, or 0 outside the image.
        const auto at = [&](int64_t i, int64_t j) { return i >= 0 && i < p.in_w && j >= 0 && j < p.in_h ? img[j * p.in_w + i] : 0.0f; };
        float out = 0.0f;
        if (p.mode == GridSampleMode::bicubic) {
          const float fu = std::floor(u), fv = std::floor(v);
          for (int b = 0; b < 4; ++b) {
            float row = 0.0f;
            for (int a = 0; a < 4; ++a) {
              const float tu = pad_coordinate(fu - 1.0f + static_cast<float>(a), p.in_w, p),
                          tv = pad_coordinate(fv - 1.0f + static_cast<float>(b), p.in_h, p);
              row += cubic(u - fu, a) * at(static_cast<int64_t>(tu), static_cast<int64_t>(tv));
            }
            out += cubic(v - fv, b) * row;
          }
        } else {
          const float pu = pad_coordinate(u, p.in_w, p), pv = pad_coordinate(v, p.in_h, p);
          if (p.mode == GridSampleMode::nearest) {
            out = at(static_cast<int64_t>(std::nearbyint(pu)), static_cast<int64_t>(std::nearbyint(pv)));
          } else {
            const float fu = std::floor(pu), fv = std::floor(pv);
            const int64_t i = static_cast<int64_t>(fu), j = static_cast<int64_t>(fv);
            const float du = pu - fu, dv = pv - fv;
            out = at(i, j) * (1 - du) * (1 - dv) + at(i + 1, j) * du * (1 - dv) + at(i, j + 1) * (1 - du) * dv +
                  at(i + 1, j + 1) * du * dv;
          }
        }
        y[(n * p.channels + c) * out_plane + o] = out;
      }
    }
}

}  // namespace qgate::kernels
