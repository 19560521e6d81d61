#include "kernels/unary.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu_features.h"
#include "kernels/dequantize.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {
// Splitting below this many elements costs more than it saves.
constexpr int64_t kParallelGrain = 32 * 1024;

// log(1 + exp(x)) without overflow for large x or a lost log1p for very negative x.
float softplus(float x) { return std::max(x, 0.0f) + std::log1p(std::exp(-std::fabs(x))); }

// The ONNX math ops, one element at a time in float.
float onnx_math(UnaryOp op, const UnaryParams& p, float x) {
  switch (op) {
    case UnaryOp::floor: return std::floor(x);
    case UnaryOp::ceil: return std::ceil(x);
    case UnaryOp::round: return std::nearbyint(x);  // the default rounding mode: ties to even
    case UnaryOp::sign: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x;  // keeps 0, -0 and NaN
    case UnaryOp::sin: return std::sin(x);
    case UnaryOp::cos: return std::cos(x);
    case UnaryOp::tan: return std::tan(x);
    case UnaryOp::asin: return std::asin(x);
    case UnaryOp::acos: return std::acos(x);
    case UnaryOp::atan: return std::atan(x);
    case UnaryOp::sinh: return std::sinh(x);
    case UnaryOp::cosh: return std::cosh(x);
    case UnaryOp::asinh: return std::asinh(x);
    case UnaryOp::acosh: return std::acosh(x);
    case UnaryOp::atanh: return std::atanh(x);
    case UnaryOp::erf: return std::erf(x);
    case UnaryOp::reciprocal: return 1.0f / x;
    case UnaryOp::softplus: return softplus(x);
    case UnaryOp::softsign: return x / (1.0f + std::fabs(x));
    case UnaryOp::selu: return x > 0.0f ? p.beta * x : p.beta * (p.alpha * std::expm1(x));
    case UnaryOp::celu: return std::max(x, 0.0f) + std::min(0.0f, p.alpha * std::expm1(x / p.alpha));
    case UnaryOp::thresholded_relu: return x > p.alpha ? x : 0.0f;
    case UnaryOp::shrink: return x < -p.alpha ? x + p.beta : x > p.alpha ? x - p.beta : 0.0f;
    case UnaryOp::mish: return x * std::tanh(softplus(x));
    case UnaryOp::round_to_float16: return half_to_float(float_to_half(x));
    default: return x;  // the TFLite ops have their own loops
  }
}

}  // namespace

namespace detail {

void unary_row_portable(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n) {
  switch (op) {
    case UnaryOp::relu:
      for (int64_t i = 0; i < n; ++i) out[i] = std::max(in[i], 0.0f);
      break;
    case UnaryOp::relu6:
      for (int64_t i = 0; i < n; ++i) out[i] = std::min(std::max(in[i], 0.0f), 6.0f);
      break;
    case UnaryOp::relu_n1_to_1:
      for (int64_t i = 0; i < n; ++i) out[i] = std::min(std::max(in[i], -1.0f), 1.0f);
      break;
    case UnaryOp::relu_0_to_1:
      for (int64_t i = 0; i < n; ++i) out[i] = std::min(std::max(in[i], 0.0f), 1.0f);
      break;
    case UnaryOp::leaky_relu:
      for (int64_t i = 0; i < n; ++i) out[i] = in[i] >= 0.0f ? in[i] : in[i] * p.alpha;
      break;
    case UnaryOp::logistic:
      for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / (1.0f + std::exp(-in[i]));
      break;
    case UnaryOp::tanh:
      for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
      break;
    case UnaryOp::hard_swish:
      for (int64_t i = 0; i < n; ++i) out[i] = in[i] * std::min(std::max(in[i] + 3.0f, 0.0f), 6.0f) / 6.0f;
      break;
    case UnaryOp::elu:
      for (int64_t i = 0; i < n; ++i) out[i] = in[i] < 0.0f ? p.alpha * std::expm1(in[i]) : in[i];
      break;
    case UnaryOp::gelu:
      if (p.approximate) {
        constexpr float kSqrt2OverPi = 0.7978845608028654f;
        for (int64_t i = 0; i < n; ++i) {
          const float x = in[i];
          out[i] = 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
        }
      } else {
        constexpr float kSqrtHalf = 0.7071067811865476f;
        for (int64_t i = 0; i < n; ++i) out[i] = 0.5f * in[i] * (1.0f + std::erf(in[i] * kSqrtHalf));
      }
      break;
    case UnaryOp::exp:
      for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
      break;
    case UnaryOp::log:
      for (int64_t i = 0; i < n; ++i) out[i] = std::log(in[i]);
      break;
    case UnaryOp::sqrt:
      for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(in[i]);
      break;
    case UnaryOp::rsqrt:
      for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / std::sqrt(in[i]);
      break;
    case UnaryOp::abs:
      for (int64_t i = 0; i < n; ++i) out[i] = std::fabs(in[i]);
      break;
    case UnaryOp::neg:
      for (int64_t i = 0; i < n; ++i) out[i] = -in[i];
      break;
    case UnaryOp::square:
      for (int64_t i = 0; i < n; ++i) out[i] = in[i] * in[i];
      break;
    default:
      for (int64_t i = 0; i < n; ++i) out[i] = onnx_math(op, p, in[i]);
      break;
  }
}

}  // namespace detail

void unary_float(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n, SimdPath path) {
  const auto row = resolve_path(path) == SimdPath::avx2 ? detail::unary_row_avx2 : detail::unary_row_portable;
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) { row(op, p, in + b, out + b, e - b); });
}

}  // namespace qgate::kernels
