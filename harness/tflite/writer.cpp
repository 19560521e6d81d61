#include "harness/tflite/writer.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include "core/errors.h"
#include "harness/tflite/import.h"
#include "harness/weight_rules.h"
#include "tflite_schema_generated.h"

namespace qgate {

namespace {

using B = tflite::BuiltinOperator;

// ---- Unknown-field guard ----------------------------------------------------------------------------------------
//
// The object API drops every field its schema does not declare. Walk the original file with the mini-reflection
// tables flatc generates from the same schema: a vtable slot past the declared fields that holds a value, or a
// union type tag past the declared members, is data the rewrite would lose.

class FieldGuard {
 public:
  explicit FieldGuard(std::string source) : source_(std::move(source)) {}

  void check(const flatbuffers::Table* table, const flatbuffers::TypeTable* type, const std::string& where) const {
    const uint8_t* vtable = table->GetVTable();
    const auto vsize = flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable);
    const size_t slots = vsize >= 4 ? (vsize - 4) / 2 : 0;
    for (size_t f = type->num_elems; f < slots; ++f)
      if (flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable + 4 + 2 * f) != 0)
        throw ModelError(fmt::format("{}: {}: holds field {} that qgate's TFLite schema does not declare (the "
                                     "writer would drop it; extend harness/tflite/schema.fbs)", source_, where, f));
    for (size_t f = 0; f < type->num_elems && f < slots; ++f) {
      const flatbuffers::TypeCode& code = type->type_codes[f];
      if (code.base_type != flatbuffers::ET_SEQUENCE || code.sequence_ref < 0) continue;
      const flatbuffers::TypeTable* ref = type->type_refs[code.sequence_ref]();
      const auto field = static_cast<flatbuffers::voffset_t>(4 + 2 * f);
      const std::string name = fmt::format("{}.{}", where, type->names ? type->names[f] : std::to_string(f));
      if (ref->st == flatbuffers::ST_TABLE) {
        if (code.is_repeating) {
          const auto* v = table->GetPointer<const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::Table>>*>(field);
          if (v)
            for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i)
              check(v->Get(i), ref, fmt::format("{}[{}]", name, i));
        } else if (const auto* t = table->GetPointer<const flatbuffers::Table*>(field)) {
          check(t, ref, name);
        }
      } else if (ref->st == flatbuffers::ST_UNION && !code.is_repeating && f > 0) {
        // The union's type tag is the slot before its value.
        const auto tag = table->GetField<uint8_t>(static_cast<flatbuffers::voffset_t>(field - 2), 0);
        if (tag == 0) continue;
        size_t member = ref->num_elems;
        for (size_t m = 0; m < ref->num_elems; ++m)
          if ((ref->values ? ref->values[m] : static_cast<int64_t>(m)) == tag) member = m;
        if (member == ref->num_elems)
          throw ModelError(fmt::format("{}: {}: union member {} is not declared in qgate's TFLite schema (the writer "
                                       "would drop it; extend harness/tflite/schema.fbs)", source_, name, tag));
        const flatbuffers::TypeCode& mc = ref->type_codes[member];
        if (mc.sequence_ref < 0) continue;
        const flatbuffers::TypeTable* mt = ref->type_refs[mc.sequence_ref]();
        if (mt->st != flatbuffers::ST_TABLE) continue;
        if (const auto* t = table->GetPointer<const flatbuffers::Table*>(field))
          check(t, mt, fmt::format("{} ({})", name, ref->names ? ref->names[member] : std::to_string(tag)));
      }
    }
  }

 private:
  std::string source_;
};

// ---- Versions and options ----------------------------------------------------------------------------------------

int builtin_code(const tflite::OperatorCodeT& c) {
  return std::max(static_cast<int>(c.deprecated_builtin_code), static_cast<int>(c.builtin_code));
}

// The version TFLite's converter gives a hybrid operator (float input, int8 weights, float output), after the
// format's public op-versioning rules; it never lowers a version the file already has.
int hybrid_version(const tflite::OperatorT& op, int code, int current, bool per_channel, bool asymmetric) {
  int v = current;
  switch (static_cast<B>(code)) {
    case B::CONV_2D: v = per_channel ? 5 : 2; break;
    case B::DEPTHWISE_CONV_2D: v = per_channel ? 6 : 4; break;
    case B::FULLY_CONNECTED: {
      const auto* o = op.builtin_options.AsFullyConnectedOptions();
      if (per_channel) v = 12;
      else if (op.inputs.size() == 2) v = 6;
      else if (o && o->keep_num_dims) v = 5;
      else v = asymmetric ? 9 : 3;
      break;
    }
    case B::LSTM: v = asymmetric ? 4 : 3; break;
    case B::UNIDIRECTIONAL_SEQUENCE_LSTM: {
      const auto* o = op.builtin_options.AsUnidirectionalSequenceLSTMOptions();
      v = (o && o->diagonal_recurrent_tensors) ? 4 : asymmetric ? 3 : 2;
      break;
    }
    case B::RNN:
    case B::UNIDIRECTIONAL_SEQUENCE_RNN:
    case B::BIDIRECTIONAL_SEQUENCE_RNN:
    case B::BIDIRECTIONAL_SEQUENCE_LSTM: v = asymmetric ? 3 : 2; break;
    case B::SVDF: v = asymmetric ? 4 : 2; break;
    case B::EMBEDDING_LOOKUP: v = per_channel ? 4 : 1; break;  // a per-tensor int8 table needs no new version
    default: break;
  }
  return std::max(v, current);
}

// Sets asymmetric_quantize_inputs in an options table of type T, creating it when the operator has none.
// Returns false when the operator carries an options table of another type.
template <typename T>
bool set_asymmetric(tflite::BuiltinOptionsUnion& u, bool asymmetric) {
  if (u.type == tflite::BuiltinOptions::NONE) u.Set(T{});
  if (u.type != tflite::BuiltinOptionsUnionTraits<T>::enum_value) return false;
  static_cast<T*>(u.value)->asymmetric_quantize_inputs = asymmetric;
  return true;
}

// The ops whose options table has asymmetric_quantize_inputs; CONV_2D, DEPTHWISE_CONV_2D and EMBEDDING_LOOKUP
// have no such field (their hybrid kernels pick the input quantization themselves).
bool set_asymmetric_option(tflite::OperatorT& op, int code, bool asymmetric) {
  auto& u = op.builtin_options;
  switch (static_cast<B>(code)) {
    case B::FULLY_CONNECTED: return set_asymmetric<tflite::FullyConnectedOptionsT>(u, asymmetric);
    case B::RNN: return set_asymmetric<tflite::RNNOptionsT>(u, asymmetric);
    case B::UNIDIRECTIONAL_SEQUENCE_RNN: return set_asymmetric<tflite::SequenceRNNOptionsT>(u, asymmetric);
    case B::BIDIRECTIONAL_SEQUENCE_RNN:
      return set_asymmetric<tflite::BidirectionalSequenceRNNOptionsT>(u, asymmetric);
    case B::LSTM: return set_asymmetric<tflite::LSTMOptionsT>(u, asymmetric);
    case B::UNIDIRECTIONAL_SEQUENCE_LSTM:
      return set_asymmetric<tflite::UnidirectionalSequenceLSTMOptionsT>(u, asymmetric);
    case B::BIDIRECTIONAL_SEQUENCE_LSTM:
      return set_asymmetric<tflite::BidirectionalSequenceLSTMOptionsT>(u, asymmetric);
    case B::SVDF: return set_asymmetric<tflite::SVDFOptionsT>(u, asymmetric);
    default: return true;
  }
}

// ---- Index bookkeeping -------------------------------------------------------------------------------------------

// Tensors of one subgraph that anything refers to (operators, subgraph inputs/outputs, signatures).
std::vector<char> referenced_tensors(const tflite::ModelT& model, size_t sg_index) {
  const tflite::SubGraphT& sg = *model.subgraphs[sg_index];
  std::vector<char> used(sg.tensors.size(), 0);
  auto mark = [&](int32_t t) {
    if (t >= 0 && static_cast<size_t>(t) < used.size()) used[t] = 1;
  };
  for (const auto& op : sg.operators) {
    for (int32_t t : op->inputs) mark(t);
    for (int32_t t : op->outputs) mark(t);
    for (int32_t t : op->intermediates) mark(t);
  }
  for (int32_t t : sg.inputs) mark(t);
  for (int32_t t : sg.outputs) mark(t);
  for (const auto& sig : model.signature_defs) {
    if (sig->subgraph_index != sg_index) continue;
    for (const auto& m : sig->inputs) mark(static_cast<int32_t>(m->tensor_index));
    for (const auto& m : sig->outputs) mark(static_cast<int32_t>(m->tensor_index));
  }
  for (size_t i = 0; i < sg.tensors.size(); ++i)
    if (sg.tensors[i]->is_variable) used[i] = 1;
  return used;
}

std::vector<char> referenced_buffers(const tflite::ModelT& model) {
  std::vector<char> used(model.buffers.size(), 0);
  auto mark = [&](int64_t b) {
    if (b >= 0 && static_cast<size_t>(b) < used.size()) used[b] = 1;
  };
  for (const auto& sg : model.subgraphs)
    for (const auto& t : sg->tensors) mark(t->buffer);
  for (int32_t b : model.metadata_buffer) mark(b);
  for (const auto& m : model.metadata) mark(m->buffer);
  if (!used.empty()) used[0] = 1;  // the empty sentinel every model keeps
  return used;
}

std::vector<char> referenced_codes(const tflite::ModelT& model) {
  std::vector<char> used(model.operator_codes.size(), 0);
  for (const auto& sg : model.subgraphs)
    for (const auto& op : sg->operators)
      if (op->opcode_index < used.size()) used[op->opcode_index] = 1;
  return used;
}

// Old index -> new index (-1 = removed) keeping entries that are used now or were not used before.
std::vector<int64_t> compaction(const std::vector<char>& used_before, const std::vector<char>& used_now,
                                int* removed) {
  std::vector<int64_t> map(used_now.size(), -1);
  int64_t next = 0;
  for (size_t i = 0; i < used_now.size(); ++i) {
    if (used_now[i] || !used_before[i])
      map[i] = next++;
    else
      ++*removed;
  }
  return map;
}

template <typename T>
void compact(std::vector<T>& items, const std::vector<int64_t>& map) {
  std::vector<T> kept;
  kept.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    if (map[i] >= 0) kept.push_back(std::move(items[i]));
  items = std::move(kept);
}

int32_t remap(int32_t t, const std::vector<int64_t>& map) { return t < 0 ? t : static_cast<int32_t>(map[t]); }

}  // namespace

TfliteWriteResult write_tflite_quantized(const std::string& original_bytes, const QuantizedGraph& quantized,
                                         const std::string& source) {
  if (quantized.scheme.activations == ActivationMode::weight_only)
    throw InputError(fmt::format("scheme '{}': weight-only schemes have no TFLite file form (a runtime runs int8 "
                                 "weights with hybrid kernels); use tflite-dynamic", quantized.scheme.to_string()));
  const auto* data = reinterpret_cast<const uint8_t*>(original_bytes.data());
  if (original_bytes.size() < 8 || !flatbuffers::BufferHasIdentifier(data, tflite::ModelIdentifier()))
    throw ModelError(fmt::format("{}: not a TFLite model (file identifier 'TFL3' missing at byte 4)", source));
  {
    flatbuffers::Verifier::Options vopts;
    vopts.max_tables = 50'000'000;
    flatbuffers::Verifier verifier(data, original_bytes.size(), vopts);
    if (!tflite::VerifyModelBuffer(verifier))
      throw ModelError(fmt::format("{}: FlatBuffer verification failed (truncated or corrupt file)", source));
  }
  const tflite::Model* root = tflite::GetModel(data);
  if (root->buffers())
    for (flatbuffers::uoffset_t i = 0; i < root->buffers()->size(); ++i)
      if (root->buffers()->Get(i)->offset() > 1)
        throw ModelError(fmt::format("{}: buffer {} lies outside the FlatBuffer (a model over 2 GB); the writer "
                                     "handles inline buffers only", source, i));
  FieldGuard(source).check(reinterpret_cast<const flatbuffers::Table*>(root), tflite::ModelTypeTable(), "model");

  std::unique_ptr<tflite::ModelT> model(root->UnPack());
  if (model->subgraphs.empty()) throw ModelError(fmt::format("{}: model has no subgraphs", source));
  tflite::SubGraphT& sg = *model->subgraphs[0];
  const Graph& g = quantized.graph;
  if (sg.tensors.size() != g.tensors.size())
    throw ModelError(fmt::format("{}: subgraph 0 has {} tensors but the quantized graph has {} (the graph was not "
                                 "loaded from this file)", source, sg.tensors.size(), g.tensors.size()));
  for (const auto& sub : model->subgraphs)
    for (const auto& t : sub->tensors)
      if (t->buffer >= model->buffers.size() && !(t->buffer == 0 && model->buffers.empty()))
        throw ModelError(fmt::format("{}: tensor '{}' names buffer {} of {}", source, t->name, t->buffer,
                                     model->buffers.size()));
  for (const auto& op : sg.operators)
    for (int32_t t : op->outputs)
      if (t < 0 || static_cast<size_t>(t) >= sg.tensors.size())
        throw ModelError(fmt::format("{}: an operator output names tensor {} of {}", source, t, sg.tensors.size()));

  // Buffer 0 is the empty sentinel; a file that omits the buffer list gets it, so new buffers never take index 0.
  if (model->buffers.empty()) model->buffers.push_back(std::make_unique<tflite::BufferT>());
  const std::vector<char> tensors_before = referenced_tensors(*model, 0);
  const std::vector<char> buffers_before = referenced_buffers(*model);
  const std::vector<char> codes_before = referenced_codes(*model);

  TfliteWriteResult result;
  std::map<int, int32_t> int8_tensor_of;   // graph tensor id -> the new INT8 tensor
  std::map<int, int32_t> float_tensor_of;  // graph tensor id -> a new FLOAT32 constant (a folded bias)
  std::set<size_t> live_operators;        // operators that are nodes of the graph (not folded at load)
  // (builtin code, custom code, version) -> operator code index, filled lazily
  std::map<std::tuple<int, std::string, int>, uint32_t> code_index;
  for (uint32_t i = 0; i < model->operator_codes.size(); ++i) {
    const auto& c = *model->operator_codes[i];
    code_index.emplace(std::make_tuple(builtin_code(c), c.custom_code, c.version), i);
  }

  for (const Node& n : g.nodes) {
    const int64_t opi = n.attrs.get_int(kTfliteOperatorIndexAttr, -1);
    if (opi < 0 || static_cast<size_t>(opi) >= sg.operators.size())
      throw ModelError(fmt::format("{}: node {} '{}' names operator {} of {} (the graph was not loaded from this "
                                   "file)", source, n.id, n.name, opi, sg.operators.size()));
    live_operators.insert(static_cast<size_t>(opi));
  }
  // The operator of the file that writes each tensor, to name an int8 weight after the constant its folded
  // chain starts from ("conv2d/Kernel", not "conv2d/Kernel_dequantize"), as the converter names it.
  std::vector<int> producer(sg.tensors.size(), -1);
  for (size_t i = 0; i < sg.operators.size(); ++i)
    for (int32_t t : sg.operators[i]->outputs) producer[t] = static_cast<int>(i);
  auto source_name = [&](int32_t t) {
    for (int hops = 0; hops < 8 && producer[t] >= 0 && !live_operators.count(producer[t]); ++hops) {
      const auto& in = sg.operators[producer[t]]->inputs;
      if (in.empty() || in[0] < 0) break;
      t = in[0];
    }
    return sg.tensors[t]->name;
  };

  for (const Node& n : g.nodes) {
    const size_t opi = static_cast<size_t>(n.attrs.get_int(kTfliteOperatorIndexAttr, -1));
    tflite::OperatorT& op = *sg.operators[opi];
    const std::string where = fmt::format("{}: operator {} ({})", source, opi, tflite_op_label(n));
    bool changed = false, per_channel = false;
    for (const WeightSlot& slot : weight_slots(n)) {
      if (slot.input >= static_cast<int>(n.inputs.size()) || n.inputs[slot.input] < 0) continue;
      const int tid = n.inputs[slot.input];
      const Tensor& qt = g.tensors[tid];
      if (!qt.is_constant || qt.dtype != DType::i8) continue;
      if (slot.input >= static_cast<int>(op.inputs.size()) || op.inputs[slot.input] != tid)
        throw ModelError(fmt::format("{}: input {} is tensor {} in the file but {} in the graph", where, slot.input,
                                     slot.input < static_cast<int>(op.inputs.size()) ? op.inputs[slot.input] : -1,
                                     tid));
      const tflite::TensorT& ft = *sg.tensors[tid];
      if (ft.type == tflite::TensorType::INT8) continue;  // already int8 in the file
      if (ft.type != tflite::TensorType::FLOAT32)
        throw ModelError(fmt::format("{}: weight '{}' is {} in the file (only FLOAT32 weights are replaced)", where,
                                     ft.name, tflite::EnumNameTensorType(ft.type)));
      per_channel |= qt.quant.per_channel();
      auto it = int8_tensor_of.find(tid);
      if (it == int8_tensor_of.end()) {
        auto buffer = std::make_unique<tflite::BufferT>();
        const auto* bytes = reinterpret_cast<const uint8_t*>(qt.data.data());
        buffer->data.assign(bytes, bytes + qt.bytes());
        model->buffers.push_back(std::move(buffer));
        auto t = std::make_unique<tflite::TensorT>();
        t->shape = ft.shape;
        t->shape_signature = ft.shape_signature;
        t->type = tflite::TensorType::INT8;
        t->buffer = static_cast<uint32_t>(model->buffers.size() - 1);
        t->name = source_name(tid);
        t->quantization = std::make_unique<tflite::QuantizationParametersT>();
        t->quantization->scale = qt.quant.scale;
        t->quantization->zero_point.assign(qt.quant.scale.size(), 0);
        t->quantization->quantized_dimension = qt.quant.per_channel() ? qt.quant.axis : 0;
        sg.tensors.push_back(std::move(t));
        it = int8_tensor_of.emplace(tid, static_cast<int32_t>(sg.tensors.size() - 1)).first;

        TfliteWrittenWeight w;
        w.node = n.id;
        w.op = tflite_op_label(n);
        w.tensor = source_name(tid);
        w.tensor_index = it->second;
        w.per_channel = qt.quant.per_channel();
        w.axis = qt.quant.per_channel() ? qt.quant.axis : 0;
        w.bytes_before = qt.elements() * static_cast<int64_t>(dtype_size(qt.file_dtype));
        w.bytes_after = qt.elements() + 4 * static_cast<int64_t>(qt.quant.scale.size());
        w.operator_index = static_cast<int>(opi);  // renumbered below
        result.weights.push_back(w);
      }
      op.inputs[slot.input] = it->second;
      changed = true;
    }
    if (!changed) continue;
    // The op's other constant inputs (its bias) that the file computes with folded constant ops (a float16
    // DEQUANTIZE) become plain FLOAT32 constants: XNNPACK's int8-weight path takes only static weights and bias.
    for (size_t i = 0; i < op.inputs.size() && i < n.inputs.size(); ++i) {
      const int32_t tid = op.inputs[i];
      if (tid < 0 || tid != n.inputs[i] || producer[tid] < 0 || live_operators.count(producer[tid])) continue;
      const Tensor& qt = g.tensors[tid];
      if (!qt.is_constant || qt.dtype != DType::f32 || sg.tensors[tid]->type != tflite::TensorType::FLOAT32) continue;
      auto it = float_tensor_of.find(tid);
      if (it == float_tensor_of.end()) {
        auto buffer = std::make_unique<tflite::BufferT>();
        const auto* bytes = reinterpret_cast<const uint8_t*>(qt.data.data());
        buffer->data.assign(bytes, bytes + qt.bytes());
        model->buffers.push_back(std::move(buffer));
        auto t = std::make_unique<tflite::TensorT>();
        t->shape = sg.tensors[tid]->shape;
        t->shape_signature = sg.tensors[tid]->shape_signature;
        t->type = tflite::TensorType::FLOAT32;
        t->buffer = static_cast<uint32_t>(model->buffers.size() - 1);
        t->name = source_name(tid);
        sg.tensors.push_back(std::move(t));
        it = float_tensor_of.emplace(tid, static_cast<int32_t>(sg.tensors.size() - 1)).first;
      }
      op.inputs[i] = it->second;
    }

    const bool asymmetric = n.attrs.get_bool(kAsymmetricInputsAttr, false);
    if (op.opcode_index >= model->operator_codes.size())
      throw ModelError(fmt::format("{}: opcode_index {} of {}", where, op.opcode_index, model->operator_codes.size()));
    const tflite::OperatorCodeT old_code = *model->operator_codes[op.opcode_index];
    const int code = builtin_code(old_code);
    if (!set_asymmetric_option(op, code, asymmetric))
      throw ModelError(fmt::format("{}: carries options of type {} (expected the op's own options table)", where,
                                   tflite::EnumNameBuiltinOptions(op.builtin_options.type)));
    const int version = hybrid_version(op, code, old_code.version, per_channel, asymmetric);
    for (auto& w : result.weights)
      if (w.node == n.id) {
        w.version_before = old_code.version;
        w.version_after = version;
      }
    const auto key = std::make_tuple(code, old_code.custom_code, version);
    auto ci = code_index.find(key);
    if (ci == code_index.end()) {
      auto c = std::make_unique<tflite::OperatorCodeT>(old_code);
      c->version = version;
      model->operator_codes.push_back(std::move(c));
      ci = code_index.emplace(key, static_cast<uint32_t>(model->operator_codes.size() - 1)).first;
    }
    op.opcode_index = ci->second;
  }

  // Operators the loader folded (constant chains such as a float16 DEQUANTIZE) whose outputs nothing reads now.
  std::vector<char> keep_op(sg.operators.size(), 1);
  for (bool again = true; again;) {
    again = false;
    std::vector<int> readers(sg.tensors.size(), 0);
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      if (!keep_op[i]) continue;
      for (int32_t t : sg.operators[i]->inputs)
        if (t >= 0) ++readers[t];
      for (int32_t t : sg.operators[i]->intermediates)
        if (t >= 0) ++readers[t];
    }
    for (int32_t t : sg.outputs)
      if (t >= 0) ++readers[t];
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      if (!keep_op[i] || live_operators.count(i)) continue;
      bool read = false;
      for (int32_t t : sg.operators[i]->outputs) read |= readers[t] > 0 || sg.tensors[t]->is_variable;
      if (!read) {
        keep_op[i] = 0;
        again = true;
        ++result.removed_operators;
      }
    }
  }
  std::vector<int64_t> op_map(sg.operators.size(), -1);
  {
    int64_t next = 0;
    for (size_t i = 0; i < sg.operators.size(); ++i)
      if (keep_op[i]) op_map[i] = next++;
    compact(sg.operators, op_map);
    for (auto& w : result.weights) w.operator_index = static_cast<int>(op_map[w.operator_index]);
  }

  // Tensors that were in use and are not any more; new tensors count as used before.
  std::vector<char> before = tensors_before;
  before.resize(sg.tensors.size(), 1);
  const std::vector<int64_t> tmap = compaction(before, referenced_tensors(*model, 0), &result.removed_tensors);
  compact(sg.tensors, tmap);
  for (auto& op : sg.operators) {
    for (int32_t& t : op->inputs) t = remap(t, tmap);
    for (int32_t& t : op->outputs) t = remap(t, tmap);
    for (int32_t& t : op->intermediates) t = remap(t, tmap);
  }
  for (int32_t& t : sg.inputs) t = remap(t, tmap);
  for (int32_t& t : sg.outputs) t = remap(t, tmap);
  for (auto& sig : model->signature_defs) {
    if (sig->subgraph_index != 0) continue;
    for (auto& m : sig->inputs) m->tensor_index = static_cast<uint32_t>(tmap[m->tensor_index]);
    for (auto& m : sig->outputs) m->tensor_index = static_cast<uint32_t>(tmap[m->tensor_index]);
  }
  for (auto& w : result.weights) w.tensor_index = static_cast<int>(tmap[w.tensor_index]);

  std::vector<char> bbefore = buffers_before;
  bbefore.resize(model->buffers.size(), 1);
  const std::vector<int64_t> bmap = compaction(bbefore, referenced_buffers(*model), &result.removed_buffers);
  compact(model->buffers, bmap);
  for (auto& sub : model->subgraphs)
    for (auto& t : sub->tensors) t->buffer = static_cast<uint32_t>(bmap[t->buffer]);
  for (int32_t& b : model->metadata_buffer) b = static_cast<int32_t>(bmap[b]);
  for (auto& m : model->metadata) m->buffer = static_cast<uint32_t>(bmap[m->buffer]);

  std::vector<char> cbefore = codes_before;
  cbefore.resize(model->operator_codes.size(), 1);
  int removed_codes = 0;
  const std::vector<int64_t> cmap = compaction(cbefore, referenced_codes(*model), &removed_codes);
  compact(model->operator_codes, cmap);
  for (auto& sub : model->subgraphs)
    for (auto& op : sub->operators) op->opcode_index = static_cast<uint32_t>(cmap[op->opcode_index]);

  flatbuffers::FlatBufferBuilder fbb(original_bytes.size() + 1024);
  fbb.Finish(tflite::Model::Pack(fbb, model.get()), tflite::ModelIdentifier());
  result.bytes.assign(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  flatbuffers::Verifier::Options vopts;
  vopts.max_tables = 50'000'000;
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(result.bytes.data()), result.bytes.size(), vopts);
  if (!tflite::VerifyModelBuffer(verifier))
    throw std::logic_error(fmt::format("{}: the written model fails FlatBuffer verification", source));
  return result;
}

}  // namespace qgate
