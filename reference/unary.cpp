#include "reference/unary.h"

#include <algorithm>
#include <cmath>

namespace qgate::reference {

namespace {

// The float16 value nearest to x, found from the float16 grid itself: the exponent of x fixes the spacing of
// the halves around it (2^-24 below 2^-14), and of the two neighbours the nearer wins, the even one on a tie.
float round_to_half(float x) {
  if (std::isnan(x)) return x;
  const double a = std::fabs(static_cast<double>(x));
  if (a >= 65520.0) return std::copysign(INFINITY, x);
  int e;
  std::frexp(a, &e);                                   // a = m * 2^e, m in [0.5, 1)
  const double step = std::ldexp(1.0, std::max(e - 11, -24));
  const double lo = std::floor(a / step) * step, hi = lo + step;
  double r;
  if (a - lo < hi - a) r = lo;
  else if (hi - a < a - lo) r = hi;
  else r = std::fmod(lo / step, 2.0) == 0 ? lo : hi;   // a tie: the even multiple of the step
  return std::copysign(static_cast<float>(r), x);
}

}  // namespace

void unary_float(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = in[i];
    const double d = x;
    float v = 0;
    switch (op) {
      case UnaryOp::relu: v = x < 0.0f ? 0.0f : x; break;
      case UnaryOp::relu6: v = x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x); break;
      case UnaryOp::relu_n1_to_1: v = x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x); break;
      case UnaryOp::relu_0_to_1: v = x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); break;
      case UnaryOp::leaky_relu: v = x >= 0.0f ? x : x * p.alpha; break;
      case UnaryOp::logistic: v = static_cast<float>(1.0 / (1.0 + std::exp(-d))); break;
      case UnaryOp::tanh: v = static_cast<float>(std::tanh(d)); break;
      case UnaryOp::hard_swish: {
        float r6 = x + 3.0f;
        r6 = r6 < 0.0f ? 0.0f : (r6 > 6.0f ? 6.0f : r6);
        v = x * r6 / 6.0f;  // the float formula TFLite uses; kernels must match it exactly
        break;
      }
      case UnaryOp::elu: v = x < 0.0f ? static_cast<float>(p.alpha * std::expm1(d)) : x; break;
      case UnaryOp::gelu:
        v = p.approximate
                ? static_cast<float>(0.5 * d * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (d + 0.044715 * d * d * d))))
                : static_cast<float>(0.5 * d * (1.0 + std::erf(d / std::sqrt(2.0))));
        break;
      case UnaryOp::exp: v = static_cast<float>(std::exp(d)); break;
      case UnaryOp::log: v = static_cast<float>(std::log(d)); break;
      case UnaryOp::sqrt: v = std::sqrt(x); break;                // correctly rounded in float
      case UnaryOp::rsqrt: v = 1.0f / std::sqrt(x); break;
      case UnaryOp::abs: v = std::fabs(x); break;
      case UnaryOp::neg: v = -x; break;
      case UnaryOp::square: v = x * x; break;
      case UnaryOp::floor: v = static_cast<float>(std::floor(d)); break;
      case UnaryOp::ceil: v = static_cast<float>(std::ceil(d)); break;
      case UnaryOp::round: {
        // Ties to even, written out: the nearer integer, and of two equally near the even one.
        const double lo = std::floor(d), frac = d - lo;
        v = static_cast<float>(frac < 0.5 ? lo : frac > 0.5 ? lo + 1 : (std::fmod(lo, 2.0) == 0 ? lo : lo + 1));
        if (std::isinf(d) || std::isnan(d)) v = x;
        if (v == 0.0f) v = std::copysign(0.0f, x);
        break;
      }
      case UnaryOp::sign: v = std::isnan(x) ? x : x > 0 ? 1.0f : x < 0 ? -1.0f : x; break;
      case UnaryOp::sin: v = static_cast<float>(std::sin(d)); break;
      case UnaryOp::cos: v = static_cast<float>(std::cos(d)); break;
      case UnaryOp::tan: v = static_cast<float>(std::tan(d)); break;
      case UnaryOp::asin: v = static_cast<float>(std::asin(d)); break;
      case UnaryOp::acos: v = static_cast<float>(std::acos(d)); break;
      case UnaryOp::atan: v = static_cast<float>(std::atan(d)); break;
      case UnaryOp::sinh: v = static_cast<float>(std::sinh(d)); break;
      case UnaryOp::cosh: v = static_cast<float>(std::cosh(d)); break;
      case UnaryOp::asinh: v = static_cast<float>(std::asinh(d)); break;
      case UnaryOp::acosh: v = static_cast<float>(std::acosh(d)); break;
      case UnaryOp::atanh: v = static_cast<float>(std::atanh(d)); break;
      case UnaryOp::erf: v = static_cast<float>(std::erf(d)); break;
      case UnaryOp::reciprocal: v = 1.0f / x; break;
      case UnaryOp::softplus: v = static_cast<float>(std::log1p(std::exp(d))); break;  // exp(88.8) is finite in double
      case UnaryOp::softsign: v = static_cast<float>(d / (1.0 + std::fabs(d))); break;
      case UnaryOp::selu: v = static_cast<float>(p.beta * (d > 0 ? d : p.alpha * (std::exp(d) - 1.0))); break;
      case UnaryOp::celu:
        v = static_cast<float>(std::max(d, 0.0) + std::min(0.0, p.alpha * (std::exp(d / p.alpha) - 1.0)));
        break;
      case UnaryOp::thresholded_relu: v = x > p.alpha ? x : 0.0f; break;
      case UnaryOp::shrink: v = x < -p.alpha ? x + p.beta : (x > p.alpha ? x - p.beta : 0.0f); break;
      case UnaryOp::mish: v = static_cast<float>(d * std::tanh(std::log1p(std::exp(d)))); break;
      case UnaryOp::round_to_float16: v = round_to_half(x); break;
    }
    out[i] = v;
  }
}

}  // namespace qgate::reference
