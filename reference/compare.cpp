#include "reference/compare.h"

#include <cmath>

#include "reference/binary.h"

namespace qgate::reference {

namespace {

// Each relation from less-than and equality alone, so a mistake in one operator of the kernel shows.
template <typename T>
bool relation(CompareOp op, T a, T b) {
  const bool lt = a < b, eq = a == b, gt = b < a;  // all false for a NaN operand
  switch (op) {
    case CompareOp::equal: return eq;
    case CompareOp::not_equal: return !eq;
    case CompareOp::less: return lt;
    case CompareOp::less_equal: return lt || eq;
    case CompareOp::greater: return gt;
    case CompareOp::greater_equal: return gt || eq;
  }
  return false;
}

template <typename T>
void compare(CompareOp op, const kernels::BroadcastShape& s, const T* a, const T* b, uint8_t* out) {
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t ia, ib;
    broadcast_offsets(s, o, &ia, &ib);
    out[o] = relation(op, a[ia], b[ib]) ? 1 : 0;
  }
}

}  // namespace

void compare_float(CompareOp op, const kernels::BroadcastShape& s, const float* a, const float* b, uint8_t* out) {
  compare(op, s, a, b, out);
}
void compare_int32(CompareOp op, const kernels::BroadcastShape& s, const int32_t* a, const int32_t* b, uint8_t* out) {
  compare(op, s, a, b, out);
}
void compare_int64(CompareOp op, const kernels::BroadcastShape& s, const int64_t* a, const int64_t* b, uint8_t* out) {
  compare(op, s, a, b, out);
}
void compare_bool(CompareOp op, const kernels::BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  compare(op, s, a, b, out);
}

void logical(LogicalOp op, const kernels::BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  for (int64_t o = 0; o < s.out_elements; ++o) {
    int64_t ia, ib;
    broadcast_offsets(s, o, &ia, &ib);
    const int x = a[ia] ? 1 : 0, y = b[ib] ? 1 : 0;
    int v = 0;
    switch (op) {
      case LogicalOp::logical_and: v = x * y; break;
      case LogicalOp::logical_or: v = x + y > 0; break;
      case LogicalOp::logical_xor: v = (x + y) % 2; break;
    }
    out[o] = static_cast<uint8_t>(v);
  }
}

void logical_not(const uint8_t* in, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(1 - (in[i] ? 1 : 0));
}

void is_nan(const float* in, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] != in[i];  // only NaN is unequal to itself
}

void is_inf(const float* in, uint8_t* out, int64_t n, bool detect_negative, bool detect_positive) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = (detect_positive && in[i] == INFINITY) || (detect_negative && in[i] == -INFINITY);
}

}  // namespace qgate::reference
