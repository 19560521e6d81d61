// Hand-built graphs for the tests that run ops through the executor, in the builder style:
//
//   test::GraphBuilder b("m.tflite");
//   const int x = b.input("x", {1, 9, 9, 5});
//   const int w = b.constant("w", {8, 3, 3, 5}, weights);
//   const int y = b.node(OpType::conv2d, "conv", {x, w, -1}, test::conv_attributes(0, 1, 1, 1));
//   const Graph g = b.build({y});
//
// Model inputs are listed in the order input() is called; a node's output gets its shape from
// Executor::prepare(). build() checks the graph (Graph::validate), so a test starts from a well-formed graph.
#pragma once

#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "core/tensor.h"
#include "harness/executor.h"
#include "harness/graph.h"

namespace qgate::test {

class GraphBuilder {
 public:
  // `source` stands for the model file in messages ("m.tflite: add node 0 (s): ...").
  explicit GraphBuilder(std::string source = "");

  // A model input.
  int input(const std::string& name, Shape shape, DType dtype = DType::f32);
  // A tensor a node writes (for node_into: several outputs, or a dtype other than float).
  int tensor(const std::string& name, DType dtype = DType::f32);
  // A constant holding `values`, exactly as many as the shape has elements, stored as T's dtype or as `dtype`
  // (float16 constants pass their bits as uint16_t).
  template <typename T>
  int constant(const std::string& name, Shape shape, const std::vector<T>& values, DType dtype = dtype_of<T>()) {
    const int id = add(name, dtype, std::move(shape));
    Tensor& t = graph_.tensors[static_cast<size_t>(id)];
    t.is_constant = true;
    t.allocate();
    REQUIRE(values.size() * sizeof(T) == t.bytes());
    std::memcpy(t.data.data(), values.data(), t.bytes());
    return id;
  }
  // A state tensor the executor keeps from one time step to the next (RNN/LSTM hidden and cell state).
  int variable(const std::string& name, Shape shape);
  // The tensor `id`, to give it quantization parameters.
  Tensor& at(int id) { return graph_.tensors.at(static_cast<size_t>(id)); }

  // One node writing a new float tensor named like the node; returns that tensor.
  int node(OpType op, const std::string& name, std::vector<int> inputs, Attributes attrs = {});
  // One node writing `outputs` (made with tensor()), named after its first output.
  Node& node_into(OpType op, std::vector<int> inputs, std::vector<int> outputs, Attributes attrs = {});

  // The graph with these model outputs, checked, handed over (graphs own their constants and are not copied):
  // call it once, last.
  Graph build(std::vector<int> outputs);

 private:
  int add(const std::string& name, DType dtype, Shape shape);
  Graph graph_;
};

// Attributes from (name, value) pairs: attributes({{"axis", -2}, {"beta", 1.0}}).
Attributes attributes(std::initializer_list<std::pair<const std::string, AttrValue>> values);

// CONV_2D / DEPTHWISE_CONV_2D options with the same stride and dilation on both axes (padding: SAME 0, VALID 1;
// activation: TFLite's ActivationFunctionType; harness/graph.h's attribute contract).
Attributes conv_attributes(int padding, int stride, int dilation, int activation);

// Copies `values` into the executor's model input `index` (exactly its element count).
template <typename T>
void set_input(Executor& ex, size_t index, const std::vector<T>& values) {
  Tensor& t = ex.input(index);
  REQUIRE(values.size() * sizeof(T) == t.bytes());
  std::memcpy(t.data.data(), values.data(), t.bytes());
}

// The elements of a tensor (an executor output or intermediate).
template <typename T = float>
std::vector<T> values_of(const Tensor& t) {
  return std::vector<T>(t.as<T>(), t.as<T>() + t.elements());
}

}  // namespace qgate::test
