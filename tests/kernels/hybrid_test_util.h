// What the hybrid kernel tests share: int8 weights and scales with extremes, images filled to stress the quantizers,
// every HybridParams combination, and exact comparisons (integers equal, floats bit for bit, a sentinel left in place
// shows as a mismatch). No tolerance anywhere: a kernel and its twin evaluate the same formulas with separate float
// multiplies and adds (no FMA), so there is no rounding difference to allow for.
#pragma once

#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/hybrid_params.h"
#include "tests/kernels/float_check.h"

namespace qgate::test {

inline constexpr int32_t kAccSentinel = std::numeric_limits<int32_t>::min() + 777;

// Random int8 weights in [-127, 127] with the ends pinned often, so extreme products always occur.
inline std::vector<int8_t> random_weights(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-127, 127), pick(0, 9);
  std::vector<int8_t> v(n);
  for (auto& x : v) {
    const int p = pick(rng);
    x = static_cast<int8_t>(p == 0 ? -127 : (p == 1 ? 127 : d(rng)));
  }
  return v;
}

inline std::vector<float> random_scales(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(1e-4f, 2e-2f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Contents of one row (an FC row, a conv image): varied so that scales and zero points differ between rows.
enum class Fill { random, zero, positive, extreme };

// rows x row_length floats, row r filled as fills[r % fills.size()].
inline std::vector<float> make_rows(int64_t rows, int64_t row_length, const std::vector<Fill>& fills, uint32_t seed) {
  std::vector<float> x(static_cast<size_t>(rows * row_length));
  for (int64_t b = 0; b < rows; ++b) {
    const Fill f = fills[static_cast<size_t>(b % static_cast<int64_t>(fills.size()))];
    float* row = x.data() + b * row_length;
    const auto r = random_floats(static_cast<size_t>(row_length), seed + static_cast<uint32_t>(b), -1.0f, 1.0f);
    for (int64_t i = 0; i < row_length; ++i) {
      switch (f) {
        case Fill::random: row[i] = r[i] * (1.0f + static_cast<float>(b)); break;
        case Fill::zero: row[i] = (i % 3 == 0) ? -0.0f : 0.0f; break;  // -0.0 counts as zero
        case Fill::positive: row[i] = 2.0f + r[i]; break;               // min > 0: the range starts at 0
        case Fill::extreme: row[i] = (i % 5 == 0) ? r[i] * 3e30f : r[i] * 1e-30f; break;
      }
    }
  }
  return x;
}

inline const char* name(kernels::HybridInputQuantization q) {
  switch (q) {
    case kernels::HybridInputQuantization::symmetric_rows: return "symmetric_rows";
    case kernels::HybridInputQuantization::asymmetric_rows: return "asymmetric_rows";
    case kernels::HybridInputQuantization::xnnpack_rows: return "xnnpack_rows";
    case kernels::HybridInputQuantization::ort_u8_tensor: return "ort_u8_tensor";
  }
  return "?";
}

inline const char* name(kernels::HybridEpilogue e) {
  switch (e) {
    case kernels::HybridEpilogue::scale_product: return "scale_product";
    case kernels::HybridEpilogue::input_scale_first: return "input_scale_first";
    case kernels::HybridEpilogue::weight_scale_first: return "weight_scale_first";
  }
  return "?";
}

inline constexpr kernels::HybridInputQuantization kAllInputQuantizations[] = {
    kernels::HybridInputQuantization::symmetric_rows, kernels::HybridInputQuantization::asymmetric_rows,
    kernels::HybridInputQuantization::xnnpack_rows, kernels::HybridInputQuantization::ort_u8_tensor};
inline constexpr kernels::HybridEpilogue kAllEpilogues[] = {kernels::HybridEpilogue::scale_product,
                                                            kernels::HybridEpilogue::input_scale_first,
                                                            kernels::HybridEpilogue::weight_scale_first};

// Every input quantization with every epilogue, exact product; zero_input_gives_bias on every other one, so each
// quantizer and each epilogue meets it.
inline std::vector<kernels::HybridParams> all_conv_hybrid_params() {
  std::vector<kernels::HybridParams> all;
  for (auto q : kAllInputQuantizations)
    for (auto e : kAllEpilogues) all.push_back({q, e, kernels::Int8ProductArithmetic::exact, all.size() % 2 == 1});
  return all;
}

inline std::string describe(const kernels::HybridParams& h) {
  return fmt::format("{} {} {}{}", name(h.input_quantization), name(h.epilogue),
                     h.product == kernels::Int8ProductArithmetic::exact ? "exact" : "saturating",
                     h.zero_input_gives_bias ? " zero-input-bias" : "");
}

template <typename T>
void check_equal(const std::vector<T>& got, const std::vector<T>& want, const char* what) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(got[i] == want[i])) {
      ++bad;
      FAIL_CHECK(std::string(what) << "[" << i << "]: got " << +got[i] << ", reference " << +want[i]);
    }
}

// Floats bit for bit (a NaN sentinel left in place shows as a mismatch).
inline void check_bits(const std::vector<float>& got, const std::vector<float>& want, const char* what = "out") {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (std::bit_cast<uint32_t>(got[i]) != std::bit_cast<uint32_t>(want[i])) {
      ++bad;
      FAIL_CHECK(fmt::format("{}[{}]: got {:.9g}, reference {:.9g}", what, i, got[i], want[i]));
    }
}

}  // namespace qgate::test
