#include "kernels/resize_nd.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

float source_coordinate(const ResizeNdParams& p, int d, int64_t o) {
  const float in = static_cast<float>(p.in[d]), out = static_cast<float>(p.out[d]), s = p.scale[d];
  const float x = static_cast<float>(o);
  switch (p.transform) {
    case CoordinateTransform::half_pixel: return (x + 0.5f) / s - 0.5f;
    case CoordinateTransform::pytorch_half_pixel: return p.out[d] > 1 ? (x + 0.5f) / s - 0.5f : 0.0f;
    case CoordinateTransform::align_corners: return p.out[d] == 1 ? 0.0f : x * (in - 1) / (out - 1);
    case CoordinateTransform::asymmetric: return x / s;
    case CoordinateTransform::tf_half_pixel_for_nn: return (x + 0.5f) / s;
    case CoordinateTransform::tf_crop_and_resize: {
      const float a = p.roi_start[d], b = p.roi_end[d];
      return p.out[d] > 1 ? a * (in - 1) + x * (b - a) * (in - 1) / (out - 1) : 0.5f * (a + b) * (in - 1);
    }
  }
  return 0.0f;
}

int64_t nearest_index(NearestRounding r, float x) {
  switch (r) {
    case NearestRounding::round_prefer_floor: return static_cast<int64_t>(std::ceil(x - 0.5f));
    case NearestRounding::round_prefer_ceil: return static_cast<int64_t>(std::floor(x + 0.5f));
    case NearestRounding::floor: return static_cast<int64_t>(std::floor(x));
    case NearestRounding::ceil: return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

// Keys' cubic convolution weight of a tap at distance |t| (t in [0, 2)).
float cubic_weight(float t, float a) {
  t = std::fabs(t);
  if (t <= 1.0f) return ((a + 2.0f) * t - (a + 3.0f)) * t * t + 1.0f;
  if (t < 2.0f) return ((a * t - 5.0f * a) * t + 8.0f * a) * t - 4.0f * a;
  return 0.0f;
}

}  // namespace

void make_resize_taps(const ResizeNdParams& p, ResizeTaps* taps) {
  for (int d = 0; d < p.rank; ++d) {
    std::vector<ResizeTap>& v = (*taps)[d];
    v.assign(static_cast<size_t>(p.out[d]), ResizeTap{});
    const int64_t last = p.in[d] - 1;
    for (int64_t o = 0; o < p.out[d]; ++o) {
      ResizeTap& t = v[o];
      const float x = source_coordinate(p, d, o);
      if (p.transform == CoordinateTransform::tf_crop_and_resize && (x < 0.0f || x > static_cast<float>(last))) {
        t.outside = true;
        continue;
      }
      if (p.mode == ResizeMode::nearest) {
        t.n = 1;
        t.index[0] = std::clamp<int64_t>(nearest_index(p.rounding, x), 0, last);
        t.weight[0] = 1.0f;
      } else if (p.mode == ResizeMode::linear) {
        const float xc = std::clamp(x, 0.0f, static_cast<float>(last));
        const int64_t i0 = static_cast<int64_t>(std::floor(xc)), i1 = std::min(i0 + 1, last);
        const float f = xc - static_cast<float>(i0);
        t.n = 2;
        t.index = {i0, i1, 0, 0};
        t.weight = {1.0f - f, f, 0.0f, 0.0f};
      } else {
        const int64_t i0 = static_cast<int64_t>(std::floor(x));
        const float f = x - static_cast<float>(i0);
        float sum = 0.0f;
        t.n = 4;
        for (int k = 0; k < 4; ++k) {
          const int64_t i = i0 - 1 + k;
          float w = cubic_weight(f - static_cast<float>(k - 1), p.cubic_a);
          if (p.exclude_outside && (i < 0 || i > last)) w = 0.0f;
          t.index[k] = std::clamp<int64_t>(i, 0, last);
          t.weight[k] = w;
          sum += w;
        }
        if (p.exclude_outside && sum != 0.0f)
          for (float& w : t.weight) w /= sum;
      }
    }
  }
}

void resize_nd(const ResizeNdParams& p, const ResizeTaps& taps, const float* in, float* out) {
  std::array<int64_t, kMaxResizeRank> in_strides{};
  int64_t total = 1, step = 1;
  for (int d = p.rank - 1; d >= 0; --d) {
    in_strides[d] = step;
    step *= p.in[d];
    total *= p.out[d];
  }
  parallel_for(total, 4096, [&](int64_t begin, int64_t end) {
    std::array<int64_t, kMaxResizeRank> o{};
    int64_t rem = begin;
    for (int d = p.rank - 1; d >= 0; --d) {
      o[d] = rem % p.out[d];
      rem /= p.out[d];
    }
    for (int64_t e = begin; e < end; ++e) {
      const ResizeTap* t[kMaxResizeRank];
      bool outside = false;
      int64_t combos = 1;
      for (int d = 0; d < p.rank; ++d) {
        t[d] = &taps[d][o[d]];
        outside |= t[d]->outside;
        combos *= t[d]->n;
      }
      float acc = 0.0f;
      if (outside) {
        acc = p.extrapolation_value;
      } else {
        // Every combination of one tap per dim, the last dim fastest.
        for (int64_t c = 0; c < combos; ++c) {
          int64_t r = c, off = 0;
          float w = 1.0f;
          for (int d = p.rank - 1; d >= 0; --d) {
            const int k = static_cast<int>(r % t[d]->n);
            r /= t[d]->n;
            off += t[d]->index[k] * in_strides[d];
            w *= t[d]->weight[k];
          }
          acc += w * in[off];
        }
      }
      out[e] = acc;
      for (int d = p.rank - 1; d >= 0; --d) {
        if (++o[d] < p.out[d]) break;
        o[d] = 0;
      }
    }
  });
}

}  // namespace qgate::kernels
