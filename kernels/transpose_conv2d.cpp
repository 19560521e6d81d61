#include "kernels/transpose_conv2d.h"

#include <algorithm>
#include <vector>

#include "kernels/parallel.h"

namespace qgate::kernels {

int32_t transpose_conv_pad_before(int32_t in, int32_t out, int32_t kernel, int32_t stride, bool same_padding) {
  if (!same_padding) return 0;
  return std::max((in - 1) * stride + kernel - out, 0) / 2;
}

PackedMatrix pack_transpose_conv2d_weights(const TransposeConv2DParams& p, const float* filter) {
  // Reorder OHWI to rows (kh, kw, oc) so the product's columns come out grouped by tap.
  const int64_t taps = int64_t{p.kernel_h} * p.kernel_w;
  std::vector<float> rows(static_cast<size_t>(taps * p.out_c * p.in_c));
  for (int64_t oc = 0; oc < p.out_c; ++oc)
    for (int64_t t = 0; t < taps; ++t)
      std::copy_n(filter + (oc * taps + t) * p.in_c, p.in_c, rows.data() + (t * p.out_c + oc) * p.in_c);
  return gemm_pack(rows.data(), taps * p.out_c, p.in_c, p.in_c, 1);
}

int64_t transpose_conv2d_scratch_size(const TransposeConv2DParams& p) {
  return int64_t{p.in_h} * p.in_w * p.kernel_h * p.kernel_w * p.out_c;
}

void transpose_conv2d_float(const TransposeConv2DParams& p, const PackedMatrix& w, const float* input,
                            const float* bias, float* output, float* scratch, SimdPath path) {
  const int64_t pixels = int64_t{p.in_h} * p.in_w;
  const int64_t cols = int64_t{p.kernel_h} * p.kernel_w * p.out_c;
  for (int32_t b = 0; b < p.batch; ++b) {
    const float* in = input + b * pixels * p.in_c;
    gemm_packed_parallel(pixels, in, p.in_c, w.view(), nullptr, Activation::none, scratch, cols,
                         FloatAccumulation::fma_bias_last, path);
    float* out_image = output + int64_t{b} * p.out_h * p.out_w * p.out_c;
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, int64_t{p.out_w} * p.out_c));
    parallel_for(p.out_h, grain, [&](int64_t oh0, int64_t oh1) {
      for (int64_t oh = oh0; oh < oh1; ++oh)
        for (int32_t ow = 0; ow < p.out_w; ++ow) {
          float* out = out_image + (oh * p.out_w + ow) * p.out_c;
          std::fill(out, out + p.out_c, 0.0f);
          for (int32_t kh = 0; kh < p.kernel_h; ++kh) {
            const int64_t y = oh + p.pad_top - kh;  // = ih * stride_h
            if (y < 0 || y % p.stride_h != 0 || y / p.stride_h >= p.in_h) continue;
            const int64_t ih = y / p.stride_h;
            for (int32_t kw = 0; kw < p.kernel_w; ++kw) {
              const int64_t x = ow + p.pad_left - kw;
              if (x < 0 || x % p.stride_w != 0 || x / p.stride_w >= p.in_w) continue;
              const int64_t iw = x / p.stride_w;
              const float* contrib = scratch + (ih * p.in_w + iw) * cols + (int64_t{kh} * p.kernel_w + kw) * p.out_c;
              for (int32_t oc = 0; oc < p.out_c; ++oc) out[oc] += contrib[oc];
            }
          }
          for (int32_t oc = 0; oc < p.out_c; ++oc) {
            float v = out[oc];
            if (bias) v += bias[oc];
            out[oc] = apply_activation(p.activation, v);
          }
        }
    });
  }
}

}  // namespace qgate::kernels
