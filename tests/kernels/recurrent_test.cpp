// RNN kernels against the reference, plus the shared pieces: Eigen activation forms and row quantizers.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "kernels/rnn.h"
#include "reference/recurrent.h"
#include "tests/kernels/recurrent_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate::test {
namespace {

using kernels::Activation;

int ulp_distance(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = INT32_MIN - ia;
  if (ib < 0) ib = INT32_MIN - ib;
  return std::abs(ia - ib);
}

}  // namespace

TEST_SUITE("kernels.recurrent_common") {

TEST_CASE("tanh_eigen: tiny inputs pass through, clamp, and stays within a few ulp of tanh") {
  CHECK(kernels::tanh_eigen(0.0003f) == 0.0003f);
  CHECK(kernels::tanh_eigen(-0.0003f) == -0.0003f);
  CHECK(kernels::tanh_eigen(0.0f) == 0.0f);
  const float at_clamp = kernels::tanh_eigen(7.90531110763549805f);
  CHECK(kernels::tanh_eigen(8.0f) == at_clamp);
  CHECK(kernels::tanh_eigen(1e30f) == at_clamp);
  CHECK(kernels::tanh_eigen(-1e30f) == -at_clamp);
  CHECK(std::fabs(at_clamp - 1.0f) <= 1e-6f);
  CHECK(kernels::tanh_eigen(INFINITY) == at_clamp);
  // Hand-checked against the rational form: tanh(0.5) = 0.46211716, tanh(1) = 0.76159416.
  CHECK(kernels::tanh_eigen(0.5f) == doctest::Approx(0.46211716f).epsilon(1e-6));
  CHECK(kernels::tanh_eigen(1.0f) == doctest::Approx(0.76159416f).epsilon(1e-6));
  // Dense sweep: Eigen documents "a couple of ulp"; the worst case (5 ulp) sits just past the clamp, where the
  // form returns its value at 7.905... while tanh is within a few ulp of 1. kTanhEigenMaxUlp names that bound.
  constexpr int kTanhEigenMaxUlp = 5;
  int worst = 0;
  for (float x = -9.0f; x <= 9.0f; x += 0.000731f) {
    if (std::fabs(x) < 0.0004f) continue;  // below the cut the form returns x, within 1e-7 relative of tanh
    worst = std::max(worst, ulp_distance(kernels::tanh_eigen(x), std::tanh(x)));
  }
  CAPTURE(worst);
  CHECK(worst <= kTanhEigenMaxUlp);
  CHECK(worst >= 1);  // it is an approximation, not std::tanh
}

TEST_CASE("sigmoid_eigen: e / (1 + e) with the input cut at 16.6355324") {
  CHECK(kernels::sigmoid_eigen(0.0f) == 0.5f);
  CHECK(kernels::sigmoid_eigen(20.0f) == kernels::sigmoid_eigen(16.6355324f));
  CHECK(kernels::sigmoid_eigen(INFINITY) == kernels::sigmoid_eigen(16.6355324f));
  CHECK(kernels::sigmoid_eigen(-200.0f) == 0.0f);
  const float e = std::exp(1.25f);
  CHECK(kernels::sigmoid_eigen(1.25f) == e / (1.0f + e));
  constexpr int kSigmoidMaxUlp = 4;  // against 1 / (1 + exp(-x)) in double, rounded
  int worst = 0;
  for (float x = -15.0f; x <= 15.0f; x += 0.00137f) {
    const float exact = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
    worst = std::max(worst, ulp_distance(kernels::sigmoid_eigen(x), exact));
  }
  CAPTURE(worst);
  CHECK(worst <= kSigmoidMaxUlp);
}

TEST_CASE("recurrent_activation: TANH uses the Eigen form, the others clamp") {
  CHECK(kernels::recurrent_activation(Activation::tanh, 0.7f) == kernels::tanh_eigen(0.7f));
  CHECK(kernels::recurrent_activation(Activation::relu, -2.0f) == 0.0f);
  CHECK(kernels::recurrent_activation(Activation::relu6, 7.0f) == 6.0f);
  CHECK(kernels::recurrent_activation(Activation::relu_n1_to_1, -3.0f) == -1.0f);
  CHECK(kernels::recurrent_activation(Activation::sign_bit, -0.0f) == 1.0f);
  CHECK(kernels::recurrent_activation(Activation::none, 3.5f) == 3.5f);
}

TEST_CASE("symmetric row quantization: hand-checked values and the zero row") {
  const float x[3] = {-1.0f, 0.5f, 0.25f};
  int8_t q[3];
  float s = 0;
  kernels::quantize_row_symmetric(x, 3, q, &s);
  CHECK(s == 1.0f / 127.0f);
  CHECK(q[0] == -127);
  CHECK(q[1] == 64);  // 63.5 rounds away from zero
  CHECK(q[2] == 32);  // 31.75
  const float z[2] = {0.0f, -0.0f};
  kernels::quantize_row_symmetric(z, 2, q, &s);
  CHECK(s == 1.0f);
  CHECK(q[0] == 0);
  CHECK(q[1] == 0);
}

TEST_CASE("asymmetric row quantization: hand-checked values, all-positive and empty ranges") {
  // rmin -10, rmax 30: s = 40/255, zp from the min end (error 191.75 < 318.25) = round(-64.25) = -64.
  const float x[2] = {-10.0f, 30.0f};
  int8_t q[2];
  float s = 0;
  int32_t zp = 99;
  kernels::quantize_row_asymmetric(x, 2, q, &s, &zp);
  CHECK(s == static_cast<float>(40.0 / 255.0));
  CHECK(zp == -64);
  CHECK(q[0] == -128);  // -127.75
  CHECK(q[1] == 127);   // 127.25
  // All positive: range [0, 2], zp = -128, 0 maps to -128.
  const float p[2] = {0.0f, 2.0f};
  kernels::quantize_row_asymmetric(p, 2, q, &s, &zp);
  CHECK(zp == -128);
  CHECK(q[0] == -128);
  CHECK(q[1] == 127);
  const float z[3] = {0.0f, 0.0f, 0.0f};
  kernels::quantize_row_asymmetric(z, 3, q, &s, &zp);
  CHECK(s == 1.0f);
  CHECK(zp == 0);
}

TEST_CASE("row quantizers agree exactly with the reference's over random and extreme rows") {
  std::mt19937 rng(7);
  for (int n : {1, 2, 5, 16, 33, 100}) {
    for (float mag : {1e-30f, 1e-3f, 1.0f, 1e4f, 3e37f}) {
      for (bool asym : {false, true}) {
        CAPTURE(n);
        CAPTURE(mag);
        CAPTURE(asym);
        std::vector<float> x = random_floats(rng, n, -mag, mag);
        if (n > 3) x[2] = 0.0f;
        std::vector<int8_t> q(n);
        float s = 0;
        int32_t zp = 0;
        kernels::QuantizedRows rows{q.data(), &s, &zp};
        kernels::quantize_rows(x.data(), 1, n, asym, rows);
        const reference::QuantizedRow r = reference::quantize_row(x.data(), n, asym);
        CHECK(std::memcmp(&s, &r.scale, 4) == 0);
        CHECK(zp == r.zero_point);
        CHECK(std::memcmp(q.data(), r.q.data(), n) == 0);
      }
    }
  }
}

TEST_CASE("hybrid matvec: the int32 accumulator is exact and the zero point term uses the row sums") {
  // W = [[1, -2, 3]], x = [0.5, 1.0, -1.0] quantized symmetric: s = 1/127, q = [64, 127, -127].
  const int8_t w[3] = {1, -2, 3};
  const std::vector<int32_t> sums = kernels::int8_row_sums(w, 1, 3);
  CHECK(sums[0] == 2);
  kernels::RecurrentMatrix m;
  m.i8 = w;
  m.scale = 0.5f;
  m.row_sums = sums.data();
  m.rows = 1;
  m.cols = 3;
  const float x[3] = {0.5f, 1.0f, -1.0f};
  int8_t q[3];
  float s;
  int32_t zp;
  kernels::QuantizedRows rows{q, &s, &zp};
  kernels::quantize_rows(x, 1, 3, false, rows);
  float out = 10.0f;
  kernels::matvec_accumulate_hybrid(m, rows, 1, false, &out, 1);
  const int32_t acc = 64 - 254 - 381;
  CHECK(out == 10.0f + static_cast<float>(acc) * (s * 0.5f));
  // Asymmetric: acc = sum W q - zp * rowsum.
  kernels::quantize_rows(x, 1, 3, true, rows);
  out = 0.0f;
  kernels::matvec_accumulate_hybrid(m, rows, 1, true, &out, 1);
  const int32_t acc2 = 1 * q[0] - 2 * q[1] + 3 * q[2] - zp * 2;
  CHECK(out == static_cast<float>(acc2) * (s * 0.5f));
}

}  // TEST_SUITE

TEST_SUITE("kernels.rnn") {

namespace {

struct RnnCase {
  int batch, time, input, units, aux = 0;
  bool time_major = false;
  Variant variant = Variant::f32;
  Activation act = Activation::tanh;
  float magnitude = 2.0f;  // input range +-magnitude
  float gate_clip = 0.0f;
  std::string name() const {
    return fmt::format("{} B{} T{} I{} U{} aux{} {} act{} mag{} gclip{}", variant_name(variant), batch, time, input,
                       units, aux, time_major ? "time-major" : "batch-major", static_cast<int>(act), magnitude,
                       gate_clip);
  }
};

// The one shared body: the sequence kernel and the reference on the same data, outputs and final state compared.
void run_rnn_case(const RnnCase& c, bool forward = true) {
  CAPTURE(c.name());
  std::mt19937 rng(1234 + c.batch * 7 + c.time * 11 + c.input * 13 + c.units * 17);
  const bool hybrid = c.variant != Variant::f32;
  MatrixStore W = make_matrix(rng, c.units, c.input);
  MatrixStore A = make_matrix(rng, c.units, std::max(c.aux, 1));
  MatrixStore R = make_matrix(rng, c.units, c.units);
  std::vector<float> bias = random_floats(rng, c.units, -0.3f, 0.3f);
  kernels::RnnWeights w;
  w.input = W.view(hybrid);
  if (c.aux > 0) w.aux = A.view(hybrid);
  w.recurrent = R.view(hybrid);
  w.bias = bias.data();
  kernels::RnnParams p;
  p.activation = c.act;
  p.asymmetric_inputs = c.variant == Variant::hybrid_asymmetric;
  p.gate_clip = c.gate_clip;

  const SequenceInputs in = sequence_inputs(rng, c.batch, c.time, c.input, c.aux, c.time_major, c.magnitude);
  const std::vector<float>& x = in.x;
  const size_t rows = static_cast<size_t>(c.batch) * c.time;
  // A stride of units + 3 checks that the kernel leaves the gap alone (merged bidirectional outputs use it).
  const int stride = c.units + 3;
  std::vector<float> want = nan_filled(rows * stride);
  const std::vector<float> h0(static_cast<size_t>(c.batch) * c.units, 0.0f);
  std::vector<float> h_ref = h0;
  kernels::QuantizedRowsBuffer scratch;
  scratch.resize(kernels::rnn_scratch_q_size(w, c.batch), c.batch);
  const kernels::SequenceLayout layout{c.batch, c.time, c.time_major};
  const float* auxp = in.aux_or_null();
  reference::rnn_sequence(p, w, layout, forward, x.data(), auxp, h_ref.data(), want.data(), stride, scratch.view());
  test::for_each_path([&](kernels::SimdPath path) {
    std::vector<float> out = nan_filled(rows * stride), h = h0;
    kernels::rnn_sequence(p, w, layout, forward, x.data(), auxp, h.data(), out.data(), stride, scratch.view(), path);
    const WrittenColumns cols = written_columns(out, want, rows, stride, c.units);
    check_identical(cols.got, cols.want, "output");
    check_identical(h, h_ref, "hidden state");
  });
}

}  // namespace

TEST_CASE("rnn_sequence matches the reference over shapes, variants and layouts") {
  for (Variant v : {Variant::f32, Variant::hybrid_symmetric, Variant::hybrid_asymmetric})
    for (bool tm : {false, true})
      for (int b : {1, 2, 3})
        for (int t : {1, 4, 7})
          for (int i : {1, 5, 16, 33})
            for (int u : {1, 4, 17, 64}) {
              RnnCase c{b, t, i, u};
              c.time_major = tm;
              c.variant = v;
              run_rnn_case(c);
            }
}

TEST_CASE("rnn_sequence: aux input, backward sweep, every fused activation, extreme values") {
  for (Variant v : {Variant::f32, Variant::hybrid_symmetric, Variant::hybrid_asymmetric})
    for (bool tm : {false, true}) {
      for (int aux : {1, 6, 20}) {
        RnnCase c{3, 4, 5, 17, aux};
        c.time_major = tm;
        c.variant = v;
        run_rnn_case(c, true);
        run_rnn_case(c, false);
      }
      for (Activation a : {Activation::none, Activation::relu, Activation::relu_n1_to_1, Activation::relu6,
                           Activation::tanh, Activation::sign_bit}) {
        RnnCase c{2, 4, 16, 17};
        c.time_major = tm;
        c.variant = v;
        c.act = a;
        run_rnn_case(c);
      }
      for (Activation a : {Activation::relu, Activation::tanh}) {
        RnnCase c{2, 4, 16, 17};
        c.time_major = tm;
        c.variant = v;
        c.act = a;
        c.gate_clip = 0.25f;
        run_rnn_case(c, false);
      }
      for (float mag : {1e-20f, 1e4f, 1e30f}) {
        RnnCase c{3, 4, 16, 17};
        c.time_major = tm;
        c.variant = v;
        c.magnitude = mag;
        run_rnn_case(c);
      }
    }
}

TEST_CASE("rnn_step: all-zero input and state leave the output at act(bias) in every mode") {
  std::mt19937 rng(3);
  MatrixStore W = make_matrix(rng, 4, 5), R = make_matrix(rng, 4, 4);
  std::vector<float> bias = {0.1f, -0.2f, 0.3f, -0.4f};
  for (Variant v : {Variant::f32, Variant::hybrid_symmetric, Variant::hybrid_asymmetric}) {
    CAPTURE(variant_name(v));
    const bool hy = v != Variant::f32;
    kernels::RnnWeights w;
    w.input = W.view(hy);
    w.recurrent = R.view(hy);
    w.bias = bias.data();
    kernels::RnnParams p;
    p.activation = Activation::tanh;
    p.asymmetric_inputs = v == Variant::hybrid_asymmetric;
    std::vector<float> x(10, 0.0f), h(8, 0.0f), out = nan_filled(8);
    kernels::QuantizedRowsBuffer s;
    s.resize(kernels::rnn_scratch_q_size(w, 2), 2);
    kernels::rnn_step(p, w, 2, x.data(), nullptr, h.data(), out.data(), 4, s.view());
    for (int b = 0; b < 2; ++b)
      for (int n = 0; n < 4; ++n) CHECK(out[b * 4 + n] == kernels::tanh_eigen(bias[n]));
  }
}

}  // TEST_SUITE

}  // namespace qgate::test
