#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/graph.h"
#include "tests/support/graph_builder.h"

namespace qgate {
namespace {

using test::values_of;

TEST_SUITE("harness.elementwise_ops") {

TEST_CASE("input -> add(per-channel const) -> relu") {
  test::GraphBuilder b("hand.tflite");
  const int x = b.input("x", {1, 2, 2, 3});
  const int c = b.constant<float>("bias", {3}, {1.0f, -1.0f, 0.5f});
  const int s = b.node(OpType::add, "sum", {x, c});
  const Graph g = b.build({b.node(OpType::relu, "y", {s})});
  Executor ex(g);
  ex.prepare();
  CHECK(ex.output(0).shape == Shape{1, 2, 2, 3});
  const float in[12] = {0, 0, 0, -2, 2, -1, 3, 0.5f, -0.5f, -1, -1, -1};
  std::memcpy(ex.input(0).data.data(), in, sizeof in);
  ex.run();
  const std::vector<float> want = {1, 0, 0.5f, 0, 1, 0, 4, 0, 0, 0, 0, 0};
  CHECK(values_of(ex.output(0)) == want);
}

TEST_CASE("add with fused RELU6, mul broadcasting both ways, int32 shape arithmetic") {
  test::GraphBuilder gb;
  const int a = gb.input("a", {2, 1});
  const int b = gb.constant<float>("b", {1, 3}, {1, 5, 10});
  const int s = gb.node(OpType::add, "s", {a, b}, test::attributes({{"fused_activation_function", 3}}));
  const int m = gb.node(OpType::mul, "m", {s, a});
  const int i = gb.constant<int32_t>("dims", {2}, {4, 6});
  const int k = gb.constant<int32_t>("k", {}, {2});
  const int q = gb.tensor("q", DType::i32);
  gb.node_into(OpType::mul, {i, k}, {q});
  const Graph g = gb.build({m, q});
  Executor ex(g);
  ex.prepare();
  CHECK(ex.output(0).shape == Shape{2, 3});
  const float in[2] = {2, -1};
  std::memcpy(ex.input(0).data.data(), in, sizeof in);
  ex.run();
  // s = relu6([[3,7,12],[0,4,9]]) = [[3,6,6],[0,4,6]]; m = s * a.
  const std::vector<float> want = {6, 12, 12, 0, -4, -6};
  CHECK(values_of(ex.output(0)) == want);
  CHECK(ex.output(1).dtype == DType::i32);
  CHECK(ex.output(1).as<int32_t>()[1] == 12);
}

TEST_CASE("shapes that cannot be broadcast fail in prepare, naming the node and shapes") {
  test::GraphBuilder gb("m.tflite");
  const int a = gb.input("a", {1, 3, 4});
  const int b = gb.constant("b", {2, 4}, std::vector<float>(8, 0.0f));
  const Graph g = gb.build({gb.node(OpType::add, "s", {a, b})});
  Executor ex(g);
  try {
    ex.prepare();
    FAIL("prepare accepted unbroadcastable shapes");
  } catch (const ModelError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("m.tflite: add node 0 (s)") != std::string::npos);
    CHECK(msg.find("input shapes [1,3,4] and [2,4] cannot be broadcast") != std::string::npos);
  }
}

TEST_CASE("prelu, mean over H and W with keep_dims, softmax") {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 2, 2, 2});
  const int alpha = b.constant<float>("alpha", {1, 1, 2}, {0.5f, 0.25f});
  const int p = b.node(OpType::prelu, "p", {x, alpha});
  const int axes = b.constant<int32_t>("axes", {2}, {1, -2});
  const int mean = b.node(OpType::mean, "mean", {p, axes}, test::attributes({{"keep_dims", 1}}));
  const int sm = b.node(OpType::softmax, "sm", {mean}, test::attributes({{"beta", 1.0}}));
  const Graph g = b.build({mean, sm});
  Executor ex(g);
  ex.prepare();
  CHECK(ex.output(0).shape == Shape{1, 1, 1, 2});
  const float in[8] = {1, -4, -2, 4, 3, 8, -6, 0};
  std::memcpy(ex.input(0).data.data(), in, sizeof in);
  ex.run();
  // prelu: [1,-1, -1,4, 3,8, -3,0]; channel means: (1-1+3-3)/4 = 0, (-1+4+8+0)/4 = 2.75.
  CHECK(values_of(ex.output(0)) == std::vector<float>{0.0f, 2.75f});
  const auto s = values_of(ex.output(1));
  CHECK(s[0] + s[1] == doctest::Approx(1.0f));
  CHECK(s[1] == doctest::Approx(1.0 / (1.0 + std::exp(-2.75))));
}

TEST_CASE("dequantize float16 and int8 per-channel, quantize, cast") {
  test::GraphBuilder b;
  // 1.0, -2.0, 0.5, 65504 in binary16.
  const int h = b.constant<uint16_t>("h", {4}, {0x3c00, 0xc000, 0x3800, 0x7bff}, DType::f16);
  const int hf = b.node(OpType::dequantize, "hf", {h});
  const int w = b.constant<int8_t>("w", {2, 2}, {10, -10, 127, -127});
  b.at(w).quant.scale = {0.5f, 0.25f};
  b.at(w).quant.zero_point = {0, 0};
  b.at(w).quant.axis = 0;
  const int wf = b.node(OpType::dequantize, "wf", {w});
  const int q = b.tensor("q", DType::i8);
  b.at(q).quant.scale = {0.5f};
  b.at(q).quant.zero_point = {3};
  b.node_into(OpType::quantize, {hf}, {q});
  const int c = b.tensor("c", DType::i32);
  b.node_into(OpType::cast, {hf}, {c});
  const Graph g = b.build({hf, wf, q, c});
  Executor ex(g);
  ex.prepare();
  ex.run();
  CHECK(values_of(ex.output(0)) == std::vector<float>{1.0f, -2.0f, 0.5f, 65504.0f});
  CHECK(values_of(ex.output(1)) == std::vector<float>{5.0f, -5.0f, 31.75f, -31.75f});
  const int8_t* qv = ex.output(2).as<int8_t>();
  CHECK(qv[0] == 5);    // round(1 / 0.5) + 3
  CHECK(qv[1] == -1);   // -4 + 3
  CHECK(qv[2] == 4);    // round(1.0) + 3
  CHECK(qv[3] == 127);  // clamped
  const int32_t* cv = ex.output(3).as<int32_t>();
  CHECK(cv[1] == -2);
  CHECK(cv[3] == 65504);
}

TEST_CASE("reduce rejects an out-of-range axis") {
  test::GraphBuilder b;
  const int x = b.input("x", {2, 3});
  const int axes = b.constant<int32_t>("axes", {1}, {2});
  const Graph g = b.build({b.node(OpType::sum, "y", {x, axes})});
  Executor ex(g);
  CHECK_THROWS_WITH_AS(ex.prepare(), doctest::Contains("axis 2 is out of range for input shape [2,3]"), ModelError);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
