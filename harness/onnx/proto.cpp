// ONNX protobuf decoding: TensorProto values, element types and node attributes (see proto.h).
#include "harness/onnx/proto.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/onnx/import.h"
#include "kernels/dequantize.h"

namespace qgate {
namespace onnx_import {

Tensor tensor_from_proto(const onnx::TensorProto& tp, const std::string& source) {
  Tensor t;
  t.name = tp.name();
  t.is_constant = true;
  for (int64_t d : tp.dims()) t.shape.push_back(static_cast<int32_t>(d));
  if (tp.data_location() == onnx::TensorProto::EXTERNAL)
    throw ModelError(fmt::format("{}: tensor '{}' keeps its data in an external file, which is not supported",
                                 source, tp.name()));
  const int64_t n = shape_elements(t.shape);
  const std::string& raw = tp.raw_data();
  const bool has_raw = tp.has_raw_data();
  auto check_count = [&](int64_t have) {
    if (have != n)
      throw ModelError(fmt::format("{}: tensor '{}' of shape {} holds {} values, expected {}", source, tp.name(),
                                   shape_string(t.shape), have, n));
  };
  switch (tp.data_type()) {
    case kFloat:
    case kDouble:
    case kFloat16: {
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
        if (has_raw) {
          check_count(static_cast<int64_t>(raw.size() / 2));
          for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, raw.data() + 2 * i, 2);
            out[i] = kernels::half_to_float(h);
          }
        } else {
          // float16 values without raw_data travel as the low 16 bits of int32_data.
          check_count(tp.int32_data_size());
          for (int64_t i = 0; i < n; ++i) out[i] = kernels::half_to_float(static_cast<uint16_t>(tp.int32_data(i)));
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
      throw ModelError(fmt::format("{}: tensor '{}' has ONNX data type {}, which is not supported", source,
                                   tp.name(), tp.data_type()));
  }
}

std::optional<DType> dtype_from_onnx(int64_t onnx_type) {
  switch (onnx_type) {
    case kFloat: return DType::f32;
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
