#include "tests/support/onnx_builder.h"

#include <doctest/doctest.h>

namespace qgate::test {

onnx::ModelProto onnx_model(const std::string& graph_name, int64_t opset) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  m.mutable_graph()->set_name(graph_name);
  return m;
}

namespace {

void add_float_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list, const std::string& name,
                     const std::vector<int64_t>& dims) {
  onnx::ValueInfoProto* vi = list->Add();
  vi->set_name(name);
  onnx::TypeProto_Tensor* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  if (dims.empty()) return;  // no shape field at all (an empty one would say: a scalar)
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

}  // namespace

void onnx_input(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims) {
  add_float_value(g->mutable_input(), name, dims);
}

void onnx_output(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims) {
  add_float_value(g->mutable_output(), name, dims);
}

namespace {

// An initializer named `name` of shape `dims` and element type `type`, checked to hold `count` elements.
onnx::TensorProto* add_initializer(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                                   onnx::TensorProto::DataType type, size_t count) {
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  int64_t n = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    n *= d;
  }
  REQUIRE(static_cast<int64_t>(count) == n);
  return t;
}

}  // namespace

void onnx_initializer(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<float>& values) {
  onnx::TensorProto* t = add_initializer(g, name, dims, onnx::TensorProto::FLOAT, values.size());
  for (float v : values) t->add_float_data(v);
}

void onnx_int64_initializer(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                            const std::vector<int64_t>& values) {
  onnx::TensorProto* t = add_initializer(g, name, dims, onnx::TensorProto::INT64, values.size());
  for (int64_t v : values) t->add_int64_data(v);
}

onnx::NodeProto* onnx_node(onnx::GraphProto* g, const std::string& op, const std::vector<std::string>& inputs,
                           const std::vector<std::string>& outputs) {
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  for (const std::string& s : inputs) n->add_input(s);
  for (const std::string& s : outputs) n->add_output(s);
  return n;
}

void onnx_int(onnx::NodeProto* n, const std::string& key, int64_t value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void onnx_string(onnx::NodeProto* n, const std::string& key, const std::string& value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

void onnx_ints(onnx::NodeProto* n, const std::string& key, const std::vector<int64_t>& values) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

}  // namespace qgate::test
