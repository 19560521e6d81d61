#include "tests/support/graph_builder.h"

namespace qgate::test {

GraphBuilder::GraphBuilder(std::string source) { graph_.source = std::move(source); }

int GraphBuilder::add(const std::string& name, DType dtype, Shape shape) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  graph_.tensors.push_back(std::move(t));
  return static_cast<int>(graph_.tensors.size()) - 1;
}

int GraphBuilder::input(const std::string& name, Shape shape, DType dtype) {
  const int id = add(name, dtype, std::move(shape));
  graph_.inputs.push_back(id);
  return id;
}

int GraphBuilder::tensor(const std::string& name, DType dtype) { return add(name, dtype, {}); }

int GraphBuilder::variable(const std::string& name, Shape shape) {
  const int id = add(name, DType::f32, std::move(shape));
  at(id).is_variable = true;
  return id;
}

int GraphBuilder::node(OpType op, const std::string& name, std::vector<int> inputs, Attributes attrs) {
  const int out = tensor(name);
  node_into(op, std::move(inputs), {out}, std::move(attrs));
  return out;
}

Node& GraphBuilder::node_into(OpType op, std::vector<int> inputs, std::vector<int> outputs, Attributes attrs) {
  REQUIRE(!outputs.empty());
  Node n;
  n.id = static_cast<int>(graph_.nodes.size());
  n.op = op;
  n.name = at(outputs[0]).name;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  graph_.nodes.push_back(std::move(n));
  return graph_.nodes.back();
}

Graph GraphBuilder::build(std::vector<int> outputs) {
  graph_.outputs = std::move(outputs);
  graph_.validate();
  return std::move(graph_);
}

Attributes attributes(std::initializer_list<std::pair<const std::string, AttrValue>> values) {
  Attributes a;
  for (const auto& [name, value] : values) a.set(name, value);
  return a;
}

Attributes conv_attributes(int padding, int stride, int dilation, int activation) {
  return attributes({{"padding", padding},
                     {"stride_w", stride},
                     {"stride_h", stride},
                     {"dilation_w_factor", dilation},
                     {"dilation_h_factor", dilation},
                     {"fused_activation_function", activation}});
}

}  // namespace qgate::test
