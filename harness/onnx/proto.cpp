// ONNX protobuf decoding: TensorProto values, element types and node attributes (see proto.h).
#include "harness/onnx/proto.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/onnx/import.h"
#include "kernels/dequantize.h"

namespace qgate {
namespace onnx_import {

namespace {

// The bytes of a tensor kept outside the model (data_location EXTERNAL): `location` relative to the model's
// folder, from `offset`, `length` bytes (default: to the end of the file).
std::string read_external_data(const onnx::TensorProto& tp, const std::string& source) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : tp.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = std::stoll(kv.value());
      else if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      throw ModelError(fmt::format("{}: tensor '{}': external_data {} '{}' is not a number", source, tp.name(),
                                   kv.key(), kv.value()));
    }
  }
  const std::filesystem::path rel(location);
  if (location.empty())
    throw ModelError(fmt::format("{}: tensor '{}' is EXTERNAL but names no location", source, tp.name()));
  // ONNX's rule: the file lies in the model's folder or below it.
  bool escapes = rel.is_absolute();
  for (const auto& part : rel) escapes |= part == "..";
  if (escapes)
    throw ModelError(fmt::format("{}: tensor '{}': external data location '{}' is outside the model's folder", source,
                                 tp.name(), location));
  const std::filesystem::path file = std::filesystem::path(source).parent_path() / rel;
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw ModelError(fmt::format("{}: tensor '{}': cannot open its external data file {}", source, tp.name(),
                                 file.string()));
  in.seekg(0, std::ios::end);
  const int64_t size = static_cast<int64_t>(in.tellg());
  if (offset < 0 || offset > size || (length >= 0 && offset + length > size) || length < -1)
    throw ModelError(fmt::format("{}: tensor '{}': external data offset {} length {} is outside {} ({} bytes)", source,
                                 tp.name(), offset, length, file.string(), size));
  if (length < 0) length = size - offset;
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  if (!in)
    throw ModelError(fmt::format("{}: tensor '{}': reading {} bytes of {} failed", source, tp.name(), length,
                                 file.string()));
  return bytes;
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& tp, const std::string& source) {
  Tensor t;
  t.name = tp.name();
  t.is_constant = true;
  for (int64_t d : tp.dims()) t.shape.push_back(static_cast<int32_t>(d));
  const bool external = tp.data_location() == onnx::TensorProto::EXTERNAL;
  const std::string external_bytes = external ? read_external_data(tp, source) : std::string();
  const int64_t n = shape_elements(t.shape);
  const std::string& raw = external ? external_bytes : tp.raw_data();
  const bool has_raw = external || tp.has_raw_data();
  auto check_count = [&](int64_t have) {
    if (have != n)
      throw ModelError(fmt::format("{}: tensor '{}' of shape {} holds {} values, expected {}", source, tp.name(),
                                   shape_string(t.shape), have, n));
  };
  switch (tp.data_type()) {
    case kFloat:
    case kDouble:
    case kFloat16:
    case kBfloat16: {
      t.dtype = DType::f32;
      t.file_dtype = tp.data_type() == kFloat16 ? DType::f16 : DType::f32;
      t.allocate();
      float* out = t.as<float>();
      if (tp.data_type() == kFloat) {
        if (has_raw) {
          check_count(static_cast<int64_t>(raw.size() / 4));
          std::memcpy(out, raw.data(), n * 4);
        } else {
          check_count(tp.float_data_size());
          std::copy(tp.float_data().begin(), tp.float_data().end(), out);
        }
      } else if (tp.data_type() == kDouble) {
        if (has_raw) {
          check_count(static_cast<int64_t>(raw.size() / 8));
          for (int64_t i = 0; i < n; ++i) {
            double d;
            std::memcpy(&d, raw.data() + 8 * i, 8);
            out[i] = static_cast<float>(d);
          }
        } else {
          check_count(tp.double_data_size());
          for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(tp.double_data(i));
        }
      } else {
        // float16 and bfloat16 (the upper half of a float32) values without raw_data travel as the low 16 bits of
        // int32_data.
        const auto widen = [&](uint16_t h) {
          if (tp.data_type() == kFloat16) return kernels::half_to_float(h);
          const uint32_t bits = static_cast<uint32_t>(h) << 16;
          float f;
          std::memcpy(&f, &bits, 4);
          return f;
        };
        if (has_raw) {
          check_count(static_cast<int64_t>(raw.size() / 2));
          for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, raw.data() + 2 * i, 2);
            out[i] = widen(h);
          }
        } else {
          check_count(tp.int32_data_size());
          for (int64_t i = 0; i < n; ++i) out[i] = widen(static_cast<uint16_t>(tp.int32_data(i)));
        }
      }
      return t;
    }
    case kInt64: {
      t.dtype = DType::i64;
      t.allocate();
      if (has_raw) {
        check_count(static_cast<int64_t>(raw.size() / 8));
        std::memcpy(t.data.data(), raw.data(), n * 8);
      } else {
        check_count(tp.int64_data_size());
        std::copy(tp.int64_data().begin(), tp.int64_data().end(), t.as<int64_t>());
      }
      return t;
    }
    case kInt32:
    case kInt8:
    case kUint8:
    case kBool: {
      t.dtype = tp.data_type() == kInt32 ? DType::i32
                : tp.data_type() == kInt8 ? DType::i8
                : tp.data_type() == kUint8 ? DType::u8
                                           : DType::boolean;
      t.allocate();
      const size_t es = dtype_size(t.dtype);
      if (has_raw) {
        check_count(static_cast<int64_t>(raw.size() / es));
        std::memcpy(t.data.data(), raw.data(), n * es);
      } else {
        check_count(tp.int32_data_size());
        for (int64_t i = 0; i < n; ++i) {
          const int32_t v = tp.int32_data(i);
          if (es == 4) t.as<int32_t>()[i] = v;
          else t.as<int8_t>()[i] = static_cast<int8_t>(v);
        }
      }
      return t;
    }
    default:
      throw ModelError(fmt::format("{}: tensor '{}' has ONNX data type {} ({}), which is not supported", source,
                                   tp.name(), tp.data_type(), onnx_type_name(tp.data_type())));
  }
}

std::string onnx_type_name(int64_t onnx_type) {
  static const char* const kNames[] = {"undefined", "float32", "uint8", "int8", "uint16", "int16", "int32",
                                       "int64", "string", "bool", "float16", "float64", "uint32", "uint64",
                                       "complex64", "complex128", "bfloat16"};
  if (onnx_type >= 0 && onnx_type < static_cast<int64_t>(std::size(kNames))) return kNames[onnx_type];
  return "unknown";
}

std::string onnx_value_kind(const onnx::TypeProto& type) {
  switch (type.value_case()) {
    case onnx::TypeProto::kTensorType: return "tensor";
    case onnx::TypeProto::kSequenceType: return "sequence";
    case onnx::TypeProto::kMapType: return "map";
    case onnx::TypeProto::kOptionalType: return "optional";
    case onnx::TypeProto::kSparseTensorType: return "sparse tensor";
    default: return "value of no declared type";
  }
}

std::optional<DType> dtype_from_onnx(int64_t onnx_type) {
  switch (onnx_type) {
    case kFloat:
    case kDouble:
    case kFloat16:
    case kBfloat16: return DType::f32;
    case kInt32: return DType::i32;
    case kInt64: return DType::i64;
    case kUint8: return DType::u8;
    case kInt8: return DType::i8;
    case kBool: return DType::boolean;
    default: return std::nullopt;
  }
}

const onnx::TensorProto* find_constant_proto(const onnx::GraphProto& graph, const std::string& name) {
  for (const auto& t : graph.initializer())
    if (t.name() == name) return &t;
  for (const auto& n : graph.node())
    if (n.op_type() == "Constant" && n.output_size() == 1 && n.output(0) == name)
      for (const auto& a : n.attribute())
        if (a.name() == "value" && a.has_t()) return &a.t();
  return nullptr;
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& key) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return &a;
  return nullptr;
}

int64_t attr_int(const onnx::NodeProto& n, const std::string& key, int64_t fallback) {
  const auto* a = find_attr(n, key);
  return a ? a->i() : fallback;
}

float attr_float(const onnx::NodeProto& n, const std::string& key, float fallback) {
  const auto* a = find_attr(n, key);
  return a ? a->f() : fallback;
}

std::string attr_string(const onnx::NodeProto& n, const std::string& key, const std::string& fallback) {
  const auto* a = find_attr(n, key);
  return a ? a->s() : fallback;
}

std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& key) {
  const auto* a = find_attr(n, key);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

}  // namespace onnx_import

Tensor parse_onnx_tensor(const std::string& bytes, const std::string& source) {
  onnx::TensorProto tp;
  if (!tp.ParseFromString(bytes)) throw InputError(fmt::format("{}: not an ONNX TensorProto", source));
  return onnx_import::tensor_from_proto(tp, source);
}

}  // namespace qgate
