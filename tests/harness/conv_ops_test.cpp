// Convolution-family ops through the executor: hand-built graphs with constant weights, checked against the
// reference kernels, and the shape errors prepare() reports.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "core/errors.h"
#include "harness/executor.h"
#include "reference/conv2d.h"
#include "reference/fully_connected.h"
#include "reference/transpose_conv2d.h"
#include "tests/kernels/float_check.h"

namespace qgate {
namespace {

int add_tensor(Graph& g, const std::string& name, Shape shape, const std::vector<float>* data = nullptr) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  if (data) {
    t.is_constant = true;
    t.allocate();
    REQUIRE(data->size() == size_t(t.elements()));
    std::memcpy(t.data.data(), data->data(), t.bytes());
  }
  g.tensors.push_back(std::move(t));
  return static_cast<int>(g.tensors.size()) - 1;
}

// One node graph: inputs[0] is the model input, the others constants (or -1).
Graph one_node(OpType op, std::vector<int> inputs, Graph g, Attributes attrs) {
  const int out = add_tensor(g, "out", {});
  Node n;
  n.id = 0;
  n.op = op;
  n.name = "layer";
  n.inputs = std::move(inputs);
  n.outputs = {out};
  n.attrs = std::move(attrs);
  g.nodes.push_back(std::move(n));
  g.outputs = {out};
  g.source = "test.tflite";
  g.validate();
  return g;
}

TEST_SUITE("harness.conv_ops") {
  TEST_CASE("conv2d node with constant filter and bias runs through the executor and matches the reference") {
    const auto input = test::random_floats(2 * 9 * 7 * 5, 1);
    const auto filter = test::random_floats(6 * 3 * 3 * 5, 2);
    const auto bias = test::random_floats(6, 3);
    Graph g;
    const int in = add_tensor(g, "in", {2, 9, 7, 5});
    const int f = add_tensor(g, "filter", {6, 3, 3, 5}, &filter);
    const int b = add_tensor(g, "bias", {6}, &bias);
    g.inputs = {in};
    Attributes a;
    a.set("padding", int64_t{0});
    a.set("stride_w", int64_t{2});
    a.set("stride_h", int64_t{1});
    a.set("dilation_w_factor", int64_t{1});
    a.set("dilation_h_factor", int64_t{1});
    a.set("fused_activation_function", int64_t{3});
    Graph graph = one_node(OpType::conv2d, {in, f, b}, std::move(g), a);
    Executor ex(graph);
    ex.prepare();
    CHECK(ex.output(0).shape == Shape{2, 9, 4, 6});
    std::memcpy(ex.input(0).data.data(), input.data(), input.size() * sizeof(float));
    ex.run();

    kernels::Conv2DParams p;
    p.batch = 2;
    p.in_h = 9;
    p.in_w = 7;
    p.in_c = 5;
    p.out_h = 9;
    p.out_w = 4;
    p.out_c = 6;
    p.kernel_h = p.kernel_w = 3;
    p.stride_w = 2;
    p.pad_top = 1;
    p.pad_left = 1;  // total (4-1)*2 + 3 - 7 = 2
    p.activation = kernels::Activation::relu6;
    std::vector<float> want(2 * 9 * 4 * 6), magnitude(want.size());
    reference::conv2d_float(p, input.data(), filter.data(), bias.data(), want.data());
    p.activation = kernels::Activation::none;
    const auto ai = test::abs_of(input), af = test::abs_of(filter), ab = test::abs_of(bias);
    reference::conv2d_float(p, ai.data(), af.data(), ab.data(), magnitude.data());
    const float* got = ex.output(0).as<float>();
    test::check_close(std::vector<float>(got, got + want.size()), want, magnitude);
  }

  TEST_CASE("conv2d rejects a filter whose input channels do not divide the input's") {
    const std::vector<float> filter(4 * 3 * 3 * 3, 0.5f);
    Graph g;
    const int in = add_tensor(g, "in", {1, 8, 8, 4});
    const int f = add_tensor(g, "filter", {4, 3, 3, 3}, &filter);
    g.inputs = {in};
    Graph graph = one_node(OpType::conv2d, {in, f, -1}, std::move(g), {});
    Executor ex(graph);
    try {
      ex.prepare();
      FAIL("prepare() accepted a 3-channel filter on a 4-channel input");
    } catch (const ModelError& e) {
      const std::string msg = e.what();
      CHECK(msg.find("conv2d node 0 (layer)") != std::string::npos);
      CHECK(msg.find("filter has 3 input channels, input has 4") != std::string::npos);
    }
  }

  TEST_CASE("fully_connected keep_num_dims and row folding") {
    const auto w = test::random_floats(10 * 6, 4);
    for (bool keep : {false, true}) {
      CAPTURE(keep);
      Graph g;
      const int in = add_tensor(g, "in", {2, 3, 6});
      const int wt = add_tensor(g, "w", {10, 6}, &w);
      g.inputs = {in};
      Attributes a;
      a.set("keep_num_dims", int64_t{keep});
      Graph graph = one_node(OpType::fully_connected, {in, wt, -1}, std::move(g), a);
      Executor ex(graph);
      ex.prepare();
      CHECK(ex.output(0).shape == (keep ? Shape{2, 3, 10} : Shape{6, 10}));
      const auto x = test::random_floats(36, 5);
      std::memcpy(ex.input(0).data.data(), x.data(), x.size() * sizeof(float));
      ex.run();
      kernels::FullyConnectedParams p{6, 6, 10, kernels::Activation::none};
      std::vector<float> want(60), magnitude(60);
      reference::fully_connected_float(p, x.data(), w.data(), nullptr, want.data());
      const auto ax = test::abs_of(x), aw = test::abs_of(w);
      reference::fully_connected_float(p, ax.data(), aw.data(), nullptr, magnitude.data());
      const float* got = ex.output(0).as<float>();
      test::check_close(std::vector<float>(got, got + 60), want, magnitude);
    }
  }

  TEST_CASE("conv2d_transpose_bias output size: SAME in * stride, VALID (in - 1) * stride + kernel") {
    const auto w = test::random_floats(3 * 4 * 4 * 2, 6);
    const auto bias = test::random_floats(3, 7);
    for (int64_t padding : {0, 1}) {
      CAPTURE(padding);
      Graph g;
      const int in = add_tensor(g, "in", {1, 5, 6, 2});
      const int wt = add_tensor(g, "w", {3, 4, 4, 2}, &w);
      const int b = add_tensor(g, "b", {3}, &bias);
      g.inputs = {in};
      Attributes a;
      a.set("padding", padding);
      a.set("stride_w", int64_t{2});
      a.set("stride_h", int64_t{2});
      Graph graph = one_node(OpType::conv2d_transpose_bias, {in, wt, b}, std::move(g), a);
      Executor ex(graph);
      ex.prepare();
      const Shape want_shape = padding == 0 ? Shape{1, 10, 12, 3} : Shape{1, 12, 14, 3};
      REQUIRE(ex.output(0).shape == want_shape);
      const auto x = test::random_floats(60, 8);
      std::memcpy(ex.input(0).data.data(), x.data(), x.size() * sizeof(float));
      ex.run();
      kernels::TransposeConv2DParams p;
      p.in_h = 5;
      p.in_w = 6;
      p.in_c = 2;
      p.out_h = want_shape[1];
      p.out_w = want_shape[2];
      p.out_c = 3;
      p.kernel_h = p.kernel_w = 4;
      p.stride_h = p.stride_w = 2;
      p.pad_top = p.pad_left = padding == 0 ? 1 : 0;  // SAME: total (5-1)*2 + 4 - 10 = 2
      std::vector<float> want(size_t(shape_elements(want_shape))), magnitude(want.size());
      reference::transpose_conv2d_float(p, x.data(), w.data(), bias.data(), want.data());
      const auto ax = test::abs_of(x), aw = test::abs_of(w), ab = test::abs_of(bias);
      reference::transpose_conv2d_float(p, ax.data(), aw.data(), ab.data(), magnitude.data());
      const float* got = ex.output(0).as<float>();
      test::check_close(std::vector<float>(got, got + want.size()), want, magnitude);
    }
  }
}

}  // namespace
}  // namespace qgate
