// ONNX import of what exporters emit beyond the node tests: weights in external data files, and models qgate
// refuses, where every refused node is named at once with its op, attribute and value.
#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/onnx/import.h"

using namespace qgate;
namespace fs = std::filesystem;

namespace {

void add_input(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, bool output = false) {
  auto* vi = output ? g->add_output() : g->add_input();
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                          std::vector<std::string> out, const std::string& name) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& s : in) n->add_input(s);
  for (auto& s : out) n->add_output(s);
  return n;
}

// A float initializer whose values live in `file` at `offset`.
void add_external(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, const std::string& file,
                  int64_t offset, int64_t length) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto& [k, v] : {std::pair<std::string, std::string>{"location", file},
                             {"offset", std::to_string(offset)}, {"length", std::to_string(length)}}) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
}

// y = x [2, 3] @ w [3, 2] + b [2], w and b in one external file `location` (b first, then w).
std::string matmul_external(const std::string& location) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  add_input(g, "x", {2, 3});
  add_external(g, "b", {2}, location, 0, 8);
  add_external(g, "w", {3, 2}, location, 8, 24);
  add_node(g, "MatMul", {"x", "w"}, {"xw"}, "mm");
  add_node(g, "Add", {"xw", "b"}, {"y"}, "add");
  add_input(g, "y", {2, 2}, /*output=*/true);
  return m.SerializeAsString();
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("qgate_onnx_ops_" + std::to_string(::getpid()));
    fs::create_directories(path / "weights");
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string message_of(const std::string& bytes, const std::string& source) {
  try {
    import_onnx(bytes, source);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("harness.onnx_ops") {

TEST_CASE("initializers in an external data file load from the model's folder, at their offsets") {
  TempDir dir;
  // b = [0.5, -1], w = [[1, 2], [3, 4], [5, 6]] as little-endian float32.
  const float data[] = {0.5f, -1.0f, 1, 2, 3, 4, 5, 6};
  std::ofstream(dir.path / "weights" / "mm.bin", std::ios::binary).write(reinterpret_cast<const char*>(data), sizeof data);
  const std::string model = (dir.path / "model.onnx").string();
  Graph g = import_onnx(matmul_external("weights/mm.bin"), model);
  Executor ex(g);
  ex.prepare();
  const float x[] = {1, 0, 0, 1, 1, 1};
  std::memcpy(ex.input(0).data.data(), x, sizeof x);
  ex.run();
  // Row 0: [1, 2] + b; row 1: [1 + 3 + 5, 2 + 4 + 6] + b.
  const float want[] = {1.5f, 1.0f, 9.5f, 11.0f};
  for (int i = 0; i < 4; ++i) CHECK(ex.output(0).as<float>()[i] == want[i]);
}

TEST_CASE("external data errors name the tensor and the file") {
  TempDir dir;
  const std::string model = (dir.path / "model.onnx").string();
  std::string what = message_of(matmul_external("weights/missing.bin"), model);
  CHECK(what.find("tensor 'b'") != std::string::npos);
  CHECK(what.find("missing.bin") != std::string::npos);
  what = message_of(matmul_external("../outside.bin"), model);
  CHECK(what.find("outside the model's folder") != std::string::npos);
  const float few[] = {1, 2, 3};
  std::ofstream(dir.path / "weights" / "short.bin", std::ios::binary).write(reinterpret_cast<const char*>(few), sizeof few);
  what = message_of(matmul_external("weights/short.bin"), model);
  CHECK(what.find("is outside") != std::string::npos);  // w's 24 bytes from offset 8 pass the file's 12
}

TEST_CASE("every refused node is named at once: its op, the attribute and its value; nodes after it pass over") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  add_input(g, "x", {1, 2, 4, 4});
  auto* pad = add_node(g, "Pad", {"x", "pads"}, {"p"}, "pad_wrap");
  auto* mode = pad->add_attribute();
  mode->set_name("mode");
  mode->set_type(onnx::AttributeProto::STRING);
  mode->set_s("wrap");
  auto* pads = g->add_initializer();
  pads->set_name("pads");
  pads->set_data_type(onnx::TensorProto::INT64);
  pads->add_dims(8);
  for (int k = 0; k < 8; ++k) pads->add_int64_data(k % 4 == 3 ? 1 : 0);
  add_node(g, "Relu", {"p"}, {"r"}, "after_pad");  // reads the refused Pad: passed over
  auto* mod = add_node(g, "Mod", {"x", "x"}, {"m"}, "float_mod");
  auto* fmod = mod->add_attribute();
  fmod->set_name("fmod");
  fmod->set_type(onnx::AttributeProto::INT);
  fmod->set_i(0);
  add_node(g, "Add", {"r", "m"}, {"y"}, "sum");
  add_input(g, "y", {1, 2, 4, 5}, /*output=*/true);
  const std::string what = message_of(m.SerializeAsString(), "refused.onnx");
  CAPTURE(what);
  CHECK(what.find("refused.onnx: 2 ONNX nodes are not supported") != std::string::npos);
  CHECK(what.find("(2 nodes reading their outputs not checked)") != std::string::npos);
  CHECK(what.find("Pad node 'pad_wrap': mode 'wrap'") != std::string::npos);
  CHECK(what.find("Mod node 'float_mod': fmod 0") != std::string::npos);
  CHECK(what.find("after_pad") == std::string::npos);
  CHECK(what.find('\n') == std::string::npos);  // one line, as every CLI error
}

}  // TEST_SUITE
