#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/graph.h"

namespace qgate {
namespace {

int add_tensor(Graph& g, const std::string& name, DType dt, Shape shape) {
  Tensor t;
  t.name = name;
  t.dtype = dt;
  t.shape = std::move(shape);
  g.tensors.push_back(std::move(t));
  return static_cast<int>(g.tensors.size()) - 1;
}

template <typename T>
int add_constant(Graph& g, const std::string& name, DType dt, Shape shape, const std::vector<T>& values) {
  int id = add_tensor(g, name, dt, std::move(shape));
  Tensor& t = g.tensors[id];
  t.is_constant = true;
  t.allocate();
  std::memcpy(t.data.data(), values.data(), t.bytes());
  return id;
}

Node& add_node(Graph& g, OpType op, std::vector<int> inputs, std::vector<int> outputs) {
  Node n;
  n.id = static_cast<int>(g.nodes.size());
  n.op = op;
  n.name = g.tensors[outputs[0]].name;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  g.nodes.push_back(std::move(n));
  return g.nodes.back();
}

std::vector<float> output_floats(const Executor& ex, size_t i) {
  const Tensor& t = ex.output(i);
  return std::vector<float>(t.as<float>(), t.as<float>() + t.elements());
}

TEST_SUITE("harness.elementwise_ops") {

TEST_CASE("input -> add(per-channel const) -> relu") {
  Graph g;
  g.source = "hand.tflite";
  int x = add_tensor(g, "x", DType::f32, {1, 2, 2, 3});
  int c = add_constant<float>(g, "bias", DType::f32, {3}, {1.0f, -1.0f, 0.5f});
  int s = add_tensor(g, "sum", DType::f32, {});
  int y = add_tensor(g, "y", DType::f32, {});
  add_node(g, OpType::add, {x, c}, {s});
  add_node(g, OpType::relu, {s}, {y});
  g.inputs = {x};
  g.outputs = {y};
  g.validate();
  Executor ex(g);
  ex.prepare();
  CHECK(ex.output(0).shape == Shape{1, 2, 2, 3});
  const float in[12] = {0, 0, 0, -2, 2, -1, 3, 0.5f, -0.5f, -1, -1, -1};
  std::memcpy(ex.input(0).data.data(), in, sizeof in);
  ex.run();
  const std::vector<float> want = {1, 0, 0.5f, 0, 1, 0, 4, 0, 0, 0, 0, 0};
  CHECK(output_floats(ex, 0) == want);
}

TEST_CASE("add with fused RELU6, mul broadcasting both ways, int32 shape arithmetic") {
  Graph g;
  int a = add_tensor(g, "a", DType::f32, {2, 1});
  int b = add_constant<float>(g, "b", DType::f32, {1, 3}, {1, 5, 10});
  int s = add_tensor(g, "s", DType::f32, {});
  int m = add_tensor(g, "m", DType::f32, {});
  Node& add = add_node(g, OpType::add, {a, b}, {s});
  add.attrs.set("fused_activation_function", int64_t{3});
  add_node(g, OpType::mul, {s, a}, {m});
  int i = add_constant<int32_t>(g, "dims", DType::i32, {2}, {4, 6});
  int k = add_constant<int32_t>(g, "k", DType::i32, {}, {2});
  int q = add_tensor(g, "q", DType::i32, {});
  add_node(g, OpType::mul, {i, k}, {q});
  g.inputs = {a};
  g.outputs = {m, q};
  Executor ex(g);
  ex.prepare();
  CHECK(ex.output(0).shape == Shape{2, 3});
  const float in[2] = {2, -1};
  std::memcpy(ex.input(0).data.data(), in, sizeof in);
  ex.run();
  // s = relu6([[3,7,12],[0,4,9]]) = [[3,6,6],[0,4,6]]; m = s * a.
  const std::vector<float> want = {6, 12, 12, 0, -4, -6};
  CHECK(output_floats(ex, 0) == want);
  CHECK(ex.output(1).dtype == DType::i32);
  CHECK(ex.output(1).as<int32_t>()[1] == 12);
}

TEST_CASE("shapes that cannot be broadcast fail in prepare, naming the node and shapes") {
  Graph g;
  g.source = "m.tflite";
  int a = add_tensor(g, "a", DType::f32, {1, 3, 4});
  int b = add_constant<float>(g, "b", DType::f32, {2, 4}, std::vector<float>(8, 0.0f));
  int s = add_tensor(g, "s", DType::f32, {});
  add_node(g, OpType::add, {a, b}, {s});
  g.inputs = {a};
  g.outputs = {s};
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
  Graph g;
  int x = add_tensor(g, "x", DType::f32, {1, 2, 2, 2});
  int alpha = add_constant<float>(g, "alpha", DType::f32, {1, 1, 2}, {0.5f, 0.25f});
  int p = add_tensor(g, "p", DType::f32, {});
  add_node(g, OpType::prelu, {x, alpha}, {p});
  int axes = add_constant<int32_t>(g, "axes", DType::i32, {2}, {1, -2});
  int mean = add_tensor(g, "mean", DType::f32, {});
  add_node(g, OpType::mean, {p, axes}, {mean}).attrs.set("keep_dims", int64_t{1});
  int sm = add_tensor(g, "sm", DType::f32, {});
  add_node(g, OpType::softmax, {mean}, {sm}).attrs.set("beta", 1.0);
  g.inputs = {x};
  g.outputs = {mean, sm};
  Executor ex(g);
  ex.prepare();
  CHECK(ex.output(0).shape == Shape{1, 1, 1, 2});
  const float in[8] = {1, -4, -2, 4, 3, 8, -6, 0};
  std::memcpy(ex.input(0).data.data(), in, sizeof in);
  ex.run();
  // prelu: [1,-1, -1,4, 3,8, -3,0]; channel means: (1-1+3-3)/4 = 0, (-1+4+8+0)/4 = 2.75.
  CHECK(output_floats(ex, 0) == std::vector<float>{0.0f, 2.75f});
  const auto s = output_floats(ex, 1);
  CHECK(s[0] + s[1] == doctest::Approx(1.0f));
  CHECK(s[1] == doctest::Approx(1.0 / (1.0 + std::exp(-2.75))));
}

TEST_CASE("dequantize float16 and int8 per-channel, quantize, cast") {
  Graph g;
  // 1.0, -2.0, 0.5, 65504 in binary16.
  int h = add_constant<uint16_t>(g, "h", DType::f16, {4}, {0x3c00, 0xc000, 0x3800, 0x7bff});
  int hf = add_tensor(g, "hf", DType::f32, {});
  add_node(g, OpType::dequantize, {h}, {hf});
  int w = add_constant<int8_t>(g, "w", DType::i8, {2, 2}, {10, -10, 127, -127});
  g.tensors[w].quant.scale = {0.5f, 0.25f};
  g.tensors[w].quant.zero_point = {0, 0};
  g.tensors[w].quant.axis = 0;
  int wf = add_tensor(g, "wf", DType::f32, {});
  add_node(g, OpType::dequantize, {w}, {wf});
  int q = add_tensor(g, "q", DType::i8, {});
  g.tensors[q].quant.scale = {0.5f};
  g.tensors[q].quant.zero_point = {3};
  add_node(g, OpType::quantize, {hf}, {q});
  int c = add_tensor(g, "c", DType::i32, {});
  add_node(g, OpType::cast, {hf}, {c});
  g.outputs = {hf, wf, q, c};
  Executor ex(g);
  ex.prepare();
  ex.run();
  CHECK(output_floats(ex, 0) == std::vector<float>{1.0f, -2.0f, 0.5f, 65504.0f});
  CHECK(output_floats(ex, 1) == std::vector<float>{5.0f, -5.0f, 31.75f, -31.75f});
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
  Graph g;
  int x = add_tensor(g, "x", DType::f32, {2, 3});
  int axes = add_constant<int32_t>(g, "axes", DType::i32, {1}, {2});
  int y = add_tensor(g, "y", DType::f32, {});
  add_node(g, OpType::sum, {x, axes}, {y});
  g.inputs = {x};
  g.outputs = {y};
  Executor ex(g);
  CHECK_THROWS_WITH_AS(ex.prepare(), doctest::Contains("axis 2 is out of range for input shape [2,3]"), ModelError);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
