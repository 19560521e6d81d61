// What the hybrid kernel tests share beyond tests/support: images filled to stress the quantizers, every
// HybridParams combination, and exact comparisons (integers equal, floats bit for bit, a sentinel left in place
// shows as a mismatch). No tolerance anywhere: a kernel and its twin evaluate the same formulas with separate float
// multiplies and adds (no FMA), so there is no rounding difference to allow for.
#pragma once

#include <doctest/doctest.h>

#include <bit>
#include <initializer_list>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/hybrid_params.h"
#include "reference/hybrid_params.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate::test {

inline constexpr int32_t kAccSentinel = std::numeric_limits<int32_t>::min() + 777;

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

// The data of one hybrid conv run: int8 weights with extremes (filter_n of them) and their scales, one per output
// channel or one in all; a bias; `batch` input images of `image` floats, filled as `fills` says. Seeds seed..seed+3.
struct HybridConvData {
  std::vector<int8_t> filter;
  std::vector<float> scales, bias, input;
};

inline HybridConvData hybrid_conv_data(size_t filter_n, int32_t out_c, bool per_channel, int64_t batch, int64_t image,
                                       const std::vector<Fill>& fills, uint32_t seed) {
  HybridConvData d;
  d.filter = random_ints<int8_t>(filter_n, seed, -127, 127);
  d.scales = random_floats(per_channel ? static_cast<size_t>(out_c) : 1, seed + 1, 1e-4f, 2e-2f);
  d.bias = random_floats(static_cast<size_t>(out_c), seed + 2);
  d.input = make_rows(batch, image, fills, seed + 3);
  return d;
}

// What a fast hybrid conv run wrote against its twin's taps: the quantized images, input scales and zero points
// (not when the whole output is the bias: the kernel may skip quantizing), the int32 accumulators, and the float
// outputs bit for bit.
template <typename Scratch>
void check_hybrid_run(const Scratch& scratch, const std::vector<int32_t>& acc, const std::vector<float>& got,
                      const reference::HybridTaps& taps, const std::vector<float>& want, bool output_is_bias) {
  if (!output_is_bias) {
    check_equal(scratch.q, taps.q, "q");
    check_equal(scratch.input_scales, taps.input_scales, "input scale");
    check_equal(scratch.zero_points, taps.zero_points, "zero point");
  }
  check_equal(acc, taps.acc, "acc");
  check_bits(got, want);
}

// The sweep of every hybrid conv test: for each HybridParams combination, reference(h, want, taps) runs the twin;
// then on every kernel path and with each work-slot count, run(h, path, slots, got, acc) runs the kernel into a
// NaN-filled output and sentinel accumulators and returns its scratch, all compared with the twin's
// (check_hybrid_run).
template <typename Reference, typename Run>
void check_every_hybrid_params(const std::vector<float>& input, size_t out_n, std::initializer_list<int> slot_counts,
                               Reference reference, Run run) {
  for (const kernels::HybridParams& h : all_conv_hybrid_params()) {
    reference::HybridTaps taps;
    std::vector<float> want(out_n);
    reference(h, want.data(), taps);
    const bool skipped = reference::hybrid_output_is_bias(h, input.data(), static_cast<int64_t>(input.size()));
    for_each_path([&](kernels::SimdPath path) {
      for (int slots : slot_counts) {
        CAPTURE(fmt::format("{} | slots {}", describe(h), slots));
        std::vector<float> got = nan_filled(out_n);
        std::vector<int32_t> acc(out_n, kAccSentinel);
        const auto scratch = run(h, path, slots, got.data(), acc.data());
        check_hybrid_run(scratch, acc, got, taps, want, skipped);
      }
    });
  }
}

}  // namespace qgate::test
