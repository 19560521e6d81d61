#include "kernels/pool_nd.h"

#include <cmath>
#include <limits>

#include "kernels/parallel.h"

namespace qgate::kernels {

void pool_nd(const PoolNdParams& p, const float* x, float* y, int64_t* indices) {
  const int64_t in_vol = p.in[0] * p.in[1] * p.in[2], out_vol = p.out[0] * p.out[1] * p.out[2];
  parallel_for(p.planes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      const float* xp = x + plane * in_vol;
      for (int64_t o0 = 0; o0 < p.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < p.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < p.out[2]; ++o2) {
            const int64_t o[3] = {o0, o1, o2};
            float best = -std::numeric_limits<float>::infinity();
            int64_t best_at = -1;
            float sum = 0.0f;
            int64_t inside = 0, padded = 1;
            // Taps inside the padded input per dim (for count_include_pad).
            for (int d = 0; d < kMaxPoolSpatial; ++d) {
              int64_t c = 0;
              for (int64_t k = 0; k < p.kernel[d]; ++k) {
                const int64_t i = o[d] * p.stride[d] - p.pad_begin[d] + k * p.dilation[d];
                c += i >= -p.pad_begin[d] && i < p.in[d] + p.pad_end[d];
              }
              padded *= c;
            }
            for (int64_t k0 = 0; k0 < p.kernel[0]; ++k0) {
              const int64_t i0 = o0 * p.stride[0] - p.pad_begin[0] + k0 * p.dilation[0];
              if (i0 < 0 || i0 >= p.in[0]) continue;
              for (int64_t k1 = 0; k1 < p.kernel[1]; ++k1) {
                const int64_t i1 = o1 * p.stride[1] - p.pad_begin[1] + k1 * p.dilation[1];
                if (i1 < 0 || i1 >= p.in[1]) continue;
                for (int64_t k2 = 0; k2 < p.kernel[2]; ++k2) {
                  const int64_t i2 = o2 * p.stride[2] - p.pad_begin[2] + k2 * p.dilation[2];
                  if (i2 < 0 || i2 >= p.in[2]) continue;
                  const int64_t at = (i0 * p.in[1] + i1) * p.in[2] + i2;
                  const float v = xp[at];
                  ++inside;
                  if (p.kind == PoolKind::max) {
                    if (best_at < 0 || v > best) {
                      best = v;
                      best_at = at;
                    }
                  } else if (p.kind == PoolKind::average) {
                    sum += v;
                  } else {
                    sum += std::pow(std::fabs(v), p.p);
                  }
                }
              }
            }
            const int64_t out_at = plane * out_vol + (o0 * p.out[1] + o1) * p.out[2] + o2;
            if (p.kind == PoolKind::max) {
              y[out_at] = best;
              if (indices) indices[out_at] = best_at < 0 ? -1 : plane * in_vol + best_at;
            } else if (p.kind == PoolKind::average) {
              const int64_t count = p.count_include_pad ? padded : inside;
              y[out_at] = count ? sum / static_cast<float>(count) : std::numeric_limits<float>::quiet_NaN();
            } else {
              y[out_at] = std::pow(sum, 1.0f / p.p);
            }
          }
    }
  });
}

int64_t max_unpool(const float* x, const int64_t* indices, int64_t count, float* y, int64_t out_elements) {
  for (int64_t i = 0; i < out_elements; ++i) y[i] = 0.0f;
  int64_t bad = 0;
  for (int64_t i = 0; i < count; ++i) {
    if (indices[i] < 0 || indices[i] >= out_elements) ++bad;
    else y[indices[i]] = x[i];
  }
  return bad;
}

}  // namespace qgate::kernels
