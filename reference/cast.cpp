#include "reference/cast.h"

#include <cmath>

namespace qgate::reference {

namespace {

using kernels::CastType;

// A source value: a float (is_float) or an exact integer.
struct Value {
  bool is_float = false;
  float f = 0.0f;
  int64_t i = 0;
};

Value read(CastType type, const void* in, int64_t k) {
  switch (type) {
    case CastType::f32: return {true, static_cast<const float*>(in)[k], 0};
    case CastType::i32: return {false, 0.0f, static_cast<const int32_t*>(in)[k]};
    case CastType::i64: return {false, 0.0f, static_cast<const int64_t*>(in)[k]};
    case CastType::u8: return {false, 0.0f, static_cast<const uint8_t*>(in)[k]};
    case CastType::i8: return {false, 0.0f, static_cast<const int8_t*>(in)[k]};
    case CastType::boolean: return {false, 0.0f, static_cast<const uint8_t*>(in)[k] != 0 ? 1 : 0};
  }
  return {};
}

int bits_of(CastType type) {
  switch (type) {
    case CastType::i32: return 32;
    case CastType::i64: return 64;
    case CastType::u8:
    case CastType::i8: return 8;
    default: return 0;
  }
}

bool is_signed(CastType type) { return type != CastType::u8; }

// The integer a value becomes in an integer type of `bits` bits, as an int64.
int64_t to_integer(const Value& v, int bits, bool is_signed_type) {
  if (v.is_float) {
    if (std::isnan(v.f)) return 0;
    const double t = std::trunc(static_cast<double>(v.f));  // exact: floats are exact in double
    const double lo = is_signed_type ? -std::ldexp(1.0, bits - 1) : 0.0;
    const double hi = is_signed_type ? std::ldexp(1.0, bits - 1) - 1.0 : std::ldexp(1.0, bits) - 1.0;
    if (t <= lo) return bits == 64 ? INT64_MIN : static_cast<int64_t>(lo);
    if (t >= hi) return bits == 64 ? INT64_MAX : static_cast<int64_t>(hi);
    return static_cast<int64_t>(t);
  }
  if (bits == 64) return v.i;
  // Keep the low `bits` bits, then read them as two's complement when the type is signed.
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  const uint64_t low = static_cast<uint64_t>(v.i) & mask;
  if (is_signed_type && low >= (uint64_t{1} << (bits - 1))) return static_cast<int64_t>(low) - (int64_t{1} << bits);
  return static_cast<int64_t>(low);
}

void write(CastType type, const Value& v, void* out, int64_t k) {
  switch (type) {
    case CastType::f32:
      static_cast<float*>(out)[k] = v.is_float ? v.f : static_cast<float>(v.i);
      return;
    case CastType::boolean:
      static_cast<uint8_t*>(out)[k] = (v.is_float ? v.f != 0.0f : v.i != 0) ? 1 : 0;  // NaN != 0: true
      return;
    case CastType::i32:
      static_cast<int32_t*>(out)[k] = static_cast<int32_t>(to_integer(v, bits_of(type), is_signed(type)));
      return;
    case CastType::i64:
      static_cast<int64_t*>(out)[k] = to_integer(v, bits_of(type), is_signed(type));
      return;
    case CastType::u8:
      static_cast<uint8_t*>(out)[k] = static_cast<uint8_t>(to_integer(v, bits_of(type), is_signed(type)));
      return;
    case CastType::i8:
      static_cast<int8_t*>(out)[k] = static_cast<int8_t>(to_integer(v, bits_of(type), is_signed(type)));
      return;
  }
}

}  // namespace

void cast(kernels::CastType from, const void* in, kernels::CastType to, void* out, int64_t n) {
  for (int64_t k = 0; k < n; ++k) write(to, read(from, in, k), out, k);
}

}  // namespace qgate::reference
