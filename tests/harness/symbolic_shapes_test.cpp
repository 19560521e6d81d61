// Symbolic input dimensions: shape inference over them, one executor plan per input-shape set, the shape
// arithmetic computed at prepare, and the checks of given shapes against declared ones. Hand-built graphs with
// hand-computed results.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/infer_shapes.h"

namespace qgate {
namespace {

struct GraphBuilder {
  Graph g;
  int tensor(const std::string& name, DType dtype, Shape shape) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    g.tensors.push_back(std::move(t));
    return static_cast<int>(g.tensors.size()) - 1;
  }
  template <typename T>
  int constant(const std::string& name, Shape shape, const std::vector<T>& values) {
    const int id = tensor(name, dtype_of<T>(), std::move(shape));
    Tensor& t = g.tensors[id];
    t.is_constant = true;
    t.allocate();
    std::memcpy(t.data.data(), values.data(), values.size() * sizeof(T));
    return id;
  }
  Node& node(OpType op, std::vector<int> inputs, std::vector<int> outputs) {
    Node n;
    n.id = static_cast<int>(g.nodes.size());
    n.op = op;
    n.name = g.tensors[outputs[0]].name;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    g.nodes.push_back(std::move(n));
    return g.nodes.back();
  }
};

// x [batch, 3] -> FULLY_CONNECTED with W = [[1, 2, 3], [-1, 0, 1]], bias [10, 20] -> y [batch, 2].
GraphBuilder batch_fc() {
  GraphBuilder b;
  const int batch = b.g.symbol("batch");
  const int x = b.tensor("x", DType::f32, {batch, 3});
  const int w = b.constant<float>("w", {2, 3}, {1, 2, 3, -1, 0, 1});
  const int bias = b.constant<float>("bias", {2}, {10, 20});
  const int y = b.tensor("y", DType::f32, {});
  b.node(OpType::fully_connected, {x, w, bias}, {y});
  b.g.inputs = {x};
  b.g.outputs = {y};
  infer_shapes(b.g);
  return b;
}

std::vector<float> run_rows(Executor& ex, const std::vector<float>& rows) {
  const int32_t n = static_cast<int32_t>(rows.size() / 3);
  ex.prepare({{n, 3}});
  std::memcpy(ex.input(0).as<float>(), rows.data(), rows.size() * sizeof(float));
  ex.run();
  const Tensor& y = ex.output(0);
  REQUIRE(y.shape == Shape{n, 2});
  return {y.as<float>(), y.as<float>() + y.elements()};
}

TEST_SUITE("harness.symbolic_shapes") {
  TEST_CASE("a symbolic batch: shape inference keeps the symbol; batch 3 computes each row as batch 1 does") {
    GraphBuilder b = batch_fc();
    CHECK(b.g.tensors[b.g.outputs[0]].shape == Shape{symbol_dim(0), 2});
    CHECK(b.g.shape_text(b.g.tensors[b.g.outputs[0]].shape) == "[batch,2]");
    Executor ex(b.g);
    const std::vector<float> rows = {1, 0, 0, 0, 1, 2, -1, -1, 4};
    // W x + bias by hand: [1+10, -1+20], [2+6+10, 2+20], [-1-2+12+10, 1+4+20]
    const std::vector<float> want = {11, 19, 18, 22, 19, 25};
    CHECK(run_rows(ex, rows) == want);
    for (int r = 0; r < 3; ++r)
      CHECK(run_rows(ex, {rows.begin() + 3 * r, rows.begin() + 3 * r + 3}) ==
            std::vector<float>(want.begin() + 2 * r, want.begin() + 2 * r + 2));
  }

  TEST_CASE("one plan per input-shape set: preparing for shapes seen before switches back to their plan") {
    GraphBuilder b = batch_fc();
    Executor ex(b.g);
    ex.prepare({{1, 3}});
    const float* first = ex.input(0).as<float>();
    ex.prepare({{4, 3}});
    CHECK(ex.input(0).shape == Shape{4, 3});
    CHECK(ex.input_shapes() == std::vector<Shape>{{4, 3}});
    ex.prepare({{1, 3}});
    CHECK(ex.input(0).as<float>() == first);
    CHECK(ex.output(0).shape == Shape{1, 2});
    // Beyond kMaxPlans the least recently used plan goes: batch 1 was used last, so it stays.
    for (int32_t n = 2; n < 2 + static_cast<int32_t>(Executor::kMaxPlans); ++n) ex.prepare({{n, 3}});
    ex.prepare({{1, 3}});
    CHECK(ex.output(0).shape == Shape{1, 2});
  }

  TEST_CASE("given shapes are checked against the declared ones, naming input, dimension, declared and given") {
    GraphBuilder b;
    const int batch = b.g.symbol("batch");
    const int x = b.tensor("x", DType::f32, {batch, 3, b.g.symbol("height"), 8});
    const int y = b.tensor("y", DType::f32, {batch, 5});
    b.g.inputs = {x, y};
    b.g.source = "m.onnx";
    check_input_shapes(b.g, {{2, 3, 17, 8}, {2, 5}});
    CHECK_THROWS_WITH_AS(check_input_shapes(b.g, {{2, 4, 17, 8}, {2, 5}}),
                         "m.onnx: input 'x' dim 1: declared 3, given 4 (declared [batch,3,height,8], given "
                         "[2,4,17,8])",
                         InputError);
    CHECK_THROWS_WITH_AS(check_input_shapes(b.g, {{2, 3, 17}, {2, 5}}),
                         doctest::Contains("input 'x': declared rank 4, given rank 3"), InputError);
    CHECK_THROWS_WITH_AS(check_input_shapes(b.g, {{2, 3, 17, 8}, {3, 5}}),
                         doctest::Contains("input 'y' dim 0: declared batch (one size for every input), given 3, but "
                                           "input 'x' gives batch = 2"),
                         InputError);
    CHECK_THROWS_WITH_AS(check_input_shapes(b.g, {{2, 3, 17, 8}}),
                         doctest::Contains("1 input shapes given, the model has 2 inputs"), InputError);
    Executor ex(b.g);
    CHECK_THROWS_WITH_AS(ex.prepare(), doctest::Contains("input 'x' is declared [batch,3,height,8]"), InputError);
  }

  TEST_CASE("SHAPE and the arithmetic on it run once at prepare; a RESHAPE reads the result") {
    // x [batch, 6] -> SHAPE -> GATHER [0] -> CONCAT with [2, 3] -> RESHAPE(x) -> y [batch, 2, 3]
    GraphBuilder b;
    const int x = b.tensor("x", DType::f32, {b.g.symbol("batch"), 6});
    const int s = b.tensor("s", DType::i32, {});
    const int first = b.tensor("first", DType::i32, {});
    const int want = b.tensor("want", DType::i32, {});
    const int y = b.tensor("y", DType::f32, {});
    b.node(OpType::shape, {x}, {s});
    b.node(OpType::gather, {s, b.constant<int32_t>("zero", {1}, {0})}, {first});
    b.node(OpType::concatenation, {first, b.constant<int32_t>("rest", {2}, {2, 3})}, {want});
    b.node(OpType::reshape, {x, want}, {y});
    b.g.inputs = {x};
    b.g.outputs = {y};
    infer_shapes(b.g);
    CHECK(prepare_time_nodes(b.g) == std::vector<char>{1, 1, 1, 0});
    CHECK(b.g.tensors[want].computed_at_prepare);
    CHECK(b.g.tensors[y].shape == Shape{kUnknownDim, kUnknownDim, kUnknownDim});  // its values come at prepare
    Executor ex(b.g);
    for (int32_t n : {2, 5}) {
      ex.prepare({{n, 6}});
      CHECK(ex.tensor(want).shape == Shape{3});
      CHECK(ex.tensor(want).as<int32_t>()[0] == n);
      for (int i = 0; i < n * 6; ++i) ex.input(0).as<float>()[i] = static_cast<float>(i);
      ex.run();
      CHECK(ex.output(0).shape == Shape{n, 2, 3});
      CHECK(ex.output(0).as<float>()[n * 6 - 1] == static_cast<float>(n * 6 - 1));
    }
  }

  TEST_CASE("shape inference through window ops: the batch symbol is kept, spatial sizes become unknown") {
    GraphBuilder b;
    const int batch = b.g.symbol("batch");
    const int x = b.tensor("x", DType::f32, {batch, b.g.symbol("h"), 32, 3});
    const int filter = b.constant<float>("f", {8, 3, 3, 3}, std::vector<float>(8 * 27, 0.5f));
    const int c = b.tensor("c", DType::f32, {});
    const int p = b.tensor("p", DType::f32, {});
    Node& conv = b.node(OpType::conv2d, {x, filter}, {c});
    conv.attrs.set("padding", int64_t{0});
    conv.attrs.set("stride_h", int64_t{2});
    conv.attrs.set("stride_w", int64_t{2});
    Node& pool = b.node(OpType::max_pool2d, {c}, {p});
    pool.attrs.set("padding", int64_t{1});
    pool.attrs.set("filter_height", int64_t{2});
    pool.attrs.set("filter_width", int64_t{2});
    pool.attrs.set("stride_h", int64_t{2});
    pool.attrs.set("stride_w", int64_t{2});
    b.g.inputs = {x};
    b.g.outputs = {p};
    infer_shapes(b.g);
    // SAME stride 2: ceil(32 / 2) = 16; VALID 2x2 stride 2: (16 - 2) / 2 + 1 = 8.
    CHECK(b.g.tensors[c].shape == Shape{batch, kUnknownDim, 16, 8});
    CHECK(b.g.tensors[p].shape == Shape{batch, kUnknownDim, 8, 8});
    Executor ex(b.g);
    ex.prepare({{2, 9, 32, 3}});
    CHECK(ex.output(0).shape == Shape{2, 2, 8, 8});  // ceil(9 / 2) = 5, (5 - 2) / 2 + 1 = 2
  }

  TEST_CASE("a RESHAPE that fixes the batch is refused for any other batch") {
    GraphBuilder b;
    const int x = b.tensor("x", DType::f32, {b.g.symbol("batch"), 4});
    const int y = b.tensor("y", DType::f32, {});
    b.node(OpType::reshape, {x}, {y}).attrs.set("new_shape", std::vector<int64_t>{1, -1});
    b.g.inputs = {x};
    b.g.outputs = {y};
    b.g.source = "m.onnx";
    infer_shapes(b.g);
    CHECK(b.g.tensors[y].shape == Shape{1, kUnknownDim});
    Executor ex(b.g);
    ex.prepare({{1, 4}});
    CHECK(ex.output(0).shape == Shape{1, 4});
    CHECK_THROWS_WITH_AS(ex.prepare({{3, 4}}),
                         "m.onnx: reshape node 0 (y): reshapes to a fixed batch: its new shape [1,-1] keeps dimension 0 "
                         "at 1, its input [batch,4] has batch = 3 (the model is declared with a symbolic batch "
                         "but runs batch 1 only)",
                         ModelError);
  }

  TEST_CASE("an op that does not infer over symbolic shapes is refused at load, naming the node and the input") {
    GraphBuilder b;
    const int ids = b.tensor("ids", DType::i32, {b.g.symbol("n")});
    const int table = b.constant<float>("table", {4, 2}, std::vector<float>(8, 1.0f));
    const int y = b.tensor("y", DType::f32, {});
    b.node(OpType::embedding_lookup, {ids, table}, {y});
    b.g.inputs = {ids};
    b.g.outputs = {y};
    b.g.source = "m.tflite";
    CHECK_THROWS_WITH_AS(infer_shapes(b.g),
                         doctest::Contains("m.tflite: embedding_lookup node 0 (y): input 0 ('ids') has shape [n]: this "
                                           "op does not take symbolic dimensions yet"),
                         ModelError);
  }
}

}  // namespace
}  // namespace qgate
