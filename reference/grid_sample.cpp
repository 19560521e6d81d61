#include "reference/grid_sample.h"

#include <algorithm>
#include <cmath>

namespace qgate::reference {

namespace {

using kernels::GridSampleMode;
using kernels::GridSamplePadding;

// Folds u into [lo, hi] one reflection at a time.
double fold(double u, double lo, double hi) {
  if (hi <= lo) return 0;
  for (int guard = 0; guard < 1000 && (u < lo || u > hi); ++guard) u = u < lo ? 2 * lo - u : 2 * hi - u;
  return u;
}

double padded(double u, int64_t size, const kernels::GridSampleParams& p) {
  if (p.padding == GridSamplePadding::border) return std::clamp(u, 0.0, double(size - 1));
  if (p.padding == GridSamplePadding::reflection) {
    u = p.align_corners ? fold(u, 0, double(size - 1)) : fold(u, -0.5, size - 0.5);
    return std::clamp(u, 0.0, double(size - 1));
  }
  return u;
}

double keys(double d) {
  const double a = -0.75;
  d = std::fabs(d);
  if (d <= 1) return (a + 2) * d * d * d - (a + 3) * d * d + 1;
  if (d < 2) return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a;
  return 0;
}

}  // namespace

void grid_sample(const kernels::GridSampleParams& p, const float* x, const float* grid, float* y) {
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t c = 0; c < p.channels; ++c)
      for (int64_t oy = 0; oy < p.out_h; ++oy)
        for (int64_t ox = 0; ox < p.out_w; ++ox) {
          const float* g = grid + ((n * p.out_h + oy) * p.out_w + ox) * 2;
          const auto denorm = [&](double v, int64_t size) {
            return p.align_corners ? (v + 1) / 2 * (size - 1) : ((v + 1) * size - 1) / 2;
          };
          const double u = denorm(g[0], p.in_w), v = denorm(g[1], p.in_h);
          const auto pixel = [&](int64_t i, int64_t j) -> double {
            if (i < 0 || i >= p.in_w || j < 0 || j >= p.in_h) return 0;
            return x[((n * p.channels + c) * p.in_h + j) * p.in_w + i];
          };
          double out = 0;
          if (p.mode == GridSampleMode::bicubic) {
            const double fu = std::floor(u), fv = std::floor(v);
            for (int b = -1; b <= 2; ++b)
              for (int a = -1; a <= 2; ++a) {
                const double tu = padded(fu + a, p.in_w, p), tv = padded(fv + b, p.in_h, p);
                out += keys(u - (fu + a)) * keys(v - (fv + b)) * pixel(int64_t(tu), int64_t(tv));
              }
          } else {
            const double pu = padded(u, p.in_w, p), pv = padded(v, p.in_h, p);
            if (p.mode == GridSampleMode::nearest) {
              out = pixel(int64_t(std::nearbyint(pu)), int64_t(std::nearbyint(pv)));
            } else {
              const int64_t i = int64_t(std::floor(pu)), j = int64_t(std::floor(pv));
              for (int64_t jj = j; jj <= j + 1; ++jj)
                for (int64_t ii = i; ii <= i + 1; ++ii)
                  out += (1 - std::fabs(pu - ii)) * (1 - std::fabs(pv - jj)) * pixel(ii, jj);
            }
          }
          y[((n * p.channels + c) * p.out_h + oy) * p.out_w + ox] = static_cast<float>(out);
        }
}

}  // namespace qgate::reference
