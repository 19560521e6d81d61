// LSTM kernels against the reference: shape sweeps for the plain cell, then every option.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "kernels/lstm.h"
#include "reference/recurrent.h"
#include "tests/kernels/recurrent_test_util.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate::test {

TEST_SUITE("kernels.lstm") {

namespace {

struct LstmOptions {
  bool cifg = false, peephole = false, projection = false, projection_bias = false, layer_norm = false;
  int aux = 0;
  float cell_clip = 0.0f, proj_clip = 0.0f, gate_clip = 0.0f;
  bool ort = false, row_scales = false;  // onnxruntime DynamicQuantizeLSTM arithmetic; per-row weight scales
  std::string name() const {
    return fmt::format("cifg{} peep{} proj{} pbias{} ln{} aux{} cclip{} pclip{} gclip{} ort{} rowscales{}", cifg,
                       peephole, projection, projection_bias, layer_norm, aux, cell_clip, proj_clip, gate_clip, ort,
                       row_scales);
  }
};

struct LstmCase {
  int batch, time, input, cells;
  bool time_major = false;
  Variant variant = Variant::f32;
  LstmOptions opt;
  float magnitude = 2.0f;
  std::string name() const {
    return fmt::format("{} B{} T{} I{} C{} {} {} mag{}", variant_name(variant), batch, time, input, cells,
                       time_major ? "time-major" : "batch-major", opt.name(), magnitude);
  }
};

void run_lstm_case(const LstmCase& c, bool forward = true) {
  CAPTURE(c.name());
  std::mt19937 rng(99 + c.batch * 7 + c.time * 11 + c.input * 13 + c.cells * 17);
  const bool hy = c.variant != Variant::f32;
  const LstmOptions& o = c.opt;
  const int n_output = o.projection ? std::max(1, c.cells / 2 + 1) : c.cells;
  std::vector<MatrixStore> mats;
  mats.reserve(16);
  std::vector<std::vector<float>> vecs;
  vecs.reserve(16);
  kernels::LstmWeights w;
  // Per-row scales (o.row_scales): the stored scale times a factor in [0.5, 1.5) per row.
  auto scale_rows = [&](kernels::RecurrentMatrix& m) {
    if (!o.row_scales) return;
    vecs.push_back(random_floats(rng, m.rows, 0.5f, 1.5f));
    for (float& s : vecs.back()) s *= m.scale;
    m.row_scales = vecs.back().data();
  };
  for (int g = 0; g < 4; ++g) {
    if (o.cifg && g == kernels::lstm_input_gate) continue;
    mats.push_back(make_matrix(rng, c.cells, c.input));
    w.input_to[g] = mats.back().view(hy);
    scale_rows(w.input_to[g]);
    mats.push_back(make_matrix(rng, c.cells, n_output));
    w.recurrent_to[g] = mats.back().view(hy);
    scale_rows(w.recurrent_to[g]);
    if (o.aux > 0) {
      mats.push_back(make_matrix(rng, c.cells, o.aux));
      w.aux_to[g] = mats.back().view(hy);
    }
    vecs.push_back(random_floats(rng, c.cells, -0.5f, 0.5f));
    w.bias[g] = vecs.back().data();
    if (o.layer_norm) {
      vecs.push_back(random_floats(rng, c.cells, 0.5f, 1.5f));
      w.layer_norm[g] = vecs.back().data();
    }
    if (o.peephole && g != kernels::lstm_cell_gate) {
      vecs.push_back(random_floats(rng, c.cells, -0.5f, 0.5f));
      w.peephole[g] = vecs.back().data();
    }
  }
  if (o.projection) {
    mats.push_back(make_matrix(rng, n_output, c.cells));
    w.projection = mats.back().view(hy);
    if (o.projection_bias) {
      vecs.push_back(random_floats(rng, n_output, -0.2f, 0.2f));
      w.projection_bias = vecs.back().data();
    }
  }
  kernels::LstmParams p;
  p.cell_clip = o.cell_clip;
  p.gate_clip = o.gate_clip;
  p.proj_clip = o.proj_clip;
  p.asymmetric_inputs = c.variant == Variant::hybrid_asymmetric;
  p.ort_dynamic = o.ort;

  const SequenceInputs in = sequence_inputs(rng, c.batch, c.time, c.input, o.aux, c.time_major, c.magnitude);
  const std::vector<float>& x = in.x;
  const size_t rows = static_cast<size_t>(c.batch) * c.time;
  const int stride = n_output + 2;
  std::vector<float> want = nan_filled(rows * stride);
  const std::vector<float> h0(static_cast<size_t>(c.batch) * n_output, 0.0f);
  const std::vector<float> cs0(static_cast<size_t>(c.batch) * c.cells, 0.0f);
  std::vector<float> h_ref = h0, cs_ref = cs0;
  kernels::LstmScratch scratch;
  scratch.resize(w, c.batch, o.ort ? int64_t{c.batch} * c.time : 0);
  const kernels::SequenceLayout layout{c.batch, c.time, c.time_major};
  const float* auxp = in.aux_or_null();
  reference::lstm_sequence(p, w, layout, forward, x.data(), auxp, h_ref.data(), cs_ref.data(), want.data(), stride,
                           scratch);
  test::for_each_path([&](kernels::SimdPath path) {
    std::vector<float> out = nan_filled(rows * stride), h = h0, cs = cs0;
    kernels::lstm_sequence(p, w, layout, forward, x.data(), auxp, h.data(), cs.data(), out.data(), stride, scratch,
                           path);
    const WrittenColumns cols = written_columns(out, want, rows, stride, n_output);
    check_identical(cols.got, cols.want, "output");
    check_identical(h, h_ref, "output state");
    check_identical(cs, cs_ref, "cell state");
  });
}

constexpr Variant kVariants[] = {Variant::f32, Variant::hybrid_symmetric, Variant::hybrid_asymmetric};

}  // namespace

TEST_CASE("lstm_sequence (no options) matches the reference over shapes, variants and layouts") {
  for (Variant v : kVariants)
    for (bool tm : {false, true})
      for (int b : {1, 2, 3})
        for (int t : {1, 4, 7})
          for (int i : {1, 5, 16, 33})
            for (int u : {1, 4, 17, 64}) {
              LstmCase c{b, t, i, u, false, Variant::f32, {}};
              c.time_major = tm;
              c.variant = v;
              run_lstm_case(c);
            }
}

TEST_CASE("lstm_sequence with each option and with all of them") {
  std::vector<LstmOptions> options;
  options.push_back({.cifg = true});
  options.push_back({.peephole = true});
  options.push_back({.projection = true});
  options.push_back({.projection = true, .projection_bias = true});
  options.push_back({.layer_norm = true});
  options.push_back({.aux = 6});
  options.push_back({.cell_clip = 0.3f});
  options.push_back({.peephole = true, .gate_clip = 0.4f});
  options.push_back({.projection = true, .proj_clip = 0.05f});
  options.push_back({.peephole = true, .projection = true, .projection_bias = true, .layer_norm = true, .aux = 3,
                     .cell_clip = 0.5f, .proj_clip = 0.1f});
  options.push_back({.cifg = true, .peephole = true, .projection = true, .layer_norm = true, .aux = 20,
                     .cell_clip = 1.0f, .proj_clip = 0.5f});
  for (const LstmOptions& o : options)
    for (Variant v : kVariants)
      for (bool tm : {false, true})
        for (int b : {1, 3})
          for (int i : {5, 16})
            for (int u : {4, 17}) {
              LstmCase c{b, 4, i, u, false, Variant::f32, {}};
              c.time_major = tm;
              c.variant = v;
              c.opt = o;
              run_lstm_case(c, true);
              run_lstm_case(c, false);
            }
}

// onnxruntime's DynamicQuantizeLSTM arithmetic (LstmParams::ort_dynamic): the fast kernel (whole-sequence
// quantization into the scratch, packed int8 GEMM, shared step code) against the reference's plain loops, bit for
// bit. Time-major only (the op requires it); peepholes and gate clip are what the ONNX import can give it.
TEST_CASE("lstm_sequence ort_dynamic (onnxruntime DynamicQuantizeLSTM) matches the reference") {
  for (int b : {1, 2, 3})
    for (int t : {1, 4})
      for (auto [in, cells] : {std::pair{1, 1}, std::pair{5, 8}, std::pair{33, 17}})
        for (bool rows : {false, true})
          for (bool peep : {false, true}) {
            LstmCase c{b, t, in, cells, true, Variant::hybrid_asymmetric, {}};
            c.opt.ort = true;
            c.opt.row_scales = rows;
            c.opt.peephole = peep;
            c.opt.gate_clip = peep ? 1.5f : 0.0f;
            run_lstm_case(c, true);
            run_lstm_case(c, false);
          }
  // Extreme and all-zero sequences (an all-zero tensor quantizes with scale 1, zero point 0).
  for (float mag : {0.0f, 1e-6f, 60.0f}) {
    LstmCase c{2, 3, 6, 5, true, Variant::hybrid_asymmetric, {}};
    c.opt.ort = true;
    c.magnitude = mag;
    run_lstm_case(c);
  }
}

TEST_CASE("lstm_sequence with extreme inputs") {
  for (Variant v : kVariants)
    for (bool tm : {false, true})
      for (float mag : {1e-20f, 1e4f, 1e30f}) {
        LstmCase c{3, 4, 16, 17, false, Variant::f32, {}};
        c.time_major = tm;
        c.variant = v;
        c.magnitude = mag;
        c.opt.projection = true;
        run_lstm_case(c);
      }
}

TEST_CASE("lstm_step: hand-checked single cell (float)") {
  // One cell, one input, weights 1, biases 0, x = 1, h = c = 0: every gate pre-activation is 1.
  const float one = 1.0f, zero = 0.0f;
  kernels::LstmWeights w;
  for (int g = 0; g < 4; ++g) {
    w.input_to[g].f32 = &one;
    w.input_to[g].rows = w.input_to[g].cols = 1;
    w.recurrent_to[g].f32 = &one;
    w.recurrent_to[g].rows = w.recurrent_to[g].cols = 1;
    w.bias[g] = &zero;
  }
  kernels::LstmParams p;
  kernels::LstmScratch s;
  s.resize(w, 1);
  float x = 1.0f, h = 0.0f, c = 0.0f, out = NAN;
  kernels::lstm_step(p, w, 1, &x, nullptr, &h, &c, &out, 1, s);
  const float sig = kernels::sigmoid_eigen(1.0f), g = kernels::tanh_eigen(1.0f);
  const float c1 = 0.0f + g * sig;
  CHECK(c == c1);
  CHECK(h == sig * kernels::tanh_eigen(c1));
  CHECK(out == h);
}

}  // TEST_SUITE

}  // namespace qgate::test
