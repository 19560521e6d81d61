#include "reference/resize_nd.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qgate::reference {

namespace {

using kernels::CoordinateTransform;
using kernels::NearestRounding;
using kernels::ResizeMode;

double coordinate(const kernels::ResizeNdParams& p, int d, int64_t o) {
  const double in = p.in[d], out = p.out[d], s = p.scale[d], x = static_cast<double>(o);
  switch (p.transform) {
    case CoordinateTransform::half_pixel: return (x + 0.5) / s - 0.5;
    case CoordinateTransform::pytorch_half_pixel: return out > 1 ? (x + 0.5) / s - 0.5 : 0.0;
    case CoordinateTransform::align_corners: return out == 1 ? 0.0 : x * (in - 1) / (out - 1);
    case CoordinateTransform::asymmetric: return x / s;
    case CoordinateTransform::tf_half_pixel_for_nn: return (x + 0.5) / s;
    case CoordinateTransform::tf_crop_and_resize:
      return out > 1 ? p.roi_start[d] * (in - 1) + x * (p.roi_end[d] - p.roi_start[d]) * (in - 1) / (out - 1)
                     : 0.5 * (p.roi_start[d] + p.roi_end[d]) * (in - 1);
  }
  return 0;
}

// The coordinate in float: which index nearest picks for a coordinate on a rounding boundary (3.0 as 2.9999998 or
// 3.0000002) depends on the precision it is computed in; onnxruntime computes it in float, and so does the kernel.
float coordinate_float(const kernels::ResizeNdParams& p, int d, int64_t o) {
  const float in = static_cast<float>(p.in[d]), out = static_cast<float>(p.out[d]), s = p.scale[d];
  const float x = static_cast<float>(o);
  switch (p.transform) {
    case CoordinateTransform::half_pixel: return (x + 0.5f) / s - 0.5f;
    case CoordinateTransform::pytorch_half_pixel: return out > 1 ? (x + 0.5f) / s - 0.5f : 0.0f;
    case CoordinateTransform::align_corners: return out == 1 ? 0.0f : x * (in - 1) / (out - 1);
    case CoordinateTransform::asymmetric: return x / s;
    case CoordinateTransform::tf_half_pixel_for_nn: return (x + 0.5f) / s;
    case CoordinateTransform::tf_crop_and_resize:
      return out > 1 ? p.roi_start[d] * (in - 1) + x * (p.roi_end[d] - p.roi_start[d]) * (in - 1) / (out - 1)
                     : 0.5f * (p.roi_start[d] + p.roi_end[d]) * (in - 1);
  }
  return 0;
}

// The (index, weight) pairs of one dim for one output index.
std::vector<std::pair<int64_t, double>> dim_taps(const kernels::ResizeNdParams& p, int d, int64_t o, bool* outside) {
  const double x = p.mode == ResizeMode::nearest ? coordinate_float(p, d, o) : coordinate(p, d, o);
  const int64_t last = p.in[d] - 1;
  if (p.transform == CoordinateTransform::tf_crop_and_resize && (x < 0 || x > last)) *outside = true;
  std::vector<std::pair<int64_t, double>> t;
  if (p.mode == ResizeMode::nearest) {
    double r = 0;
    const double frac = x - std::floor(x);
    switch (p.rounding) {
      case NearestRounding::round_prefer_floor: r = frac <= 0.5 ? std::floor(x) : std::ceil(x); break;
      case NearestRounding::round_prefer_ceil: r = frac < 0.5 ? std::floor(x) : std::ceil(x); break;
      case NearestRounding::floor: r = std::floor(x); break;
      case NearestRounding::ceil: r = std::ceil(x); break;
    }
    t.push_back({std::clamp<int64_t>(static_cast<int64_t>(r), 0, last), 1.0});
  } else if (p.mode == ResizeMode::linear) {
    const double xc = std::clamp<double>(x, 0, last);
    const int64_t lo = static_cast<int64_t>(std::floor(xc));
    t.push_back({lo, 1 - (xc - lo)});
    t.push_back({std::min(lo + 1, last), xc - lo});
  } else {
    const double a = p.cubic_a;
    const int64_t base = static_cast<int64_t>(std::floor(x));
    double sum = 0;
    for (int64_t i = base - 1; i <= base + 2; ++i) {
      const double s = std::fabs(x - static_cast<double>(i));
      double w = s <= 1 ? (a + 2) * s * s * s - (a + 3) * s * s + 1
                        : (s < 2 ? a * s * s * s - 5 * a * s * s + 8 * a * s - 4 * a : 0.0);
      if (p.exclude_outside && (i < 0 || i > last)) w = 0;
      t.push_back({std::clamp<int64_t>(i, 0, last), w});
      sum += w;
    }
    if (p.exclude_outside)
      for (auto& [i, w] : t) w /= sum;
  }
  return t;
}

}  // namespace

void resize_nd(const kernels::ResizeNdParams& p, const float* in, float* out) {
  int64_t total = 1;
  for (int d = 0; d < p.rank; ++d) total *= p.out[d];
  for (int64_t e = 0; e < total; ++e) {
    std::vector<int64_t> o(p.rank);
    int64_t rem = e;
    for (int d = p.rank - 1; d >= 0; --d) {
      o[d] = rem % p.out[d];
      rem /= p.out[d];
    }
    bool outside = false;
    std::vector<std::vector<std::pair<int64_t, double>>> taps;
    for (int d = 0; d < p.rank; ++d) taps.push_back(dim_taps(p, d, o[d], &outside));
    if (outside) {
      out[e] = p.extrapolation_value;
      continue;
    }
    // Sum over every combination of taps: a product of one weight per dim.
    double acc = 0;
    std::vector<size_t> k(p.rank, 0);
    while (true) {
      double w = 1;
      int64_t off = 0;
      for (int d = 0; d < p.rank; ++d) {
        w *= taps[d][k[d]].second;
        off = off * p.in[d] + taps[d][k[d]].first;
      }
      acc += w * in[off];
      int d = p.rank - 1;
      while (d >= 0 && ++k[d] == taps[d].size()) k[d--] = 0;
      if (d < 0) break;
    }
    out[e] = static_cast<float>(acc);
  }
}

}  // namespace qgate::reference
