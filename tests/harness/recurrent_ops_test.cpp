// RNN, LSTM and embedding lookup ops through Graph + Executor, against the reference kernels.
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include "core/errors.h"
#include "harness/executor.h"
#include "reference/recurrent.h"
#include "tests/kernels/recurrent_test_util.h"
#include "tests/support/graph_builder.h"
#include "tests/support/random.h"

namespace qgate::test {
namespace {

// A recurrent weight matrix as a float constant, or int8 with its per-tensor scale.
int weight(GraphBuilder& b, const std::string& name, const MatrixStore& m, bool hybrid) {
  if (!hybrid) return b.constant(name, {m.rows, m.cols}, m.f);
  const int id = b.constant(name, {m.rows, m.cols}, m.q);
  b.at(id).quant.scale = {m.scale};
  b.at(id).quant.zero_point = {0};
  return id;
}

// Through the executor, float weights run in the packed FMA GEMM while the reference sums each dot in k order:
// the float variant may differ by summation order (kFloatSumOrderTol relative), hybrid ones must be identical
// (their int32 accumulators are exact and the epilogue order is the same).
constexpr float kFloatSumOrderTol = 2e-5f;
void check_output(bool hybrid, const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  if (hybrid) return check_identical(got, want, what);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(what);
    CAPTURE(i);
    REQUIRE_FALSE(std::isnan(got[i]));
    CHECK(std::fabs(got[i] - want[i]) <= kFloatSumOrderTol * (1.0f + std::fabs(want[i])));
  }
}

}  // namespace

TEST_SUITE("harness.recurrent_ops") {

TEST_CASE("UNIDIRECTIONAL_SEQUENCE_RNN through the executor equals the reference, state reset between samples") {
  for (Variant v : {Variant::f32, Variant::hybrid_symmetric, Variant::hybrid_asymmetric}) {
    CAPTURE(variant_name(v));
    const bool hy = v != Variant::f32;
    std::mt19937 rng(11);
    const int B = 2, T = 5, I = 6, U = 7;
    MatrixStore W = make_matrix(rng, U, I), R = make_matrix(rng, U, U);
    std::vector<float> bias = random_floats(rng, U, -0.2f, 0.2f);
    GraphBuilder gb;
    const int x = gb.input("x", {B, T, I});
    const int w = weight(gb, "W", W, hy), r = weight(gb, "R", R, hy), b = gb.constant("bias", {U}, bias);
    const int h = gb.variable("h", {B, U});
    const Attributes a = attributes({{"fused_activation_function", 4},
                                     {"time_major", 0},
                                     {"asymmetric_quantize_inputs", v == Variant::hybrid_asymmetric}});
    const Graph g = gb.build({gb.node(OpType::unidirectional_sequence_rnn, "y", {x, w, r, b, h}, a)});
    Executor ex(g);
    ex.prepare();
    const std::vector<float> xv = random_floats(rng, static_cast<size_t>(B) * T * I, -1.5f, 1.5f);
    set_input(ex, 0, xv);

    kernels::RnnWeights kw;
    kw.input = W.view(hy);
    kw.recurrent = R.view(hy);
    kw.bias = bias.data();
    kernels::RnnParams p{kernels::Activation::tanh, v == Variant::hybrid_asymmetric};
    std::vector<float> want(static_cast<size_t>(B) * T * U), hs(static_cast<size_t>(B) * U, 0.0f);
    reference::rnn_sequence(p, kw, {B, T, false}, true, xv.data(), nullptr, hs.data(), want.data(), U, {});
    for (int sample = 0; sample < 2; ++sample) {
      ex.reset_state();
      ex.run();
      check_output(hy, values_of(ex.output(0)), want, "sequence rnn output");
    }
  }
}

TEST_CASE("UNIDIRECTIONAL_SEQUENCE_LSTM (peephole, projection, layer norm) through the executor equals the reference") {
  for (Variant v : {Variant::f32, Variant::hybrid_asymmetric}) {
    CAPTURE(variant_name(v));
    const bool hy = v != Variant::f32;
    std::mt19937 rng(21);
    const int B = 2, T = 3, I = 5, C = 6, O = 4;
    GraphBuilder gb;
    const int x = gb.input("x", {T, B, I});
    std::vector<int> in(24, -1);
    in[0] = x;
    std::vector<MatrixStore> mats;
    mats.reserve(9);
    std::vector<std::vector<float>> vecs;
    vecs.reserve(12);
    kernels::LstmWeights kw;
    for (int g = 0; g < 4; ++g) {
      mats.push_back(make_matrix(rng, C, I));
      in[1 + g] = weight(gb, "wi", mats.back(), hy);
      kw.input_to[g] = mats.back().view(hy);
      mats.push_back(make_matrix(rng, C, O));
      in[5 + g] = weight(gb, "wr", mats.back(), hy);
      kw.recurrent_to[g] = mats.back().view(hy);
      vecs.push_back(random_floats(rng, C, -0.3f, 0.3f));
      in[12 + g] = gb.constant("bias", {C}, vecs.back());
      kw.bias[g] = vecs.back().data();
      vecs.push_back(random_floats(rng, C, 0.5f, 1.5f));
      in[20 + g] = gb.constant("ln", {C}, vecs.back());
      kw.layer_norm[g] = vecs.back().data();
    }
    // Peepholes as float tensors (int8 ones are dequantized at prepare; covered by the same kernel path).
    for (int k = 0; k < 3; ++k) {
      const int g = k == 2 ? 3 : k;
      vecs.push_back(random_floats(rng, C, -0.4f, 0.4f));
      in[9 + k] = gb.constant("peep", {C}, vecs.back());
      kw.peephole[g] = vecs.back().data();
    }
    mats.push_back(make_matrix(rng, O, C));
    in[16] = weight(gb, "proj", mats.back(), hy);
    kw.projection = mats.back().view(hy);
    in[18] = gb.variable("h", {B, O});
    in[19] = gb.variable("c", {B, C});
    const Attributes a = attributes({{"fused_activation_function", 4},
                                     {"cell_clip", 0.8},
                                     {"proj_clip", 0.3},
                                     {"time_major", 1},
                                     {"asymmetric_quantize_inputs", v == Variant::hybrid_asymmetric}});
    const Graph g = gb.build({gb.node(OpType::unidirectional_sequence_lstm, "y", in, a)});
    Executor ex(g);
    ex.prepare();
    const std::vector<float> xv = random_floats(rng, static_cast<size_t>(B) * T * I, -1.5f, 1.5f);
    set_input(ex, 0, xv);
    kernels::LstmParams p;
    p.cell_clip = 0.8f;
    p.proj_clip = 0.3f;
    p.asymmetric_inputs = v == Variant::hybrid_asymmetric;
    std::vector<float> want(static_cast<size_t>(B) * T * O), hs(static_cast<size_t>(B) * O, 0.0f),
        cs(static_cast<size_t>(B) * C, 0.0f);
    kernels::LstmScratch unused;
    reference::lstm_sequence(p, kw, {B, T, true}, true, xv.data(), nullptr, hs.data(), cs.data(), want.data(), O,
                             unused);
    ex.reset_state();
    ex.run();
    check_output(hy, values_of(ex.output(0)), want, "sequence lstm output");
  }
}

TEST_CASE("BIDIRECTIONAL_SEQUENCE_RNN: merged output is the two separate outputs side by side") {
  std::mt19937 rng(31);
  const int B = 2, T = 4, I = 3, U = 5;
  MatrixStore fw = make_matrix(rng, U, I), fr = make_matrix(rng, U, U), bw = make_matrix(rng, U, I),
              br = make_matrix(rng, U, U);
  std::vector<float> bias = random_floats(rng, U, -0.2f, 0.2f);
  const std::vector<float> xv = random_floats(rng, static_cast<size_t>(B) * T * I, -1.0f, 1.0f);
  std::vector<std::vector<float>> outs;
  for (bool merge : {false, true}) {
    GraphBuilder gb;
    const int x = gb.input("x", {B, T, I});
    const int b = gb.constant("bias", {U}, bias);
    std::vector<int> in = {x, weight(gb, "fw", fw, true), weight(gb, "fr", fr, true), b, gb.variable("fh", {B, U}),
                           weight(gb, "bw", bw, true), weight(gb, "br", br, true), b, gb.variable("bh", {B, U}),
                           -1, -1, -1};
    std::vector<int> out = {gb.tensor("y_fw")};
    if (!merge) out.push_back(gb.tensor("y_bw"));
    const Attributes a = attributes({{"fused_activation_function", 1}, {"merge_outputs", merge}});
    gb.node_into(OpType::bidirectional_sequence_rnn, in, out, a);
    const Graph g = gb.build(out);
    Executor ex(g);
    ex.prepare();
    set_input(ex, 0, xv);
    ex.run();
    if (merge) {
      CHECK(ex.output(0).shape == Shape{B, T, 2 * U});
      outs.push_back(values_of(ex.output(0)));
    } else {
      const std::vector<float> f = values_of(ex.output(0)), bk = values_of(ex.output(1));
      std::vector<float> m;
      for (int r = 0; r < B * T; ++r) {
        m.insert(m.end(), f.begin() + r * U, f.begin() + (r + 1) * U);
        m.insert(m.end(), bk.begin() + r * U, bk.begin() + (r + 1) * U);
      }
      outs.push_back(m);
    }
  }
  check_identical(outs[1], outs[0], "merged vs separate");
}

TEST_CASE("BIDIRECTIONAL_SEQUENCE_LSTM (48 inputs, aux weights, CIFG backward) equals two reference sweeps") {
  for (bool tm : {true, false}) {
    CAPTURE(tm);
    std::mt19937 rng(41);
    const int B = 2, T = 3, I = 4, A = 3, C = 5;
    GraphBuilder gb;
    const int x = gb.input("x", tm ? Shape{T, B, I} : Shape{B, T, I});
    const int aux = gb.input("aux", tm ? Shape{T, B, A} : Shape{B, T, A});
    std::vector<int> in(48, -1);
    in[0] = x;
    in[39] = aux;
    std::vector<MatrixStore> mats;
    mats.reserve(40);
    std::vector<std::vector<float>> vecs;
    vecs.reserve(10);
    kernels::LstmWeights dir[2];
    // fw: full cell; bw: CIFG. Slots per direction: input-to, recurrent-to, bias, aux-to.
    const int base_w[2] = {1, 18}, base_r[2] = {5, 22}, base_b[2] = {12, 29}, base_aux[2] = {40, 44};
    for (int d = 0; d < 2; ++d)
      for (int g = 0; g < 4; ++g) {
        if (d == 1 && g == 0) continue;
        mats.push_back(make_matrix(rng, C, I));
        in[base_w[d] + g] = weight(gb, "wi", mats.back(), true);
        dir[d].input_to[g] = mats.back().view(true);
        mats.push_back(make_matrix(rng, C, C));
        in[base_r[d] + g] = weight(gb, "wr", mats.back(), true);
        dir[d].recurrent_to[g] = mats.back().view(true);
        mats.push_back(make_matrix(rng, C, A));
        in[base_aux[d] + g] = weight(gb, "wa", mats.back(), true);
        dir[d].aux_to[g] = mats.back().view(true);
        vecs.push_back(random_floats(rng, C, -0.3f, 0.3f));
        in[base_b[d] + g] = gb.constant("bias", {C}, vecs.back());
        dir[d].bias[g] = vecs.back().data();
      }
    for (int k : {35, 36, 37, 38}) in[k] = gb.variable("state", {B, C});
    const int yf = gb.tensor("yf"), yb = gb.tensor("yb");
    const Attributes a = attributes({{"fused_activation_function", 4}, {"time_major", tm}});
    gb.node_into(OpType::bidirectional_sequence_lstm, in, {yf, yb}, a);
    const Graph g = gb.build({yf, yb});
    Executor ex(g);
    ex.prepare();
    const std::vector<float> xv = random_floats(rng, static_cast<size_t>(B) * T * I, -1.0f, 1.0f);
    const std::vector<float> av = random_floats(rng, static_cast<size_t>(B) * T * A, -1.0f, 1.0f);
    set_input(ex, 0, xv);
    set_input(ex, 1, av);
    ex.run();
    kernels::LstmParams p;
    kernels::LstmScratch unused;
    for (int d = 0; d < 2; ++d) {
      std::vector<float> want(static_cast<size_t>(B) * T * C), hs(static_cast<size_t>(B) * C, 0.0f), cs = hs;
      reference::lstm_sequence(p, dir[d], {B, T, tm}, d == 0, xv.data(), av.data(), hs.data(), cs.data(),
                               want.data(), C, unused);
      CHECK(ex.output(d).shape == (tm ? Shape{T, B, C} : Shape{B, T, C}));
      check_identical(values_of(ex.output(d)), want, d == 0 ? "fw" : "bw");
    }
  }
}

TEST_CASE("EMBEDDING_LOOKUP: int8 per-row scales; a constant bad index fails prepare, a computed one fails the run") {
  GraphBuilder gb;
  const int idx = gb.input("idx", {3}, DType::i32);
  const int table = gb.constant<int8_t>("table", {2, 2}, {10, -20, 30, 127});
  gb.at(table).quant.scale = {0.5f, 0.25f};
  gb.at(table).quant.zero_point = {0, 0};
  const Graph g = gb.build({gb.node(OpType::embedding_lookup, "y", {idx, table})});
  Executor ex(g);
  ex.prepare();
  const int32_t good[3] = {1, 0, 1};
  std::memcpy(ex.input(0).data.data(), good, sizeof good);
  ex.run();
  const std::vector<float> want = {7.5f, 31.75f, 5.0f, -10.0f, 7.5f, 31.75f};
  CHECK(values_of(ex.output(0)) == want);
  CHECK(ex.failed_nodes().empty());
  const int32_t bad[3] = {1, 2, 0};
  std::memcpy(ex.input(0).data.data(), bad, sizeof bad);
  ex.run();
  const std::vector<float> want_bad = {7.5f, 31.75f, 0.0f, 0.0f, 5.0f, -10.0f};
  CHECK(values_of(ex.output(0)) == want_bad);
  CHECK(ex.failed_nodes() == std::vector<int>{0});

  GraphBuilder gc;
  const int cidx = gc.constant<int32_t>("idx", {2}, {0, 5});
  const int ctab = gc.constant<float>("table", {2, 1}, {1.0f, 2.0f});
  const Graph cg = gc.build({gc.node(OpType::embedding_lookup, "y", {cidx, ctab})});
  Executor ec(cg);
  CHECK_THROWS_AS(ec.prepare(), ModelError);
}

}  // TEST_SUITE

}  // namespace qgate::test
