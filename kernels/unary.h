// Elementwise unary float ops (TFLite RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU, LOGISTIC, TANH,
// HARD_SWISH, ELU, GELU, EXP, LOG, SQRT, RSQRT, ABS, NEG, SQUARE). PRELU has a broadcast second input and lives
// in kernels/binary.h.
//
// Accuracy contract: the clamps, abs, neg, square, sqrt, rsqrt (1 / sqrt), leaky_relu and hard_swish are the
// same IEEE operations on every path, so results are identical. exp, logistic and tanh on the AVX2 path use a
// vector exp (Cody-Waite reduction, degree-7 polynomial) and are within a few ulp of the float std:: functions
// (see tests/kernels/unary_test.cpp for the bounds); the portable path calls the std:: functions.
#pragma once

#include <cstdint>

#include "kernels/cpu_features.h"

namespace qgate::kernels {

enum class UnaryOp : uint8_t {
  relu, relu6, relu_n1_to_1, relu_0_to_1,
  leaky_relu,  // x >= 0 ? x : alpha * x
  logistic,    // 1 / (1 + exp(-x))
  tanh,
  hard_swish,  // x * min(max(x + 3, 0), 6) / 6
  elu,         // x < 0 ? alpha * expm1(x) : x (TFLite's ELU is alpha 1)
  gelu,        // approximate ? 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) : 0.5 x (1 + erf(x / sqrt(2)))
  exp, log, sqrt, rsqrt, abs, neg, square,
  // ONNX's elementwise math; the portable loops on every path (none is a hot op in exported models).
  floor, ceil,
  round,             // to the nearest integer, ties to even (ONNX Round)
  sign,              // -1, 0 or 1 (NaN stays NaN)
  sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, erf,
  reciprocal,        // 1 / x
  softplus,          // log(1 + exp(x)), as max(x, 0) + log1p(exp(-|x|)) so it neither overflows nor cancels
  softsign,          // x / (1 + |x|)
  selu,              // beta * (x > 0 ? x : alpha * (exp(x) - 1))      (alpha, gamma = beta)
  celu,              // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
  thresholded_relu,  // x > alpha ? x : 0
  shrink,            // x < -alpha ? x + beta : x > alpha ? x - beta : 0  (lambd = alpha, bias = beta)
  mish,              // x * tanh(softplus(x))
  round_to_float16,  // half_to_float(float_to_half(x)) (kernels/dequantize.h): the nearest float16 value
};

struct UnaryParams {
  float alpha = 0.0f;        // leaky_relu, elu, selu, celu, thresholded_relu, shrink
  bool approximate = false;  // gelu
  float beta = 0.0f;         // selu (gamma), shrink (bias)
};


// out[i] = op(in[i]) for i in [0, n). `out` may equal `in`. Large n is split across the thread pool.
void unary_float(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n,
                 SimdPath path = SimdPath::automatic);

namespace detail {
void unary_row_portable(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n);
void unary_row_avx2(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n);
// The vector exp behind the AVX2 exp / logistic / tanh, over n floats (for tests and softmax).
void exp_avx2(const float* in, float* out, int64_t n);
}  // namespace detail

}  // namespace qgate::kernels
