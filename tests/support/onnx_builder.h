// ONNX models written in a test with the onnx protobuf classes (float tensors with fixed shapes), for the
// importer tests: a model is bytes, as a file would hold them.
//
//   onnx::ModelProto m = test::onnx_model("small_cnn", 13);
//   onnx::GraphProto* g = m.mutable_graph();
//   test::onnx_input(g, "x", {1, 3, 8, 8});
//   test::onnx_initializer(g, "w", {4, 3, 3, 3}, weights);
//   test::onnx_ints(test::onnx_node(g, "Conv", {"x", "w"}, {"y"}), "pads", {1, 1, 1, 1});
//   test::onnx_output(g, "y", {1, 4, 8, 8});
//   const std::string bytes = m.SerializeAsString();
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace qgate::test {

// A model of one graph named `graph_name`, IR version 8, importing the default domain at `opset`.
onnx::ModelProto onnx_model(const std::string& graph_name, int64_t opset);

// A float graph input of shape `dims`.
void onnx_input(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims);
// A float graph output, of shape `dims` when given (none: the importer infers it).
void onnx_output(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims = {});
// A float initializer holding `values`, as many as `dims` has elements.
void onnx_initializer(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<float>& values);
// An int64 initializer (shapes, axes, indices); empty `dims` make a scalar.
void onnx_int64_initializer(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                            const std::vector<int64_t>& values);

// A node reading `inputs` ("" for an absent optional one) and writing `outputs`.
onnx::NodeProto* onnx_node(onnx::GraphProto* g, const std::string& op, const std::vector<std::string>& inputs,
                           const std::vector<std::string>& outputs);
// Attributes of a node: INT, STRING, INTS.
void onnx_int(onnx::NodeProto* n, const std::string& key, int64_t value);
void onnx_string(onnx::NodeProto* n, const std::string& key, const std::string& value);
void onnx_ints(onnx::NodeProto* n, const std::string& key, const std::vector<int64_t>& values);

}  // namespace qgate::test
