// What the recurrent kernel tests share beyond tests/support: weight matrices in float and int8 form, and exact
// comparison of float outputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "kernels/recurrent_common.h"
#include "tests/support/random.h"

namespace qgate::test {

enum class Variant { f32, hybrid_symmetric, hybrid_asymmetric };
inline const char* variant_name(Variant v) {
  return v == Variant::f32 ? "float" : v == Variant::hybrid_symmetric ? "hybrid-sym" : "hybrid-asym";
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

// A [batch, time, features] (or time-major [time, batch, features]) input in [-magnitude, magnitude] with the zero
// patterns the kernels' zero-row skip cares about: one whole time step zero for every row (when time > 1), and one
// single row zero at another step.
inline std::vector<float> sequence_input(std::mt19937& rng, int batch, int time, int features, bool time_major,
                                         float magnitude) {
  std::vector<float> x = random_floats(rng, static_cast<size_t>(batch) * time * features, -magnitude, magnitude);
  auto row = [&](int b, int t) {
    const size_t r = time_major ? static_cast<size_t>(t) * batch + b : static_cast<size_t>(b) * time + t;
    return x.data() + r * features;
  };
  if (time > 1)
    for (int b = 0; b < batch; ++b) std::fill_n(row(b, 1), features, 0.0f);
  if (time > 2) std::fill_n(row(0, 2), features, 0.0f);
  return x;
}

// A sequence input of `input` features and, when aux > 0, an auxiliary one of `aux` features (drawn after it from
// the same stream), both as sequence_input makes them.
struct SequenceInputs {
  std::vector<float> x, aux;
  const float* aux_or_null() const { return aux.empty() ? nullptr : aux.data(); }
};

inline SequenceInputs sequence_inputs(std::mt19937& rng, int batch, int time, int input, int aux, bool time_major,
                                      float magnitude) {
  SequenceInputs s;
  s.x = sequence_input(rng, batch, time, input, time_major, magnitude);
  if (aux > 0) s.aux = sequence_input(rng, batch, time, aux, time_major, magnitude);
  return s;
}

// The first `width` columns of each of `rows` rows of `stride` floats, from the kernel's output and the reference's;
// the columns past `width` must still hold the kernel output's NaN sentinel (a kernel writes only its own columns).
struct WrittenColumns {
  std::vector<float> got, want;
};

inline WrittenColumns written_columns(const std::vector<float>& out, const std::vector<float>& want, size_t rows,
                                      int stride, int width) {
  WrittenColumns c;
  for (size_t r = 0; r < rows; ++r)
    for (int k = 0; k < stride; ++k) {
      if (k < width) {
        c.got.push_back(out[r * stride + k]);
        c.want.push_back(want[r * stride + k]);
      } else {
        CHECK(std::isnan(out[r * stride + k]));
      }
    }
  return c;
}

}  // namespace qgate::test
