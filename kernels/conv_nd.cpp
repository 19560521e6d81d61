#include "kernels/conv_nd.h"

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

int64_t volume(const std::array<int64_t, kMaxConvSpatial>& a) { return a[0] * a[1] * a[2]; }

}  // namespace

void conv_nd(const ConvNdParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t cin_g = p.in_channels / p.groups, cout_g = p.out_channels / p.groups;
  const int64_t in_vol = volume(p.in), out_vol = volume(p.out), k_vol = volume(p.kernel);
  // One (image, output channel) plane per task.
  parallel_for(p.batch * p.out_channels, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t n = t / p.out_channels, co = t % p.out_channels, g = co / cout_g;
      float* yp = y + t * out_vol;
      for (int64_t o0 = 0; o0 < p.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < p.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < p.out[2]; ++o2) {
            float acc = bias ? bias[co] : 0.0f;
            for (int64_t c = 0; c < cin_g; ++c) {
              const float* xp = x + (n * p.in_channels + g * cin_g + c) * in_vol;
              const float* wp = w + (co * cin_g + c) * k_vol;
              for (int64_t k0 = 0; k0 < p.kernel[0]; ++k0) {
                const int64_t i0 = o0 * p.stride[0] - p.pad_begin[0] + k0 * p.dilation[0];
                if (i0 < 0 || i0 >= p.in[0]) continue;
                for (int64_t k1 = 0; k1 < p.kernel[1]; ++k1) {
                  const int64_t i1 = o1 * p.stride[1] - p.pad_begin[1] + k1 * p.dilation[1];
                  if (i1 < 0 || i1 >= p.in[1]) continue;
                  for (int64_t k2 = 0; k2 < p.kernel[2]; ++k2) {
                    const int64_t i2 = o2 * p.stride[2] - p.pad_begin[2] + k2 * p.dilation[2];
                    if (i2 < 0 || i2 >= p.in[2]) continue;
                    acc += xp[(i0 * p.in[1] + i1) * p.in[2] + i2] * wp[(k0 * p.kernel[1] + k1) * p.kernel[2] + k2];
                  }
                }
              }
            }
            yp[(o0 * p.out[1] + o1) * p.out[2] + o2] = acc;
          }
    }
  });
}

void conv_transpose_nd(const ConvNdParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t cin_g = p.in_channels / p.groups, cout_g = p.out_channels / p.groups;
  const int64_t in_vol = volume(p.in), out_vol = volume(p.out), k_vol = volume(p.kernel);
  // One (image, output channel) plane per task: it gathers from every input channel of its group, so tasks never
  // write the same element.
  parallel_for(p.batch * p.out_channels, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t n = t / p.out_channels, co = t % p.out_channels, g = co / cout_g;
      float* yp = y + t * out_vol;
      for (int64_t i = 0; i < out_vol; ++i) yp[i] = bias ? bias[co] : 0.0f;
      for (int64_t c = 0; c < cin_g; ++c) {
        const int64_t ci = g * cin_g + c;
        const float* xp = x + (n * p.in_channels + ci) * in_vol;
        const float* wp = w + (ci * cout_g + co % cout_g) * k_vol;
        for (int64_t i0 = 0; i0 < p.in[0]; ++i0)
          for (int64_t i1 = 0; i1 < p.in[1]; ++i1)
            for (int64_t i2 = 0; i2 < p.in[2]; ++i2) {
              const float v = xp[(i0 * p.in[1] + i1) * p.in[2] + i2];
              for (int64_t k0 = 0; k0 < p.kernel[0]; ++k0) {
                const int64_t o0 = i0 * p.stride[0] - p.pad_begin[0] + k0 * p.dilation[0];
                if (o0 < 0 || o0 >= p.out[0]) continue;
                for (int64_t k1 = 0; k1 < p.kernel[1]; ++k1) {
                  const int64_t o1 = i1 * p.stride[1] - p.pad_begin[1] + k1 * p.dilation[1];
                  if (o1 < 0 || o1 >= p.out[1]) continue;
                  for (int64_t k2 = 0; k2 < p.kernel[2]; ++k2) {
                    const int64_t o2 = i2 * p.stride[2] - p.pad_begin[2] + k2 * p.dilation[2];
                    if (o2 < 0 || o2 >= p.out[2]) continue;
                    yp[(o0 * p.out[1] + o1) * p.out[2] + o2] += v * wp[(k0 * p.kernel[1] + k1) * p.kernel[2] + k2];
                  }
                }
              }
            }
      }
    }
  });
}

}  // namespace qgate::kernels
