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
  elu,         // x < 0 ? expm1(x) : x
  gelu,        // approximate ? 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) : 0.5 x (1 + erf(x / sqrt(2)))
  exp, log, sqrt, rsqrt, abs, neg, square,
};

struct UnaryParams {
  float alpha = 0.0f;        // leaky_relu
  bool approximate = false;  // gelu
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
