#include "kernels/cast.h"

#include <cmath>
#include <limits>

namespace qgate::kernels {

namespace {

template <typename To, typename From>
inline To convert(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(x)) return To(0);
    // Bounds as float: lo is a power of two (exact); values >= 2^(bits) don't fit, compare against that.
    constexpr double lo = static_cast<double>(std::numeric_limits<To>::min());
    constexpr double hi_excl = static_cast<double>(std::numeric_limits<To>::max()) + 1.0;
    const double t = std::trunc(static_cast<double>(x));
    if (t < lo) return std::numeric_limits<To>::min();
    if (t >= hi_excl) return std::numeric_limits<To>::max();
    return static_cast<To>(t);
  } else {
    return static_cast<To>(x);  // integer narrowing wraps (C++20 defines it), integer -> float rounds
  }
}

template <typename From, typename To>
void cast_typed(const From* in, To* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = convert<To>(in[i]);
}

template <typename From>
void cast_from(const From* in, CastType to, void* out, int64_t n) {
  switch (to) {
    case CastType::f32: cast_typed(in, static_cast<float*>(out), n); break;
    case CastType::i32: cast_typed(in, static_cast<int32_t*>(out), n); break;
    case CastType::i64: cast_typed(in, static_cast<int64_t*>(out), n); break;
    case CastType::u8: cast_typed(in, static_cast<uint8_t*>(out), n); break;
    case CastType::i8: cast_typed(in, static_cast<int8_t*>(out), n); break;
    case CastType::boolean: {
      auto* o = static_cast<uint8_t*>(out);
      for (int64_t i = 0; i < n; ++i) o[i] = in[i] != From(0) ? 1 : 0;
      break;
    }
  }
}

}  // namespace

void cast(CastType from, const void* in, CastType to, void* out, int64_t n) {
  switch (from) {
    case CastType::f32: cast_from(static_cast<const float*>(in), to, out, n); break;
    case CastType::i32: cast_from(static_cast<const int32_t*>(in), to, out, n); break;
    case CastType::i64: cast_from(static_cast<const int64_t*>(in), to, out, n); break;
    case CastType::u8: cast_from(static_cast<const uint8_t*>(in), to, out, n); break;
    case CastType::i8: cast_from(static_cast<const int8_t*>(in), to, out, n); break;
    case CastType::boolean: {
      // Any nonzero byte reads as true, so a stray byte value never leaks through as 2..255.
      const auto* b = static_cast<const uint8_t*>(in);
      switch (to) {
        case CastType::f32: for (int64_t i = 0; i < n; ++i) static_cast<float*>(out)[i] = b[i] ? 1.0f : 0.0f; break;
        case CastType::i32: for (int64_t i = 0; i < n; ++i) static_cast<int32_t*>(out)[i] = b[i] ? 1 : 0; break;
        case CastType::i64: for (int64_t i = 0; i < n; ++i) static_cast<int64_t*>(out)[i] = b[i] ? 1 : 0; break;
        case CastType::u8: for (int64_t i = 0; i < n; ++i) static_cast<uint8_t*>(out)[i] = b[i] ? 1 : 0; break;
        case CastType::i8: for (int64_t i = 0; i < n; ++i) static_cast<int8_t*>(out)[i] = b[i] ? 1 : 0; break;
        case CastType::boolean: for (int64_t i = 0; i < n; ++i) static_cast<uint8_t*>(out)[i] = b[i] ? 1 : 0; break;
      }
      break;
    }
  }
}

}  // namespace qgate::kernels
