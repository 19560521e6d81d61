// ONNX's integer products with zero points (MatMulInteger, ConvInteger): exact int32 results of
// sum (a - a_zp) * (b - b_zp). Operands are 8-bit, each signed or unsigned. These are the general
// (unfused) forms: plain loops over one batch matrix or one image, used when an imported graph is not
// recognised as a hybrid fully connected layer (harness/onnx/import.cpp), and by the conformance suite.
//
// Thread safety: pure over their arguments.
#pragma once

#include <cstdint>

namespace qgate::kernels {

// An 8-bit operand: data plus whether its bytes are uint8 (else int8).
struct Int8Operand {
  const void* data = nullptr;
  bool is_unsigned = true;
  int32_t at(int64_t i) const {
    return is_unsigned ? int32_t{static_cast<const uint8_t*>(data)[i]} : int32_t{static_cast<const int8_t*>(data)[i]};
  }
};

// out[m][n] = sum_k (a[m][k] - a_zp[m or 0]) * (b[k][n] - b_zp[n or 0]); a_zp_count is 1 or m, b_zp_count 1 or n
// (a count 0 means a zero point of 0).
void matmul_integer(Int8Operand a, Int8Operand b, int64_t m, int64_t k, int64_t n, const int32_t* a_zp,
                    int64_t a_zp_count, const int32_t* b_zp, int64_t b_zp_count, int32_t* out);

struct ConvIntegerParams {
  int64_t batch = 1, in_channels = 1, in_h = 1, in_w = 1;
  int64_t out_channels = 1, kernel_h = 1, kernel_w = 1, group = 1;
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t out_h = 1, out_w = 1;
};

// NCHW input, weights [out_channels][in_channels / group][kh][kw]; padding taps read the input zero point (they
// contribute 0). w_zp has 1 or out_channels entries.
void conv_integer_nchw(const ConvIntegerParams& p, Int8Operand x, int32_t x_zp, Int8Operand w, const int32_t* w_zp,
                       int64_t w_zp_count, int32_t* out);

}  // namespace qgate::kernels
