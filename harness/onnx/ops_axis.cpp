// ONNX ops along axes that are not plain reductions: ArgMax, ArgMin, TopK, CumSum, Hardmax, LayerNormalization,
// InstanceNormalization, LRN, MeanVarianceNormalization, Einsum, Det. All in ONNX order but LRN, which works on
// the NHWC channel axis.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

void import_arg_minmax(Importer& im, NodeRef n, OpType op) {
  const Value x = im.in(n, 0);
  const int rank = static_cast<int>(im.logical_shape(x).size());
  const int axis = Importer::norm_axis(attr_int(n, "axis", 0), rank);
  Attributes a;
  a.set("keep_dims", attr_int(n, "keepdims", 1));
  a.set("select_last_index", attr_int(n, "select_last_index", 0));
  const std::string name = im.out_name(n);
  const int id = im.emit_multi(op, {im.onnx_order(x), im.const_i64(name + "/axis", {axis})}, a, {name}, true,
                               {DType::i64})[0];
  im.set(n, 0, {id, Layout::onnx});
}

void import_topk(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  std::vector<int64_t> k = im.opset() >= 10 ? im.const_ints(n, 1, "K") : std::vector<int64_t>{attr_int(n, "k", 0)};
  Attributes a;
  a.set("axis", attr_int(n, "axis", -1));
  a.set("largest", attr_int(n, "largest", 1));
  const std::string name = im.out_name(n);
  const std::vector<std::string> names = {name, n.output_size() > 1 && !n.output(1).empty() ? n.output(1)
                                                                                           : name + "/indices"};
  const int xid = im.onnx_order(x);
  const DType dt = im.tensor(xid).dtype;
  const std::vector<int> outs = im.emit_multi(OpType::topk_v2, {xid, im.const_i64(name + "/k", k)}, a, names, true,
                                              {dt, DType::i64});
  im.set(n, 0, {outs[0], Layout::onnx});
  im.set(n, 1, {outs[1], Layout::onnx});
}

void import_cumsum(Importer& im, NodeRef n) {
  const std::vector<int64_t> axis = im.const_ints(n, 1, "axis");
  Attributes a;
  a.set("exclusive", attr_int(n, "exclusive", 0));
  a.set("reverse", attr_int(n, "reverse", 0));
  const std::string name = im.out_name(n);
  im.set(n, 0, {im.emit(OpType::cumsum, {im.onnx_order(im.in(n, 0)), im.const_i64(name + "/axis", axis)}, a, name),
                Layout::onnx});
}

// Hardmax: before opset 13 over the input seen as 2-D [prod(dims < axis), prod(dims >= axis)] (as Softmax).
void import_hardmax(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const int rank = static_cast<int>(ls.size());
  const int axis = Importer::norm_axis(attr_int(n, "axis", im.opset() >= 13 ? -1 : 1), rank);
  const std::string name = im.out_name(n);
  Attributes a;
  if (im.opset() >= 13) {
    a.set("axis", static_cast<int64_t>(axis));
    im.set(n, 0, {im.emit(OpType::hardmax, {im.onnx_order(x)}, a, name), Layout::onnx});
    return;
  }
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < rank; ++k) (k < axis ? outer : inner) *= ls[k];
  Attributes flat;
  flat.set("new_shape", std::vector<int64_t>{outer, inner});
  const int f = im.emit(OpType::reshape, {im.onnx_order(x)}, flat, name + "/2d");
  a.set("axis", int64_t{1});
  const int h = im.emit(OpType::hardmax, {f}, a, name + "/hardmax");
  Attributes back;
  back.set("new_shape", Importer::to_i64(ls));
  im.set(n, 0, {im.emit(OpType::reshape, {h}, back, name), Layout::onnx});
}

void import_layer_norm(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  const int rank = static_cast<int>(ls.size());
  const int axis = Importer::norm_axis(attr_int(n, "axis", -1), rank);
  const std::string name = im.out_name(n);
  // Scale and bias broadcast against the normalized dims: expanded to exactly those dims (folded at load when
  // they are constants).
  const std::vector<int64_t> norm_dims(ls.begin() + axis, ls.end());
  int64_t count = 1;
  for (int64_t d : norm_dims) count *= d;
  std::vector<int> inputs = {im.onnx_order(x)};
  for (int i = 1; i <= 2; ++i) {
    if (!im.has(n, i)) continue;
    int id = im.onnx_order(im.in(n, i));
    if (im.tensor(id).elements() != count)
      id = im.emit(OpType::broadcast_to, {id, im.const_i64(name + fmt::format("/shape{}", i), norm_dims)}, {},
                   name + (i == 1 ? "/scale" : "/bias"));
    inputs.push_back(id);
  }
  Attributes a;
  a.set("axis", static_cast<int64_t>(axis));
  a.set("epsilon", static_cast<double>(attr_float(n, "epsilon", 1e-5f)));
  // Y, then Mean and InvStdDev when the node names them (an unnamed Mean before a named InvStdDev gets a name).
  std::vector<std::string> names = {name};
  for (int o = 1; o < n.output_size(); ++o)
    if (!n.output(o).empty()) {
      while (static_cast<int>(names.size()) < o) names.push_back(name + fmt::format("/stat{}", names.size()));
      names.push_back(n.output(o));
    }
  const std::vector<int> outs = im.emit_multi(OpType::layer_norm, inputs, a, names);
  for (size_t o = 0; o < outs.size(); ++o) im.set(n, static_cast<int>(o), {outs[o], Layout::onnx});
}

void import_instance_norm(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  const Shape ls = im.logical_shape(x);
  if (ls.size() < 3) im.unsupported(n, fmt::format("an input of rank {} (at least [N, C, D])", ls.size()));
  Attributes a;
  a.set("num_groups", static_cast<int64_t>(ls[1]));
  a.set("epsilon", static_cast<double>(attr_float(n, "epsilon", 1e-5f)));
  im.set(n, 0, {im.emit(OpType::group_norm, {im.onnx_order(x), im.onnx_order(im.in(n, 1)), im.onnx_order(im.in(n, 2))},
                        a, im.out_name(n)),
                Layout::onnx});
}

// LRN across the channels of a 4-D NCHW input, run on its NHWC form: the window floor((size - 1) / 2) before and
// ceil((size - 1) / 2) after every channel, alpha divided by size (ONNX's definition).
void import_lrn(Importer& im, NodeRef n) {
  const int64_t size = attr_int(n, "size", 0);
  if (size < 1) im.unsupported(n, fmt::format("size {}", size));
  const int x = im.nhwc(im.in(n, 0), n);
  Attributes a;
  a.set("radius", (size - 1) / 2);
  a.set("radius_after", size - 1 - (size - 1) / 2);
  a.set("alpha", static_cast<double>(attr_float(n, "alpha", 1e-4f)) / static_cast<double>(size));
  a.set("beta", static_cast<double>(attr_float(n, "beta", 0.75f)));
  a.set("bias", static_cast<double>(attr_float(n, "bias", 1.0f)));
  im.set(n, 0, {im.emit(OpType::local_response_normalization, {x}, a, im.out_name(n)), Layout::nhwc});
}

// MeanVarianceNormalization as ONNX's function body: (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9) over `axes`.
void import_mvn(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const int x = im.onnx_order(im.in(n, 0));
  std::vector<int64_t> axes = attr_ints(n, "axes");
  if (axes.empty()) axes = {0, 2, 3};
  const int rank = static_cast<int>(im.tensor(x).shape.size());
  for (int64_t& a : axes) a = Importer::norm_axis(a, rank);
  Attributes keep;
  keep.set("keep_dims", int64_t{1});
  const int ax = im.const_i32(name + "/axes", axes);
  const int mean = im.emit(OpType::mean, {x, ax}, keep, name + "/mean");
  const int sq = im.emit(OpType::square, {x}, {}, name + "/x2");
  const int mean_sq = im.emit(OpType::mean, {sq, ax}, keep, name + "/mean_x2");
  const int sq_mean = im.emit(OpType::square, {mean}, {}, name + "/mean2");
  const int var = im.emit(OpType::sub, {mean_sq, sq_mean}, {}, name + "/variance");
  const int sd = im.emit(OpType::sqrt, {var}, {}, name + "/std");
  const int den = im.emit(OpType::add, {sd, im.const_f32(name + "/epsilon", {}, {1e-9f})}, {}, name + "/std_eps");
  const int centred = im.emit(OpType::sub, {x, mean}, {}, name + "/centred");
  im.set(n, 0, {im.emit(OpType::div, {centred, den}, {}, name), Layout::onnx});
}

void import_einsum(Importer& im, NodeRef n) {
  std::vector<int> inputs;
  for (int i = 0; i < n.input_size(); ++i) inputs.push_back(im.onnx_order(im.in(n, i)));
  Attributes a;
  a.set("equation", attr_string(n, "equation", ""));
  im.set(n, 0, {im.emit(OpType::einsum, inputs, a, im.out_name(n)), Layout::onnx});
}

void import_det(Importer& im, NodeRef n) {
  im.set(n, 0, {im.emit(OpType::det, {im.onnx_order(im.in(n, 0))}, {}, im.out_name(n)), Layout::onnx});
}

}  // namespace qgate::onnx_import
