#include "reference/roi_align.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qgate::reference {

void roi_align(const kernels::RoiAlignParams& p, int64_t batch, const float* x, const float* rois,
               const int64_t* batch_index, float* y) {
  const double off = p.half_pixel ? 0.5 : 0.0;
  for (int64_t r = 0; r < p.rois; ++r) {
    const double x1 = rois[r * 4] * double(p.spatial_scale) - off, y1 = rois[r * 4 + 1] * double(p.spatial_scale) - off;
    double rw = rois[r * 4 + 2] * double(p.spatial_scale) - off - x1, rh = rois[r * 4 + 3] * double(p.spatial_scale) - off - y1;
    if (!p.half_pixel) {
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    const int64_t gh = p.sampling_ratio > 0 ? p.sampling_ratio : int64_t(std::ceil(rh / p.out_h));
    const int64_t gw = p.sampling_ratio > 0 ? p.sampling_ratio : int64_t(std::ceil(rw / p.out_w));
    const int64_t b = batch_index[r];
    for (int64_t c = 0; c < p.channels; ++c)
      for (int64_t ph = 0; ph < p.out_h; ++ph)
        for (int64_t pw = 0; pw < p.out_w; ++pw) {
          std::vector<double> corners;  // weighted corner values of every sample
          for (int64_t iy = 0; iy < gh; ++iy)
            for (int64_t ix = 0; ix < gw; ++ix) {
              double yy = y1 + (ph + (iy + 0.5) / gh) * rh / p.out_h;
              double xx = x1 + (pw + (ix + 0.5) / gw) * rw / p.out_w;
              if (yy < -1 || yy > p.height || xx < -1 || xx > p.width || b < 0 || b >= batch) {
                for (int k = 0; k < 4; ++k) corners.push_back(0);
                continue;
              }
              yy = std::clamp(yy, 0.0, double(p.height - 1));
              xx = std::clamp(xx, 0.0, double(p.width - 1));
              const int64_t ylo = int64_t(std::floor(yy)), xlo = int64_t(std::floor(xx));
              const int64_t yhi = std::min(ylo + 1, p.height - 1), xhi = std::min(xlo + 1, p.width - 1);
              const double fy = yy - ylo, fx = xx - xlo;
              const auto v = [&](int64_t j, int64_t i) { return double(x[((b * p.channels + c) * p.height + j) * p.width + i]); };
              corners.push_back((1 - fy) * (1 - fx) * v(ylo, xlo));
              corners.push_back((1 - fy) * fx * v(ylo, xhi));
              corners.push_back(fy * (1 - fx) * v(yhi, xlo));
              corners.push_back(fy * fx * v(yhi, xhi));
            }
          double out = 0;
          if (p.max) {
            out = corners.empty() ? 0 : corners[0];
            for (double v : corners) out = std::max(out, v);
          } else {
            for (double v : corners) out += v;
            out /= double(std::max<int64_t>(gh * gw, 1));
          }
          y[((r * p.channels + c) * p.out_h + ph) * p.out_w + pw] = float(b < 0 || b >= batch ? 0 : out);
        }
  }
}

}  // namespace qgate::reference
