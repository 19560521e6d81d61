// ONNX plumbing and data movement: Identity, Dropout, Constant, Shape (a constant where the dimensions are
// concrete, else a SHAPE node computed at prepare), Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Gather,
// Pad, Slice, Split and Expand. Shape arithmetic on constants folds at load (Importer::emit); on symbolic shapes it
// runs once per input-shape set, at prepare. Concat, Pad and Split stay NHWC when their inputs are; the others work
// in ONNX order.
#include <algorithm>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {
namespace {

void reshape_to(Importer& im, NodeRef n, const Value& x, const std::vector<int64_t>& shape) {
  Attributes a;
  a.set("new_shape", shape);
  im.set(n, 0, {im.emit(OpType::reshape, {im.onnx_order(x)}, a, im.out_name(n)), Layout::onnx});
}

// Squeeze / Unsqueeze axes: an attribute before opset 13, a constant input after.
std::vector<int64_t> squeeze_axes(Importer& im, NodeRef n) {
  return im.opset() >= 13 && im.has(n, 1) ? im.const_ints(n, 1, "axes") : attr_ints(n, "axes");
}

}  // namespace

void import_identity(Importer& im, NodeRef n) { im.set(n, 0, im.in(n, 0)); }

// Dropout at inference is the identity and its mask all true. In training mode (a constant training_mode input,
// opset 12 on) it draws random numbers unless its ratio is 0.
void import_dropout(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  if (im.opset() >= 12 && im.has(n, 2)) {
    const Tensor& tm = im.tensor(im.in(n, 2).id);
    if (!tm.is_constant) im.unsupported(n, "a training_mode computed at run time");
    const bool training = tm.as<uint8_t>()[0] != 0;
    const float ratio = im.has(n, 1) ? im.const_scalar(n, 1, "ratio") : 0.5f;
    if (training && ratio != 0.0f)
      im.unsupported(n, fmt::format("training_mode true with ratio {} (random draws)", ratio));
  } else if (im.opset() < 7 && attr_int(n, "is_test", 0) == 0) {
    // Before opset 7 the default is training; onnxruntime and exporters treat it as inference all the same.
  }
  im.set(n, 0, x);
  if (n.output_size() > 1 && !n.output(1).empty()) {
    const Shape ls = im.logical_shape(x);
    Tensor one;
    one.name = n.output(1) + "/true";
    one.dtype = one.file_dtype = DType::boolean;
    one.is_constant = true;
    one.allocate();
    one.as<uint8_t>()[0] = 1;
    const int value = im.add(std::move(one));
    im.set(n, 1, {im.emit(OpType::fill, {im.const_i64(n.output(1) + "/dims", Importer::to_i64(ls)), value}, {},
                          n.output(1)),
                  Layout::onnx});
  }
}

void import_constant(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  if (const auto* a = find_attr(n, "value")) {
    Tensor t = tensor_from_proto(a->t(), im.source());
    t.name = name;
    im.set(n, 0, {im.add(std::move(t)), Layout::onnx});
  } else if (const auto* a = find_attr(n, "value_float")) {
    im.set(n, 0, {im.const_f32(name, {}, {a->f()}), Layout::onnx});
  } else if (const auto* a = find_attr(n, "value_floats")) {
    im.set(n, 0, {im.const_f32(name, {a->floats_size()}, {a->floats().begin(), a->floats().end()}), Layout::onnx});
  } else if (const auto* a = find_attr(n, "value_int")) {
    const int id = im.const_i64(name, {a->i()});
    im.tensor(id).shape = {};
    im.set(n, 0, {id, Layout::onnx});
  } else if (const auto* a = find_attr(n, "value_ints")) {
    im.set(n, 0, {im.const_i64(name, {a->ints().begin(), a->ints().end()}), Layout::onnx});
  } else {
    im.unsupported(n, "a value attribute other than value/value_float(s)/value_int(s)");
  }
}

void import_shape(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const int rank = static_cast<int>(im.logical_shape(x).size());
  int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  im.set(n, 0, {im.shape_tensor(x, static_cast<int>(start), static_cast<int>(end), im.out_name(n)), Layout::onnx});
}

void import_reshape(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const bool allowzero = attr_int(n, "allowzero", 0) != 0;
  if (im.opset() >= 5 && !im.tensor(im.in(n, 1).id).is_constant) {
    // A new shape computed from the input shapes (torch's x.view(x.size(0), -1)): read at prepare; a 0 copies.
    Attributes a;
    if (!allowzero) a.set("copy_zero_dims", int64_t{1});
    im.set(n, 0, {im.emit(OpType::reshape, {im.onnx_order(x), im.in(n, 1).id}, a, im.out_name(n)), Layout::onnx});
    return;
  }
  std::vector<int64_t> want = im.opset() < 5 ? attr_ints(n, "shape") : im.const_ints(n, 1, "shape");
  bool copy_zero = false;
  for (size_t k = 0; k < want.size(); ++k)
    if (want[k] == 0 && !allowzero) {
      if (k >= ls.size()) im.unsupported(n, "a 0 in shape beyond the input's rank");
      if (ls[k] < 0) copy_zero = true;  // a symbolic dimension: copied at prepare
      else want[k] = ls[k];
    }
  if (!copy_zero) {
    reshape_to(im, n, x, want);
    return;
  }
  Attributes a;
  a.set("new_shape", want);
  a.set("copy_zero_dims", int64_t{1});
  im.set(n, 0, {im.emit(OpType::reshape, {im.onnx_order(x)}, a, im.out_name(n)), Layout::onnx});
}

void import_flatten(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const int axis = Importer::norm_axis(attr_int(n, "axis", 1), static_cast<int>(im.logical_shape(x).size()));
  im.set(n, 0, {im.flatten_2d(n, x, axis, im.out_name(n)), Layout::onnx});
}

void import_squeeze(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const std::vector<int64_t> axes = squeeze_axes(im, n);
  const int rank = static_cast<int>(ls.size());
  std::set<int64_t> s;
  for (int64_t a : axes) s.insert(Importer::norm_axis(a, rank));
  std::vector<int64_t> shape;
  for (int k = 0; k < rank; ++k)
    if (!(axes.empty() ? ls[k] == 1 : s.count(k) != 0)) shape.push_back(ls[k]);
  if (im.symbolic(x)) {
    // SQUEEZE keeps the symbolic dimensions where they are (without axes: the dimensions that are 1 at load).
    std::vector<int64_t> dims;
    for (int k = 0; k < rank; ++k)
      if (axes.empty() ? ls[k] == 1 : s.count(k) != 0) dims.push_back(k);
    Attributes a;
    a.set("squeeze_dims", dims);
    im.set(n, 0, {im.emit(OpType::squeeze, {im.onnx_order(x)}, a, im.out_name(n)), Layout::onnx});
    return;
  }
  reshape_to(im, n, x, shape);
}

void import_unsqueeze(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const std::vector<int64_t> axes = squeeze_axes(im, n);
  const int rank = static_cast<int>(ls.size() + axes.size());
  std::set<int64_t> s;
  for (int64_t a : axes) s.insert(Importer::norm_axis(a, rank));
  std::vector<int64_t> shape;
  for (int k = 0, j = 0; k < rank; ++k) shape.push_back(s.count(k) ? 1 : ls[j++]);
  if (im.symbolic(x)) {
    // One EXPAND_DIMS per new axis, in increasing order: each axis is a position in the output.
    int id = im.onnx_order(x);
    int step = 0;
    for (int64_t a : s) {
      const std::string name = step + 1 == static_cast<int>(s.size()) ? im.out_name(n)
                                                                       : fmt::format("{}/unsqueeze{}", im.out_name(n), step);
      id = im.emit(OpType::expand_dims, {id, im.const_i32(name + "/axis", {a}, {1})}, {}, name);
      ++step;
    }
    im.set(n, 0, {id, Layout::onnx});
    return;
  }
  reshape_to(im, n, x, shape);
}

void import_transpose(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const int rank = static_cast<int>(im.logical_shape(x).size());
  std::vector<int64_t> perm = attr_ints(n, "perm");
  if (perm.empty())
    for (int k = rank - 1; k >= 0; --k) perm.push_back(k);
  im.set(n, 0, {im.transpose(im.onnx_order(x), perm, im.out_name(n)), Layout::onnx});
}

void import_concat(Importer& im, NodeRef n) {
  std::vector<Value> xs;
  for (int i = 0; i < n.input_size(); ++i) xs.push_back(im.in(n, i));
  const int rank = static_cast<int>(im.logical_shape(xs[0]).size());
  const int axis = Importer::norm_axis(attr_int(n, "axis", 0), rank);
  const bool all_nhwc = std::all_of(xs.begin(), xs.end(), [](const Value& v) { return v.layout == Layout::nhwc; });
  Attributes a;
  std::vector<int> ids;
  for (const Value& v : xs) ids.push_back(all_nhwc ? v.id : im.onnx_order(v));
  a.set("axis", static_cast<int64_t>(all_nhwc ? kToNhwcPos[axis] : axis));
  im.set(n, 0, {im.emit(OpType::concatenation, ids, a, im.out_name(n)), all_nhwc ? Layout::nhwc : Layout::onnx});
}

void import_gather(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const int rank = static_cast<int>(im.logical_shape(x).size());
  const int axis = Importer::norm_axis(attr_int(n, "axis", 0), rank);
  int idx = im.in(n, 1).id;
  Tensor& it = im.tensor(idx);
  if (it.is_constant && im.logical_shape(x)[axis] >= 0) {
    // ONNX allows negative indices (counted from the end); qgate's GATHER does not.
    const int64_t dim = im.logical_shape(x)[axis];
    Tensor t;
    t.name = it.name + "/normalized";
    t.dtype = t.file_dtype = DType::i32;
    t.shape = it.shape;
    t.is_constant = true;
    t.allocate();
    for (int64_t k = 0; k < it.elements(); ++k) {
      int64_t v = it.dtype == DType::i64 ? it.as<int64_t>()[k] : it.as<int32_t>()[k];
      t.as<int32_t>()[k] = static_cast<int32_t>(v < 0 ? v + dim : v);
    }
    idx = im.add(std::move(t));
  }
  Attributes a;
  a.set("axis", static_cast<int64_t>(axis));
  // qgate extension (no TFLite field): run-time negative indices count from the end, as ONNX specifies.
  a.set("wrap_negative_indices", int64_t{1});
  im.set(n, 0, {im.emit(OpType::gather, {im.onnx_order(x), idx}, a, im.out_name(n)), Layout::onnx});
}

void import_pad(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const Value x = im.in(n, 0);
  const std::string mode = attr_string(n, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge") im.unsupported(n, fmt::format("mode '{}'", mode));
  std::vector<int64_t> pads = im.opset() >= 11 ? im.const_ints(n, 1, "pads") : attr_ints(n, "pads");
  const DType dt = im.tensor(x.id).dtype;
  float value = 0.0f;
  if (mode == "constant" && dt == DType::f32)
    value = im.opset() >= 11 ? (im.has(n, 2) ? im.const_scalar(n, 2, "constant_value") : 0.0f)
                             : attr_float(n, "value", 0.0f);
  if (mode == "constant" && dt != DType::f32 && im.opset() >= 11 && im.has(n, 2)) {
    const std::vector<int64_t> v = im.const_ints(n, 2, "constant_value");
    if (v.size() != 1 || v[0] != 0) im.unsupported(n, fmt::format("a constant_value [{}] for {} data", fmt::join(v, ","),
                                                                  dtype_name(dt)));
  }
  if (im.opset() >= 18 && im.has(n, 3)) im.unsupported(n, "the axes input");
  const int rank = static_cast<int>(im.logical_shape(x).size());
  if (static_cast<int>(pads.size()) != 2 * rank)
    im.unsupported(n, fmt::format("pads [{}] for rank {}", fmt::join(pads, ","), rank));
  for (int64_t p : pads)
    if (p < 0) im.unsupported(n, "negative pads (cropping)");
  std::vector<int64_t> flat(2 * rank);
  const bool keep_nhwc = x.layout == Layout::nhwc;
  for (int k = 0; k < rank; ++k) {
    const int pos = keep_nhwc ? kToNhwcPos[k] : k;
    flat[2 * pos] = pads[k];
    flat[2 * pos + 1] = pads[rank + k];
  }
  const int paddings = im.const_i32(name + "/paddings", flat, {rank, 2});
  const int src = keep_nhwc ? x.id : im.onnx_order(x);
  if (mode != "constant") {
    Attributes a;
    a.set("mode", int64_t{mode == "reflect" ? 0 : 2});  // MIRROR_PAD's REFLECT, qgate's EDGE
    im.set(n, 0, {im.emit(OpType::mirror_pad, {src, paddings}, a, name), x.layout});
    return;
  }
  if (dt != DType::f32) {  // PAD: zeros of any type
    im.set(n, 0, {im.emit(OpType::pad, {src, paddings}, {}, name), x.layout});
    return;
  }
  const int v = im.const_f32(name + "/value", {}, {value});
  im.set(n, 0, {im.emit(OpType::padv2, {src, paddings, v}, {}, name), x.layout});
}

// ONNX Slice (starts/ends/axes/steps, clamped per the spec) as STRIDED_SLICE over explicit per-dim ranges.
void import_slice(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const int rank = static_cast<int>(ls.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    starts = attr_ints(n, "starts");
    ends = attr_ints(n, "ends");
    axes = attr_ints(n, "axes");
  } else {
    starts = im.const_ints(n, 1, "starts");
    ends = im.const_ints(n, 2, "ends");
    if (im.has(n, 3)) axes = im.const_ints(n, 3, "axes");
    if (im.has(n, 4)) steps = im.const_ints(n, 4, "steps");
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    im.unsupported(n, "starts/ends/axes/steps of different lengths");
  std::vector<int64_t> begin(rank, 0), end(ls.begin(), ls.end()), stride(rank, 1);
  int64_t end_mask = 0;
  int64_t begin_mask = 0;
  for (int a = 0; a < rank; ++a)
    if (ls[a] < 0) {  // a symbolic dimension not sliced: taken whole
      begin_mask |= int64_t{1} << a;
      end_mask |= int64_t{1} << a;
      end[a] = 0;
    }
  for (size_t i = 0; i < starts.size(); ++i) {
    const int a = Importer::norm_axis(axes[i], rank);
    const int64_t d = ls[a], st = steps[i];
    if (st == 0) im.unsupported(n, "step 0");
    if (d < 0) {
      // A symbolic size: STRIDED_SLICE counts negative starts and ends from the end and clamps to the size, as
      // ONNX does for positive steps; an end past any int32 size means "to the end".
      if (st < 0) im.unsupported(n, fmt::format("a negative step on axis {} of symbolic size ({})", a, im.graph().shape_text(ls)));
      begin_mask &= ~(int64_t{1} << a);
      end_mask &= ~(int64_t{1} << a);
      begin[a] = std::clamp<int64_t>(starts[i], std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      end[a] = ends[i];
      if (ends[i] >= std::numeric_limits<int32_t>::max()) {
        end_mask |= int64_t{1} << a;
        end[a] = 0;
      }
      end[a] = std::clamp<int64_t>(end[a], std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      stride[a] = st;
      continue;
    }
    int64_t b = starts[i] < 0 ? starts[i] + d : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (st > 0) {
      b = std::clamp<int64_t>(b, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      b = std::clamp<int64_t>(b, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      if (e < 0) end_mask |= int64_t{1} << a;  // "through index 0": TFLite would read -1 as the last index
    }
    begin[a] = b;
    end[a] = e;
    stride[a] = st;
  }
  Attributes at;
  at.set("end_mask", end_mask);
  if (begin_mask) at.set("begin_mask", begin_mask);
  const std::string name = im.out_name(n);
  im.set(n, 0, {im.emit(OpType::strided_slice, {im.onnx_order(x), im.const_i32(name + "/begin", begin),
                                                im.const_i32(name + "/end", end), im.const_i32(name + "/strides", stride)},
                        at, name),
                Layout::onnx});
}

void import_split(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const int axis = Importer::norm_axis(attr_int(n, "axis", 0), static_cast<int>(ls.size()));
  std::vector<int64_t> sizes = im.opset() >= 13 && im.has(n, 1) ? im.const_ints(n, 1, "split") : attr_ints(n, "split");
  const int64_t parts = n.output_size();
  if (sizes.empty() && ls[axis] < 0) {
    // Equal parts of a symbolic size: SPLIT divides at prepare.
    std::vector<std::string> names(n.output().begin(), n.output().end());
    const bool keep = x.layout == Layout::nhwc;
    const int src = keep ? x.id : im.onnx_order(x);
    Attributes a;
    a.set("num_splits", parts);
    const std::vector<int> outs = im.emit_multi(
        OpType::split, {im.const_i32(names[0] + "/axis", {keep ? kToNhwcPos[axis] : axis}, {1}), src}, a, names);
    for (int i = 0; i < parts; ++i) im.set(n, i, {outs[i], x.layout});
    return;
  }
  if (sizes.empty()) {
    if (ls[axis] % parts != 0) im.unsupported(n, fmt::format("an uneven split of {} into {}", ls[axis], parts));
    sizes.assign(parts, ls[axis] / parts);
  }
  std::vector<std::string> names(n.output().begin(), n.output().end());
  const bool keep = x.layout == Layout::nhwc;
  const int src = keep ? x.id : im.onnx_order(x);
  Attributes a;
  a.set("num_splits", parts);
  const std::vector<int> outs =
      im.emit_multi(OpType::split_v, {src, im.const_i32(names[0] + "/sizes", sizes),
                                      im.const_i32(names[0] + "/axis", {keep ? kToNhwcPos[axis] : axis}, {1})},
                    a, names);
  for (int i = 0; i < parts; ++i) im.set(n, i, {outs[i], x.layout});
}

// Expand is numpy broadcasting of the input against a shape: input + zeros(shape) with the broadcasting ADD is the
// same value, and folds at load when the input is a constant (torch's zero initial states).
void import_expand(Importer& im, NodeRef n) {
  const std::vector<int64_t> want = im.const_ints(n, 1, "shape");
  Shape zs;
  for (int64_t d : want) {
    if (d < 1 || d > std::numeric_limits<int32_t>::max())
      im.unsupported(n, fmt::format("shape [{}] (every dimension must be positive)", fmt::join(want, ",")));
    zs.push_back(static_cast<int32_t>(d));
  }
  const Tensor& x = im.tensor(im.in(n, 0).id);
  if (x.dtype != DType::f32) {
    // Other types: a broadcasting copy.
    im.set(n, 0, {im.emit(OpType::broadcast_to, {im.onnx_order(im.in(n, 0)), im.const_i64(im.out_name(n) + "/shape", want)},
                          {}, im.out_name(n)),
                  Layout::onnx});
    return;
  }
  int64_t count = 1;
  for (int32_t d : zs) count *= d;
  const int zeros = im.const_f32(x.name + "/expand_zeros", zs, std::vector<float>(static_cast<size_t>(count), 0.0f));
  im.binary(n, OpType::add, im.in(n, 0), {zeros, Layout::onnx});
}

}  // namespace qgate::onnx_import
