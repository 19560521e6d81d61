#include "kernels/conv2d.h"

#include <algorithm>
#include <cstring>

#include "kernels/parallel.h"

namespace qgate::kernels {

int32_t conv_output_size(int32_t in, int32_t kernel, int32_t stride, int32_t dilation, bool same_padding) {
  const int32_t effective = (kernel - 1) * dilation + 1;
  if (same_padding) return (in + stride - 1) / stride;
  const int32_t span = in - effective + 1;
  return span <= 0 ? 0 : (span + stride - 1) / stride;
}

int32_t conv_pad_before(int32_t in, int32_t out, int32_t kernel, int32_t stride, int32_t dilation,
                        bool same_padding) {
  if (!same_padding) return 0;
  const int32_t effective = (kernel - 1) * dilation + 1;
  return std::max((out - 1) * stride + effective - in, 0) / 2;
}

namespace {

bool is_pointwise(const Conv2DParams& p) {
  return p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 &&
         p.pad_left == 0 && p.in_h == p.out_h && p.in_w == p.out_w;
}

int64_t group_depth(const Conv2DParams& p) { return int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups); }

// Output pixels per im2col block: about 96 KiB of patches, a multiple of the 6-row GEMM tile.
int64_t block_rows(const Conv2DParams& p) {
  const int64_t k = std::max<int64_t>(1, group_depth(p));
  const int64_t rows = (96 * 1024 / 4) / k;
  return std::clamp<int64_t>(rows / 6 * 6, 6, 240);
}

// Patches of output pixels [m0, m0 + rows) for group g: row r, column (kh * kernel_w + kw) * cin_g + ic.
void im2col(const Conv2DParams& p, int g, const float* input, int64_t m0, int64_t rows, float* col) {
  const int32_t cin_g = p.in_c / p.groups;
  const int64_t k = group_depth(p);
  const size_t bytes = static_cast<size_t>(cin_g) * sizeof(float);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t m = m0 + r;
    const int32_t ow = static_cast<int32_t>(m % p.out_w);
    const int32_t oh = static_cast<int32_t>((m / p.out_w) % p.out_h);
    const int64_t b = m / (int64_t{p.out_w} * p.out_h);
    float* dst = col + r * k;
    for (int32_t kh = 0; kh < p.kernel_h; ++kh) {
      const int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
      for (int32_t kw = 0; kw < p.kernel_w; ++kw, dst += cin_g) {
        const int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
        if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) {
          std::memset(dst, 0, bytes);
        } else {
          std::memcpy(dst, input + ((b * p.in_h + ih) * p.in_w + iw) * p.in_c + int64_t{g} * cin_g, bytes);
        }
      }
    }
  }
}

}  // namespace

PackedConv2DWeights pack_conv2d_weights(const Conv2DParams& p, const float* filter) {
  PackedConv2DWeights w;
  const int64_t k = group_depth(p);
  const int64_t cout_g = p.out_c / p.groups;
  for (int g = 0; g < p.groups; ++g) w.groups.push_back(gemm_pack(filter + g * cout_g * k, cout_g, k, k, 1));
  return w;
}

int64_t conv2d_scratch_size(const Conv2DParams& p) { return is_pointwise(p) ? 0 : block_rows(p) * group_depth(p); }

void conv2d_float(const Conv2DParams& p, const PackedConv2DWeights& w, const float* input, const float* bias,
                  float* output, float* scratch, int scratch_slots, SimdPath path) {
  const int64_t m = int64_t{p.batch} * p.out_h * p.out_w;
  if (m <= 0 || p.out_c <= 0) return;
  const int32_t cin_g = p.in_c / p.groups;
  const int64_t cout_g = p.out_c / p.groups;
  const bool pointwise = is_pointwise(p);
  const int64_t rows_per_block = block_rows(p);
  const int64_t blocks = (m + rows_per_block - 1) / rows_per_block;
  const int64_t slots = std::max(1, scratch_slots);
  const int64_t per_slot = conv2d_scratch_size(p);

  parallel_for(slots, 1, [&](int64_t sb, int64_t se) {
    for (int64_t s = sb; s < se; ++s) {
      float* col = scratch + s * per_slot;
      for (int64_t blk = s * blocks / slots; blk < (s + 1) * blocks / slots; ++blk) {
        const int64_t m0 = blk * rows_per_block;
        const int64_t rows = std::min(rows_per_block, m - m0);
        for (int g = 0; g < p.groups; ++g) {
          const float* bias_g = bias ? bias + g * cout_g : nullptr;
          float* out = output + m0 * p.out_c + g * cout_g;
          const PackedView pw = w.groups[g].view();
          if (pointwise) {
            gemm_packed(rows, input + m0 * p.in_c + int64_t{g} * cin_g, p.in_c, pw, 0, gemm_panels(pw.n), bias_g,
                        p.activation, out, p.out_c, p.accumulation, 0, path);
          } else {
            im2col(p, g, input, m0, rows, col);
            gemm_packed(rows, col, pw.k, pw, 0, gemm_panels(pw.n), bias_g, p.activation, out, p.out_c,
                        p.accumulation, cin_g, path);
          }
        }
      }
    }
  });
}

}  // namespace qgate::kernels
