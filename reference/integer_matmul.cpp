#include "reference/integer_matmul.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace qgate::reference {

namespace {

int64_t byte_at(kernels::Int8Operand v, int64_t i) {
  if (v.is_unsigned) return static_cast<const uint8_t*>(v.data)[i];
  return static_cast<const int8_t*>(v.data)[i];
}

// A zero point array of `count` entries (0: none, 1: shared, else one per index).
int64_t zero_point(const int32_t* zp, int64_t count, int64_t index) {
  if (count == 0) return 0;
  return zp[count == 1 ? 0 : index];
}

int32_t checked_int32(int64_t v, const char* what) {
  if (v < INT32_MIN || v > INT32_MAX) {
    std::fprintf(stderr, "reference::%s: result %lld does not fit int32\n", what, static_cast<long long>(v));
    std::abort();
  }
  return static_cast<int32_t>(v);
}

}  // namespace

void matmul_integer(kernels::Int8Operand a, kernels::Int8Operand b, int64_t m, int64_t k, int64_t n,
                    const int32_t* a_zp, int64_t a_zp_count, const int32_t* b_zp, int64_t b_zp_count, int32_t* out) {
  // A' = A - a_zp (per row), B' = B - b_zp (per column), out = A' B'.
  std::vector<int64_t> a_centered(static_cast<size_t>(m * k)), b_centered(static_cast<size_t>(k * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t kk = 0; kk < k; ++kk)
      a_centered[static_cast<size_t>(i * k + kk)] = byte_at(a, i * k + kk) - zero_point(a_zp, a_zp_count, i);
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t j = 0; j < n; ++j)
      b_centered[static_cast<size_t>(kk * n + j)] = byte_at(b, kk * n + j) - zero_point(b_zp, b_zp_count, j);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t sum = 0;
      for (int64_t kk = 0; kk < k; ++kk)
        sum += a_centered[static_cast<size_t>(i * k + kk)] * b_centered[static_cast<size_t>(kk * n + j)];
      out[i * n + j] = checked_int32(sum, "matmul_integer");
    }
}

void conv_integer_nchw(const kernels::ConvIntegerParams& p, kernels::Int8Operand x, int32_t x_zp,
                       kernels::Int8Operand w, const int32_t* w_zp, int64_t w_zp_count, int32_t* out) {
  // The input padded on every side by as much as any output reaches, filled with x_zp (ONNX pads ConvInteger's
  // input with its zero point), then centered: padded taps become exactly 0.
  const int64_t reach_h = (p.out_h - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1;
  const int64_t reach_w = (p.out_w - 1) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
  const int64_t ph = p.pad_top + p.in_h + reach_h, pw = p.pad_left + p.in_w + reach_w;
  std::vector<int64_t> padded(static_cast<size_t>(p.batch * p.in_channels * ph * pw), 0);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t c = 0; c < p.in_channels; ++c)
      for (int64_t y = 0; y < ph; ++y)
        for (int64_t xx = 0; xx < pw; ++xx) {
          const int64_t iy = y - p.pad_top, ix = xx - p.pad_left;
          const bool inside = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
          const int64_t value = inside ? byte_at(x, ((b * p.in_channels + c) * p.in_h + iy) * p.in_w + ix) : x_zp;
          padded[static_cast<size_t>(((b * p.in_channels + c) * ph + y) * pw + xx)] = value - x_zp;
        }
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t oc = 0; oc < p.out_channels; ++oc)
      for (int64_t oy = 0; oy < p.out_h; ++oy)
        for (int64_t ox = 0; ox < p.out_w; ++ox) {
          const int64_t g = oc / cout_g;
          int64_t sum = 0;
          for (int64_t ic = 0; ic < cin_g; ++ic)
            for (int64_t ky = 0; ky < p.kernel_h; ++ky)
              for (int64_t kx = 0; kx < p.kernel_w; ++kx) {
                const int64_t y = oy * p.stride_h + ky * p.dilation_h, xx = ox * p.stride_w + kx * p.dilation_w;
                const int64_t c = g * cin_g + ic;
                const int64_t xv = padded[static_cast<size_t>(((b * p.in_channels + c) * ph + y) * pw + xx)];
                const int64_t wv = byte_at(w, ((oc * cin_g + ic) * p.kernel_h + ky) * p.kernel_w + kx) -
                                   zero_point(w_zp, w_zp_count, oc);
                sum += xv * wv;
              }
          out[((b * p.out_channels + oc) * p.out_h + oy) * p.out_w + ox] = checked_int32(sum, "conv_integer_nchw");
        }
}

}  // namespace qgate::reference
