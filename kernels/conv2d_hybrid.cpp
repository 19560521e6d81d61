#include "kernels/conv2d_hybrid.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

int64_t group_depth(const Conv2DParams& p) { return int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups); }

// The quantized image's rows are the GEMM's rows (K = in_c, contiguous) only for an ungrouped 1x1 stride-1
// convolution without padding.
bool multiplies_image_in_place(const Conv2DParams& p) {
  return p.groups == 1 && p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
         p.pad_top == 0 && p.pad_left == 0 && p.in_h == p.out_h && p.in_w == p.out_w;
}

// Output pixels per block: about 24 KiB of int8 patches, so that a block stays in L1 while the GEMM sweeps it
// once per 4 output channels; even, for the GEMM's 2-row microkernel.
int64_t block_rows(const Conv2DParams& p) {
  const int64_t k = std::max<int64_t>(1, group_depth(p));
  return std::clamp<int64_t>((24 * 1024) / k / 2 * 2, 8, 256);
}

// int8 patches of output pixels [m0, m0 + rows) for group g: row r, column (kh * kernel_w + kw) * cin_g + ic.
// A tap outside the image gets its image's padding value (the zero point).
void im2col_int8(const Conv2DParams& p, int g, const int8_t* q, const int32_t* pad_values, int64_t m0,
                 int64_t rows, int8_t* col) {
  const int32_t cin_g = p.in_c / p.groups;
  const int64_t k = group_depth(p);
  const int64_t pixels = int64_t{p.out_h} * p.out_w;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t m = m0 + r;
    const int64_t b = m / pixels;
    const int32_t oh = static_cast<int32_t>((m % pixels) / p.out_w);
    const int32_t ow = static_cast<int32_t>(m % p.out_w);
    const int pad = pad_values[b];
    int8_t* dst = col + r * k;
    for (int32_t kh = 0; kh < p.kernel_h; ++kh) {
      const int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
      for (int32_t kw = 0; kw < p.kernel_w; ++kw, dst += cin_g) {
        const int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
        if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w)
          std::memset(dst, pad, static_cast<size_t>(cin_g));
        else
          std::memcpy(dst, q + ((b * p.in_h + ih) * p.in_w + iw) * p.in_c + int64_t{g} * cin_g,
                      static_cast<size_t>(cin_g));
      }
    }
  }
}

}  // namespace

PackedConv2DInt8Weights pack_conv2d_int8_weights(const Conv2DParams& p, const int8_t* filter, const float* scales,
                                                 int32_t scale_count) {
  PackedConv2DInt8Weights w;
  const int64_t k = group_depth(p);
  const int32_t cout_g = p.out_c / p.groups;
  w.scales.resize(static_cast<size_t>(p.out_c));
  for (int32_t n = 0; n < p.out_c; ++n) w.scales[static_cast<size_t>(n)] = scales[scale_count > 1 ? n : 0];
  for (int g = 0; g < p.groups; ++g)
    w.groups.push_back(pack_int8_weights(filter + g * cout_g * k, cout_g, static_cast<int32_t>(k),
                                         w.scales.data() + g * cout_g, cout_g));
  return w;
}

void Conv2DHybridScratch::reserve(const Conv2DParams& p, int slot_count) {
  slots = std::max(1, slot_count);
  const int64_t rows = block_rows(p);
  q.resize(static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.in_c));
  input_scales.resize(static_cast<size_t>(p.batch));
  zero_points.resize(static_cast<size_t>(p.batch));
  col.resize(multiplies_image_in_place(p) ? 0 : static_cast<size_t>(slots * rows * group_depth(p)));
  row_zero_points.resize(static_cast<size_t>(slots * rows));
  acc.resize(static_cast<size_t>(slots * rows * (p.out_c / p.groups)));
}

void conv2d_hybrid(const Conv2DParams& p, const HybridParams& h, const PackedConv2DInt8Weights& w,
                   const float* input, const float* bias, float* output, Conv2DHybridScratch& s, int32_t* acc_out,
                   SimdPath path) {
  const int64_t pixels = int64_t{p.out_h} * p.out_w;
  const int64_t m = int64_t{p.batch} * pixels;
  if (m <= 0 || p.out_c <= 0) return;
  const int64_t k = group_depth(p);
  const int64_t rows_per_block = block_rows(p);
  assert(s.slots >= 1 && s.acc.size() >= static_cast<size_t>(s.slots * rows_per_block * (p.out_c / p.groups)));
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  if (hybrid_output_is_bias(h, input, p.batch * image)) {
    fill_bias_rows(bias, m, p.out_c, output);
    apply_activation(p.activation, output, m * p.out_c);
    if (acc_out) std::fill(acc_out, acc_out + m * p.out_c, 0);
    return;
  }
  assert(h.product == Int8ProductArithmetic::exact);
  const SimdPath resolved = resolve_path(path);
  const bool asymmetric = hybrid_input_has_zero_points(h.input_quantization);

  // Quantize each image once, never the im2col matrix (docs/performance.md#what-bounds-them).
  quantize_hybrid_input(h.input_quantization, input, p.batch, image, s.q.data(), s.input_scales.data(),
                        s.zero_points.data(), resolved);

  const bool in_place = multiplies_image_in_place(p);
  const int32_t cout_g = p.out_c / p.groups;
  const int64_t blocks = (m + rows_per_block - 1) / rows_per_block;
  const int64_t slots = s.slots;
  parallel_for(slots, 1, [&](int64_t sb, int64_t se) {
    for (int64_t slot = sb; slot < se; ++slot) {
      int8_t* col = in_place ? nullptr : s.col.data() + slot * rows_per_block * k;
      int32_t* zp_rows = s.row_zero_points.data() + slot * rows_per_block;
      int32_t* acc = s.acc.data() + slot * rows_per_block * cout_g;
      for (int64_t blk = slot * blocks / slots; blk < (slot + 1) * blocks / slots; ++blk) {
        const int64_t m0 = blk * rows_per_block;
        const auto rows = static_cast<int32_t>(std::min(rows_per_block, m - m0));
        // A block may span two images: the GEMM takes one zero point per row.
        for (int32_t r = 0; r < rows; ++r) zp_rows[r] = s.zero_points[static_cast<size_t>((m0 + r) / pixels)];
        for (int g = 0; g < p.groups; ++g) {
          const int8_t* a = s.q.data() + m0 * p.in_c;
          if (!in_place) {
            im2col_int8(p, g, s.q.data(), s.zero_points.data(), m0, rows, col);
            a = col;
          }
          const PackedInt8Weights& pw = w.groups[static_cast<size_t>(g)];
          const int64_t nblocks = (pw.n + 3) / 4;
          const int32_t* zp = asymmetric ? zp_rows : nullptr;
          detail::hybrid_gemm_blocks(resolved, Int8ProductArithmetic::exact, pw, a, zp, rows, acc, 0, nblocks);

          for (int32_t r = 0; r < rows; ++r) {
            const int64_t mr = m0 + r;
            const float s_in = s.input_scales[static_cast<size_t>(mr / pixels)];
            const int32_t* acc_row = acc + int64_t{r} * cout_g;
            float* out = output + mr * p.out_c + int64_t{g} * cout_g;
            const float* sw = w.scales.data() + int64_t{g} * cout_g;
            const float* bg = bias ? bias + int64_t{g} * cout_g : nullptr;
            hybrid_epilogue_row(h.epilogue, acc_row, cout_g, s_in, sw, bg, out);
            apply_activation(p.activation, out, cout_g);
            if (acc_out)
              std::memcpy(acc_out + mr * p.out_c + int64_t{g} * cout_g, acc_row,
                          sizeof(int32_t) * static_cast<size_t>(cout_g));
          }
        }
      }
    }
  });
}

}  // namespace qgate::kernels
