// ONNX matrix products and whole-axis ops: Gemm and MatMul (FULLY_CONNECTED with the weight transposed to
// [N, K] at load, or BATCH_MATMUL), ReduceMean / ReduceSum / ReduceMax and the global pools (reductions that stay
// NHWC when the channel axis survives), Softmax and LogSoftmax (opset < 13: over the input flattened to 2-D).
#include <set>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {
namespace {

void reduce(Importer& im, NodeRef n, OpType op, Value x, std::vector<int64_t> axes, bool keep) {
  const Shape ls = im.logical_shape(x);
  const int rank = static_cast<int>(ls.size());
  if (axes.empty())
    for (int k = 0; k < rank; ++k) axes.push_back(k);
  for (int64_t& a : axes) a = Importer::norm_axis(a, rank);
  const std::string name = im.out_name(n);
  Attributes at;
  at.set("keep_dims", static_cast<int64_t>(keep));
  if (x.layout == Layout::nhwc) {
    std::set<int64_t> s(axes.begin(), axes.end());
    const bool c_kept = !s.count(1), spatial_kept = !s.count(2) || !s.count(3);
    if (keep || !(c_kept && spatial_kept)) {
      std::vector<int64_t> mapped;
      for (int64_t a : axes) mapped.push_back(kToNhwcPos[a]);
      const int id = im.emit(op, {x.id, im.const_i32(name + "/axes", mapped)}, at, name);
      im.set(n, 0, {id, keep ? Layout::nhwc : Layout::onnx});
      return;
    }
  }
  im.set(n, 0, {im.emit(op, {im.onnx_order(x), im.const_i32(name + "/axes", axes)}, at, name), Layout::onnx});
}

}  // namespace

void import_gemm(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const float alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
  const bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
  int a = im.onnx_order(im.in(n, 0));
  if (im.tensor(a).shape.size() != 2) im.unsupported(n, "a non-2-D A");
  if (ta) a = im.transpose(a, {1, 0}, name + "/At");
  const Value bv = im.in(n, 1);
  if (!im.tensor(bv.id).is_constant) im.unsupported(n, "a non-constant B");
  // FULLY_CONNECTED weights are [N, K]: B^T unless transB.
  int w = tb ? bv.id : im.transpose(bv.id, {1, 0}, name + "/Bt");
  if (alpha != 1.0f) w = im.emit(OpType::mul, {w, im.const_f32(name + "/alpha", {}, {alpha})}, {}, name + "/weights");
  const int64_t nout = im.tensor(w).shape[0];
  std::vector<int> inputs = {a, w};
  int add_after = -1;
  if (im.has(n, 2) && beta != 0.0f) {
    const Tensor& c = im.tensor(im.in(n, 2).id);
    if (c.is_constant && c.elements() == nout && (c.shape.size() == 1 || c.shape[0] == 1)) {
      std::vector<float> bias(c.as<float>(), c.as<float>() + nout);
      for (float& v : bias) v *= beta;
      inputs.push_back(im.const_f32(name + "/bias", {static_cast<int32_t>(nout)}, bias));
    } else {
      add_after = im.in(n, 2).id;
      if (beta != 1.0f)
        add_after = im.emit(OpType::mul, {im.onnx_order(im.in(n, 2)), im.const_f32(name + "/beta", {}, {beta})}, {},
                            name + "/C");
    }
  }
  int id = im.emit(OpType::fully_connected, inputs, {}, add_after < 0 ? name : name + "/fc");
  if (add_after >= 0) id = im.emit(OpType::add, {id, add_after}, {}, name);
  im.set(n, 0, {id, Layout::onnx});
}

void import_matmul(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const int a = im.onnx_order(im.in(n, 0));
  const Value bv = im.in(n, 1);
  const Tensor& b = im.tensor(bv.id);
  const Shape as = im.tensor(a).shape;
  if (b.is_constant && b.shape.size() == 2 && as.size() >= 2) {
    const int w = im.transpose(bv.id, {1, 0}, name + "/Bt");
    Attributes at;
    at.set("keep_num_dims", int64_t{1});
    im.set(n, 0, {im.emit(OpType::fully_connected, {a, w}, at, name), Layout::onnx});
    return;
  }
  if (as.size() < 2 || b.shape.size() < 2) im.unsupported(n, "a 1-D operand");
  im.set(n, 0, {im.emit(OpType::batch_matmul, {a, im.onnx_order(bv)}, {}, name), Layout::onnx});
}

void import_global_pool(Importer& im, NodeRef n, OpType op) {
  const Value x = im.in(n, 0);
  const int rank = static_cast<int>(im.logical_shape(x).size());
  std::vector<int64_t> axes;
  for (int k = 2; k < rank; ++k) axes.push_back(k);
  reduce(im, n, op, x, axes, true);
}

void import_reduce(Importer& im, NodeRef n, OpType op) {
  std::vector<int64_t> axes = attr_ints(n, "axes");
  // ReduceSum takes its axes as an input from opset 13 (the other reductions from opset 18, beyond qgate's 17).
  if (op == OpType::sum && im.opset() >= 13 && im.has(n, 1)) axes = im.const_ints(n, 1, "axes");
  if (attr_int(n, "noop_with_empty_axes", 0) != 0 && axes.empty()) {
    // No axes and noop_with_empty_axes: the identity.
    im.set(n, 0, im.in(n, 0));
    return;
  }
  reduce(im, n, op, im.in(n, 0), axes, attr_int(n, "keepdims", 1) != 0);
}

// The reductions ONNX composes from elementwise ops and a SUM (or MAX): ReduceL1 = sum |x|, ReduceL2 =
// sqrt(sum x^2), ReduceSumSquare = sum x^2, ReduceLogSum = log(sum x), ReduceLogSumExp = log(sum exp(x - m)) + m
// with m the maximum (so exp never overflows).
void import_reduce_composite(Importer& im, NodeRef n, const std::string& kind) {
  const std::string name = im.out_name(n);
  const Value x = im.in(n, 0);
  const std::vector<int64_t> axes = attr_ints(n, "axes");
  const bool keep = attr_int(n, "keepdims", 1) != 0;
  // Each step is a reduction bound under a name of its own, then the elementwise op after it.
  onnx::NodeProto step = n;
  step.set_output(0, name + "/sum");
  const auto sum_of = [&](Value v) {
    reduce(im, step, OpType::sum, v, axes, keep);
    return im.value_of(step.output(0), n);
  };
  const auto elementwise = [&](OpType op, Value v, const std::string& suffix) -> Value {
    return {im.emit(op, {v.id}, {}, suffix.empty() ? name : name + suffix), v.layout};
  };
  Value r;
  if (kind == "L1") {
    r = sum_of(elementwise(OpType::abs, x, "/abs"));
  } else if (kind == "SumSquare") {
    r = sum_of(elementwise(OpType::square, x, "/square"));
  } else if (kind == "L2") {
    r = elementwise(OpType::sqrt, sum_of(elementwise(OpType::square, x, "/square")), "");
  } else if (kind == "LogSum") {
    r = elementwise(OpType::log, sum_of(x), "");
  } else {  // LogSumExp
    onnx::NodeProto max_step = n;
    max_step.set_output(0, name + "/max");
    reduce(im, max_step, OpType::reduce_max, x, axes, true);
    const Value m = im.value_of(max_step.output(0), n);
    onnx::NodeProto sub = n;
    sub.set_output(0, name + "/shifted");
    im.binary(sub, OpType::sub, x, m);
    const Value e = elementwise(OpType::exp, im.value_of(sub.output(0), n), "/exp");
    const Value l = elementwise(OpType::log, sum_of(e), "/log");
    // The maximum, with the reduced dims dropped when keepdims is 0 (the sum's shape).
    Value mm = m;
    if (!keep) {
      Attributes a;
      a.set("new_shape", Importer::to_i64(im.logical_shape(l)));
      mm = {im.emit(OpType::reshape, {im.onnx_order(m)}, a, name + "/max_dropped"), Layout::onnx};
    }
    im.binary(n, OpType::add, l, mm);
    return;
  }
  im.set(n, 0, r);
}

void import_softmax(Importer& im, NodeRef n, bool log) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const int rank = static_cast<int>(ls.size());
  const int axis = Importer::norm_axis(attr_int(n, "axis", im.opset() >= 13 ? -1 : 1), rank);
  const OpType op = log ? OpType::log_softmax : OpType::softmax;
  const std::string name = im.out_name(n);
  if (im.opset() < 13 && axis == rank - 1 && im.symbolic(x)) {
    // The 2-D view [prod(dims < axis), last] normalizes each row of the last axis: the softmax on that axis, which
    // needs no flattening of symbolic sizes.
    im.set(n, 0, {im.emit(op, {im.onnx_order(x)}, {}, name), Layout::onnx});
    return;
  }
  if (im.opset() < 13) {
    // Before opset 13 the input is seen as 2-D [prod(dims < axis), prod(dims >= axis)].
    const int flat = im.flatten_2d(n, x, axis, name + "/2d");
    const int s = im.emit(op, {flat}, {}, name + "/softmax");
    if (!im.symbolic(x)) {
      Attributes b;
      b.set("new_shape", Importer::to_i64(ls));
      im.set(n, 0, {im.emit(OpType::reshape, {s}, b, name), Layout::onnx});
    } else {
      im.set(n, 0, {im.emit(OpType::reshape, {s, im.shape_tensor(x, 0, rank, name + "/shape")}, {}, name),
                    Layout::onnx});
    }
    return;
  }
  if (x.layout == Layout::nhwc && axis == 1) {
    im.set(n, 0, {im.emit(op, {x.id}, {}, name), Layout::nhwc});
    return;
  }
  if (axis == rank - 1) {
    im.set(n, 0, {im.emit(op, {im.onnx_order(x)}, {}, name), Layout::onnx});
    return;
  }
  std::vector<int64_t> perm;
  for (int k = 0; k < rank; ++k)
    if (k != axis) perm.push_back(k);
  perm.push_back(axis);
  std::vector<int64_t> inv(rank);
  for (int k = 0; k < rank; ++k) inv[perm[k]] = k;
  const int t = im.transpose(im.onnx_order(x), perm, name + "/axis_last");
  const int s = im.emit(op, {t}, {}, name + "/softmax");
  im.set(n, 0, {im.transpose(s, inv, name), Layout::onnx});
}

}  // namespace qgate::onnx_import
