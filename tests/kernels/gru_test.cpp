// GRU kernel against its reference twin (shape sweeps over layouts, directions, both linear_before_reset forms,
// float and hybrid), and a hand-computed one-unit case as an oracle independent of both.
#include <deque>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "kernels/gemm.h"
#include "kernels/gru.h"
#include "kernels/hybrid_gemm.h"
#include "reference/gru.h"
#include "tests/kernels/recurrent_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate::test {

TEST_SUITE("kernels.gru") {

namespace {

// The packed float GEMM sums with FMA in its own order, the reference with separate multiply and add: each
// pre-activation may differ by a few ulp of its terms' magnitudes (|terms| <= ~40 here), and a GRU step is a
// contraction (sigmoid/tanh slopes <= 1, h mixes convexly), so the outputs stay within a small absolute bound.
constexpr float kPackedFloatAbsTol = 2e-5f;

struct GruCase {
  int batch, time, input, hidden;
  bool time_major = false;
  Variant variant = Variant::f32;
  bool linear_before_reset = false;
  bool forward = true;
  bool biases = true;
  bool packed = false;  // the op's packed forms (float: FMA GEMM; hybrid: int8 GEMM, same integers)
  float gate_clip = 0.0f;
  std::string name() const {
    return fmt::format("{} B{} T{} I{} H{} {} lbr{} {} bias{} packed{} clip{}", variant_name(variant), batch, time,
                       input, hidden, time_major ? "time-major" : "batch-major", linear_before_reset,
                       forward ? "forward" : "reverse", biases, packed, gate_clip);
  }
};

// Rows [row0, row0 + rows) of a test matrix as a kernel view.
kernels::RecurrentMatrix rows_of(const MatrixStore& m, bool hybrid, int row0, int rows) {
  kernels::RecurrentMatrix v = m.view(hybrid);
  const size_t offset = static_cast<size_t>(row0) * m.cols;
  if (hybrid) {
    v.i8 += offset;
    v.row_sums += row0;
  } else {
    v.f32 += offset;
  }
  v.rows = rows;
  return v;
}

// Owners of the packed forms of the views a case packs.
struct Packs {
  std::deque<kernels::PackedMatrix> f32;
  std::deque<kernels::PackedInt8Weights> i8;
  void pack(kernels::RecurrentMatrix& m) {
    if (m.hybrid()) {
      i8.push_back(kernels::pack_int8_weights(m.i8, m.rows, m.cols, &m.scale, 1));
      m.i8_packed = &i8.back();
    } else {
      f32.push_back(kernels::gemm_pack(m.f32, m.rows, m.cols, m.cols, 1));
      m.f32_packed = &f32.back();
    }
  }
};

void run_gru_case(const GruCase& c) {
  CAPTURE(c.name());
  std::mt19937 rng(7 + c.batch * 7 + c.time * 11 + c.input * 13 + c.hidden * 17);
  const bool hy = c.variant != Variant::f32;
  const int H = c.hidden;
  const MatrixStore W = make_matrix(rng, 3 * H, c.input), R = make_matrix(rng, 3 * H, H);
  const std::vector<float> wb = random_floats(rng, 3 * H, -0.5f, 0.5f), rb = random_floats(rng, 3 * H, -0.5f, 0.5f);
  kernels::GruWeights w;
  w.input = W.view(hy);
  w.recurrent_zr = rows_of(R, hy, 0, 2 * H);
  w.recurrent_n = rows_of(R, hy, 2 * H, H);
  if (c.biases) {
    w.input_bias = wb.data();
    w.recurrent_bias = rb.data();
  }
  kernels::GruWeights w_fast = w;
  Packs packs;
  if (c.packed) {
    packs.pack(w_fast.input);
    packs.pack(w_fast.recurrent_zr);
    packs.pack(w_fast.recurrent_n);
  }
  kernels::GruParams p;
  p.linear_before_reset = c.linear_before_reset;
  p.asymmetric_inputs = c.variant == Variant::hybrid_asymmetric;
  p.gate_clip = c.gate_clip;

  const size_t rows = static_cast<size_t>(c.batch) * c.time;
  std::vector<float> x = random_floats(rng, rows * c.input, -2.0f, 2.0f);
  if (c.time > 1) std::fill_n(x.begin() + c.input, c.input, 0.0f);  // one all-zero row
  const std::vector<float> h0 = random_floats(rng, static_cast<size_t>(c.batch) * H, -1.0f, 1.0f);
  std::vector<float> h_ref = h0;
  const int stride = H + 2;  // the gap columns must keep the sentinel
  std::vector<float> want = nan_filled(rows * stride);
  const kernels::SequenceLayout layout{c.batch, c.time, c.time_major};
  kernels::GruScratch scratch;
  scratch.resize(w_fast, layout);
  reference::gru_sequence(p, w, layout, c.forward, x.data(), h_ref.data(), want.data(), stride, scratch);

  test::for_each_path([&](kernels::SimdPath path) {
    std::vector<float> out = nan_filled(rows * stride), h = h0;
    kernels::gru_sequence(p, w_fast, layout, c.forward, x.data(), h.data(), out.data(), stride, scratch, path);
    const WrittenColumns cols = written_columns(out, want, rows, stride, H);
    if (c.packed && !hy) {
      for (size_t i = 0; i < cols.got.size(); ++i) {
        CAPTURE(i);
        REQUIRE(!std::isnan(cols.got[i]));
        CHECK(std::fabs(cols.got[i] - cols.want[i]) <= kPackedFloatAbsTol);
      }
      for (size_t i = 0; i < h.size(); ++i) CHECK(std::fabs(h[i] - h_ref[i]) <= kPackedFloatAbsTol);
    } else {
      // Same expressions in the same order (unpacked float; hybrid: exact int32 either way): identical bits.
      check_identical(cols.got, cols.want, "output");
      check_identical(h, h_ref, "final state");
    }
  });
}

constexpr Variant kVariants[] = {Variant::f32, Variant::hybrid_symmetric, Variant::hybrid_asymmetric};

}  // namespace

TEST_CASE("gru_sequence matches the reference over shapes, variants, layouts, directions and reset forms") {
  int cases = 0;
  for (Variant v : kVariants)
    for (bool packed : {false, true})
      for (bool lbr : {false, true})
        for (bool tm : {false, true})
          for (bool fw : {true, false})
            for (int b : {1, 3})
              for (int t : {1, 4})
                for (int i : {1, 5, 33})
                  for (int u : {1, 3, 17}) {
                    GruCase c{b, t, i, u};
                    c.time_major = tm;
                    c.variant = v;
                    c.linear_before_reset = lbr;
                    c.forward = fw;
                    c.packed = packed;
                    run_gru_case(c);
                    ++cases;
                  }
  CHECK(cases == 3 * 2 * 2 * 2 * 2 * 2 * 2 * 3 * 3);
}

TEST_CASE("gru_sequence without biases, with gate clip, and with a larger hidden size") {
  for (Variant v : kVariants)
    for (bool packed : {false, true})
      for (bool lbr : {false, true}) {
        auto with_loop_options = [&](GruCase c) {
          c.variant = v;
          c.packed = packed;
          c.linear_before_reset = lbr;
          return c;
        };
        GruCase c = with_loop_options({2, 5, 16, 7});
        c.biases = false;
        run_gru_case(c);
        c.biases = true;
        c.gate_clip = 0.3f;
        run_gru_case(c);
        GruCase big = with_loop_options({2, 3, 40, 64});
        big.time_major = true;
        run_gru_case(big);
      }
}

TEST_CASE("gru_sequence: hand-computed one-unit case (both reset forms)") {
  // W = [wz, wr, wn], R = [rz, rr, rn], biases per gate; x = (1, -2), h0 = 0.5. Expected values from the
  // formulas in double with exact sigmoid and tanh (python):
  //   z = s(wz x + bz + rz h + cz), r = s(wr x + br + rr h + cr)
  //   lbr 0: n = tanh(wn x + bn + rn (r h) + cn);  lbr 1: n = tanh(wn x + bn + r (rn h + cn))
  //   h = (1 - z) n + z h
  const float Wf[3] = {0.5f, -0.25f, 1.0f}, Rf[3] = {0.75f, 0.5f, -0.5f};
  const float wb[3] = {0.1f, 0.2f, 0.3f}, rb[3] = {-0.1f, 0.05f, 0.1f};
  const double expected[2][2] = {{0.603244162, -0.380332325}, {0.599554492, -0.384179787}};
  // The Eigen sigmoid/tanh forms differ from exact by a few ulp; float inputs carry 1e-8-level rounding.
  constexpr double kTol = 1e-6;
  for (int lbr = 0; lbr < 2; ++lbr) {
    CAPTURE(lbr);
    kernels::GruWeights w;
    w.input.f32 = Wf;
    w.input.rows = 3;
    w.input.cols = 1;
    w.recurrent_zr.f32 = Rf;
    w.recurrent_zr.rows = 2;
    w.recurrent_zr.cols = 1;
    w.recurrent_n.f32 = Rf + 2;
    w.recurrent_n.rows = 1;
    w.recurrent_n.cols = 1;
    w.input_bias = wb;
    w.recurrent_bias = rb;
    kernels::GruParams p;
    p.linear_before_reset = lbr == 1;
    const float x[2] = {1.0f, -2.0f};
    float h = 0.5f, out[2] = {NAN, NAN};
    const kernels::SequenceLayout layout{1, 2, true};
    kernels::GruScratch s;
    s.resize(w, layout);
    kernels::gru_sequence(p, w, layout, true, x, &h, out, 1, s);
    CHECK(std::fabs(out[0] - expected[lbr][0]) <= kTol);
    CHECK(std::fabs(out[1] - expected[lbr][1]) <= kTol);
    CHECK(h == out[1]);
  }
}

}  // TEST_SUITE

}  // namespace qgate::test
