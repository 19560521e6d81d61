// Fused activations, with the TFLite schema's ActivationFunctionType values.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace qgate::kernels {

enum class Activation : uint8_t { none = 0, relu = 1, relu_n1_to_1 = 2, relu6 = 3, tanh = 4, sign_bit = 5 };

// Clamp bounds of the clamping activations (none: +-inf). tanh and sign_bit are not clamps.
struct ActivationRange {
  float lo, hi;
};

inline ActivationRange activation_range(Activation a) {
  switch (a) {
    case Activation::relu: return {0.0f, INFINITY};
    case Activation::relu_n1_to_1: return {-1.0f, 1.0f};
    case Activation::relu6: return {0.0f, 6.0f};
    default: return {-INFINITY, INFINITY};
  }
}

inline float apply_activation(Activation a, float x) {
  switch (a) {
    case Activation::none: return x;
    case Activation::relu: return std::max(x, 0.0f);
    case Activation::relu_n1_to_1: return std::min(std::max(x, -1.0f), 1.0f);
    case Activation::relu6: return std::min(std::max(x, 0.0f), 6.0f);
    case Activation::tanh: return std::tanh(x);
    case Activation::sign_bit: return std::signbit(x) ? 1.0f : 0.0f;
  }
  return x;
}

// In place over n values.
inline void apply_activation(Activation a, float* x, int64_t n) {
  if (a == Activation::none) return;
  for (int64_t i = 0; i < n; ++i) x[i] = apply_activation(a, x[i]);
}

}  // namespace qgate::kernels
