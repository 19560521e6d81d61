// ONNX importer structure: NCHW handled at the boundary (no per-op transposes), BatchNormalization folded
// into the conv, shape-derived constants folded at load, unsupported op types listed by name. Numerical
// conformance is the onnx.conformance ctest case (libonnx-testdata).
#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/onnx/import.h"
#include "harness/onnx/writer.h"
#include "harness/ptq.h"
#include "tests/support/onnx_builder.h"

using namespace qgate;

namespace {

// An initializer of fill + 0.01 (i % 7), i the element's row-major index (small_cnn_reference repeats the rule).
void add_float_init(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, float fill) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = fill + 0.01f * static_cast<float>(i % 7);
  test::onnx_initializer(g, name, dims, values);
}

// x [1,3,8,8] -> Conv 3x3 pad 1 -> BatchNormalization -> Relu -> MaxPool 2x2 -> Conv depthwise -> Shape-derived
// Reshape to [1, -1] -> Gemm -> Softmax.
std::string small_cnn(const std::string& extra_op = "") {
  onnx::ModelProto m = test::onnx_model("small_cnn", 13);
  onnx::GraphProto* g = m.mutable_graph();
  test::onnx_input(g, "x", {1, 3, 8, 8});
  add_float_init(g, "w1", {4, 3, 3, 3}, 0.1f);
  add_float_init(g, "b1", {4}, 0.0f);
  for (const char* p : {"gamma", "beta", "mean", "var"}) add_float_init(g, p, {4}, std::string(p) == "var" ? 1.0f : 0.5f);
  add_float_init(g, "wdw", {4, 1, 3, 3}, 0.2f);
  add_float_init(g, "wfc", {5, 64}, 0.01f);
  add_float_init(g, "bfc", {5}, 0.0f);
  test::onnx_ints(test::onnx_node(g, "Conv", {"x", "w1", "b1"}, {"c1"}), "pads", {1, 1, 1, 1});
  test::onnx_node(g, "BatchNormalization", {"c1", "gamma", "beta", "mean", "var"}, {"bn"});
  test::onnx_node(g, "Relu", {"bn"}, {"r"});
  onnx::NodeProto* mp = test::onnx_node(g, "MaxPool", {"r"}, {"p"});
  test::onnx_ints(mp, "kernel_shape", {2, 2});
  test::onnx_ints(mp, "strides", {2, 2});
  onnx::NodeProto* dw = test::onnx_node(g, "Conv", {"p", "wdw"}, {"d"});
  test::onnx_ints(dw, "pads", {1, 1, 1, 1});
  test::onnx_int(dw, "group", 4);
  // Shape -> Gather(0) -> Concat with [-1] -> Reshape: folded at load into new_shape [1, 64].
  test::onnx_node(g, "Shape", {"d"}, {"shape"});
  test::onnx_int64_initializer(g, "zero", {}, {0});
  test::onnx_int64_initializer(g, "minus1", {1}, {-1});
  test::onnx_node(g, "Gather", {"shape", "zero"}, {"batch"});
  test::onnx_node(g, "Unsqueeze", {"batch", "axes0"}, {"batch1"});
  test::onnx_int64_initializer(g, "axes0", {1}, {0});
  test::onnx_int(test::onnx_node(g, "Concat", {"batch1", "minus1"}, {"newshape"}), "axis", 0);
  test::onnx_node(g, "Reshape", {"d", "newshape"}, {"flat"});
  test::onnx_int(test::onnx_node(g, "Gemm", {"flat", "wfc", "bfc"}, {"logits"}), "transB", 1);
  std::string last = "logits";
  if (!extra_op.empty()) {
    test::onnx_node(g, extra_op, {"logits"}, {"extra"});
    test::onnx_node(g, "NonMaxSuppression", {"extra"}, {"extra2"});
    last = "extra2";
  }
  test::onnx_node(g, "Softmax", {last}, {"probs"});
  test::onnx_output(g, "probs", {1, 5});
  return m.SerializeAsString();
}

// x [2,3,7,7] -> Conv 3->4 3x3 stride 2, asymmetric explicit pads, bias -> Relu -> Conv 4->4 3x3 group 2 SAME,
// no bias -> Conv depthwise 4 -> y. Weights varied in sign and size.
std::string conv_for_ort() {
  onnx::ModelProto m = test::onnx_model("conv_for_ort", 13);
  onnx::GraphProto* g = m.mutable_graph();
  test::onnx_input(g, "x", {2, 3, 7, 7});
  add_float_init(g, "w1", {4, 3, 3, 3}, -0.04f);
  add_float_init(g, "b1", {4}, -0.02f);
  add_float_init(g, "w2", {4, 2, 3, 3}, -0.03f);
  add_float_init(g, "wdw", {4, 1, 3, 3}, 0.2f);
  onnx::NodeProto* c1 = test::onnx_node(g, "Conv", {"x", "w1", "b1"}, {"c1"});
  test::onnx_ints(c1, "pads", {0, 1, 1, 0});
  test::onnx_ints(c1, "strides", {2, 2});
  test::onnx_node(g, "Relu", {"c1"}, {"r"});
  onnx::NodeProto* c2 = test::onnx_node(g, "Conv", {"r", "w2"}, {"c2"});
  test::onnx_ints(c2, "pads", {1, 1, 1, 1});
  test::onnx_int(c2, "group", 2);
  onnx::NodeProto* dw = test::onnx_node(g, "Conv", {"c2", "wdw"}, {"y"});
  test::onnx_ints(dw, "pads", {1, 1, 1, 1});
  test::onnx_int(dw, "group", 4);
  test::onnx_output(g, "y", {2, 4, 4, 4});
  return m.SerializeAsString();
}

std::vector<float> run_once(const Graph& g) {
  Executor ex(g);
  ex.prepare();
  for (int64_t i = 0; i < ex.input(0).elements(); ++i)
    ex.input(0).as<float>()[i] = 0.37f * static_cast<float>(i % 17) - 2.1f + 0.001f * static_cast<float>(i);
  ex.run();
  const Tensor& o = ex.output(0);
  return {o.as<float>(), o.as<float>() + o.elements()};
}

// small_cnn() computed as written, unfolded, in NCHW with double loops: Conv + bias, BatchNormalization
// (gamma (c - mean) / sqrt(var + 1e-5) + beta, the ONNX default epsilon), Relu, MaxPool 2x2, depthwise Conv,
// row-major flatten, Gemm with transB, then Softmax. Returns {logits, probs}. The initializer values repeat
// add_float_init's rule: fill + 0.01 (i % 7).
std::pair<std::vector<double>, std::vector<double>> small_cnn_reference(const std::vector<float>& x) {
  const auto init = [](double fill, int i) { return fill + 0.01 * (i % 7); };
  const auto f32 = [](double v) { return static_cast<double>(static_cast<float>(v)); };  // the file holds floats
  std::vector<double> c1(4 * 8 * 8);
  for (int o = 0; o < 4; ++o)
    for (int y = 0; y < 8; ++y)
      for (int xx = 0; xx < 8; ++xx) {
        double acc = f32(init(0.0, o));  // b1
        for (int c = 0; c < 3; ++c)
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = y + ky - 1, ix = xx + kx - 1;
              if (iy < 0 || iy >= 8 || ix < 0 || ix >= 8) continue;
              acc += x[(c * 8 + iy) * 8 + ix] * f32(init(0.1, ((o * 3 + c) * 3 + ky) * 3 + kx));
            }
        c1[(o * 8 + y) * 8 + xx] = acc;
      }
  std::vector<double> pooled(4 * 4 * 4);
  for (int c = 0; c < 4; ++c) {
    const double gamma = f32(init(0.5, c)), beta = f32(init(0.5, c)), mean = f32(init(0.5, c)), var = f32(init(1.0, c));
    for (int y = 0; y < 4; ++y)
      for (int xx = 0; xx < 4; ++xx) {
        double m = -1e300;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) {
            const double bn = gamma * (c1[(c * 8 + 2 * y + dy) * 8 + 2 * xx + dx] - mean) / std::sqrt(var + 1e-5) + beta;
            m = std::max(m, std::max(bn, 0.0));
          }
        pooled[(c * 4 + y) * 4 + xx] = m;
      }
  }
  std::vector<double> flat(64);
  for (int c = 0; c < 4; ++c)
    for (int y = 0; y < 4; ++y)
      for (int xx = 0; xx < 4; ++xx) {
        double acc = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            const int iy = y + ky - 1, ix = xx + kx - 1;
            if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4) continue;
            acc += pooled[(c * 4 + iy) * 4 + ix] * f32(init(0.2, (c * 3 + ky) * 3 + kx));
          }
        flat[(c * 4 + y) * 4 + xx] = acc;
      }
  std::vector<double> logits(5), probs(5);
  double top = -1e300, sum = 0;
  for (int k = 0; k < 5; ++k) {
    double acc = f32(init(0.0, k));
    for (int i = 0; i < 64; ++i) acc += flat[i] * f32(init(0.01, k * 64 + i));
    logits[k] = acc;
    top = std::max(top, acc);
  }
  for (int k = 0; k < 5; ++k) sum += probs[k] = std::exp(logits[k] - top);
  for (double& p : probs) p /= sum;
  return {logits, probs};
}

}  // namespace

TEST_SUITE("harness.onnx") {
  TEST_CASE("ort-dynamic: Conv written as ConvInteger imports fused into hybrid conv2d / depthwise_conv2d, same "
            "bits as the scheme") {
    const std::string bytes = conv_for_ort();
    const Scheme scheme = Scheme::parse("ort-dynamic");
    const OnnxWriteResult w = write_onnx_dynamic_quantized(bytes, scheme, "conv_for_ort.onnx");
    CHECK(w.weights.size() == 3);
    CHECK(w.kept_float.empty());
    const Graph written = import_onnx(w.bytes, "written.onnx");
    std::map<OpType, int> count;
    for (const Node& n : written.nodes) {
      ++count[n.op];
      if (n.op == OpType::conv2d || n.op == OpType::depthwise_conv2d) {
        CHECK(n.attrs.get_string(kEpilogueAttr, "") == "onnxruntime");
        CHECK(n.attrs.get_string(kInputQuantizationAttr, "") == "ort-u8-tensor");
      }
    }
    CHECK(count[OpType::conv2d] == 2);
    CHECK(count[OpType::depthwise_conv2d] == 1);
    CHECK(count[OpType::conv_integer] == 0);
    CHECK(count[OpType::dynamic_quantize_linear] == 0);
    CHECK(count[OpType::padv2] == 1);  // the asymmetric pads of the first conv
    const Graph quantized = quantize_graph(import_onnx(bytes, "conv_for_ort.onnx"), scheme).graph;
    const std::vector<float> a = run_once(written), b = run_once(quantized);
    REQUIRE(a.size() == b.size());
    int differ = 0;
    for (size_t i = 0; i < a.size(); ++i) differ += std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i]);
    CHECK(differ == 0);
  }


  TEST_CASE("conv chain: one transpose in, one out, batch norm folded, shape subgraph folded") {
    const std::string bytes = small_cnn();
    REQUIRE(looks_like_onnx(bytes));
    Graph g = import_onnx(bytes, "small_cnn.onnx");
    g.validate();
    std::map<OpType, int> count;
    for (const Node& n : g.nodes) ++count[n.op];
    CHECK(count[OpType::transpose] == 2);  // NCHW -> NHWC at the input, NHWC -> NCHW before the Reshape
    CHECK(count[OpType::conv2d] == 1);
    CHECK(count[OpType::depthwise_conv2d] == 1);
    CHECK(count[OpType::mul] == 0);  // batch norm folded into the conv
    CHECK(count[OpType::add] == 0);
    CHECK(count[OpType::reshape] == 1);
    CHECK(count[OpType::fully_connected] == 1);
    CHECK(count[OpType::softmax] == 1);
    CHECK(g.nodes.size() == 9);
    CHECK(g.tensors[g.outputs[0]].shape == Shape{1, 5});
    CHECK(g.tensors[g.outputs[0]].name == "probs");

    // The folded graph computes what the unfolded model says: the logits (exposed as a second output) and the
    // probabilities against small_cnn_reference, each element within 1e-5 of the largest reference value (float
    // summation and the folded scale's rounding; a fold that drops beta misses the probabilities by up to 1e-3,
    // measured by editing the reference).
    onnx::ModelProto with_logits;
    REQUIRE(with_logits.ParseFromString(bytes));
    test::onnx_output(with_logits.mutable_graph(), "logits", {1, 5});
    const Graph gl = import_onnx(with_logits.SerializeAsString(), "small_cnn_logits.onnx");
    Executor ex(gl);
    ex.prepare();
    std::vector<float> x(static_cast<size_t>(ex.input(0).elements()));
    for (size_t i = 0; i < x.size(); ++i) x[i] = 0.01f * static_cast<float>(i % 13) - 0.05f * static_cast<float>(i % 3);
    std::copy(x.begin(), x.end(), ex.input(0).as<float>());
    ex.run();
    const auto [want_logits, want_probs] = small_cnn_reference(x);
    REQUIRE(ex.num_outputs() == 2);
    for (const auto& [out, want] : {std::pair{0, want_probs}, std::pair{1, want_logits}}) {
      CAPTURE(out);
      REQUIRE(ex.output(out).elements() == 5);
      double top = 0;
      for (double v : want) top = std::max(top, std::fabs(v));
      REQUIRE(top > 0);
      for (int k = 0; k < 5; ++k) {
        CAPTURE(k);
        CHECK(std::fabs(ex.output(out).as<float>()[k] - want[k]) <= 1e-5 * top);
      }
    }
  }

  TEST_CASE("unsupported op types are listed by name in one error") {
    try {
      import_onnx(small_cnn("Unique"), "bad.onnx");
      FAIL("expected ModelError");
    } catch (const ModelError& e) {
      const std::string what = e.what();
      CHECK(what.find("Unique") != std::string::npos);
      CHECK(what.find("NonMaxSuppression") != std::string::npos);
      CHECK(what.find("not supported") != std::string::npos);
    }
  }

  TEST_CASE("random bytes are not an ONNX model") {
    CHECK_FALSE(looks_like_onnx("TFL3 certainly not a protobuf model"));
  }
}
