#include "kernels/unary.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {
// Splitting below this many elements costs more than it saves.
constexpr int64_t kParallelGrain = 32 * 1024;
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
      for (int64_t i = 0; i < n; ++i) out[i] = in[i] < 0.0f ? std::expm1(in[i]) : in[i];
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
  }
}

}  // namespace detail

void unary_float(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n, SimdPath path) {
  const auto row = resolve_path(path) == SimdPath::avx2 ? detail::unary_row_avx2 : detail::unary_row_portable;
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) { row(op, p, in + b, out + b, e - b); });
}

}  // namespace qgate::kernels
