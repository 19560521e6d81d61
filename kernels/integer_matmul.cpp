#include "kernels/integer_matmul.h"

namespace qgate::kernels {

void matmul_integer(Int8Operand a, Int8Operand b, int64_t m, int64_t k, int64_t n, const int32_t* a_zp,
                    int64_t a_zp_count, const int32_t* b_zp, int64_t b_zp_count, int32_t* out) {
  for (int64_t i = 0; i < m; ++i) {
    const int32_t za = a_zp_count == 0 ? 0 : a_zp[a_zp_count == 1 ? 0 : i];
    for (int64_t j = 0; j < n; ++j) {
      const int32_t zb = b_zp_count == 0 ? 0 : b_zp[b_zp_count == 1 ? 0 : j];
      int32_t sum = 0;
      for (int64_t kk = 0; kk < k; ++kk) sum += (a.at(i * k + kk) - za) * (b.at(kk * n + j) - zb);
      out[i * n + j] = sum;
    }
  }
}

void conv_integer_nchw(const ConvIntegerParams& p, Int8Operand x, int32_t x_zp, Int8Operand w, const int32_t* w_zp,
                       int64_t w_zp_count, int32_t* out) {
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t oc = 0; oc < p.out_channels; ++oc) {
      const int64_t g = oc / cout_g;
      const int32_t zw = w_zp_count == 0 ? 0 : w_zp[w_zp_count == 1 ? 0 : oc];
      for (int64_t oy = 0; oy < p.out_h; ++oy)
        for (int64_t ox = 0; ox < p.out_w; ++ox) {
          int32_t sum = 0;
          for (int64_t ic = 0; ic < cin_g; ++ic)
            for (int64_t ky = 0; ky < p.kernel_h; ++ky)
              for (int64_t kx = 0; kx < p.kernel_w; ++kx) {
                const int64_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const int64_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;  // (x_zp - x_zp) * w = 0
                const int64_t c = g * cin_g + ic;
                const int32_t xv = x.at(((b * p.in_channels + c) * p.in_h + iy) * p.in_w + ix) - x_zp;
                const int32_t wv = w.at(((oc * cin_g + ic) * p.kernel_h + ky) * p.kernel_w + kx) - zw;
                sum += xv * wv;
              }
          out[((b * p.out_channels + oc) * p.out_h + oy) * p.out_w + ox] = sum;
        }
    }
}

}  // namespace qgate::kernels
