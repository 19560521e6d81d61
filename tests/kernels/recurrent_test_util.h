// Shared helpers of the recurrent kernel tests: seeded data, weight matrices in float and int8 form, and exact
// comparison of float outputs.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "kernels/recurrent_common.h"

namespace qgate::test {

enum class Variant { f32, hybrid_symmetric, hybrid_asymmetric };
inline const char* variant_name(Variant v) {
  return v == Variant::f32 ? "float" : v == Variant::hybrid_symmetric ? "hybrid-sym" : "hybrid-asym";
}

inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// A weight matrix as float and as int8 symmetric per tensor (s = R/127, docs/arithmetic.md#weight-quantization).
struct MatrixStore {
  std::vector<float> f;
  std::vector<int8_t> q;
  std::vector<int32_t> sums;
  float scale = 1.0f;
  int rows = 0, cols = 0;

  kernels::RecurrentMatrix view(bool hybrid) const {
    kernels::RecurrentMatrix m;
    m.rows = rows;
    m.cols = cols;
    if (hybrid) {
      m.i8 = q.data();
      m.scale = scale;
      m.row_sums = sums.data();
    } else {
      m.f32 = f.data();
    }
    return m;
  }
};

// Random weights in [-0.6, 0.6]; with zero_row, row 1 (when it exists) is all zero.
inline MatrixStore make_matrix(std::mt19937& rng, int rows, int cols, bool zero_row = true) {
  MatrixStore m;
  m.rows = rows;
  m.cols = cols;
  m.f = random_floats(rng, static_cast<size_t>(rows) * cols, -0.6f, 0.6f);
  if (zero_row && rows > 1)
    for (int k = 0; k < cols; ++k) m.f[static_cast<size_t>(cols) + k] = 0.0f;
  float R = 0.0f;
  for (float x : m.f) R = std::max(R, std::fabs(x));
  m.scale = R > 0 ? R / 127.0f : 1.0f;
  m.q.resize(m.f.size());
  for (size_t i = 0; i < m.f.size(); ++i) {
    m.q[i] = static_cast<int8_t>(std::max(-127.0f, std::min(127.0f, std::round(m.f[i] / m.scale))));
    // Hybrid runs see the weights the int8 form represents; keep the float twin consistent with it.
  }
  m.sums = kernels::int8_row_sums(m.q.data(), rows, cols);
  return m;
}

// Float outputs of the fast kernel and the reference: bit-identical when both evaluate the same expression in
// the same order (they do: docs/arithmetic.md#rnn's order, no FMA), and no element may still hold the NaN sentinel.
inline void check_identical(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i]) || std::memcmp(&got[i], &want[i], sizeof(float)) != 0) {
      CAPTURE(what);
      CAPTURE(i);
      CAPTURE(got[i]);
      CAPTURE(want[i]);
      FAIL_CHECK("element differs from the reference (or unwritten)");
      return;
    }
  }
}

inline std::vector<float> nan_filled(size_t n) { return std::vector<float>(n, std::numeric_limits<float>::quiet_NaN()); }

}  // namespace qgate::test
