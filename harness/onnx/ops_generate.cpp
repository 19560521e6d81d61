// ONNX generators: ConstantOfShape (FILL), Range (RANGE), the window functions (RANGE, COS and arithmetic), and
// the ones whose output depends only on the shape of their input, which are constants at load as Shape is: Size,
// EyeLike. Generators of run-time sizes are refused:
// qgate fixes every shape at load.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

void import_constant_of_shape(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const std::vector<int64_t> dims = im.const_ints(n, 0, "shape");
  int value;
  if (const auto* a = find_attr(n, "value")) {
    Tensor t = tensor_from_proto(a->t(), im.source());
    if (t.elements() != 1) im.unsupported(n, fmt::format("a value of shape {} (one element)", shape_string(t.shape)));
    t.name = name + "/value";
    t.shape = {};
    value = im.add(std::move(t));
  } else {
    value = im.const_f32(name + "/value", {}, {0.0f});
  }
  im.set(n, 0, {im.emit(OpType::fill, {im.const_i64(name + "/dims", dims), value}, {}, name), Layout::onnx});
}

void import_range(Importer& im, NodeRef n) {
  std::vector<int> inputs;
  for (int i = 0; i < 3; ++i) {
    const Value v = im.in(n, i);
    if (!im.tensor(v.id).is_constant)
      im.unsupported(n, fmt::format("a run-time {} ('{}': the output size would depend on the data)",
                                    i == 0 ? "start" : i == 1 ? "limit" : "delta", n.input(i)));
    inputs.push_back(v.id);
  }
  im.set(n, 0, {im.emit(OpType::range, inputs, {}, im.out_name(n)), Layout::onnx});
}

void import_size(Importer& im, NodeRef n) {
  const int id = im.const_i64(im.out_name(n), {shape_elements(im.logical_shape(im.in(n, 0)))});
  im.tensor(id).shape = {};
  im.set(n, 0, {id, Layout::onnx});
}

// EyeLike: ones on diagonal k of a 2-D tensor the input's shape, zeros elsewhere, of `dtype` (default the input's).
void import_eye_like(Importer& im, NodeRef n) {
  const Shape s = im.logical_shape(im.in(n, 0));
  if (s.size() != 2) im.unsupported(n, fmt::format("an input of rank {} (2-D only)", s.size()));
  const std::optional<int64_t> declared = im.declared_type(n.input(0));
  const int64_t type = attr_int(n, "dtype", declared.value_or(kFloat));
  const std::optional<DType> dt = dtype_from_onnx(type);
  if (!dt) im.unsupported(n, fmt::format("dtype {} ({})", type, onnx_type_name(type)));
  const int64_t k = attr_int(n, "k", 0);
  Tensor t;
  t.name = im.out_name(n);
  t.dtype = t.file_dtype = *dt;
  t.shape = s;
  t.is_constant = true;
  t.allocate();
  std::fill(t.data.data(), t.data.data() + t.bytes(), std::byte{0});
  for (int64_t r = 0; r < s[0]; ++r) {
    const int64_t c = r + k;
    if (c < 0 || c >= s[1]) continue;
    const int64_t i = r * s[1] + c;
    switch (*dt) {
      case DType::f32: t.as<float>()[i] = 1.0f; break;
      case DType::i32: t.as<int32_t>()[i] = 1; break;
      case DType::i64: t.as<int64_t>()[i] = 1; break;
      default: t.as<uint8_t>()[i] = 1; break;  // bool, int8, uint8
    }
  }
  im.set(n, 0, {im.add(std::move(t)), Layout::onnx});
}

// HannWindow, HammingWindow, BlackmanWindow of a constant size N: a0 - a1 cos(2 pi n / N') + a2 cos(4 pi n / N')
// over n = 0..N-1, N' = N (periodic, the default) or N - 1 (symmetric); RANGE, MUL, COS, ADD folded at load.
void import_window(Importer& im, NodeRef n, const std::string& kind) {
  const std::string name = im.out_name(n);
  const std::vector<int64_t> size = im.const_ints(n, 0, "size");
  if (size.size() != 1 || size[0] < 1) im.unsupported(n, fmt::format("size [{}]", fmt::join(size, ",")));
  const int64_t type = attr_int(n, "output_datatype", kFloat);
  const std::optional<DType> dt = dtype_from_onnx(type);
  if (!dt) im.unsupported(n, fmt::format("output_datatype {} ({})", type, onnx_type_name(type)));
  const bool periodic = attr_int(n, "periodic", 1) != 0;
  const double denom = static_cast<double>(periodic ? size[0] : size[0] - 1);
  double a0 = 0.5, a1 = 0.5, a2 = 0.0;
  if (kind == "hamming") {
    a0 = 25.0 / 46.0;
    a1 = 21.0 / 46.0;
  } else if (kind == "blackman") {
    a0 = 0.42;
    a1 = 0.5;
    a2 = 0.08;
  }
  const auto scalar = [&](const std::string& suffix, double v) { return im.const_f32(name + suffix, {}, {static_cast<float>(v)}); };
  const int index = im.emit(OpType::range, {scalar("/start", 0), scalar("/limit", static_cast<double>(size[0])), scalar("/delta", 1)},
                            {}, name + "/n");
  const double step = denom > 0 ? 2.0 * M_PI / denom : 0.0;
  const auto cos_term = [&](double k, const std::string& suffix) {
    const int angle = im.emit(OpType::mul, {index, scalar(suffix + "/step", k * step)}, {}, name + suffix + "/angle");
    return im.emit(OpType::cos, {angle}, {}, name + suffix);
  };
  int w = im.emit(OpType::mul, {cos_term(1, "/cos1"), scalar("/a1", -a1)}, {}, name + "/term1");
  w = im.emit(OpType::add, {w, scalar("/a0", a0)}, {}, name + (a2 != 0.0 || *dt != DType::f32 ? "/sum" : ""));
  if (a2 != 0.0) {
    const int t2 = im.emit(OpType::mul, {cos_term(2, "/cos2"), scalar("/a2", a2)}, {}, name + "/term2");
    w = im.emit(OpType::add, {w, t2}, {}, name + (*dt != DType::f32 ? "/float" : ""));
  }
  if (*dt != DType::f32) w = im.emit_multi(OpType::cast, {w}, {}, {name}, true, {*dt})[0];
  im.set(n, 0, {w, Layout::onnx});
}

}  // namespace qgate::onnx_import
