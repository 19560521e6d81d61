#include "harness/tflite/import.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include "core/errors.h"
#include "harness/op.h"
#include "tflite_schema_generated.h"

namespace qgate {

namespace {

// No tensor qgate handles comes near this; a larger one is a corrupt shape, not a real model.
constexpr int64_t kMaxTensorBytes = int64_t{1} << 40;
constexpr int kCustomCode = 32;  // BuiltinOperator CUSTOM

using FbIntVector = flatbuffers::Vector<int32_t>;

std::optional<OpType> op_from_builtin(int code) {
  using B = tflite::BuiltinOperator;
  switch (static_cast<B>(code)) {
    case B::ADD: return OpType::add;
    case B::SUB: return OpType::sub;
    case B::MUL: return OpType::mul;
    case B::DIV: return OpType::div;
    case B::MAXIMUM: return OpType::maximum;
    case B::MINIMUM: return OpType::minimum;
    case B::SQUARED_DIFFERENCE: return OpType::squared_difference;
    case B::RELU: return OpType::relu;
    case B::RELU6: return OpType::relu6;
    case B::RELU_N1_TO_1: return OpType::relu_n1_to_1;
    case B::RELU_0_TO_1: return OpType::relu_0_to_1;
    case B::PRELU: return OpType::prelu;
    case B::LEAKY_RELU: return OpType::leaky_relu;
    case B::LOGISTIC: return OpType::logistic;
    case B::TANH: return OpType::tanh;
    case B::HARD_SWISH: return OpType::hard_swish;
    case B::ELU: return OpType::elu;
    case B::GELU: return OpType::gelu;
    case B::EXP: return OpType::exp;
    case B::LOG: return OpType::log;
    case B::SQRT: return OpType::sqrt;
    case B::RSQRT: return OpType::rsqrt;
    case B::ABS: return OpType::abs;
    case B::NEG: return OpType::neg;
    case B::SQUARE: return OpType::square;
    case B::POW: return OpType::pow;
    case B::CONV_2D: return OpType::conv2d;
    case B::DEPTHWISE_CONV_2D: return OpType::depthwise_conv2d;
    case B::FULLY_CONNECTED: return OpType::fully_connected;
    case B::TRANSPOSE_CONV: return OpType::transpose_conv;
    case B::MAX_POOL_2D: return OpType::max_pool2d;
    case B::AVERAGE_POOL_2D: return OpType::average_pool2d;
    case B::MEAN: return OpType::mean;
    case B::SUM: return OpType::sum;
    case B::REDUCE_MAX: return OpType::reduce_max;
    case B::PAD: return OpType::pad;
    case B::PADV2: return OpType::padv2;
    case B::RESHAPE: return OpType::reshape;
    case B::SQUEEZE: return OpType::squeeze;
    case B::EXPAND_DIMS: return OpType::expand_dims;
    case B::CONCATENATION: return OpType::concatenation;
    case B::SPLIT: return OpType::split;
    case B::SPLIT_V: return OpType::split_v;
    case B::SOFTMAX: return OpType::softmax;
    case B::LOG_SOFTMAX: return OpType::log_softmax;
    case B::DEQUANTIZE: return OpType::dequantize;
    case B::QUANTIZE: return OpType::quantize;
    case B::CAST: return OpType::cast;
    case B::RESIZE_BILINEAR: return OpType::resize_bilinear;
    case B::RESIZE_NEAREST_NEIGHBOR: return OpType::resize_nearest_neighbor;
    case B::TRANSPOSE: return OpType::transpose;
    case B::STRIDED_SLICE: return OpType::strided_slice;
    case B::SLICE: return OpType::slice;
    case B::GATHER: return OpType::gather;
    case B::DENSIFY: return OpType::densify;
    case B::BATCH_MATMUL: return OpType::batch_matmul;
    case B::PACK: return OpType::pack;
    case B::UNPACK: return OpType::unpack;
    case B::TILE: return OpType::tile;
    case B::SPACE_TO_DEPTH: return OpType::space_to_depth;
    case B::DEPTH_TO_SPACE: return OpType::depth_to_space;
    case B::EMBEDDING_LOOKUP: return OpType::embedding_lookup;
    case B::RNN: return OpType::rnn;
    case B::UNIDIRECTIONAL_SEQUENCE_RNN: return OpType::unidirectional_sequence_rnn;
    case B::BIDIRECTIONAL_SEQUENCE_RNN: return OpType::bidirectional_sequence_rnn;
    case B::UNIDIRECTIONAL_SEQUENCE_LSTM: return OpType::unidirectional_sequence_lstm;
    case B::BIDIRECTIONAL_SEQUENCE_LSTM: return OpType::bidirectional_sequence_lstm;
    case B::LSTM: return OpType::lstm;
    default: return std::nullopt;
  }
}

std::optional<OpType> op_from_custom(std::string_view name) {
  if (name == "Convolution2DTransposeBias") return OpType::conv2d_transpose_bias;
  if (name == "MaxPoolingWithArgmax2D") return OpType::max_pooling_with_argmax;
  if (name == "MaxUnpooling2D") return OpType::max_unpooling;
  return std::nullopt;
}

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

std::string int_list(const FbIntVector* v) {
  std::string s = "[";
  if (v)
    for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) s += (i ? "," : "") + std::to_string(v->Get(i));
  return s + "]";
}

std::vector<int64_t> to_int64s(const FbIntVector* v) {
  std::vector<int64_t> out;
  if (v) out.assign(v->begin(), v->end());
  return out;
}

// One import: the file, its verified root, and the Graph under construction.
class Importer {
 public:
  Importer(std::span<const std::byte> file, std::string source) : file_(file), source_(std::move(source)) {}

  Graph run(const TfliteImportOptions& options);

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ModelError(fmt::format("{}: {}: {}", source_, where, what));
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
  void densify(const tflite::SparsityParameters* sp, std::span<const std::byte> bytes, const std::string& where,
               Tensor& out) const;
  int tensor_index(int32_t v, bool allow_absent, const std::string& where, const char* what) const;
  void read_operator(size_t index, Node& node) const;
  void decode_builtin_options(const tflite::Operator* op, Attributes& a) const;
  void decode_mediapipe_options(const tflite::Operator* op, OpType type, const std::string& where,
                                Attributes& a) const;

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

// Expands a sparse constant (the format's SparsityParameters) into dense row-major storage.
//
// Storage dims: the tensor's own dims (0..rank-1, each divided by its block size when blocked) followed by one
// dim per block (rank + j blocks original dim block_map[j]), visited in traversal_order. Each storage level is
// DENSE (dense_size positions) or SPARSE_CSR (for position p of the enclosing level, array_segments[p] ..
// array_segments[p+1] select the entries of array_indices present at this level). The stored values are the
// leaves of that walk, in order.
void Importer::densify(const tflite::SparsityParameters* sp, std::span<const std::byte> bytes,
                       const std::string& where, Tensor& out) const {
  const size_t rank = out.shape.size();
  const size_t esize = dtype_size(out.dtype);
  const auto* order = sp->traversal_order();
  const auto* meta = sp->dim_metadata();
  const auto* bmap = sp->block_map();
  const size_t nblocks = bmap ? bmap->size() : 0;
  const size_t levels = order ? order->size() : 0;
  if (!order || !meta || levels != rank + nblocks || meta->size() != levels)
    fail(where, fmt::format("sparsity has {} traversal dims and {} dim_metadata for rank {} with {} block dims "
                            "(both must equal rank + block count)", levels, meta ? meta->size() : 0, rank,
                            nblocks));
  std::vector<char> seen(levels, 0);
  for (size_t k = 0; k < levels; ++k) {
    const int t = order->Get(static_cast<flatbuffers::uoffset_t>(k));
    if (t < 0 || static_cast<size_t>(t) >= levels || seen[t])
      fail(where, fmt::format("sparsity traversal_order {} is not a permutation of 0..{} (traversal_order rule)",
                              int_list(order), levels - 1));
    seen[t] = 1;
  }
  std::vector<int64_t> block_size(rank, 1);
  std::vector<int> block_of(rank, -1);  // block dim (rank + j) of an original dim
  for (size_t j = 0; j < nblocks; ++j) {
    const int d = bmap->Get(static_cast<flatbuffers::uoffset_t>(j));
    if (d < 0 || static_cast<size_t>(d) >= rank || block_of[d] != -1)
      fail(where, fmt::format("sparsity block_map {} names dim {} (each must be a distinct dim < rank {})",
                              int_list(bmap), d, rank));
    block_of[d] = static_cast<int>(rank + j);
  }
  std::vector<int64_t> extent(levels, 0);  // size of each storage dim, indexed by storage dim id
  for (size_t k = 0; k < levels; ++k) {
    const size_t t = static_cast<size_t>(order->Get(static_cast<flatbuffers::uoffset_t>(k)));
    if (t >= rank) {
      const auto* m = meta->Get(static_cast<flatbuffers::uoffset_t>(k));
      if (m->format() != tflite::DimensionType::DENSE || m->dense_size() <= 0)
        fail(where, fmt::format("sparsity block dim {} must be DENSE with dense_size > 0 (block dims are dense)",
                                t));
      extent[t] = m->dense_size();
      block_size[bmap->Get(static_cast<flatbuffers::uoffset_t>(t - rank))] = m->dense_size();
    }
  }
  for (size_t d = 0; d < rank; ++d) {
    if (out.shape[d] % block_size[d] != 0)
      fail(where, fmt::format("dimension {} of size {} is not a multiple of its sparsity block size {}", d,
                              out.shape[d], block_size[d]));
    extent[d] = out.shape[d] / block_size[d];
  }

  // Per level: dense size, or CSR segments + indices, and the number of positions the level has.
  struct Level {
    bool dense = true;
    int64_t size = 0;
    std::vector<int64_t> segments, indices;
  };
  auto read_index_vector = [&](tflite::SparseIndexVector type, const void* v, size_t level,
                               const char* what) -> std::vector<int64_t> {
    std::vector<int64_t> r;
    switch (type) {
      case tflite::SparseIndexVector::Int32Vector: {
        const auto* vals = static_cast<const tflite::Int32Vector*>(v)->values();
        if (vals) r.assign(vals->begin(), vals->end());
        return r;
      }
      case tflite::SparseIndexVector::Uint16Vector: {
        const auto* vals = static_cast<const tflite::Uint16Vector*>(v)->values();
        if (vals) r.assign(vals->begin(), vals->end());
        return r;
      }
      case tflite::SparseIndexVector::Uint8Vector: {
        const auto* vals = static_cast<const tflite::Uint8Vector*>(v)->values();
        if (vals) r.assign(vals->begin(), vals->end());
        return r;
      }
      default:
        fail(where, fmt::format("sparsity level {} is SPARSE_CSR without {} (CSR levels need array_segments and "
                                "array_indices)", level, what));
    }
  };
  std::vector<Level> lv(levels);
  int64_t positions = 1;  // positions of the enclosing level
  for (size_t k = 0; k < levels; ++k) {
    const auto* m = meta->Get(static_cast<flatbuffers::uoffset_t>(k));
    const size_t t = static_cast<size_t>(order->Get(static_cast<flatbuffers::uoffset_t>(k)));
    if (m->format() == tflite::DimensionType::DENSE) {
      if (m->dense_size() != extent[t])
        fail(where, fmt::format("sparsity level {} is DENSE with dense_size {}, but storage dim {} has size {} "
                                "(dense_size must match)", k, m->dense_size(), t, extent[t]));
      lv[k].size = extent[t];
      positions *= extent[t];
      if (positions > kMaxTensorBytes)
        fail(where, "sparsity levels address more than 2^40 elements (shape limit)");
      continue;
    }
    lv[k].dense = false;
    lv[k].segments = read_index_vector(m->array_segments_type(), m->array_segments(), k, "array_segments");
    lv[k].indices = read_index_vector(m->array_indices_type(), m->array_indices(), k, "array_indices");
    const auto& seg = lv[k].segments;
    if (static_cast<int64_t>(seg.size()) != positions + 1)
      fail(where, fmt::format("sparsity level {} has {} array_segments for {} enclosing positions (need one more "
                              "than the positions)", k, seg.size(), positions));
    for (size_t i = 0; i < seg.size(); ++i)
      if (seg[i] < 0 || seg[i] > static_cast<int64_t>(lv[k].indices.size()) || (i > 0 && seg[i] < seg[i - 1]))
        fail(where, fmt::format("sparsity level {} array_segments[{}] = {} (segments must be non-decreasing and "
                                "<= {} indices)", k, i, seg[i], lv[k].indices.size()));
    for (size_t i = 0; i < lv[k].indices.size(); ++i)
      if (lv[k].indices[i] < 0 || lv[k].indices[i] >= extent[t])
        fail(where, fmt::format("sparsity level {} array_indices[{}] = {} is out of range for storage dim {} of "
                                "size {}", k, i, lv[k].indices[i], t, extent[t]));
    positions = static_cast<int64_t>(lv[k].indices.size());
  }
  const int64_t stored = static_cast<int64_t>(bytes.size() / esize);
  if (positions > stored)
    fail(where, fmt::format("sparse data holds {} values but its index arrays address {} (buffer too short)",
                            stored, positions));

  out.allocate();
  std::memset(out.data.data(), 0, out.data.size());
  std::vector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;) strides[d - 1] = strides[d] * out.shape[d];
  std::vector<int64_t> coord(levels, 0);  // by storage dim id
  int64_t next_value = 0;
  auto* dst = out.data.data();
  auto walk = [&](auto&& self, size_t k, int64_t pos) -> void {
    if (k == levels) {
      int64_t offset = 0;
      for (size_t d = 0; d < rank; ++d) {
        int64_t c = coord[d] * block_size[d];
        if (block_of[d] >= 0) c += coord[block_of[d]];
        offset += c * strides[d];
      }
      std::memcpy(dst + offset * esize, bytes.data() + next_value * esize, esize);
      ++next_value;
      return;
    }
    const size_t t = static_cast<size_t>(order->Get(static_cast<flatbuffers::uoffset_t>(k)));
    if (lv[k].dense) {
      for (int64_t i = 0; i < lv[k].size; ++i) {
        coord[t] = i;
        self(self, k + 1, pos * lv[k].size + i);
      }
    } else {
      for (int64_t j = lv[k].segments[pos]; j < lv[k].segments[pos + 1]; ++j) {
        coord[t] = lv[k].indices[j];
        self(self, k + 1, j);
      }
    }
  };
  walk(walk, 0, 0);
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
    densify(t->sparsity(), data, where, out);
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
  if (type && (*type == OpType::conv2d_transpose_bias || *type == OpType::max_pooling_with_argmax ||
               *type == OpType::max_unpooling))
    decode_mediapipe_options(op, *type, where, node.attrs);
}

// Option tables -> attributes named as the schema's fields (see the attribute contract in harness/graph.h).
void Importer::decode_builtin_options(const tflite::Operator* op, Attributes& a) const {
  using O = tflite::BuiltinOptions;
  auto i = [&a](const char* k, auto v) { a.set(k, static_cast<int64_t>(v)); };
  auto f = [&a](const char* k, float v) { a.set(k, static_cast<double>(v)); };
  switch (op->builtin_options_type()) {
    case O::Conv2DOptions: {
      const auto* o = op->builtin_options_as_Conv2DOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("fused_activation_function", o->fused_activation_function());
      i("dilation_w_factor", o->dilation_w_factor());
      i("dilation_h_factor", o->dilation_h_factor());
      break;
    }
    case O::DepthwiseConv2DOptions: {
      const auto* o = op->builtin_options_as_DepthwiseConv2DOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("depth_multiplier", o->depth_multiplier());
      i("fused_activation_function", o->fused_activation_function());
      i("dilation_w_factor", o->dilation_w_factor());
      i("dilation_h_factor", o->dilation_h_factor());
      break;
    }
    case O::TransposeConvOptions: {
      const auto* o = op->builtin_options_as_TransposeConvOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("fused_activation_function", o->fused_activation_function());
      break;
    }
    case O::Pool2DOptions: {
      const auto* o = op->builtin_options_as_Pool2DOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("filter_width", o->filter_width());
      i("filter_height", o->filter_height());
      i("fused_activation_function", o->fused_activation_function());
      break;
    }
    case O::FullyConnectedOptions: {
      const auto* o = op->builtin_options_as_FullyConnectedOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("weights_format", o->weights_format());
      i("keep_num_dims", o->keep_num_dims());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::RNNOptions: {
      const auto* o = op->builtin_options_as_RNNOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::SequenceRNNOptions: {
      const auto* o = op->builtin_options_as_SequenceRNNOptions();
      i("time_major", o->time_major());
      i("fused_activation_function", o->fused_activation_function());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::BidirectionalSequenceRNNOptions: {
      const auto* o = op->builtin_options_as_BidirectionalSequenceRNNOptions();
      i("time_major", o->time_major());
      i("fused_activation_function", o->fused_activation_function());
      i("merge_outputs", o->merge_outputs());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::LSTMOptions: {
      const auto* o = op->builtin_options_as_LSTMOptions();
      i("fused_activation_function", o->fused_activation_function());
      f("cell_clip", o->cell_clip());
      f("proj_clip", o->proj_clip());
      i("kernel_type", o->kernel_type());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::UnidirectionalSequenceLSTMOptions: {
      const auto* o = op->builtin_options_as_UnidirectionalSequenceLSTMOptions();
      i("fused_activation_function", o->fused_activation_function());
      f("cell_clip", o->cell_clip());
      f("proj_clip", o->proj_clip());
      i("time_major", o->time_major());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      i("diagonal_recurrent_tensors", o->diagonal_recurrent_tensors());
      break;
    }
    case O::BidirectionalSequenceLSTMOptions: {
      const auto* o = op->builtin_options_as_BidirectionalSequenceLSTMOptions();
      i("fused_activation_function", o->fused_activation_function());
      f("cell_clip", o->cell_clip());
      f("proj_clip", o->proj_clip());
      i("merge_outputs", o->merge_outputs());
      i("time_major", o->time_major());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::SoftmaxOptions: f("beta", op->builtin_options_as_SoftmaxOptions()->beta()); break;
    case O::ConcatenationOptions: {
      const auto* o = op->builtin_options_as_ConcatenationOptions();
      i("axis", o->axis());
      i("fused_activation_function", o->fused_activation_function());
      break;
    }
    case O::AddOptions: {
      const auto* o = op->builtin_options_as_AddOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("pot_scale_int16", o->pot_scale_int16());
      break;
    }
    case O::SubOptions: {
      const auto* o = op->builtin_options_as_SubOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("pot_scale_int16", o->pot_scale_int16());
      break;
    }
    case O::MulOptions:
      i("fused_activation_function", op->builtin_options_as_MulOptions()->fused_activation_function());
      break;
    case O::DivOptions:
      i("fused_activation_function", op->builtin_options_as_DivOptions()->fused_activation_function());
      break;
    case O::ResizeBilinearOptions: {
      const auto* o = op->builtin_options_as_ResizeBilinearOptions();
      i("align_corners", o->align_corners());
      i("half_pixel_centers", o->half_pixel_centers());
      break;
    }
    case O::ResizeNearestNeighborOptions: {
      const auto* o = op->builtin_options_as_ResizeNearestNeighborOptions();
      i("align_corners", o->align_corners());
      i("half_pixel_centers", o->half_pixel_centers());
      break;
    }
    case O::ReshapeOptions:
      // Absent when the shape comes from the second input; an empty list is a valid scalar target.
      if (const auto* ns = op->builtin_options_as_ReshapeOptions()->new_shape()) a.set("new_shape", to_int64s(ns));
      break;
    case O::SpaceToDepthOptions: i("block_size", op->builtin_options_as_SpaceToDepthOptions()->block_size()); break;
    case O::DepthToSpaceOptions: i("block_size", op->builtin_options_as_DepthToSpaceOptions()->block_size()); break;
    case O::GatherOptions: {
      const auto* o = op->builtin_options_as_GatherOptions();
      i("axis", o->axis());
      i("batch_dims", o->batch_dims());
      break;
    }
    case O::ReducerOptions: i("keep_dims", op->builtin_options_as_ReducerOptions()->keep_dims()); break;
    case O::SqueezeOptions:
      a.set("squeeze_dims", to_int64s(op->builtin_options_as_SqueezeOptions()->squeeze_dims()));
      break;
    case O::SplitOptions: i("num_splits", op->builtin_options_as_SplitOptions()->num_splits()); break;
    case O::SplitVOptions: i("num_splits", op->builtin_options_as_SplitVOptions()->num_splits()); break;
    case O::StridedSliceOptions: {
      const auto* o = op->builtin_options_as_StridedSliceOptions();
      i("begin_mask", o->begin_mask());
      i("end_mask", o->end_mask());
      i("ellipsis_mask", o->ellipsis_mask());
      i("new_axis_mask", o->new_axis_mask());
      i("shrink_axis_mask", o->shrink_axis_mask());
      i("offset", o->offset());
      break;
    }
    case O::CastOptions: {
      const auto* o = op->builtin_options_as_CastOptions();
      i("in_data_type", o->in_data_type());
      i("out_data_type", o->out_data_type());
      break;
    }
    case O::PackOptions: {
      const auto* o = op->builtin_options_as_PackOptions();
      i("values_count", o->values_count());
      i("axis", o->axis());
      break;
    }
    case O::UnpackOptions: {
      const auto* o = op->builtin_options_as_UnpackOptions();
      i("num", o->num());
      i("axis", o->axis());
      break;
    }
    case O::LeakyReluOptions: f("alpha", op->builtin_options_as_LeakyReluOptions()->alpha()); break;
    case O::BatchMatMulOptions: {
      const auto* o = op->builtin_options_as_BatchMatMulOptions();
      i("adj_x", o->adj_x());
      i("adj_y", o->adj_y());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::GeluOptions: i("approximate", op->builtin_options_as_GeluOptions()->approximate()); break;
    default: break;  // no options, or options of an op qgate does not run
  }
}

// MediaPipe's custom ops keep TFLite's C parameter structs, raw, in custom_options (little-endian int32s,
// checked against selfie_segmentation.tflite, whose Convolution2DTransposeBias carries the 12 bytes
// 01 00 00 00 02 00 00 00 02 00 00 00):
//   Convolution2DTransposeBias (TfLiteTransposeConvParams): int32 padding, stride_width, stride_height.
//   MaxPoolingWithArgmax2D, MaxUnpooling2D (TfLitePoolParams): int32 padding, stride_width, stride_height,
//     filter_width, filter_height, activation, then the computed padding qgate does not need.
// padding is the C enum TfLitePadding (0 unknown, 1 SAME, 2 VALID), not the schema's Padding (SAME 0,
// VALID 1); activation is TfLiteFusedActivation, whose values 0..5 equal the schema's ActivationFunctionType.
void Importer::decode_mediapipe_options(const tflite::Operator* op, OpType type, const std::string& where,
                                        Attributes& a) const {
  std::span<const std::byte> raw;
  if (op->custom_options()) {
    raw = {reinterpret_cast<const std::byte*>(op->custom_options()->data()), op->custom_options()->size()};
  } else if (op->large_custom_options_offset() > 1) {
    const uint64_t off = op->large_custom_options_offset(), size = op->large_custom_options_size();
    if (off > file_.size() || size > file_.size() - off)
      fail(where, fmt::format("custom options at bytes {}..{} lie outside the {}-byte file", off, off + size,
                              file_.size()));
    raw = file_.subspan(off, size);
  }
  const bool pool = type != OpType::conv2d_transpose_bias;
  const size_t need = pool ? 24 : 12;
  if (raw.size() < need)
    fail(where, fmt::format("custom_options hold {} bytes, expected at least {} ({} layout)", raw.size(), need,
                            pool ? "TfLitePoolParams" : "TfLiteTransposeConvParams"));
  auto field = [&raw](size_t k) {
    int32_t v;
    std::memcpy(&v, raw.data() + 4 * k, 4);
    return v;
  };
  const int32_t padding = field(0);
  if (padding != 1 && padding != 2)
    fail(where, fmt::format("custom option padding is {} (TfLitePadding: 1 SAME, 2 VALID)", padding));
  a.set("padding", int64_t{padding == 1 ? 0 : 1});
  a.set("stride_w", int64_t{field(1)});
  a.set("stride_h", int64_t{field(2)});
  if (pool) {
    a.set("filter_width", int64_t{field(3)});
    a.set("filter_height", int64_t{field(4)});
    const int32_t act = field(5);
    if (act < 0 || act > 5)
      fail(where, fmt::format("custom option activation is {} (supported: 0 NONE .. 5 SIGN_BIT)", act));
    a.set("fused_activation_function", int64_t{act});
  }
}

Graph Importer::run(const TfliteImportOptions& options) {
  verify();
  Graph g;
  g.source = source_;
  g.tensors.resize(num_tensors_);
  for (size_t i = 0; i < num_tensors_; ++i) read_tensor(i, g.tensors[i]);
  if (sg_->inputs())
    for (int32_t v : *sg_->inputs()) g.inputs.push_back(tensor_index(v, false, "subgraph 0", "model input"));
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

std::string tflite_builtin_name(int code) {
  if (code >= 0 && code <= static_cast<int>(tflite::BuiltinOperator::MAX)) {
    const char* n = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
    if (n && *n) return n;
  }
  return fmt::format("BUILTIN_{}", code);
}

std::string tflite_op_label(const Node& node) {
  const int code = static_cast<int>(node.attrs.get_int(kTfliteBuiltinCodeAttr, -1));
  if (code == kCustomCode) return fmt::format("custom '{}'", node.attrs.get_string(kTfliteCustomCodeAttr, ""));
  if (code >= 0) return tflite_builtin_name(code);
  return std::string(op_name(node.op));
}

void check_tflite_ops_supported(const Graph& graph) {
  std::string list;
  size_t count = 0;
  for (const Node& n : graph.nodes) {
    if (n.op != OpType::count_ && op_supported(n.op)) continue;
    // The file's operator index: node ids change when constant nodes are folded at load.
    list += fmt::format("{}op {} {}", count ? ", " : "", n.attrs.get_int(kTfliteOperatorIndexAttr, n.id),
                        tflite_op_label(n));
    ++count;
  }
  if (count)
    throw ModelError(fmt::format("{}: model: {} operator{} not supported by qgate: {} (every operator needs a "
                                 "qgate implementation)", graph.source, count, count == 1 ? " is" : "s are", list));
}

Graph import_tflite(std::span<const std::byte> bytes, const std::string& source,
                    const TfliteImportOptions& options) {
  return Importer(bytes, source).run(options);
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
