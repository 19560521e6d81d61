// PTQ transform vs hand-computed weights (docs/arithmetic.md#weight-quantization: symmetric, widened never shifted).
#include <cmath>

#include <doctest/doctest.h>

#include "core/errors.h"
#include "harness/ptq.h"
#include "tests/support/graph_builder.h"

namespace {

using qgate::DType;
using qgate::Graph;
using qgate::Node;
using qgate::OpType;
using qgate::Tensor;

std::vector<float> ramp(int n, float lo, float hi) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = lo + (hi - lo) * i / (n - 1);
  return v;
}

// conv [4,3,3,2] -> depthwise [1,3,3,4] -> fully connected [10, 36]
Graph small_graph(const std::vector<float>& conv_w, const std::vector<float>& dw_w, const std::vector<float>& fc_w) {
  // Tensor ids, which the tests index: x 0, conv_w 1, dw_w 3, fc_w 5.
  qgate::test::GraphBuilder b("test");
  const int x = b.input("x", {1, 3, 3, 2});
  const int c = b.node(OpType::conv2d, "conv_out", {x, b.constant("conv_w", {4, 3, 3, 2}, conv_w), -1});
  const int d = b.node(OpType::depthwise_conv2d, "dw_out", {c, b.constant("dw_w", {1, 3, 3, 4}, dw_w), -1});
  return b.build({b.node(OpType::fully_connected, "y", {d, b.constant("fc_w", {10, 36}, fc_w), -1})});
}

}  // namespace

TEST_SUITE("harness.ptq") {
  TEST_CASE("range is widened, never shifted: min -10, max 30 stores -10 as -42") {
    std::vector<float> conv_w(72, 0.0f), dw_w(36, 0.0f), fc_w = ramp(360, -10.0f, 30.0f);
    Graph g = small_graph(conv_w, dw_w, fc_w);
    auto q = qgate::quantize_graph(g, qgate::Scheme::parse("tflite-dynamic,min-elements=0"));
    const Tensor& w = q.graph.tensors[5];
    REQUIRE(w.dtype == DType::i8);
    REQUIRE(w.quant.scale.size() == 1);
    CHECK(w.quant.scale[0] == doctest::Approx(30.0 / 127).epsilon(1e-7));
    CHECK(w.as<int8_t>()[0] == -42);   // round(-10 / (30/127)) = round(-42.33)
    CHECK(w.as<int8_t>()[359] == 127);
    CHECK(w.quant.zero_point == std::vector<int64_t>{0});
  }

  TEST_CASE("tflite-dynamic: conv per-channel on dim 0, depthwise on dim 3, FC per-tensor; same ids and names") {
    std::vector<float> conv_w = ramp(72, -1.0f, 2.0f), dw_w = ramp(36, -3.0f, 0.5f), fc_w = ramp(360, -1.0f, 1.0f);
    Graph g = small_graph(conv_w, dw_w, fc_w);
    auto q = qgate::quantize_graph(g, qgate::Scheme::parse("tflite-dynamic,min-elements=0"));
    REQUIRE(q.graph.nodes.size() == g.nodes.size());
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      CHECK(q.graph.nodes[i].id == g.nodes[i].id);
      CHECK(q.graph.nodes[i].inputs == g.nodes[i].inputs);
    }
    const Tensor& cw = q.graph.tensors[1];
    REQUIRE(cw.quant.scale.size() == 4);
    CHECK(cw.quant.axis == 0);
    // Output channel o of an OHWI filter is the contiguous block [18 o, 18 o + 18): its range is the larger
    // magnitude of its first and last value (the ramp is monotonic).
    for (int o = 0; o < 4; ++o) {
      float lo = conv_w[18 * o], hi = conv_w[18 * o + 17];
      float r = std::max(std::fabs(lo), std::fabs(hi));
      CHECK(cw.quant.scale[o] == doctest::Approx(r / 127).epsilon(1e-7));
      for (int i = 0; i < 18; ++i)
        CHECK(cw.as<int8_t>()[18 * o + i] == static_cast<int>(std::round(conv_w[18 * o + i] / (r / 127))));
    }
    const Tensor& dw = q.graph.tensors[3];
    REQUIRE(dw.quant.scale.size() == 4);
    CHECK(dw.quant.axis == 3);
    for (int c = 0; c < 4; ++c) {  // channel c is every 4th value of [1,3,3,4]
      float r = 0;
      for (int i = 0; i < 9; ++i) r = std::max(r, std::fabs(dw_w[4 * i + c]));
      CHECK(dw.quant.scale[c] == doctest::Approx(r / 127).epsilon(1e-7));
    }
    CHECK(q.graph.tensors[5].quant.scale.size() == 1);
    for (const Node& n : q.graph.nodes) {
      CHECK(n.attrs.get_int(qgate::kAsymmetricInputsAttr, -1) == 1);
      CHECK(n.version == 3);
    }
    CHECK(q.graph.tensors[0].dtype == DType::f32);  // activations untouched
  }

  TEST_CASE("threshold, keep-float and an all-zero channel") {
    std::vector<float> conv_w = ramp(72, -1.0f, 2.0f), dw_w = ramp(36, -3.0f, 0.5f), fc_w = ramp(360, -1.0f, 1.0f);
    for (int i = 18; i < 36; ++i) conv_w[i] = 0.0f;  // output channel 1 all zero
    Graph g = small_graph(conv_w, dw_w, fc_w);
    auto q = qgate::quantize_graph(g, qgate::Scheme::parse("tflite-dynamic,min-elements=50"), {2});
    CHECK(q.graph.tensors[1].dtype == DType::i8);  // 72 elements >= 50
    CHECK(q.graph.tensors[1].quant.scale[1] == 0.0f);
    for (int i = 18; i < 36; ++i) CHECK(q.graph.tensors[1].as<int8_t>()[i] == 0);
    CHECK(q.graph.tensors[3].dtype == DType::f32);  // 36 elements < 50
    CHECK(q.graph.tensors[5].dtype == DType::f32);  // node 2 kept float
    REQUIRE(q.weights.size() == 3);
    CHECK(q.weights[1].reason == "stays float: 36 elements < 50");
    CHECK(q.weights[2].reason == "kept float");
    CHECK_THROWS_AS(qgate::quantize_graph(g, qgate::Scheme::parse("tflite-dynamic"), {7}), qgate::InputError);
  }

  TEST_CASE("4 bits: q in [-7, 7], s = R / 7; weight-only keeps float32 holding q * s") {
    std::vector<float> conv_w(72, 0.0f), dw_w(36, 0.0f), fc_w = ramp(360, -1.0f, 1.0f);
    Graph g = small_graph(conv_w, dw_w, fc_w);
    auto q4 = qgate::quantize_graph(g, qgate::Scheme::parse("per-tensor,bits=4,min-elements=0"));
    const Tensor& w4 = q4.graph.tensors[5];
    CHECK(w4.quant.scale[0] == doctest::Approx(1.0 / 7).epsilon(1e-7));
    for (int i = 0; i < 360; ++i) {
      CHECK(std::abs(w4.as<int8_t>()[i]) <= 7);
      CHECK(w4.as<int8_t>()[i] == static_cast<int>(std::round(fc_w[i] / (1.0f / 7))));
    }
    auto wo = qgate::quantize_graph(g, qgate::Scheme::parse("weight-only-int8,min-elements=0"));
    const Tensor& wf = wo.graph.tensors[5];
    REQUIRE(wf.dtype == DType::f32);
    const float s = 1.0f / 127;
    for (int i = 0; i < 360; ++i) CHECK(wf.as<float>()[i] == std::round(fc_w[i] / s) * s);
    CHECK_FALSE(wo.graph.nodes[2].attrs.has(qgate::kAsymmetricInputsAttr));
    // The weight report's SQNR matches a direct computation.
    double num = 0, den = 0;
    for (int i = 0; i < 360; ++i) {
      double e = double{wf.as<float>()[i]} - fc_w[i];
      num += double{fc_w[i]} * fc_w[i];
      den += e * e;
    }
    CHECK(wo.weights[2].sum_sq / wo.weights[2].sum_sq_error == doctest::Approx(num / den).epsilon(1e-6));
  }
}
