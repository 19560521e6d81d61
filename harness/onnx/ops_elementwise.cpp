// ONNX activations and elementwise arithmetic: each keeps its input's layout (an NHWC-stored value stays NHWC),
// binary ops broadcast as numpy does (Importer::binary). The one-call activations (Relu, Sigmoid, Exp, ...) are
// lambdas in the op table.
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

void import_elu(Importer& im, NodeRef n) {
  Attributes a;
  a.set("alpha", static_cast<double>(attr_float(n, "alpha", 1.0f)));
  if (attr_float(n, "alpha", 1.0f) != 1.0f) im.unsupported(n, "alpha != 1");
  im.unary(n, OpType::elu, a);
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

void import_max_min(Importer& im, NodeRef n, OpType op) {
  if (n.input_size() != 2) im.unsupported(n, fmt::format("{} inputs (only 2)", n.input_size()));
  im.binary(n, op, im.in(n, 0), im.in(n, 1));
}

}  // namespace qgate::onnx_import
