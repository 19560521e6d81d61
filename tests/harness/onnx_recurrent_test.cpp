// ONNX LSTM and GRU models built here with the onnx protobuf, imported, quantized with tflite-dynamic and run:
// the quantized graph must run the hybrid kernels (int8 W and R), its recurrent nodes must match the naive
// hybrid reference twins bit for bit on the same inputs, and its outputs must stay close to the float run.
// Numerical agreement of the float import with ONNX semantics is the onnx.conformance ctest case.
#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "harness/executor.h"
#include "harness/fold_constants.h"
#include "harness/onnx/import.h"
#include "harness/ptq.h"
#include "harness/scheme.h"
#include "reference/gru.h"
#include "reference/recurrent.h"
#include "tests/support/graph_builder.h"
#include "tests/support/onnx_builder.h"
#include "tests/support/random.h"

using namespace qgate;

namespace {

std::mt19937 g_rng(2024);

// An initializer uniform in [-range, range), drawn from the file's one stream in the order the models are built.
void add_random_init(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, float range) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  test::onnx_initializer(g, name, dims, test::random_floats(g_rng, static_cast<size_t>(n), -range, range));
}

// Sizes chosen so that every op's largest weight has >= 1024 elements: tflite-dynamic quantizes them.
constexpr int kT = 5, kB = 2, kI = 40, kH = 32;

// Bidirectional LSTM with biases, peepholes and initial_h as a graph input; outputs Y, Y_h, Y_c.
std::string lstm_model() {
  onnx::ModelProto m = test::onnx_model("lstm", 14);
  onnx::GraphProto* g = m.mutable_graph();
  test::onnx_input(g, "x", {kT, kB, kI});
  test::onnx_input(g, "h0", {2, kB, kH});
  add_random_init(g, "W", {2, 4 * kH, kI}, 0.3f);
  add_random_init(g, "R", {2, 4 * kH, kH}, 0.3f);
  add_random_init(g, "B", {2, 8 * kH}, 0.2f);
  add_random_init(g, "P", {2, 3 * kH}, 0.2f);
  onnx::NodeProto* n = test::onnx_node(g, "LSTM", {"x", "W", "R", "B", "", "h0", "", "P"}, {"y", "y_h", "y_c"});
  n->set_name("lstm");
  test::onnx_int(n, "hidden_size", kH);
  test::onnx_string(n, "direction", "bidirectional");
  for (const char* o : {"y", "y_h", "y_c"}) test::onnx_output(g, o);
  return m.SerializeAsString();
}

// GRU in PyTorch's form (linear_before_reset 1), reverse, with a constant initial_h; outputs Y, Y_h.
std::string gru_model() {
  onnx::ModelProto m = test::onnx_model("gru", 14);
  onnx::GraphProto* g = m.mutable_graph();
  test::onnx_input(g, "x", {kT, kB, kI});
  add_random_init(g, "W", {1, 3 * kH, kI}, 0.3f);
  add_random_init(g, "R", {1, 3 * kH, kH}, 0.3f);
  add_random_init(g, "B", {1, 6 * kH}, 0.2f);
  add_random_init(g, "h0", {1, kB, kH}, 0.5f);
  onnx::NodeProto* n = test::onnx_node(g, "GRU", {"x", "W", "R", "B", "", "h0"}, {"y", "y_h"});
  n->set_name("gru");
  test::onnx_int(n, "hidden_size", kH);
  test::onnx_int(n, "linear_before_reset", 1);
  test::onnx_string(n, "direction", "reverse");
  for (const char* o : {"y", "y_h"}) test::onnx_output(g, o);
  return m.SerializeAsString();
}

// An int8 per-tensor weight input of a quantized node as a kernel matrix (the reference needs no packing).
kernels::RecurrentMatrix int8_matrix(const Executor& ex, const Node& n, int slot,
                                     std::deque<std::vector<int32_t>>& sums, int row0 = 0, int rows = -1) {
  const Tensor& t = ex.tensor(n.inputs[slot]);
  REQUIRE(t.dtype == DType::i8);
  REQUIRE(t.quant.scale.size() == 1);
  kernels::RecurrentMatrix m;
  m.rows = rows < 0 ? t.shape[0] : rows;
  m.cols = t.shape[1];
  m.i8 = t.as<int8_t>() + static_cast<size_t>(row0) * m.cols;
  m.scale = t.quant.scale[0];
  sums.push_back(kernels::int8_row_sums(m.i8, m.rows, m.cols));
  m.row_sums = sums.back().data();
  return m;
}

const float* floats_or_null(const Executor& ex, const Node& n, size_t slot) {
  return slot < n.inputs.size() && n.inputs[slot] >= 0 ? ex.tensor(n.inputs[slot]).as<float>() : nullptr;
}

std::vector<float> state_or_zero(const Executor& ex, const Node& n, size_t slot, size_t elements) {
  const float* p = floats_or_null(ex, n, slot);
  return p ? std::vector<float>(p, p + elements) : std::vector<float>(elements, 0.0f);
}

void check_identical(const float* got, const std::vector<float>& want, const char* what) {
  CAPTURE(what);
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    REQUIRE(std::memcmp(&got[i], &want[i], sizeof(float)) == 0);
  }
}

// The hybrid reference twin of one quantized UNIDIRECTIONAL_SEQUENCE_LSTM node, on that node's inputs.
void check_lstm_node(const Executor& ex, const Node& n) {
  std::deque<std::vector<int32_t>> sums;
  std::deque<std::vector<float>> peeps;
  kernels::LstmWeights w;
  for (int g = 0; g < 4; ++g) {
    w.input_to[g] = int8_matrix(ex, n, 1 + g, sums);
    w.recurrent_to[g] = int8_matrix(ex, n, 5 + g, sums);
    w.bias[g] = floats_or_null(ex, n, 12 + g);
  }
  for (auto [g, slot] : {std::pair{0, 9}, {1, 10}, {3, 11}}) {
    // Peepholes are quantized too; the op applies them dequantized as f32(s * q).
    const Tensor& t = ex.tensor(n.inputs[slot]);
    std::vector<float> v(t.elements());
    for (int64_t k = 0; k < t.elements(); ++k)
      v[k] = t.dtype == DType::i8 ? t.quant.scale[0] * static_cast<float>(t.as<int8_t>()[k]) : t.as<float>()[k];
    peeps.push_back(std::move(v));
    w.peephole[g] = peeps.back().data();
  }
  kernels::LstmParams p;
  p.activation = kernels::Activation::tanh;
  p.asymmetric_inputs = n.attrs.get_bool(kAsymmetricInputsAttr, false);
  CHECK(p.asymmetric_inputs);  // tflite-dynamic quantizes rows asymmetric
  const kernels::SequenceLayout layout{kB, kT, n.attrs.get_bool("time_major", false)};
  CHECK(layout.time_major);
  std::vector<float> h = state_or_zero(ex, n, 18, kB * kH), c = state_or_zero(ex, n, 19, kB * kH);
  std::vector<float> out(static_cast<size_t>(kT) * kB * kH);
  kernels::LstmScratch scratch;
  reference::lstm_sequence(p, w, layout, !n.attrs.get_bool("reverse", false), ex.tensor(n.inputs[0]).as<float>(),
                           nullptr, h.data(), c.data(), out.data(), kH, scratch);
  check_identical(ex.tensor(n.outputs[0]).as<float>(), out, "sequence output");
  check_identical(ex.tensor(n.outputs[1]).as<float>(), h, "final output state");
  check_identical(ex.tensor(n.outputs[2]).as<float>(), c, "final cell state");
}

void check_gru_node(const Executor& ex, const Node& n) {
  std::deque<std::vector<int32_t>> sums;
  kernels::GruWeights w;
  w.input = int8_matrix(ex, n, 1, sums);
  w.recurrent_zr = int8_matrix(ex, n, 2, sums, 0, 2 * kH);
  w.recurrent_n = int8_matrix(ex, n, 2, sums, 2 * kH, kH);
  w.input_bias = floats_or_null(ex, n, 3);
  w.recurrent_bias = floats_or_null(ex, n, 4);
  kernels::GruParams p;
  p.linear_before_reset = n.attrs.get_bool("linear_before_reset", false);
  CHECK(p.linear_before_reset);
  p.asymmetric_inputs = n.attrs.get_bool(kAsymmetricInputsAttr, false);
  const kernels::SequenceLayout layout{kB, kT, n.attrs.get_bool("time_major", false)};
  std::vector<float> h = state_or_zero(ex, n, 5, kB * kH);
  std::vector<float> out(static_cast<size_t>(kT) * kB * kH);
  kernels::GruScratch scratch;
  reference::gru_sequence(p, w, layout, !n.attrs.get_bool("reverse", false), ex.tensor(n.inputs[0]).as<float>(),
                          h.data(), out.data(), kH, scratch);
  check_identical(ex.tensor(n.outputs[0]).as<float>(), out, "sequence output");
  check_identical(ex.tensor(n.outputs[1]).as<float>(), h, "final state");
}

// Imports, quantizes with tflite-dynamic, runs float and quantized on the same random inputs; returns the
// quantized executor's recurrent nodes checked against their reference twins.
int run_float_and_hybrid(const std::string& bytes, OpType recurrent_op, int expected_nodes) {
  Graph g = import_onnx(bytes, "test.onnx");
  fold_constants(g);
  g.validate();
  const QuantizedGraph q = quantize_graph(g, Scheme::parse("tflite-dynamic"));
  int checked = 0;
  for (const WeightQuantization& r : q.weights) {
    CAPTURE(r.reason);
    if (g.nodes[r.node].op == recurrent_op) CHECK(r.quantized);
  }
  Executor ef(g), eq(q.graph);
  ef.prepare();
  eq.prepare();
  for (size_t i = 0; i < ef.num_inputs(); ++i) {
    const std::vector<float> x = test::random_floats(g_rng, static_cast<size_t>(ef.input(i).elements()), -1.5f, 1.5f);
    test::set_input(ef, i, x);
    test::set_input(eq, i, x);
  }
  ef.run();
  eq.run();
  for (const Node& n : q.graph.nodes) {
    if (n.op != recurrent_op) continue;
    if (n.op == OpType::gru) check_gru_node(eq, n);
    else check_lstm_node(eq, n);
    ++checked;
  }
  CHECK(checked == expected_nodes);
  // Float vs hybrid: int8 weights and rows cost roughly 40 dB of SQNR here; 25 dB flags a broken path.
  for (size_t o = 0; o < ef.num_outputs(); ++o) {
    const Tensor& a = ef.output(o);
    const Tensor& b = eq.output(o);
    REQUIRE(a.shape == b.shape);
    double sig = 0, err = 0;
    for (int64_t k = 0; k < a.elements(); ++k) {
      const double d = double{a.as<float>()[k]} - b.as<float>()[k];
      sig += double{a.as<float>()[k]} * a.as<float>()[k];
      err += d * d;
    }
    CAPTURE(o);
    CHECK(err > 0.0);  // the quantized run really differs: its kernels are not the float ones
    CHECK(10.0 * std::log10(sig / err) > 25.0);
  }
  return checked;
}

}  // namespace

TEST_SUITE("harness.onnx_recurrent") {

TEST_CASE("ONNX bidirectional LSTM: tflite-dynamic runs the hybrid kernel, bit-exact with the reference twin") {
  run_float_and_hybrid(lstm_model(), OpType::unidirectional_sequence_lstm, 2);
}

TEST_CASE("ONNX GRU (linear_before_reset 1, reverse): tflite-dynamic runs the hybrid kernel, bit-exact with the "
          "reference twin") {
  run_float_and_hybrid(gru_model(), OpType::gru, 1);
}

TEST_CASE("ONNX recurrent import: output shapes and load-time rejections") {
  Graph g = import_onnx(lstm_model(), "test.onnx");
  REQUIRE(g.outputs.size() == 3);
  CHECK(g.tensors[g.outputs[0]].shape == Shape{kT, 2, kB, kH});
  CHECK(g.tensors[g.outputs[1]].shape == Shape{2, kB, kH});
  CHECK(g.tensors[g.outputs[2]].shape == Shape{2, kB, kH});
  // A sequence_lens shorter than the sequence is refused by name.
  onnx::ModelProto m;
  REQUIRE(m.ParseFromString(gru_model()));
  auto* sl = m.mutable_graph()->add_initializer();
  sl->set_name("lens");
  sl->set_data_type(onnx::TensorProto::INT32);
  sl->add_dims(kB);
  for (int b = 0; b < kB; ++b) sl->add_int32_data(b == 0 ? kT : kT - 1);
  m.mutable_graph()->mutable_node(0)->set_input(4, "lens");
  CHECK_THROWS_WITH(import_onnx(m.SerializeAsString(), "test.onnx"),
                    doctest::Contains("sequence_lens [5,4] with a length other than the sequence length 5"));
}

}  // TEST_SUITE
