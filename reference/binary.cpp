#include "reference/binary.h"

#include <algorithm>
#include <cmath>

namespace qgate::reference {

namespace {

constexpr int R = kernels::kMaxBroadcastRank;

// Offsets of out element `o` in a and b, by decomposing o over the padded output dims.
void offsets(const BroadcastShape& s, int64_t o, int64_t* ia, int64_t* ib) {
  int64_t idx[R];
  for (int d = R - 1; d >= 0; --d) {
    idx[d] = o % s.out_dims[d];
    o /= s.out_dims[d];
  }
  int64_t x = 0, y = 0;
  for (int d = 0; d < R; ++d) {
    x = x * s.a_dims[d] + (s.a_dims[d] == 1 ? 0 : idx[d]);
    y = y * s.b_dims[d] + (s.b_dims[d] == 1 ? 0 : idx[d]);
  }
  *ia = x;
  *ib = y;
}

template <typename T>
T activate(Activation act, T v) {
  switch (act) {
    case Activation::none: return v;
    case Activation::relu: return std::max(v, T(0));
    case Activation::relu_n1_to_1: return std::min(std::max(v, T(-1)), T(1));
    case Activation::relu6: return std::min(std::max(v, T(0)), T(6));
    case Activation::tanh: return static_cast<T>(std::tanh(v));
    case Activation::sign_bit: return std::signbit(static_cast<float>(v)) ? T(1) : T(0);
  }
  return v;
}

}  // namespace

void binary_float(BinaryOp op, const BroadcastShape& s, const float* a, const float* b, float* out,
                  Activation act) {
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t ia, ib;
    offsets(s, o, &ia, &ib);
    const float x = a[ia], y = b[ib];
    float v = 0;
    switch (op) {
      case BinaryOp::add: v = x + y; break;
      case BinaryOp::sub: v = x - y; break;
      case BinaryOp::mul: v = x * y; break;
      case BinaryOp::div: v = x / y; break;
      case BinaryOp::maximum: v = x > y ? x : y; break;
      case BinaryOp::minimum: v = x < y ? x : y; break;
      case BinaryOp::squared_difference: v = (x - y) * (x - y); break;
      case BinaryOp::pow: v = std::pow(x, y); break;
      case BinaryOp::prelu: v = x >= 0 ? x : x * y; break;
    }
    out[o] = activate(act, v);
  }
}

void binary_int32(BinaryOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, int32_t* out,
                  Activation act) {
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t ia, ib;
    offsets(s, o, &ia, &ib);
    const int64_t x = a[ia], y = b[ib];
    int64_t v = 0;
    switch (op) {
      case BinaryOp::add: v = x + y; break;
      case BinaryOp::sub: v = x - y; break;
      case BinaryOp::mul: v = x * y; break;
      case BinaryOp::maximum: v = std::max(x, y); break;
      case BinaryOp::minimum: v = std::min(x, y); break;
      default: return;
    }
    out[o] = activate(act, static_cast<int32_t>(static_cast<uint32_t>(v)));  // wraps like the kernel
  }
}

}  // namespace qgate::reference
