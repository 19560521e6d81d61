#include "reference/unary.h"

#include <algorithm>
#include <cmath>

namespace qgate::reference {

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
      case UnaryOp::elu: v = x < 0.0f ? static_cast<float>(std::expm1(d)) : x; break;
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
    }
    out[i] = v;
  }
}

}  // namespace qgate::reference
