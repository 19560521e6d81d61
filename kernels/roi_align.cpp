#include "kernels/roi_align.h"

#include <algorithm>
#include <cmath>

namespace qgate::kernels {

namespace {

// The four corners of a bilinear sample at (yy, xx) and their weights; all zero when the point lies more than one
// pixel outside the map.
struct Sample {
  int64_t at[4] = {0, 0, 0, 0};
  float w[4] = {0, 0, 0, 0};
};

Sample bilinear(float yy, float xx, int64_t h, int64_t w) {
  Sample s;
  if (yy < -1.0f || yy > static_cast<float>(h) || xx < -1.0f || xx > static_cast<float>(w)) return s;
  yy = std::max(yy, 0.0f);
  xx = std::max(xx, 0.0f);
  int64_t y0 = static_cast<int64_t>(yy), x0 = static_cast<int64_t>(xx), y1, x1;
  if (y0 >= h - 1) {
    y0 = y1 = h - 1;
    yy = static_cast<float>(y0);
  } else {
    y1 = y0 + 1;
  }
  if (x0 >= w - 1) {
    x0 = x1 = w - 1;
    xx = static_cast<float>(x0);
  } else {
    x1 = x0 + 1;
  }
  const float ly = yy - static_cast<float>(y0), lx = xx - static_cast<float>(x0), hy = 1.0f - ly, hx = 1.0f - lx;
  s.at[0] = y0 * w + x0;
  s.at[1] = y0 * w + x1;
  s.at[2] = y1 * w + x0;
  s.at[3] = y1 * w + x1;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

}  // namespace

int64_t roi_align(const RoiAlignParams& p, int64_t batch, const float* x, const float* rois,
                  const int64_t* batch_index, float* y) {
  const float offset = p.half_pixel ? 0.5f : 0.0f;
  const int64_t plane = p.height * p.width, out_plane = p.out_h * p.out_w;
  int64_t bad = 0;
  for (int64_t r = 0; r < p.rois; ++r) {
    const float* roi = rois + r * 4;
    const float x1 = roi[0] * p.spatial_scale - offset, y1 = roi[1] * p.spatial_scale - offset;
    float rw = roi[2] * p.spatial_scale - offset - x1, rh = roi[3] * p.spatial_scale - offset - y1;
    if (!p.half_pixel) {
      rw = std::max(rw, 1.0f);
      rh = std::max(rh, 1.0f);
    }
    const float bin_h = rh / static_cast<float>(p.out_h), bin_w = rw / static_cast<float>(p.out_w);
    const int64_t grid_h = p.sampling_ratio > 0 ? p.sampling_ratio : static_cast<int64_t>(std::ceil(rh / static_cast<float>(p.out_h)));
    const int64_t grid_w = p.sampling_ratio > 0 ? p.sampling_ratio : static_cast<int64_t>(std::ceil(rw / static_cast<float>(p.out_w)));
    const float count = static_cast<float>(std::max<int64_t>(grid_h * grid_w, 1));
    const int64_t b = batch_index[r];
    for (int64_t c = 0; c < p.channels; ++c) {
      float* out = y + (r * p.channels + c) * out_plane;
      if (b < 0 || b >= batch) {
        std::fill(out, out + out_plane, 0.0f);
        continue;
      }
      const float* img = x + (b * p.channels + c) * plane;
      for (int64_t ph = 0; ph < p.out_h; ++ph)
        for (int64_t pw = 0; pw < p.out_w; ++pw) {
          float acc = 0.0f;
          bool first = true;
          for (int64_t iy = 0; iy < grid_h; ++iy) {
            const float yy = y1 + static_cast<float>(ph) * bin_h + (static_cast<float>(iy) + 0.5f) * bin_h / static_cast<float>(grid_h);
            for (int64_t ix = 0; ix < grid_w; ++ix) {
              const float xx = x1 + static_cast<float>(pw) * bin_w + (static_cast<float>(ix) + 0.5f) * bin_w / static_cast<float>(grid_w);
              const Sample s = bilinear(yy, xx, p.height, p.width);
              if (p.max) {
                for (int k = 0; k < 4; ++k) {
                  const float v = s.w[k] * img[s.at[k]];
                  acc = first ? v : std::max(acc, v);
                  first = false;
                }
              } else {
                for (int k = 0; k < 4; ++k) acc += s.w[k] * img[s.at[k]];
              }
            }
          }
          out[ph * p.out_w + pw] = p.max ? acc : acc / count;
        }
    }
    if (b < 0 || b >= batch) ++bad;
  }
  return bad;
}

}  // namespace qgate::kernels
