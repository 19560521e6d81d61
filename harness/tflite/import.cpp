// The TFLite reader (import.h): verifies the FlatBuffer, reads subgraph 0's tensors (shapes, quantization,
// buffers inside or after the FlatBuffer, sparse constants through sparse.h) and operators (op codes through
// the op table, options through options.h), and checks every index against the file.
#include "harness/tflite/import.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include "core/errors.h"
#include "harness/tflite/op_table.h"
#include "harness/tflite/options.h"
#include "harness/tflite/reader_util.h"
#include "harness/tflite/sparse.h"
#include "tflite_schema_generated.h"

namespace qgate {
namespace tflite_import {
namespace {

std::optional<DType> dtype_from_tflite(tflite::TensorType t) {
  using T = tflite::TensorType;
  switch (t) {
    case T::FLOAT32: return DType::f32;
    case T::FLOAT16: return DType::f16;
    case T::INT8: return DType::i8;
    case T::UINT8: return DType::u8;
    case T::INT32: return DType::i32;
    case T::INT64: return DType::i64;
    case T::BOOL: return DType::boolean;
    default: return std::nullopt;
  }
}

std::string tensor_type_name(tflite::TensorType t) {
  const char* n = tflite::EnumNameTensorType(t);
  if (n && *n) return n;
  return fmt::format("code {}", static_cast<int>(t));
}

// One import: the file, its verified root, and the Graph under construction.
class Importer {
 public:
  Importer(std::span<const std::byte> file, std::string source) : file_(file), source_(std::move(source)) {}

  Graph run(const TfliteImportOptions& options);

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    ImportFailure{source_}(where, what);
  }
  std::string tensor_where(size_t i) const {
    const auto* t = sg_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(i));
    return fmt::format("tensor {} '{}'", i, t->name() ? t->name()->str() : "");
  }

  void verify();
  std::span<const std::byte> buffer_bytes(uint32_t index, const std::string& where) const;
  Shape read_shape(const FbIntVector* dims, const std::string& where) const;
  void read_tensor(size_t index, Tensor& out) const;
  void read_quantization(const tflite::QuantizationParameters* q, const std::string& where, Tensor& out) const;
  int tensor_index(int32_t v, bool allow_absent, const std::string& where, const char* what) const;
  void read_operator(size_t index, Node& node) const;

  std::span<const std::byte> file_;
  std::string source_;
  const tflite::Model* model_ = nullptr;
  const tflite::SubGraph* sg_ = nullptr;
  size_t num_tensors_ = 0;
};

void Importer::verify() {
  const auto* data = reinterpret_cast<const uint8_t*>(file_.data());
  // 4-byte root offset + 4-byte identifier.
  if (file_.size() < 8)
    fail("file", fmt::format("{} bytes is too short to be a TFLite model (a FlatBuffer with an identifier needs "
                             "at least 8 bytes)", file_.size()));
  if (!flatbuffers::BufferHasIdentifier(data, tflite::ModelIdentifier())) {
    std::string id;
    for (int i = 4; i < 8; ++i) {
      auto c = static_cast<unsigned char>(data[i]);
      id += (c >= 32 && c < 127) ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
    }
    fail("file", fmt::format("file identifier (bytes 4-7) is '{}', expected 'TFL3' (not a TFLite model)", id));
  }
  // Models over 2 GB keep their buffers after the FlatBuffer (Buffer.offset); the FlatBuffer itself is
  // always below the 2 GB FlatBuffers limit, so verify only that prefix.
  const size_t verify_len = std::min<size_t>(file_.size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier::Options vopts;
  vopts.max_tables = 50'000'000;  // big models have millions of small tables; the default of 1M is too low
  flatbuffers::Verifier verifier(data, verify_len, vopts);
  if (!tflite::VerifyModelBuffer(verifier))
    fail("file", fmt::format("FlatBuffer verification failed on {} bytes (an offset or length points outside the "
                             "file: truncated or corrupt)", file_.size()));
  model_ = tflite::GetModel(data);
  if (!model_->subgraphs() || model_->subgraphs()->size() == 0)
    fail("model", "has no subgraphs (a TFLite model needs at least subgraph 0)");
  sg_ = model_->subgraphs()->Get(0);
  num_tensors_ = sg_->tensors() ? sg_->tensors()->size() : 0;
}

std::span<const std::byte> Importer::buffer_bytes(uint32_t index, const std::string& where) const {
  const auto* buffers = model_->buffers();
  const size_t count = buffers ? buffers->size() : 0;
  if (index == 0 && count == 0) return {};  // buffer 0 is the empty sentinel; some writers omit the list
  if (index >= count)
    fail(where, fmt::format("buffer index {} is out of range (the model has {} buffers)", index, count));
  const auto* b = buffers->Get(index);
  // offset 0 and 1 both mean "unused" (writers use 1 as a placeholder while laying out the file).
  if (b->offset() > 1) {
    const uint64_t off = b->offset(), size = b->size();
    if (off > file_.size() || size > file_.size() - off)
      fail(where, fmt::format("buffer {} lies at bytes {}..{} outside the {}-byte file (external buffer data must "
                              "lie inside the file)", index, off, off + size, file_.size()));
    if (b->data() && b->data()->size() > 0)
      fail(where, fmt::format("buffer {} has both inline data and an external offset (a buffer holds one or the "
                              "other)", index));
    return file_.subspan(off, size);
  }
  if (!b->data()) return {};
  return {reinterpret_cast<const std::byte*>(b->data()->data()), b->data()->size()};
}

Shape Importer::read_shape(const FbIntVector* dims, const std::string& where) const {
  Shape shape;
  if (!dims) return shape;
  shape.assign(dims->begin(), dims->end());
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0)
      fail(where, fmt::format("shape {} has dimension {} = {} (dimensions must be >= 0; only shape_signature may "
                              "hold -1)", int_list(dims), i, shape[i]));
  return shape;
}

void Importer::read_quantization(const tflite::QuantizationParameters* q, const std::string& where,
                                 Tensor& out) const {
  if (!q || !q->scale() || q->scale()->size() == 0) return;
  const auto* scale = q->scale();
  const size_t n = scale->size();
  const int rank = static_cast<int>(out.shape.size());
  const int qdim = q->quantized_dimension();
  if (qdim < 0 || (rank > 0 && qdim >= rank) || (rank == 0 && qdim != 0))
    fail(where, fmt::format("quantized_dimension {} is out of range for shape {} (must be in [0, rank))", qdim,
                            shape_string(out.shape)));
  if (n != 1 && (rank == 0 || static_cast<int64_t>(n) != out.shape[qdim]))
    fail(where, fmt::format("has {} scales but dimension {} of shape {} has size {} (scale count must be 1, or the "
                            "size of quantized_dimension)", n, qdim, shape_string(out.shape),
                            rank == 0 ? 0 : out.shape[qdim]));
  const auto* zp = q->zero_point();
  if (zp && zp->size() != 0 && zp->size() != n)
    fail(where, fmt::format("has {} zero points for {} scales (zero_point count must equal scale count)",
                            zp->size(), n));
  out.quant.scale.assign(scale->begin(), scale->end());
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(out.quant.scale[i]))
      fail(where, fmt::format("scale {} is {} (scales must be finite)", i, out.quant.scale[i]));
  if (zp && zp->size() != 0)
    out.quant.zero_point.assign(zp->begin(), zp->end());
  else
    out.quant.zero_point.assign(n, 0);  // absent zero points mean symmetric
  out.quant.axis = qdim;
}

void Importer::read_tensor(size_t index, Tensor& out) const {
  const auto* t = sg_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
  const std::string where = tensor_where(index);
  out.name = t->name() ? t->name()->str() : "";
  const auto dtype = dtype_from_tflite(t->type());
  if (!dtype)
    fail(where, fmt::format("type {} is not supported (qgate reads FLOAT32, FLOAT16, INT8, UINT8, INT32, INT64, "
                            "BOOL)", tensor_type_name(t->type())));
  out.dtype = *dtype;
  out.shape = read_shape(t->shape(), where);
  if (const auto* sig = t->shape_signature(); sig && sig->size() > 0) {
    if (sig->size() != out.shape.size())
      fail(where, fmt::format("shape_signature {} has rank {} but shape {} has rank {} (ranks must match)",
                              int_list(sig), sig->size(), int_list(t->shape()), out.shape.size()));
    for (flatbuffers::uoffset_t i = 0; i < sig->size(); ++i)
      if (sig->Get(i) < -1)
        fail(where, fmt::format("shape_signature {} has dimension {} = {} (must be >= 0, or -1 for unknown)",
                                int_list(sig), i, sig->Get(i)));
  }
  // Overflow-safe size check: elements * element size must stay within kMaxTensorBytes.
  int64_t bytes = static_cast<int64_t>(dtype_size(out.dtype));
  for (int32_t d : out.shape) {
    if (d != 0 && bytes > kMaxTensorBytes / d)
      fail(where, fmt::format("shape {} {} needs more than 2^40 bytes (absurd shape)", int_list(t->shape()),
                              dtype_name(out.dtype)));
    bytes *= d;
  }
  read_quantization(t->quantization(), where, out);
  out.is_variable = t->is_variable();

  const auto data = buffer_bytes(t->buffer(), where);
  // A variable's buffer, if any, is only a placeholder: its state starts at zero in every runtime we match.
  if (out.is_variable || data.empty()) return;
  if (t->sparsity()) {
    densify_sparse_constant(t->sparsity(), data, source_, where, out);
  } else {
    if (static_cast<int64_t>(data.size()) < bytes)
      fail(where, fmt::format("buffer {} holds {} bytes, but shape {} of {} needs {} (a constant's buffer must "
                              "cover shape x element size)", t->buffer(), data.size(), shape_string(out.shape),
                              dtype_name(out.dtype), bytes));
    out.allocate();
    if (bytes > 0) std::memcpy(out.data.data(), data.data(), static_cast<size_t>(bytes));
  }
  out.is_constant = true;
}

int Importer::tensor_index(int32_t v, bool allow_absent, const std::string& where, const char* what) const {
  if (allow_absent && v == -1) return -1;
  if (v < 0 || static_cast<size_t>(v) >= num_tensors_)
    fail(where, fmt::format("{} tensor index {} is out of range (the subgraph has {} tensors{})", what, v,
                            num_tensors_, allow_absent ? "; -1 marks an absent input" : ""));
  return v;
}

void Importer::read_operator(size_t index, Node& node) const {
  const auto* op = sg_->operators()->Get(static_cast<flatbuffers::uoffset_t>(index));
  const auto* codes = model_->operator_codes();
  const size_t ncodes = codes ? codes->size() : 0;
  if (op->opcode_index() >= ncodes)
    fail(fmt::format("operator {}", index), fmt::format("opcode_index {} is out of range (the model has {} operator "
                                                        "codes)", op->opcode_index(), ncodes));
  const auto* oc = codes->Get(op->opcode_index());
  // The format's rule for its two code fields: old writers fill only the byte, new ones both.
  const int code = std::max(static_cast<int>(oc->deprecated_builtin_code()), static_cast<int>(oc->builtin_code()));
  node.attrs.set(kTfliteBuiltinCodeAttr, int64_t{code});
  node.attrs.set(kTfliteOperatorIndexAttr, static_cast<int64_t>(index));
  std::optional<OpType> type;
  if (code == kCustomCode) {
    const std::string custom = oc->custom_code() ? oc->custom_code()->str() : "";
    node.attrs.set(kTfliteCustomCodeAttr, custom);
    type = op_from_custom(custom);
  } else {
    type = op_from_builtin(code);
  }
  node.op = type.value_or(OpType::count_);
  node.version = oc->version();
  const std::string where = fmt::format("operator {} {}", index, tflite_op_label(node));

  if (op->inputs())
    for (int32_t v : *op->inputs()) node.inputs.push_back(tensor_index(v, true, where, "input"));
  if (op->outputs())
    for (int32_t v : *op->outputs()) node.outputs.push_back(tensor_index(v, false, where, "output"));
  if (!node.outputs.empty()) {
    const auto* t = sg_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(node.outputs[0]));
    node.name = t->name() ? t->name()->str() : "";
  }
  decode_builtin_options(op, node.attrs);
  if (type && has_mediapipe_options(*type)) decode_mediapipe_options(op, *type, file_, source_, where, node.attrs);
}

Graph Importer::run(const TfliteImportOptions& options) {
  verify();
  Graph g;
  g.source = source_;
  g.tensors.resize(num_tensors_);
  for (size_t i = 0; i < num_tensors_; ++i) read_tensor(i, g.tensors[i]);
  if (sg_->inputs())
    for (int32_t v : *sg_->inputs()) g.inputs.push_back(tensor_index(v, false, "subgraph 0", "model input"));
  // A model input's shape_signature -1 is a symbolic dimension (shape holds a placeholder size there), named
  // "<input>.<axis>": TFLite names none. The other tensors' shapes are inferred from the inputs (infer_shapes).
  for (int id : g.inputs) {
    const auto* sig = sg_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(id))->shape_signature();
    if (!sig) continue;
    Tensor& t = g.tensors[id];
    for (flatbuffers::uoffset_t k = 0; k < sig->size() && k < t.shape.size(); ++k)
      if (sig->Get(k) == -1) t.shape[k] = g.symbol(fmt::format("{}.{}", t.name, k));
  }
  if (sg_->outputs())
    for (int32_t v : *sg_->outputs()) g.outputs.push_back(tensor_index(v, false, "subgraph 0", "model output"));
  const size_t nops = sg_->operators() ? sg_->operators()->size() : 0;
  g.nodes.resize(nops);
  for (size_t i = 0; i < nops; ++i) {
    g.nodes[i].id = static_cast<int>(i);
    read_operator(i, g.nodes[i]);
  }
  g.validate();
  if (options.check_ops_supported) check_tflite_ops_supported(g);
  return g;
}

}  // namespace
}  // namespace tflite_import

Graph import_tflite(std::span<const std::byte> bytes, const std::string& source,
                    const TfliteImportOptions& options) {
  return tflite_import::Importer(bytes, source).run(options);
}

Graph import_tflite(const std::string& path, const TfliteImportOptions& options) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError(fmt::format("{}: cannot open the model file", path));
  const std::streamoff size = in.tellg();
  if (size < 0) throw InputError(fmt::format("{}: cannot read the model file", path));
  std::vector<std::byte> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
    throw InputError(fmt::format("{}: cannot read the model file", path));
  return import_tflite(bytes, path, options);
}

}  // namespace qgate
