// The dynamic-range writer: quantize real MediaPipe models, write them, read the bytes back with qgate's own
// importer and check what the file says (int8 weights with the graph's scales and bytes, versions, options,
// nothing dangling). That real runtimes run the files is checked by tests/cli/quantize_litert.sh.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <span>

#include <doctest/doctest.h>
#include <flatbuffers/flatbuffers.h>

#include "core/errors.h"
#include "harness/fold_constants.h"
#include "harness/cli/model_loader.h"
#include "core/files.h"
#include "harness/ptq.h"
#include "harness/tflite/import.h"
#include "harness/tflite/writer.h"
#include "harness/weight_rules.h"
#include "tests/support/assets.h"
#include "tflite_schema_generated.h"

namespace qgate::test {

namespace {

// A real model of scripts/fetch_models (required: tests/support/assets.h).
std::filesystem::path model_path(const std::string& name) { return model_cache() / name; }

// The written bytes as the loader sees them: imported, then constant ops folded.
Graph reload(const std::string& bytes) {
  Graph g = import_tflite(std::as_bytes(std::span(bytes.data(), bytes.size())), "written.tflite",
                          TfliteImportOptions{.check_ops_supported = false});
  for (Tensor& t : g.tensors) t.file_dtype = t.dtype;  // as load_model does
  fold_constants(g);
  return g;
}

// Constants hold the same bytes (non-constants have no data to compare).
bool same_bytes(const Tensor& a, const Tensor& b) {
  if (!a.is_constant || !b.is_constant) return a.is_constant == b.is_constant;
  return a.bytes() == b.bytes() && (a.bytes() == 0 || std::memcmp(a.data.data(), b.data.data(), a.bytes()) == 0);
}

// Buffers (besides the sentinel 0) that no tensor or metadata entry names.
int unreferenced_buffers(const tflite::Model* m) {
  std::vector<char> used(m->buffers()->size(), 0);
  for (const auto* sg : *m->subgraphs())
    for (const auto* t : *sg->tensors()) used[t->buffer()] = 1;
  if (m->metadata())
    for (const auto* md : *m->metadata()) used[md->buffer()] = 1;
  if (m->metadata_buffer())
    for (int32_t b : *m->metadata_buffer()) used[b] = 1;
  return static_cast<int>(std::count(used.begin() + 1, used.end(), 0));
}

// Every tensor of subgraph 0 is used by something and every operator code by an operator; buffer 0 is empty,
// and no buffer lost its last user (a file may carry unreferenced buffers of its own: they stay).
void check_nothing_dangles(const std::string& bytes, const std::string& original) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  REQUIRE(tflite::VerifyModelBuffer(verifier));
  const tflite::Model* m = tflite::GetModel(data);
  const auto* sg = m->subgraphs()->Get(0);
  std::vector<char> used(sg->tensors()->size(), 0);
  for (const auto* op : *sg->operators()) {
    for (int32_t t : *op->inputs())
      if (t >= 0) used[t] = 1;
    for (int32_t t : *op->outputs()) used[t] = 1;
  }
  for (int32_t t : *sg->inputs()) used[t] = 1;
  for (int32_t t : *sg->outputs()) used[t] = 1;
  for (size_t i = 0; i < used.size(); ++i) {
    CAPTURE(i);
    CHECK((used[i] || sg->tensors()->Get(static_cast<flatbuffers::uoffset_t>(i))->is_variable()));
  }
  CHECK(unreferenced_buffers(m) == unreferenced_buffers(tflite::GetModel(original.data())));
  const auto* b0 = m->buffers()->Get(0);
  CHECK((!b0->data() || b0->data()->size() == 0));
  std::vector<char> cused(m->operator_codes()->size(), 0);
  for (const auto* op : *sg->operators()) cused[op->opcode_index()] = 1;
  for (size_t i = 0; i < cused.size(); ++i) {
    CAPTURE(i);
    CHECK(cused[i]);
  }
}

// The written model, reloaded, has the float model's nodes in the same order with the same attributes, and
// each weight the quantized graph holds as int8 is int8 in the file with the same scales, axis and bytes.
void check_written_model(const LoadedModel& m, const QuantizedGraph& q, const TfliteWriteResult& w,
                         const std::string& original) {
  const Graph r = reload(w.bytes);
  REQUIRE(r.nodes.size() == m.graph.nodes.size());
  int int8_weights = 0;
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const Node& a = q.graph.nodes[i];
    const Node& b = r.nodes[i];
    CAPTURE(i);
    CAPTURE(a.name);
    REQUIRE(a.op == b.op);
    CHECK(a.name == b.name);
    for (const WeightSlot& s : weight_slots(a)) {
      if (s.input >= static_cast<int>(a.inputs.size()) || a.inputs[s.input] < 0) continue;
      const Tensor& qt = q.graph.tensors[a.inputs[s.input]];
      const Tensor& rt = r.tensors[b.inputs[s.input]];
      CHECK(rt.dtype == qt.dtype);
      CHECK(rt.shape == qt.shape);
      CHECK(same_bytes(rt, qt));
      if (qt.dtype != DType::i8) continue;
      ++int8_weights;
      CHECK(rt.is_constant);
      CHECK(rt.file_dtype == DType::i8);  // stored int8, not computed by a constant op
      CHECK(rt.quant.scale == qt.quant.scale);
      CHECK(rt.quant.zero_point == std::vector<int64_t>(qt.quant.scale.size(), 0));
      if (qt.quant.per_channel()) CHECK(rt.quant.axis == qt.quant.axis);
    }
    // Options other than asymmetric_quantize_inputs are untouched.
    for (const auto& [key, value] : m.graph.nodes[i].attrs.all()) {
      if (key == kAsymmetricInputsAttr || key == kTfliteOperatorIndexAttr) continue;
      CAPTURE(key);
      REQUIRE(b.attrs.has(key));
      CHECK(b.attrs.all().at(key) == value);
    }
    const bool hybrid = a.version >= 2 && a.attrs.has(kEpilogueAttr);
    if (!hybrid) {
      CHECK(b.version == m.graph.nodes[i].version);
      continue;
    }
    if (a.op == OpType::conv2d) CHECK(b.version == (q.graph.tensors[a.inputs[1]].quant.per_channel() ? 5 : 2));
    if (a.op == OpType::depthwise_conv2d)
      CHECK(b.version == (q.graph.tensors[a.inputs[1]].quant.per_channel() ? 6 : 4));
    if (a.op == OpType::fully_connected) {
      CHECK(b.attrs.get_int(kAsymmetricInputsAttr, -1) == a.attrs.get_int(kAsymmetricInputsAttr, 0));
      if (!q.graph.tensors[a.inputs[1]].quant.per_channel() && !a.attrs.get_bool("keep_num_dims", false))
        CHECK(b.version == (a.attrs.get_bool(kAsymmetricInputsAttr, false) ? 9 : 3));
    }
  }
  CHECK(int8_weights == static_cast<int>(w.weights.size()));
  CHECK(r.inputs.size() == m.graph.inputs.size());
  CHECK(r.outputs.size() == m.graph.outputs.size());
  for (size_t i = 0; i < r.outputs.size(); ++i)
    CHECK(r.tensors[r.outputs[i]].name == m.graph.tensors[m.graph.outputs[i]].name);
  check_nothing_dangles(w.bytes, original);
}

struct Written {
  std::string original;
  LoadedModel model;
  QuantizedGraph quantized;
  TfliteWriteResult result;
};

std::optional<Written> quantize_model(const std::string& name, const std::string& scheme,
                                      const std::set<int>& keep = {}) {
  const auto path = model_path(name);
  if (!have_asset(path, "scripts/fetch_models")) return std::nullopt;
  Written w;
  w.model = load_model(path.string());
  w.quantized = quantize_graph(w.model.graph, Scheme::parse(scheme), keep);
  w.original = read_file(path.string());
  w.result = write_tflite_quantized(w.original, w.quantized, path.string());
  return w;
}

}  // namespace

TEST_SUITE("harness.tflite_writer") {

TEST_CASE("tflite-dynamic models read back with int8 weights, versions, options and nothing dangling") {
  for (const std::string name :
       {"face_detection__face_detection_short_range.tflite", "hands__hand_landmark_lite.tflite"}) {
    CAPTURE(name);
    auto w = quantize_model(name, "tflite-dynamic");
    if (!w) continue;
    CHECK(!w->result.weights.empty());
    // Each float16 weight leaves its DEQUANTIZE and both of its tensors behind, and so does each bias.
    CHECK(w->result.removed_operators > 0);
    CHECK(w->result.removed_tensors == 2 * w->result.removed_operators);
    check_written_model(w->model, w->quantized, w->result, w->original);
    for (const auto& x : w->result.weights) {
      CHECK(x.bytes_after < x.bytes_before);
      CHECK(x.tensor.find("_dequantize") == std::string::npos);  // named after the stored constant
    }
    MESSAGE(name << ": " << w->result.weights.size() << " int8 weights, " << w->model.file_bytes << " -> "
                 << w->result.bytes.size() << " bytes");
  }
}

TEST_CASE("a model with nothing to quantize round-trips to an equivalent file") {
  auto w = quantize_model("face_detection__face_detection_short_range.tflite", "tflite-dynamic,min-elements=1000000000");
  if (!w) return;
  CHECK(w->result.weights.empty());
  CHECK(w->result.removed_operators == 0);
  CHECK(w->result.removed_tensors == 0);
  CHECK(w->result.removed_buffers == 0);
  const std::string original = read_file(model_path("face_detection__face_detection_short_range.tflite").string());
  const Graph a = import_tflite(std::as_bytes(std::span(original.data(), original.size())), "a",
                                TfliteImportOptions{.check_ops_supported = false});
  const Graph b = import_tflite(std::as_bytes(std::span(w->result.bytes.data(), w->result.bytes.size())), "b",
                                TfliteImportOptions{.check_ops_supported = false});
  REQUIRE(a.tensors.size() == b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    CAPTURE(i);
    CHECK(a.tensors[i].name == b.tensors[i].name);
    CHECK(a.tensors[i].dtype == b.tensors[i].dtype);
    CHECK(a.tensors[i].shape == b.tensors[i].shape);
    CHECK(a.tensors[i].is_constant == b.tensors[i].is_constant);
    CHECK(same_bytes(a.tensors[i], b.tensors[i]));
  }
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    CAPTURE(i);
    CHECK(a.nodes[i].op == b.nodes[i].op);
    CHECK(a.nodes[i].inputs == b.nodes[i].inputs);
    CHECK(a.nodes[i].outputs == b.nodes[i].outputs);
    CHECK(a.nodes[i].version == b.nodes[i].version);
    CHECK(a.nodes[i].attrs.all() == b.nodes[i].attrs.all());
  }
  CHECK(a.inputs == b.inputs);
  CHECK(a.outputs == b.outputs);
}

TEST_CASE("kept-float nodes keep their float weights and their op version") {
  const char* name = "face_detection__face_detection_short_range.tflite";
  auto all = quantize_model(name, "tflite-dynamic");
  if (!all) return;
  REQUIRE(all->result.weights.size() >= 2);
  const int kept = all->result.weights[0].node;
  auto w = quantize_model(name, "tflite-dynamic", {kept});
  REQUIRE(w);
  CHECK(w->result.weights.size() == all->result.weights.size() - 1);
  for (const auto& x : w->result.weights) CHECK(x.node != kept);
  const Graph r = reload(w->result.bytes);
  const Node& n = r.nodes[kept];
  const Tensor& weight = r.tensors[n.inputs[1]];
  CHECK(weight.dtype == DType::f32);
  CHECK(weight.file_dtype == DType::f16);  // still the file's float16 constant behind its DEQUANTIZE
  CHECK(n.version == w->model.graph.nodes[kept].version);
  check_written_model(w->model, w->quantized, w->result, w->original);
}

TEST_CASE("weight-only schemes and graphs of another file are refused") {
  auto w = quantize_model("face_detection__face_detection_short_range.tflite", "tflite-dynamic");
  if (!w) return;
  const std::string bytes = read_file(model_path("face_detection__face_detection_short_range.tflite").string());
  QuantizedGraph weight_only = quantize_graph(w->model.graph, Scheme::parse("weight-only-int8"));
  CHECK_THROWS_WITH_AS(write_tflite_quantized(bytes, weight_only, "m.tflite"),
                       doctest::Contains("weight-only schemes have no TFLite file form"), InputError);
  QuantizedGraph other = quantize_graph(w->model.graph, Scheme::parse("tflite-dynamic"));
  other.graph.tensors.pop_back();
  CHECK_THROWS_WITH_AS(write_tflite_quantized(bytes, other, "m.tflite"),
                       doctest::Contains("the graph was not loaded from this file"), ModelError);
  CHECK_THROWS_AS(write_tflite_quantized("not a model", w->quantized, "m.tflite"), ModelError);
}

// A float32 model without DEQUANTIZE: FULLY_CONNECTED without an options table (x[1,64] . W[32,64] + b) and
// EMBEDDING_LOOKUP (ids[4] into T[100,16]), weights as plain FLOAT32 constants.
std::string synthetic_fc_embedding_model() {
  tflite::ModelT m;
  m.version = 3;
  m.buffers.push_back(std::make_unique<tflite::BufferT>());
  auto sg = std::make_unique<tflite::SubGraphT>();
  auto add_tensor = [&](const std::string& name, std::vector<int32_t> shape, tflite::TensorType type,
                        const std::vector<float>& values) {
    auto t = std::make_unique<tflite::TensorT>();
    t->name = name;
    t->shape = std::move(shape);
    t->type = type;
    auto b = std::make_unique<tflite::BufferT>();
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    b->data.assign(p, p + 4 * values.size());
    m.buffers.push_back(std::move(b));
    t->buffer = static_cast<uint32_t>(m.buffers.size() - 1);
    sg->tensors.push_back(std::move(t));
    return static_cast<int32_t>(sg->tensors.size() - 1);
  };
  auto ramp = [](size_t n, float scale) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>((i * 37) % 101) - scale * 50;
    return v;
  };
  const int32_t x = add_tensor("x", {1, 64}, tflite::TensorType::FLOAT32, {});
  const int32_t w = add_tensor("fc/weights", {32, 64}, tflite::TensorType::FLOAT32, ramp(32 * 64, 0.01f));
  const int32_t b = add_tensor("fc/bias", {32}, tflite::TensorType::FLOAT32, ramp(32, 0.1f));
  const int32_t y = add_tensor("y", {1, 32}, tflite::TensorType::FLOAT32, {});
  const int32_t ids = add_tensor("ids", {4}, tflite::TensorType::INT32, {});
  const int32_t table = add_tensor("table", {100, 16}, tflite::TensorType::FLOAT32, ramp(100 * 16, 0.02f));
  const int32_t e = add_tensor("e", {4, 16}, tflite::TensorType::FLOAT32, {});
  for (int32_t t : {x, y, ids, e}) m.buffers[sg->tensors[t]->buffer]->data.clear();
  for (auto code : {tflite::BuiltinOperator::FULLY_CONNECTED, tflite::BuiltinOperator::EMBEDDING_LOOKUP}) {
    auto c = std::make_unique<tflite::OperatorCodeT>();
    c->builtin_code = code;
    c->deprecated_builtin_code = static_cast<int8_t>(code);
    m.operator_codes.push_back(std::move(c));
  }
  auto fc = std::make_unique<tflite::OperatorT>();
  fc->opcode_index = 0;
  fc->inputs = {x, w, b};
  fc->outputs = {y};
  sg->operators.push_back(std::move(fc));
  auto el = std::make_unique<tflite::OperatorT>();
  el->opcode_index = 1;
  el->inputs = {ids, table};
  el->outputs = {e};
  sg->operators.push_back(std::move(el));
  sg->inputs = {x, ids};
  sg->outputs = {y, e};
  m.subgraphs.push_back(std::move(sg));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(tflite::Model::Pack(fbb, &m), tflite::ModelIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

TEST_CASE("FLOAT32 weights: FC gets an options table with asymmetric inputs, the embedding table zero point [0]") {
  const std::string bytes = synthetic_fc_embedding_model();
  LoadedModel m;
  m.graph = import_tflite(std::as_bytes(std::span(bytes.data(), bytes.size())), "synthetic",
                          TfliteImportOptions{.check_ops_supported = false});
  for (Tensor& t : m.graph.tensors) t.file_dtype = t.dtype;
  for (const char* scheme : {"tflite-dynamic", "tflite-dynamic,act=sym"}) {
    CAPTURE(scheme);
    const QuantizedGraph q = quantize_graph(m.graph, Scheme::parse(scheme));
    const TfliteWriteResult w = write_tflite_quantized(bytes, q, "synthetic");
    REQUIRE(w.weights.size() == 2);
    CHECK(w.removed_operators == 0);
    CHECK(w.removed_tensors == 2);  // the float weight and table
    CHECK(w.removed_buffers == 2);
    check_written_model(m, q, w, bytes);
    const tflite::Model* out = tflite::GetModel(w.bytes.data());
    const auto* sg = out->subgraphs()->Get(0);
    const auto* fc = sg->operators()->Get(0);
    const bool asym = std::string(scheme) == "tflite-dynamic";
    REQUIRE(fc->builtin_options_as_FullyConnectedOptions());
    CHECK(fc->builtin_options_as_FullyConnectedOptions()->asymmetric_quantize_inputs() == asym);
    CHECK(out->operator_codes()->Get(fc->opcode_index())->version() == (asym ? 9 : 3));
    const auto* el = sg->operators()->Get(1);
    CHECK(out->operator_codes()->Get(el->opcode_index())->version() == 1);
    const auto* table = sg->tensors()->Get(el->inputs()->Get(1));
    CHECK(table->type() == tflite::TensorType::INT8);
    CHECK(table->name()->str() == "table");
    REQUIRE(table->quantization()->zero_point());
    CHECK(table->quantization()->zero_point()->size() == 1);
    CHECK(table->quantization()->zero_point()->Get(0) == 0);
    CHECK(out->operator_codes()->size() == 2);
  }
}

TEST_CASE("a field the schema does not declare is refused, not dropped") {
  // A one-tensor model whose tensor carries field 12, which no schema version qgate knows declares.
  flatbuffers::FlatBufferBuilder fbb;
  auto name = fbb.CreateString("x");
  auto shape = fbb.CreateVector(std::vector<int32_t>{1});
  const auto start = fbb.StartTable();
  fbb.AddOffset(tflite::Tensor::VT_SHAPE, shape);
  fbb.AddOffset(tflite::Tensor::VT_NAME, name);
  fbb.AddElement<int32_t>(flatbuffers::FieldIndexToOffset(12), 7, 0);
  const flatbuffers::Offset<tflite::Tensor> tensor(fbb.EndTable(start));
  auto io = fbb.CreateVector(std::vector<int32_t>{0});
  auto sg = tflite::CreateSubGraph(fbb, fbb.CreateVector(std::vector{tensor}), io, io);
  auto buffers = fbb.CreateVector(std::vector{tflite::CreateBuffer(fbb)});
  auto model = tflite::CreateModel(fbb, 3, 0, fbb.CreateVector(std::vector{sg}), 0, buffers);
  fbb.Finish(model, tflite::ModelIdentifier());
  const std::string bytes(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  QuantizedGraph q;
  q.graph.tensors.resize(1);
  CHECK_THROWS_WITH_AS(write_tflite_quantized(bytes, q, "m.tflite"),
                       doctest::Contains("model.subgraphs[0].tensors[0]: holds field 12"), ModelError);
}

}  // TEST_SUITE

}  // namespace qgate::test
