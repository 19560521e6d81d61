// ONNX activations and elementwise arithmetic: each keeps its input's layout (an NHWC-stored value stays NHWC),
// binary ops broadcast as numpy does (Importer::binary). The one-call activations (Relu, Sigmoid, Exp, ...) and
// the comparisons and logical ops are lambdas in the op table.
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

void import_leaky_relu(Importer& im, NodeRef n) {
  Attributes a;
  a.set("alpha", static_cast<double>(attr_float(n, "alpha", 0.01f)));
  im.unary(n, OpType::leaky_relu, a);
}

// Neg and Abs of float32 through the unary kernels; of int32 and int64 (shape arithmetic: the axis counts of
// exported LayerNormalization functions) as 0 - x and max(x, 0 - x) through the integer binary kernels, which
// wrap as ONNX's integer Neg does (the lowest value stays itself).
void import_neg_abs(Importer& im, NodeRef n, OpType op) {
  const Value x = im.in(n, 0);
  const DType dt = im.tensor(x.id).dtype;
  if (dt != DType::i32 && dt != DType::i64) return im.unary(n, op);
  const std::string name = im.out_name(n);
  Tensor zero;  // a rank-0 zero: broadcasts against x in either layout
  zero.name = name + "/zero";
  zero.dtype = zero.file_dtype = dt;
  zero.is_constant = true;
  zero.allocate();  // uninitialised storage
  std::memset(zero.data.data(), 0, zero.bytes());
  const int z = im.add(std::move(zero));
  const int negated = im.emit(OpType::sub, {z, x.id}, {}, op == OpType::neg ? name : name + "/negated");
  im.set(n, 0, {op == OpType::neg ? negated : im.emit(OpType::maximum, {x.id, negated}, {}, name), x.layout});
}

void import_elu(Importer& im, NodeRef n) {
  Attributes a;
  a.set("alpha", static_cast<double>(attr_float(n, "alpha", 1.0f)));
  im.unary(n, OpType::elu, a);
}

void import_unary_with(Importer& im, NodeRef n, OpType op, const char* alpha_attr, float alpha_default,
                       const char* beta_attr, float beta_default) {
  Attributes a;
  if (alpha_attr) a.set("alpha", static_cast<double>(attr_float(n, alpha_attr, alpha_default)));
  if (beta_attr) a.set("beta", static_cast<double>(attr_float(n, beta_attr, beta_default)));
  im.unary(n, op, a);
}

// max(0, min(1, alpha * x + beta)) as MUL, ADD, RELU_0_TO_1.
void import_hard_sigmoid(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const Value x = im.in(n, 0);
  const int m = im.emit(OpType::mul, {x.id, im.const_f32(name + "/alpha", {}, {attr_float(n, "alpha", 0.2f)})}, {},
                        name + "/scaled");
  const int s = im.emit(OpType::add, {m, im.const_f32(name + "/beta", {}, {attr_float(n, "beta", 0.5f)})}, {},
                        name + "/shifted");
  im.set(n, 0, {im.emit(OpType::relu_0_to_1, {s}, {}, name), x.layout});
}

// Clip as RELU6 or RELU when its bounds are those, else MAXIMUM / MINIMUM with constant bounds (min and max are
// attributes before opset 11, constant inputs after).
void import_clip(Importer& im, NodeRef n) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const std::string name = im.out_name(n);
  const Value x = im.in(n, 0);
  float lo = -kInf, hi = kInf;
  if (im.opset() < 11) {
    lo = attr_float(n, "min", lo);
    hi = attr_float(n, "max", hi);
  } else {
    if (im.has(n, 1)) lo = im.const_scalar(n, 1, "min");
    if (im.has(n, 2)) hi = im.const_scalar(n, 2, "max");
  }
  if (lo == 0.0f && hi == 6.0f) {
    im.set(n, 0, {im.emit(OpType::relu6, {x.id}, {}, name), x.layout});
  } else if (lo == 0.0f && hi == kInf) {
    im.set(n, 0, {im.emit(OpType::relu, {x.id}, {}, name), x.layout});
  } else {
    int id = x.id;
    if (lo != -kInf)
      id = im.emit(OpType::maximum, {id, im.const_f32(name + "/min", {}, {lo})}, {}, hi == kInf ? name : name + "/lo");
    if (hi != kInf) id = im.emit(OpType::minimum, {id, im.const_f32(name + "/max", {}, {hi})}, {}, name);
    if (id == x.id) {
      // No bound at all: the output is a copy (every dimension copied, symbolic ones too).
      Attributes a;
      const Shape& xs = im.tensor(x.id).shape;
      if (shape_is_concrete(xs)) {
        a.set("new_shape", Importer::to_i64(xs));
      } else {
        a.set("new_shape", std::vector<int64_t>(xs.size(), 0));
        a.set("copy_zero_dims", int64_t{1});
      }
      id = im.emit(OpType::reshape, {id}, a, name);
    }
    im.set(n, 0, {id, x.layout});
  }
}

void import_arithmetic(Importer& im, NodeRef n, OpType op) {
  Value b = im.in(n, 1);
  const Shape xs = im.logical_shape(im.in(n, 0));
  const Tensor& slope = im.tensor(b.id);
  if (op == OpType::prelu && im.opset() < 7 && slope.shape.size() == 1 && xs.size() >= 2 && slope.shape[0] == xs[1] &&
      slope.shape[0] != 1) {
    // PRelu before opset 7: a 1-D slope is per channel (dim 1), not numpy-broadcast against the last dim.
    std::vector<int64_t> cs(xs.size() - 1, 1);
    cs[0] = xs[1];
    Attributes a;
    a.set("new_shape", cs);
    b = {im.emit(OpType::reshape, {b.id}, a, slope.name + "/per_channel"), Layout::onnx};
  }
  im.binary(n, op, im.in(n, 0), b);
}

void import_variadic(Importer& im, NodeRef n, OpType op, bool mean) {
  const int count = n.input_size();
  if (count == 0) im.unsupported(n, "no inputs");
  if (count == 1 && !mean) {
    im.set(n, 0, im.in(n, 0));
    return;
  }
  if (count == 2 && !mean) {  // the common case, as one node named after the output
    im.binary(n, op, im.in(n, 0), im.in(n, 1));
    return;
  }
  // A chain of binary ops, left to right (the order onnxruntime accumulates in); Mean divides the sum by the count.
  const std::string name = im.out_name(n);
  onnx::NodeProto step = n;  // each step binds its output under a name of its own
  Value acc = im.in(n, 0);
  for (int i = 1; i < count; ++i) {
    const bool last = i == count - 1 && !mean;
    step.set_output(0, last ? name : fmt::format("{}/{}", name, i));
    im.binary(step, op, acc, im.in(n, i));
    acc = im.value_of(step.output(0), n);
  }
  if (mean) {
    const Tensor& t = im.tensor(acc.id);
    if (t.dtype != DType::f32) im.unsupported(n, fmt::format("a {} mean (only float)", dtype_name(t.dtype)));
    const Value c = {im.const_f32(name + "/count", {}, {static_cast<float>(count)}), Layout::onnx};
    im.binary(n, OpType::div, acc, c);
  }
}

void import_where(Importer& im, NodeRef n) {
  const int cond = im.onnx_order(im.in(n, 0)), x = im.onnx_order(im.in(n, 1)), y = im.onnx_order(im.in(n, 2));
  if (im.tensor(cond).dtype != DType::boolean)
    im.unsupported(n, fmt::format("a {} condition (bool expected)", dtype_name(im.tensor(cond).dtype)));
  if (im.tensor(x).dtype != im.tensor(y).dtype)
    im.unsupported(n, fmt::format("X {} and Y {} of different types", dtype_name(im.tensor(x).dtype),
                                  dtype_name(im.tensor(y).dtype)));
  im.set(n, 0, {im.emit(OpType::select_v2, {cond, x, y}, {}, im.out_name(n)), Layout::onnx});
}

void import_is_inf(Importer& im, NodeRef n) {
  Attributes a;
  a.set("detect_negative", attr_int(n, "detect_negative", 1));
  a.set("detect_positive", attr_int(n, "detect_positive", 1));
  im.unary(n, OpType::is_inf, a);
}

void import_mod(Importer& im, NodeRef n) {
  const Value a = im.in(n, 0);
  const bool fmod = attr_int(n, "fmod", 0) != 0;
  if (im.tensor(a.id).dtype == DType::f32 && !fmod)
    im.unsupported(n, "fmod 0 on floating-point operands (ONNX requires fmod 1 for them)");
  im.binary(n, fmod ? OpType::trunc_mod : OpType::floor_mod, a, im.in(n, 1));
}

// Pow with operands of two types: the exponent takes the base's type when it is an integer type and the base is
// float (exact for the small integers exponents are); an integer base with a float exponent is computed in float
// and truncated back, as onnxruntime does.
void import_pow(Importer& im, NodeRef n) {
  const Value a = im.in(n, 0), b = im.in(n, 1);
  const DType ta = im.tensor(a.id).dtype, tb = im.tensor(b.id).dtype;
  const std::string name = im.out_name(n);
  if (ta == tb) {
    im.binary(n, OpType::pow, a, b);
    return;
  }
  const auto cast = [&](Value v, DType t, const std::string& suffix) -> Value {
    return {im.emit_multi(OpType::cast, {v.id}, {}, {name + suffix}, true, {t})[0], v.layout};
  };
  const bool int_a = ta == DType::i32 || ta == DType::i64, int_b = tb == DType::i32 || tb == DType::i64;
  if (ta == DType::f32 && int_b) {
    im.binary(n, OpType::pow, a, cast(b, DType::f32, "/exponent"));
  } else if (int_a && tb == DType::f32) {
    onnx::NodeProto step = n;
    step.set_output(0, name + "/float");
    im.binary(step, OpType::pow, cast(a, DType::f32, "/base"), b);
    const Value f = im.value_of(step.output(0), n);
    im.set(n, 0, {im.emit_multi(OpType::cast, {f.id}, {}, {name}, true, {ta})[0], f.layout});
  } else if (int_a && int_b) {
    im.binary(n, OpType::pow, a, cast(b, ta, "/exponent"));
  } else {
    im.unsupported(n, fmt::format("operand types {} and {}", dtype_name(ta), dtype_name(tb)));
  }
}

}  // namespace qgate::onnx_import
