// TFLite importer: small models built here with the generated object API, the malformed-file rules, and the
// real MediaPipe models of scripts/fetch_models (required: tests/support/assets.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <vector>

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/infer_shapes.h"
#include "harness/tflite/import.h"
#include "tests/support/assets.h"
#include "tflite_schema_generated.h"

namespace qgate {
namespace {

using Bytes = std::vector<std::byte>;

template <typename T>
std::vector<uint8_t> raw_bytes(const std::vector<T>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// A one-subgraph model under construction; buffer 0 is the format's empty sentinel.
struct ModelBuilder {
  tflite::ModelT m;
  tflite::SubGraphT* sg;

  ModelBuilder() {
    m.version = 3;
    m.buffers.push_back(std::make_unique<tflite::BufferT>());
    m.subgraphs.push_back(std::make_unique<tflite::SubGraphT>());
    sg = m.subgraphs[0].get();
  }
  uint32_t buffer(std::vector<uint8_t> data) {
    auto b = std::make_unique<tflite::BufferT>();
    b->data = std::move(data);
    m.buffers.push_back(std::move(b));
    return static_cast<uint32_t>(m.buffers.size() - 1);
  }
  int tensor(const std::string& name, tflite::TensorType type, std::vector<int32_t> shape, uint32_t buf = 0) {
    auto t = std::make_unique<tflite::TensorT>();
    t->name = name;
    t->type = type;
    t->shape = std::move(shape);
    t->buffer = buf;
    sg->tensors.push_back(std::move(t));
    return static_cast<int>(sg->tensors.size() - 1);
  }
  tflite::TensorT& t(int i) { return *sg->tensors[i]; }
  uint32_t opcode(tflite::BuiltinOperator code, int version = 1, const std::string& custom = "") {
    auto oc = std::make_unique<tflite::OperatorCodeT>();
    oc->builtin_code = code;
    oc->deprecated_builtin_code = static_cast<int8_t>(std::min(static_cast<int>(code), 127));
    oc->version = version;
    oc->custom_code = custom;
    m.operator_codes.push_back(std::move(oc));
    return static_cast<uint32_t>(m.operator_codes.size() - 1);
  }
  tflite::OperatorT& op(uint32_t opcode_index, std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
    auto o = std::make_unique<tflite::OperatorT>();
    o->opcode_index = opcode_index;
    o->inputs = std::move(inputs);
    o->outputs = std::move(outputs);
    sg->operators.push_back(std::move(o));
    return *sg->operators.back();
  }
  Bytes finish(bool identifier = true) const {
    flatbuffers::FlatBufferBuilder fbb;
    auto root = tflite::Model::Pack(fbb, &m);
    if (identifier)
      fbb.Finish(root, tflite::ModelIdentifier());
    else
      fbb.Finish(root);
    const auto* p = reinterpret_cast<const std::byte*>(fbb.GetBufferPointer());
    return Bytes(p, p + fbb.GetSize());
  }
};

TfliteImportOptions no_op_check() {
  TfliteImportOptions o;
  o.check_ops_supported = false;
  return o;
}

Graph load(const Bytes& b) { return import_tflite(b, "test.tflite", no_op_check()); }

// Asserts the import fails with a ModelError whose one-line message contains every fragment.
void expect_model_error(const Bytes& b, std::initializer_list<std::string> fragments,
                        const TfliteImportOptions& opts = no_op_check()) {
  std::string msg;
  try {
    import_tflite(b, "test.tflite", opts);
  } catch (const ModelError& e) {
    msg = e.what();
  }
  CAPTURE(msg);
  REQUIRE_FALSE(msg.empty());
  CHECK(msg.rfind("test.tflite: ", 0) == 0);
  CHECK(msg.find('\n') == std::string::npos);
  for (const auto& f : fragments) {
    CAPTURE(f);
    CHECK(msg.find(f) != std::string::npos);
  }
}

// x [1,4,4,3] f32 -> CONV_2D (int8 per-channel weights, f32 bias, RELU6) -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX.
struct SmallCnn {
  ModelBuilder b;
  std::vector<int8_t> w;
  std::vector<float> bias{0.5f, -1.25f};
  int x, wt, bt, conv, flat, fcw, fc, prob;

  SmallCnn() {
    using TT = tflite::TensorType;
    using BO = tflite::BuiltinOperator;
    for (int i = 0; i < 2 * 3 * 3 * 3; ++i) w.push_back(static_cast<int8_t>(i * 7 % 255 - 127));
    x = b.tensor("input", TT::FLOAT32, {1, 4, 4, 3});
    wt = b.tensor("conv/weights", TT::INT8, {2, 3, 3, 3}, b.buffer(raw_bytes(w)));
    auto q = std::make_unique<tflite::QuantizationParametersT>();
    q->scale = {0.5f, 0.25f};
    q->zero_point = {0, 0};
    q->quantized_dimension = 0;
    b.t(wt).quantization = std::move(q);
    bt = b.tensor("conv/bias", TT::FLOAT32, {2}, b.buffer(raw_bytes(bias)));
    conv = b.tensor("conv/out", TT::FLOAT32, {1, 4, 4, 2});
    flat = b.tensor("flat", TT::FLOAT32, {1, 32});
    fcw = b.tensor("fc/weights", TT::FLOAT32, {10, 32}, b.buffer(raw_bytes(std::vector<float>(320, 0.125f))));
    fc = b.tensor("fc/out", TT::FLOAT32, {1, 10});
    prob = b.tensor("prob", TT::FLOAT32, {1, 10});
    b.sg->inputs = {x};
    b.sg->outputs = {prob};

    auto& c = b.op(b.opcode(BO::CONV_2D, 3), {x, wt, bt}, {conv});
    tflite::Conv2DOptionsT co;
    co.padding = tflite::Padding::SAME;
    co.stride_w = 1;
    co.stride_h = 2;
    co.fused_activation_function = tflite::ActivationFunctionType::RELU6;
    c.builtin_options.Set(co);

    auto& r = b.op(b.opcode(BO::RESHAPE), {conv}, {flat});
    tflite::ReshapeOptionsT ro;
    ro.new_shape = {1, 32};
    r.builtin_options.Set(ro);

    // An old writer: only the byte field holds the code (builtin_code left 0 = ADD).
    auto oc = std::make_unique<tflite::OperatorCodeT>();
    oc->deprecated_builtin_code = 9;  // FULLY_CONNECTED
    oc->version = 2;
    b.m.operator_codes.push_back(std::move(oc));
    auto& f = b.op(static_cast<uint32_t>(b.m.operator_codes.size() - 1), {flat, fcw, -1}, {fc});
    tflite::FullyConnectedOptionsT fo;
    fo.keep_num_dims = true;
    fo.asymmetric_quantize_inputs = true;
    f.builtin_options.Set(fo);

    auto& s = b.op(b.opcode(BO::SOFTMAX), {fc}, {prob});
    tflite::SoftmaxOptionsT so;
    so.beta = 0.5f;
    s.builtin_options.Set(so);
  }
};

TEST_SUITE("harness.tflite") {

TEST_CASE("a small CNN imports with shapes, dtypes, constants, quantization, attributes and names") {
  SmallCnn cnn;
  const Graph g = load(cnn.b.finish());
  CHECK(g.source == "test.tflite");
  REQUIRE(g.tensors.size() == 8);
  CHECK(g.inputs == std::vector<int>{cnn.x});
  CHECK(g.outputs == std::vector<int>{cnn.prob});

  const Tensor& x = g.tensors[cnn.x];
  CHECK(x.name == "input");
  CHECK(x.dtype == DType::f32);
  CHECK(x.shape == Shape{1, 4, 4, 3});
  CHECK_FALSE(x.is_constant);

  const Tensor& w = g.tensors[cnn.wt];
  CHECK(w.dtype == DType::i8);
  CHECK(w.is_constant);
  REQUIRE(w.data.size() == cnn.w.size());
  CHECK(std::memcmp(w.data.data(), cnn.w.data(), cnn.w.size()) == 0);
  CHECK(w.quant.scale == std::vector<float>{0.5f, 0.25f});
  CHECK(w.quant.zero_point == std::vector<int64_t>{0, 0});
  CHECK(w.quant.axis == 0);
  CHECK(w.quant.per_channel());

  const Tensor& bias = g.tensors[cnn.bt];
  CHECK(bias.is_constant);
  CHECK(bias.as<float>()[0] == 0.5f);
  CHECK(bias.as<float>()[1] == -1.25f);
  CHECK(g.tensors[cnn.fcw].as<float>()[319] == 0.125f);

  REQUIRE(g.nodes.size() == 4);
  const Node& conv = g.nodes[0];
  CHECK(conv.op == OpType::conv2d);
  CHECK(conv.name == "conv/out");
  CHECK(conv.version == 3);
  CHECK(conv.inputs == std::vector<int>{cnn.x, cnn.wt, cnn.bt});
  CHECK(conv.outputs == std::vector<int>{cnn.conv});
  CHECK(conv.attrs.get_int("padding", -1) == 0);
  CHECK(conv.attrs.get_int("stride_w", -1) == 1);
  CHECK(conv.attrs.get_int("stride_h", -1) == 2);
  CHECK(conv.attrs.get_int("fused_activation_function", -1) == 3);
  CHECK(conv.attrs.get_int("dilation_w_factor", -1) == 1);
  CHECK(conv.attrs.get_int("dilation_h_factor", -1) == 1);
  CHECK(tflite_op_label(conv) == "CONV_2D");

  CHECK(g.nodes[1].op == OpType::reshape);
  CHECK(g.nodes[1].attrs.get_ints("new_shape") == std::vector<int64_t>{1, 32});

  const Node& fc = g.nodes[2];
  CHECK(fc.op == OpType::fully_connected);  // max(deprecated_builtin_code 9, builtin_code 0)
  CHECK(fc.version == 2);
  CHECK(fc.inputs == std::vector<int>{cnn.flat, cnn.fcw, -1});
  CHECK(fc.attrs.get_int("keep_num_dims", -1) == 1);
  CHECK(fc.attrs.get_int("asymmetric_quantize_inputs", -1) == 1);
  CHECK(fc.attrs.get_int("fused_activation_function", -1) == 0);

  CHECK(g.nodes[3].op == OpType::softmax);
  CHECK(g.nodes[3].attrs.get_float("beta", 0) == 0.5);
  CHECK(g.nodes[3].name == "prob");
}

TEST_CASE("the op code is the larger of deprecated_builtin_code and builtin_code") {
  ModelBuilder b;
  const int x = b.tensor("x", tflite::TensorType::FLOAT32, {4});
  const int y = b.tensor("y", tflite::TensorType::FLOAT32, {4});
  b.sg->inputs = {x};
  b.sg->outputs = {y};
  // A new writer: codes >= 127 saturate the byte field at PLACEHOLDER_FOR_GREATER_OP_CODES.
  b.op(b.opcode(tflite::BuiltinOperator::GELU), {x}, {y});
  CHECK(b.m.operator_codes[0]->deprecated_builtin_code == 127);
  const Graph g = load(b.finish());
  CHECK(g.nodes[0].op == OpType::gelu);
  CHECK(tflite_op_label(g.nodes[0]) == "GELU");
}

TEST_CASE("builtin op names") {
  CHECK(tflite_builtin_name(0) == "ADD");
  CHECK(tflite_builtin_name(3) == "CONV_2D");
  CHECK(tflite_builtin_name(9) == "FULLY_CONNECTED");
  CHECK(tflite_builtin_name(44) == "UNIDIRECTIONAL_SEQUENCE_LSTM");
  CHECK(tflite_builtin_name(124) == "DENSIFY");
  CHECK(tflite_builtin_name(150) == "GELU");
  CHECK(tflite_builtin_name(152) == "RELU_0_TO_1");
  CHECK(tflite_builtin_name(9999) == "BUILTIN_9999");
  CHECK(tflite_builtin_name(-1) == "BUILTIN_-1");
}

TEST_CASE("MediaPipe Convolution2DTransposeBias options decode from the TfLiteTransposeConvParams bytes") {
  ModelBuilder b;
  using TT = tflite::TensorType;
  const int x = b.tensor("x", TT::FLOAT32, {1, 4, 4, 8});
  const int w = b.tensor("w", TT::FLOAT32, {2, 2, 2, 8}, b.buffer(std::vector<uint8_t>(2 * 2 * 2 * 8 * 4, 0)));
  const int bias = b.tensor("b", TT::FLOAT32, {2}, b.buffer(std::vector<uint8_t>(8, 0)));
  const int y = b.tensor("up", TT::FLOAT32, {1, 8, 8, 2});
  b.sg->inputs = {x};
  b.sg->outputs = {y};
  auto& o = b.op(b.opcode(tflite::BuiltinOperator::CUSTOM, 1, "Convolution2DTransposeBias"), {x, w, bias}, {y});
  o.custom_options = raw_bytes(std::vector<int32_t>{2 /*VALID*/, 2, 3});
  const Graph g = load(b.finish());
  const Node& n = g.nodes[0];
  CHECK(n.op == OpType::conv2d_transpose_bias);
  CHECK(n.attrs.get_int("padding", -1) == 1);  // schema Padding VALID
  CHECK(n.attrs.get_int("stride_w", -1) == 2);
  CHECK(n.attrs.get_int("stride_h", -1) == 3);
  CHECK(tflite_op_label(n) == "custom 'Convolution2DTransposeBias'");

  SUBCASE("pooling custom ops carry TfLitePoolParams") {
    ModelBuilder p;
    const int a = p.tensor("a", TT::FLOAT32, {1, 4, 4, 1});
    const int m = p.tensor("pooled", TT::FLOAT32, {1, 2, 2, 1});
    const int idx = p.tensor("argmax", TT::FLOAT32, {1, 2, 2, 1});
    p.sg->inputs = {a};
    p.sg->outputs = {m, idx};
    auto& po = p.op(p.opcode(tflite::BuiltinOperator::CUSTOM, 1, "MaxPoolingWithArgmax2D"), {a}, {m, idx});
    po.custom_options = raw_bytes(std::vector<int32_t>{1 /*SAME*/, 2, 2, 3, 3, 1 /*RELU*/, 0, 0, 0, 0});
    const Graph pg = load(p.finish());
    const Node& pn = pg.nodes[0];
    CHECK(pn.op == OpType::max_pooling_with_argmax);
    CHECK(pn.attrs.get_int("padding", -1) == 0);
    CHECK(pn.attrs.get_int("filter_width", -1) == 3);
    CHECK(pn.attrs.get_int("filter_height", -1) == 3);
    CHECK(pn.attrs.get_int("fused_activation_function", -1) == 1);
  }
  SUBCASE("too few custom option bytes") {
    b.sg->operators[0]->custom_options = {1, 0, 0, 0};
    expect_model_error(b.finish(), {"operator 0 custom 'Convolution2DTransposeBias'", "4 bytes", "at least 12"});
  }
  SUBCASE("unknown TfLitePadding value") {
    b.sg->operators[0]->custom_options = raw_bytes(std::vector<int32_t>{7, 1, 1});
    expect_model_error(b.finish(), {"padding is 7", "TfLitePadding"});
  }
}

TEST_CASE("a variable tensor has no data and is not a constant") {
  ModelBuilder b;
  using TT = tflite::TensorType;
  const int x = b.tensor("x", TT::FLOAT32, {1, 3});
  const int w = b.tensor("w", TT::FLOAT32, {2, 3}, b.buffer(std::vector<uint8_t>(24, 0)));
  const int r = b.tensor("r", TT::FLOAT32, {2, 2}, b.buffer(std::vector<uint8_t>(16, 0)));
  const int bias = b.tensor("bias", TT::FLOAT32, {2}, b.buffer(std::vector<uint8_t>(8, 0)));
  const int h = b.tensor("h", TT::FLOAT32, {1, 2}, b.buffer({}));
  b.t(h).is_variable = true;
  const int y = b.tensor("y", TT::FLOAT32, {1, 2});
  b.sg->inputs = {x};
  b.sg->outputs = {y};
  auto& o = b.op(b.opcode(tflite::BuiltinOperator::RNN), {x, w, r, bias, h}, {y});
  tflite::RNNOptionsT ro;
  ro.fused_activation_function = tflite::ActivationFunctionType::TANH;
  o.builtin_options.Set(ro);
  const Graph g = load(b.finish());
  CHECK(g.tensors[h].is_variable);
  CHECK_FALSE(g.tensors[h].is_constant);
  CHECK(g.nodes[0].op == OpType::rnn);
  CHECK(g.nodes[0].attrs.get_int("fused_activation_function", -1) == 4);
  CHECK(g.nodes[0].attrs.get_int("asymmetric_quantize_inputs", -1) == 0);
}

// Dense [rows, cols] of a sparse constant feeding DENSIFY.
struct SparseModel {
  ModelBuilder b;
  int s, d;
  SparseModel(std::vector<int32_t> shape, std::vector<float> values, std::unique_ptr<tflite::SparsityParametersT> sp) {
    s = b.tensor("sparse", tflite::TensorType::FLOAT32, shape, b.buffer(raw_bytes(values)));
    b.t(s).sparsity = std::move(sp);
    d = b.tensor("dense", tflite::TensorType::FLOAT32, shape);
    b.sg->outputs = {d};
    b.op(b.opcode(tflite::BuiltinOperator::DENSIFY), {s}, {d});
  }
};

std::unique_ptr<tflite::DimensionMetadataT> dense_dim(int size) {
  auto m = std::make_unique<tflite::DimensionMetadataT>();
  m->format = tflite::DimensionType::DENSE;
  m->dense_size = size;
  return m;
}

std::unique_ptr<tflite::DimensionMetadataT> csr_dim(std::vector<int32_t> segments, std::vector<uint8_t> indices) {
  auto m = std::make_unique<tflite::DimensionMetadataT>();
  m->format = tflite::DimensionType::SPARSE_CSR;
  tflite::Int32VectorT seg;
  seg.values = std::move(segments);
  m->array_segments.Set(seg);
  tflite::Uint8VectorT idx;
  idx.values = std::move(indices);
  m->array_indices.Set(idx);
  return m;
}

TEST_CASE("sparse constants are expanded to dense at load") {
  SUBCASE("CSR over columns") {
    // [[1 0 0 2], [0 0 0 0], [0 3 0 0]]
    auto sp = std::make_unique<tflite::SparsityParametersT>();
    sp->traversal_order = {0, 1};
    sp->dim_metadata.push_back(dense_dim(3));
    sp->dim_metadata.push_back(csr_dim({0, 2, 2, 3}, {0, 3, 1}));
    SparseModel m({3, 4}, {1, 2, 3}, std::move(sp));
    const Graph g = load(m.b.finish());
    const Tensor& t = g.tensors[m.s];
    REQUIRE(t.is_constant);
    REQUIRE(t.data.size() == 12 * sizeof(float));
    const std::vector<float> expect{1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0};
    CHECK(std::vector<float>(t.as<float>(), t.as<float>() + 12) == expect);
    CHECK(g.nodes[0].op == OpType::densify);
  }
  SUBCASE("1x2 blocks on dim 1") {
    // [[1 2 0 0], [0 0 3 4]]: blocks (row, block col) present: (0,0) and (1,1).
    auto sp = std::make_unique<tflite::SparsityParametersT>();
    sp->traversal_order = {0, 1, 2};
    sp->block_map = {1};
    sp->dim_metadata.push_back(dense_dim(2));
    sp->dim_metadata.push_back(csr_dim({0, 1, 2}, {0, 1}));
    sp->dim_metadata.push_back(dense_dim(2));
    SparseModel m({2, 4}, {1, 2, 3, 4}, std::move(sp));
    const Graph g = load(m.b.finish());
    const Tensor& t = g.tensors[m.s];
    const std::vector<float> expect{1, 2, 0, 0, 0, 0, 3, 4};
    CHECK(std::vector<float>(t.as<float>(), t.as<float>() + 8) == expect);
  }
  SUBCASE("an index outside its dimension is an error") {
    auto sp = std::make_unique<tflite::SparsityParametersT>();
    sp->traversal_order = {0, 1};
    sp->dim_metadata.push_back(dense_dim(2));
    sp->dim_metadata.push_back(csr_dim({0, 1, 2}, {0, 9}));
    SparseModel m({2, 4}, {1, 2}, std::move(sp));
    expect_model_error(m.b.finish(), {"tensor 0 'sparse'", "array_indices[1] = 9 is out of range"});
  }
  SUBCASE("fewer stored values than the index arrays address") {
    auto sp = std::make_unique<tflite::SparsityParametersT>();
    sp->traversal_order = {0, 1};
    sp->dim_metadata.push_back(dense_dim(2));
    sp->dim_metadata.push_back(csr_dim({0, 2, 3}, {0, 1, 2}));
    SparseModel m({2, 4}, {1, 2}, std::move(sp));
    expect_model_error(m.b.finish(), {"holds 2 values", "address 3"});
  }
}

TEST_CASE("buffers stored after the FlatBuffer (offset and size) are read from the file") {
  ModelBuilder b;
  const std::vector<float> values{1.5f, -2.f, 3.25f, 4.f};
  const int c = b.tensor("c", tflite::TensorType::FLOAT32, {4}, b.buffer({}));
  const int y = b.tensor("y", tflite::TensorType::FLOAT32, {4});
  const int x = b.tensor("x", tflite::TensorType::FLOAT32, {4});
  b.sg->inputs = {x};
  b.sg->outputs = {y};
  b.op(b.opcode(tflite::BuiltinOperator::ADD), {x, c}, {y});
  auto& buf = *b.m.buffers[b.t(c).buffer];
  buf.offset = 1;  // placeholder of the same encoded size, so the FlatBuffer length does not change
  buf.size = values.size() * sizeof(float);
  const size_t fb_len = b.finish().size();
  const size_t offset = (fb_len + 63) / 64 * 64;
  buf.offset = offset;
  Bytes file = b.finish();
  REQUIRE(file.size() == fb_len);
  file.resize(offset, std::byte{0});
  const auto* p = reinterpret_cast<const std::byte*>(values.data());
  file.insert(file.end(), p, p + buf.size);

  const Graph g = load(file);
  REQUIRE(g.tensors[c].is_constant);
  CHECK(std::vector<float>(g.tensors[c].as<float>(), g.tensors[c].as<float>() + 4) == values);

  SUBCASE("an external buffer beyond the end of the file is an error") {
    file.resize(file.size() - 4);
    expect_model_error(file, {"tensor 0 'c'", "outside the", "inside the file"});
  }
}

// ---- Malformed files --------------------------------------------------------------------------------------

TEST_CASE("malformed: truncated files") {
  const Bytes good = SmallCnn().b.finish();
  for (size_t cut : {size_t{0}, size_t{4}, size_t{7}, size_t{8}, size_t{16}, good.size() / 4, good.size() / 2,
                     good.size() - 200, good.size() - 1}) {
    CAPTURE(cut);
    const Bytes part(good.begin(), good.begin() + cut);
    std::string msg;
    try {
      load(part);
    } catch (const ModelError& e) {
      msg = e.what();
    }
    CAPTURE(msg);
    CHECK((msg.find("verification failed") != std::string::npos || msg.find("too short") != std::string::npos));
  }
  // The same on a real model (scripts/fetch_models).
  const std::filesystem::path real = test::model_cache() / "selfie_segmentation__selfie_segmentation.tflite";
  if (!test::have_asset(real, "scripts/fetch_models")) return;
  std::ifstream in(real, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  CHECK_NOTHROW(load(bytes));
  for (size_t cut : {size_t{12}, size_t{1000}, bytes.size() / 3, bytes.size() - 1}) {
    CAPTURE(cut);
    expect_model_error(Bytes(bytes.begin(), bytes.begin() + cut), {"file: FlatBuffer verification failed"});
  }
}

TEST_CASE("malformed: file identifier wrong or absent, garbage bytes") {
  Bytes b = SmallCnn().b.finish();
  SUBCASE("wrong identifier") {
    std::memcpy(b.data() + 4, "ONNX", 4);
    expect_model_error(b, {"file: file identifier", "'ONNX'", "expected 'TFL3'"});
  }
  SUBCASE("absent identifier") {
    expect_model_error(SmallCnn().b.finish(false), {"file identifier", "expected 'TFL3'"});
  }
  SUBCASE("garbage") {
    std::mt19937 rng(7);
    Bytes junk(4096);
    for (auto& x : junk) x = static_cast<std::byte>(rng() & 0xff);
    expect_model_error(junk, {"expected 'TFL3'"});
    std::memcpy(junk.data() + 4, "TFL3", 4);  // the identifier alone does not make a model
    expect_model_error(junk, {"verification failed"});
  }
}

TEST_CASE("malformed: a corrupt offset pointing outside the file") {
  Bytes b = SmallCnn().b.finish();
  SUBCASE("root offset") {
    const uint32_t bad = 0x7ffffff0;
    std::memcpy(b.data(), &bad, 4);
    expect_model_error(b, {"verification failed", "outside the file"});
  }
  SUBCASE("every uoffset-sized word in the first 64 bytes, one at a time") {
    // Whatever each word is (root offset, vtable entry, field, vector offset), a huge value must be caught
    // by verification or by the index checks, never crash.
    for (size_t at = 8; at + 4 <= 64; at += 4) {
      CAPTURE(at);
      Bytes c = b;
      const uint32_t bad = 0xfffffff0u;
      std::memcpy(c.data() + at, &bad, 4);
      try {
        load(c);
      } catch (const ModelError&) {
      }
    }
  }
}

TEST_CASE("malformed: random byte corruption gives a ModelError or a valid graph, never a crash") {
  const Bytes good = SmallCnn().b.finish();
  std::mt19937 rng(1234);
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    Bytes c = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) c[rng() % c.size()] = static_cast<std::byte>(rng() & 0xff);
    try {
      load(c);
    } catch (const ModelError&) {
      ++rejected;
    }
  }
  MESSAGE(rejected << " of 300 corrupted copies rejected");
}

TEST_CASE("malformed: tensor buffer index out of range") {
  SmallCnn cnn;
  cnn.b.t(cnn.wt).buffer = 99;
  expect_model_error(cnn.b.finish(), {"tensor 1 'conv/weights'", "buffer index 99 is out of range", "has 4 buffers"});
}

TEST_CASE("malformed: buffer shorter than shape x element size") {
  SmallCnn cnn;
  cnn.b.m.buffers[cnn.b.t(cnn.bt).buffer]->data.resize(7);
  expect_model_error(cnn.b.finish(), {"tensor 2 'conv/bias'", "holds 7 bytes", "needs 8",
                                      "must cover shape x element size"});
}

TEST_CASE("shape_signature -1 is a symbolic batch: batch 2 equals two batch-1 runs; a RESHAPE to batch 1 refuses it") {
  // The model's own rows, computed one at a time, are the oracle for the batch: every op here works row by row.
  std::vector<float> x(2 * 48);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 23) / 11.0f - 1.0f;
  auto run = [](Executor& ex, const float* rows, int32_t n) {
    ex.prepare({{n, 4, 4, 3}});
    std::memcpy(ex.input(0).as<float>(), rows, static_cast<size_t>(n) * 48 * sizeof(float));
    ex.run();
    REQUIRE(ex.output(0).shape == Shape{n, 10});
    return std::vector<float>(ex.output(0).as<float>(), ex.output(0).as<float>() + n * 10);
  };
  // A symbolic batch, stride 1 (SmallCnn's conv has stride_h 2: its 4x4x2 output is the 32 values the RESHAPE
  // expects) and FC weights that differ (SmallCnn's are all equal: every row's softmax would be uniform).
  auto batched = [](SmallCnn& m) {
    m.b.t(m.x).shape_signature = {-1, 4, 4, 3};
    m.b.sg->operators[0]->builtin_options.AsConv2DOptions()->stride_h = 1;
    std::vector<float> fc(320);
    for (size_t i = 0; i < fc.size(); ++i) fc[i] = static_cast<float>((i * 13) % 17) / 16.0f - 0.5f;
    m.b.m.buffers[m.b.t(m.fcw).buffer]->data = raw_bytes(fc);
  };
  SmallCnn cnn;
  batched(cnn);
  cnn.b.sg->operators[1]->builtin_options.AsReshapeOptions()->new_shape = {-1, 32};
  Graph g = import_tflite(cnn.b.finish(), "test.tflite");
  CHECK(g.shape_text(g.tensors[g.inputs[0]].shape) == "[input.0,4,4,3]");
  infer_shapes(g);
  CHECK(g.shape_text(g.tensors[g.outputs[0]].shape) == "[?,10]");  // RESHAPE's -1 is computed from the batch
  Executor ex(g);
  const std::vector<float> both = run(ex, x.data(), 2);
  const std::vector<float> first = run(ex, x.data(), 1), second = run(ex, x.data() + 48, 1);
  CHECK(std::vector<float>(both.begin(), both.begin() + 10) == first);
  CHECK(std::vector<float>(both.begin() + 10, both.end()) == second);
  CHECK(first != second);

  SmallCnn fixed;  // RESHAPE new_shape [1,32]: right for batch 1 only
  batched(fixed);
  Graph f = import_tflite(fixed.b.finish(), "test.tflite");
  infer_shapes(f);
  Executor fx(f);
  CHECK(run(fx, x.data(), 1) == first);
  CHECK_THROWS_WITH_AS(fx.prepare({{2, 4, 4, 3}}),
                       doctest::Contains("test.tflite: reshape node 1 (flat): reshapes to a fixed batch: its new shape "
                                         "[1,32] keeps dimension 0 at 1, its input [input.0,4,4,2] has input.0 = 2"),
                       ModelError);
}

TEST_CASE("malformed: negative and absurd dimensions") {
  SUBCASE("negative") {
    SmallCnn cnn;
    cnn.b.t(cnn.conv).shape = {1, -4, 4, 2};
    expect_model_error(cnn.b.finish(), {"tensor 3 'conv/out'", "dimension 1 = -4", "must be >= 0"});
  }
  SUBCASE("shape_signature may hold -1 but nothing lower") {
    SmallCnn cnn;
    cnn.b.t(cnn.x).shape_signature = {-1, 4, 4, 3};
    CHECK_NOTHROW(load(cnn.b.finish()));
    cnn.b.t(cnn.x).shape_signature = {-2, 4, 4, 3};
    expect_model_error(cnn.b.finish(), {"tensor 0 'input'", "shape_signature", "-2"});
  }
  SUBCASE("product overflows") {
    SmallCnn cnn;
    cnn.b.t(cnn.conv).shape = {1 << 30, 1 << 30, 1 << 30, 2};
    expect_model_error(cnn.b.finish(), {"tensor 3 'conv/out'", "more than 2^40 bytes"});
  }
}

TEST_CASE("malformed: operator and subgraph indices out of range") {
  SUBCASE("operator input") {
    SmallCnn cnn;
    cnn.b.sg->operators[1]->inputs = {42};
    expect_model_error(cnn.b.finish(), {"operator 1 RESHAPE", "input tensor index 42 is out of range", "8 tensors"});
  }
  SUBCASE("operator input below -1") {
    SmallCnn cnn;
    cnn.b.sg->operators[2]->inputs = {cnn.flat, cnn.fcw, -2};
    expect_model_error(cnn.b.finish(), {"operator 2 FULLY_CONNECTED", "input tensor index -2"});
  }
  SUBCASE("operator output") {
    SmallCnn cnn;
    cnn.b.sg->operators[3]->outputs = {8};
    expect_model_error(cnn.b.finish(), {"operator 3 SOFTMAX", "output tensor index 8 is out of range"});
  }
  SUBCASE("opcode_index") {
    SmallCnn cnn;
    cnn.b.sg->operators[2]->opcode_index = 17;
    expect_model_error(cnn.b.finish(), {"operator 2", "opcode_index 17 is out of range", "4 operator codes"});
  }
  SUBCASE("subgraph input") {
    SmallCnn cnn;
    cnn.b.sg->inputs = {cnn.x, 1000};
    expect_model_error(cnn.b.finish(), {"subgraph 0", "model input tensor index 1000 is out of range"});
  }
  SUBCASE("subgraph output") {
    SmallCnn cnn;
    cnn.b.sg->outputs = {-1};
    expect_model_error(cnn.b.finish(), {"subgraph 0", "model output tensor index -1 is out of range"});
  }
  SUBCASE("no subgraph") {
    SmallCnn cnn;
    cnn.b.m.subgraphs.clear();
    expect_model_error(cnn.b.finish(), {"model: has no subgraphs"});
  }
}

TEST_CASE("malformed: operators out of order and tensors produced twice") {
  SUBCASE("an operator consumes a tensor produced by a later one") {
    SmallCnn cnn;
    std::swap(cnn.b.sg->operators[1], cnn.b.sg->operators[2]);
    expect_model_error(cnn.b.finish(), {"fully_connected node 1", "produced by a later node"});
  }
  SUBCASE("a cycle") {
    SmallCnn cnn;
    cnn.b.sg->operators[0]->inputs = {cnn.prob, cnn.wt, cnn.bt};
    expect_model_error(cnn.b.finish(), {"conv2d node 0", "produced by a later node"});
  }
  SUBCASE("a tensor produced twice") {
    SmallCnn cnn;
    cnn.b.sg->operators[3]->outputs = {cnn.fc};
    expect_model_error(cnn.b.finish(), {"softmax node 3", "already produced by node 2"});
  }
}

TEST_CASE("malformed: quantization arrays") {
  SUBCASE("zero_point count differs from scale count") {
    SmallCnn cnn;
    cnn.b.t(cnn.wt).quantization->zero_point = {0, 0, 0};
    expect_model_error(cnn.b.finish(), {"tensor 1 'conv/weights'", "3 zero points for 2 scales",
                                        "zero_point count must equal scale count"});
  }
  SUBCASE("scale count neither 1 nor the quantized dimension's size") {
    SmallCnn cnn;
    cnn.b.t(cnn.wt).quantization->scale = {1, 2, 3};
    cnn.b.t(cnn.wt).quantization->zero_point = {};
    expect_model_error(cnn.b.finish(), {"tensor 1 'conv/weights'", "3 scales", "dimension 0", "size 2",
                                        "scale count must be 1, or the size of quantized_dimension"});
  }
  SUBCASE("quantized_dimension out of range") {
    SmallCnn cnn;
    cnn.b.t(cnn.wt).quantization->quantized_dimension = 4;
    expect_model_error(cnn.b.finish(), {"tensor 1 'conv/weights'", "quantized_dimension 4 is out of range"});
  }
  SUBCASE("absent zero points read as symmetric") {
    SmallCnn cnn;
    cnn.b.t(cnn.wt).quantization->zero_point = {};
    const Graph g = load(cnn.b.finish());
    CHECK(g.tensors[cnn.wt].quant.zero_point == std::vector<int64_t>{0, 0});
  }
}

TEST_CASE("malformed: unsupported tensor type") {
  SmallCnn cnn;
  cnn.b.t(cnn.flat).type = tflite::TensorType::STRING;
  expect_model_error(cnn.b.finish(), {"tensor 4 'flat'", "type STRING is not supported"});
  cnn.b.t(cnn.flat).type = static_cast<tflite::TensorType>(99);
  expect_model_error(cnn.b.finish(), {"tensor 4 'flat'", "type code 99 is not supported"});
}

TEST_CASE("unsupported operators are listed together, each by index and name") {
  ModelBuilder b;
  using TT = tflite::TensorType;
  const int x = b.tensor("x", TT::FLOAT32, {4});
  const int k = b.tensor("k", TT::INT32, {}, b.buffer(raw_bytes(std::vector<int32_t>{2})));
  const int v = b.tensor("v", TT::FLOAT32, {2});
  const int i = b.tensor("i", TT::INT32, {2});
  const int y = b.tensor("y", TT::FLOAT32, {2});
  const int z = b.tensor("z", TT::FLOAT32, {2});
  b.sg->inputs = {x};
  b.sg->outputs = {z};
  b.op(b.opcode(tflite::BuiltinOperator::UNIQUE), {x, k}, {v, i});
  b.op(b.opcode(static_cast<tflite::BuiltinOperator>(200)), {v}, {y});
  b.op(b.opcode(tflite::BuiltinOperator::CUSTOM, 1, "FooBar"), {y}, {z});
  const Bytes bytes = b.finish();

  const Graph g = load(bytes);  // with the check off the graph still loads
  CHECK(g.nodes[0].op == OpType::count_);
  CHECK(tflite_op_label(g.nodes[1]) == "BUILTIN_200");
  CHECK_THROWS_AS(check_tflite_ops_supported(g), ModelError);
  expect_model_error(bytes, {"model: 3 operators are not supported by qgate", "op 0 UNIQUE", "op 1 BUILTIN_200",
                             "op 2 custom 'FooBar'"},
                     TfliteImportOptions{});
}

TEST_CASE("a file that cannot be opened is an input error") {
  CHECK_THROWS_AS(import_tflite(std::string("/nonexistent/model.tflite")), InputError);
}

// Imports every model scripts/fetch_models collected from the MediaPipe npm packages (its manifest models.tsv;
// without the supported-op check) and prints each model's op histogram and the union, which tells which ops the
// real models need. Every model of the float parity list (tests/parity/models.txt) must be among them.
TEST_CASE("real MediaPipe models import") {
  const std::filesystem::path cache = test::model_cache();
  const std::filesystem::path manifest = cache / "models.tsv";
  if (!test::have_asset(manifest, "scripts/fetch_models")) return;
  std::vector<std::filesystem::path> files;
  {
    std::ifstream in(manifest);
    std::string line;
    std::getline(in, line);  // header: name sha256 size source also_in
    while (std::getline(in, line)) {
      const std::string name = line.substr(0, line.find('\t'));
      if (!name.empty()) files.push_back(cache / name);
    }
  }
  std::set<std::string> required;
  {
    std::ifstream in(test::source_dir() / "tests" / "parity" / "models.txt");
    std::string line;
    while (std::getline(in, line))  // "MODEL [ARGS...]" lines; '#' comments and the '@defaults' line skipped
      if (!line.empty() && line[0] != '#' && line[0] != '@') required.insert(line.substr(0, line.find(' ')));
  }
  REQUIRE(!required.empty());
  for (const auto& f : files) required.erase(f.filename().string());
  std::string absent;
  for (const auto& name : required) absent += " " + name;
  CHECK_MESSAGE(required.empty(), "models of tests/parity/models.txt not in " << manifest.string() << ":" << absent);
  REQUIRE(!files.empty());
  std::sort(files.begin(), files.end());
  std::map<std::string, std::set<std::string>> models_using;  // op label -> model names
  std::map<std::string, int> nodes_of;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    CAPTURE(name);
    REQUIRE(std::filesystem::exists(f));
    Graph g;
    REQUIRE_NOTHROW(g = import_tflite(f.string(), no_op_check()));
    std::map<std::string, int> hist;
    for (const Node& n : g.nodes) {
      const std::string label = tflite_op_label(n);
      ++hist[label];
      models_using[label].insert(name);
      ++nodes_of[label];
      if (n.op == OpType::densify) {  // sparse constants arrive dense, with the output's shape
        REQUIRE(n.inputs.size() == 1);
        CHECK(g.tensors[n.inputs[0]].is_constant);
        CHECK(g.tensors[n.inputs[0]].shape == g.tensors[n.outputs[0]].shape);
      }
      if (n.op == OpType::conv2d_transpose_bias) {
        CHECK(n.attrs.has("stride_w"));
        CHECK(n.attrs.has("padding"));
      }
    }
    std::string line;
    for (const auto& [label, count] : hist) line += fmt::format(" {}:{}", label, count);
    MESSAGE(name << ": " << g.nodes.size() << " ops, " << g.tensors.size() << " tensors;" << line);
  }
  std::string table;
  for (const auto& [label, models] : models_using)
    table += fmt::format("\n  {:<36} {:>2} models {:>5} nodes", label, models.size(), nodes_of[label]);
  MESSAGE("op histogram over " << files.size() << " model files (models using it, nodes):" << table);
}

}  // TEST_SUITE

}  // namespace
}  // namespace qgate
