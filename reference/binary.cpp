#include "reference/binary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace qgate::reference {

namespace {

constexpr int R = kernels::kMaxBroadcastRank;

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

void broadcast_offsets(const BroadcastShape& s, int64_t o, int64_t* ia, int64_t* ib) {
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

void binary_float(BinaryOp op, const BroadcastShape& s, const float* a, const float* b, float* out,
                  Activation act) {
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t ia, ib;
    broadcast_offsets(s, o, &ia, &ib);
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
      case BinaryOp::floor_mod:
      case BinaryOp::trunc_mod: {
        // In double, from the definition: a - b * q with q the quotient truncated (trunc_mod) or floored
        // (floor_mod). fmod is exact, so the double quotient is rounded only in a way fmod makes exact.
        const double r = std::fmod(static_cast<double>(x), static_cast<double>(y));
        v = static_cast<float>(op == BinaryOp::floor_mod && r != 0 && ((y < 0) != (r < 0)) ? r + y : r);
        break;
      }
    }
    out[o] = activate(act, v);
  }
}

namespace {

// Integer arithmetic in wide precision from the definitions, then wrapped to T's width: __int128 holds every
// product of two int64 values, and the quotient and remainders follow C's truncating division.
template <typename T>
bool int_value(BinaryOp op, T xt, T yt, T* out) {
  using Wide = __int128;
  const Wide x = xt, y = yt;
  Wide v = 0;
  switch (op) {
    case BinaryOp::add: v = x + y; break;
    case BinaryOp::sub: v = x - y; break;
    case BinaryOp::mul: v = x * y; break;
    case BinaryOp::maximum: v = std::max(x, y); break;
    case BinaryOp::minimum: v = std::min(x, y); break;
    case BinaryOp::div: v = y == 0 ? 0 : x / y; break;
    case BinaryOp::trunc_mod: v = y == 0 ? 0 : x % y; break;
    case BinaryOp::floor_mod: {
      v = y == 0 ? 0 : x % y;
      if (v != 0 && ((y < 0) != (v < 0))) v += y;
      break;
    }
    case BinaryOp::pow: {
      if (y < 0) {
        v = x == 1 ? 1 : x == -1 ? (y % 2 == 0 ? 1 : -1) : 0;
      } else {
        // Multiplication modulo 2^64 keeps the low bits exact; the wrap to T below does the rest.
        uint64_t r = 1;
        for (Wide e = 0; e < y; ++e) r *= static_cast<uint64_t>(xt);
        v = static_cast<int64_t>(r);
      }
      break;
    }
    default: return false;
  }
  // Wrap: keep the low bits of the two's complement value.
  *out = static_cast<T>(static_cast<std::make_unsigned_t<T>>(static_cast<unsigned __int128>(v)));
  return true;
}

}  // namespace

void binary_int32(BinaryOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, int32_t* out,
                  Activation act) {
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t ia, ib;
    broadcast_offsets(s, o, &ia, &ib);
    int32_t v;
    if (!int_value<int32_t>(op, a[ia], b[ib], &v)) return;
    out[o] = activate(act, v);
  }
}

void binary_int64(BinaryOp op, const BroadcastShape& s, const int64_t* a, const int64_t* b, int64_t* out) {
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t ia, ib;
    broadcast_offsets(s, o, &ia, &ib);
    int64_t v;
    if (!int_value<int64_t>(op, a[ia], b[ib], &v)) return;
    out[o] = v;
  }
}

}  // namespace qgate::reference
