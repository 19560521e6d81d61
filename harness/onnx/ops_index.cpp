// ONNX indexing and rearranging ops: GatherElements, GatherND, ScatterElements (and its older name Scatter),
// ScatterND, Tile, OneHot, Trilu, ReverseSequence, DepthToSpace, SpaceToDepth. DepthToSpace (DCR) and SpaceToDepth run on the NHWC
// form, where TFLite's ops have ONNX's element order; DepthToSpace CRD is a reshape-transpose-reshape. The rest
// work in ONNX order.
#include <fmt/format.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

void import_gather_elements(Importer& im, NodeRef n) {
  const Value x = im.in(n, 0);
  Attributes a;
  a.set("axis", static_cast<int64_t>(
                    Importer::norm_axis(attr_int(n, "axis", 0), static_cast<int>(im.logical_shape(x).size()))));
  im.set(n, 0, {im.emit(OpType::gather_elements, {im.onnx_order(x), im.onnx_order(im.in(n, 1))}, a, im.out_name(n)),
                Layout::onnx});
}

void import_gather_nd(Importer& im, NodeRef n) {
  Attributes a;
  a.set("batch_dims", attr_int(n, "batch_dims", 0));
  im.set(n, 0, {im.emit(OpType::gather_nd, {im.onnx_order(im.in(n, 0)), im.onnx_order(im.in(n, 1))}, a, im.out_name(n)),
                Layout::onnx});
}

void import_scatter(Importer& im, NodeRef n, bool nd) {
  const Value x = im.in(n, 0);
  Attributes a;
  a.set("reduction", attr_string(n, "reduction", "none"));
  if (!nd)
    a.set("axis", static_cast<int64_t>(
                      Importer::norm_axis(attr_int(n, "axis", 0), static_cast<int>(im.logical_shape(x).size()))));
  im.set(n, 0, {im.emit(nd ? OpType::scatter_nd_update : OpType::scatter_elements,
                        {im.onnx_order(x), im.onnx_order(im.in(n, 1)), im.onnx_order(im.in(n, 2))}, a, im.out_name(n)),
                Layout::onnx});
}

void import_reverse_sequence(Importer& im, NodeRef n) {
  Attributes a;
  a.set("time_axis", attr_int(n, "time_axis", 0));
  a.set("batch_axis", attr_int(n, "batch_axis", 1));
  im.set(n, 0, {im.emit(OpType::reverse_sequence, {im.onnx_order(im.in(n, 0)), im.onnx_order(im.in(n, 1))}, a,
                        im.out_name(n)),
                Layout::onnx});
}

void import_tile(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const std::vector<int64_t> repeats = im.const_ints(n, 1, "repeats");
  im.set(n, 0, {im.emit(OpType::tile, {im.onnx_order(im.in(n, 0)), im.const_i64(name + "/repeats", repeats)}, {}, name),
                Layout::onnx});
}

// OneHot(indices, depth, values = [off, on]): float indices are truncated to int64 first, as ONNX specifies.
void import_one_hot(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  int idx = im.onnx_order(im.in(n, 0));
  if (im.tensor(idx).dtype != DType::i64 && im.tensor(idx).dtype != DType::i32)
    idx = im.emit_multi(OpType::cast, {idx}, {}, {name + "/indices"}, true, {DType::i64})[0];
  const std::vector<int64_t> depth = im.const_ints(n, 1, "depth");
  const int values = im.onnx_order(im.in(n, 2));
  if (im.tensor(values).elements() != 2)
    im.unsupported(n, fmt::format("values of shape {} (two values: off, on)", shape_string(im.tensor(values).shape)));
  Attributes g;
  g.set("axis", int64_t{0});
  const int off = im.emit(OpType::gather, {values, im.const_i32(name + "/off_index", {0}, Shape{})}, g, name + "/off");
  const int on = im.emit(OpType::gather, {values, im.const_i32(name + "/on_index", {1}, Shape{})}, g, name + "/on");
  Attributes a;
  a.set("axis", attr_int(n, "axis", -1));
  im.set(n, 0, {im.emit(OpType::one_hot, {idx, im.const_i64(name + "/depth", depth), on, off}, a, name), Layout::onnx});
}

void import_trilu(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  std::vector<int> inputs = {im.onnx_order(im.in(n, 0))};
  if (im.has(n, 1)) inputs.push_back(im.const_i64(name + "/k", im.const_ints(n, 1, "k")));
  Attributes a;
  a.set("upper", attr_int(n, "upper", 1));
  im.set(n, 0, {im.emit(OpType::trilu, inputs, a, name), Layout::onnx});
}

void import_depth_to_space(Importer& im, NodeRef n) {
  const int64_t bs = attr_int(n, "blocksize", 0);
  if (bs < 1) im.unsupported(n, fmt::format("blocksize {}", bs));
  const std::string mode = attr_string(n, "mode", "DCR");
  const std::string name = im.out_name(n);
  Attributes a;
  a.set("block_size", bs);
  if (mode == "DCR") {
    im.set(n, 0, {im.emit(OpType::depth_to_space, {im.nhwc(im.in(n, 0), n)}, a, name), Layout::nhwc});
    return;
  }
  if (mode != "CRD") im.unsupported(n, fmt::format("mode '{}'", mode));
  // CRD: depth index c * bs * bs + dy * bs + dx.
  const Value x = im.in(n, 0);
  const Shape s = im.logical_shape(x);
  if (s.size() != 4) im.unsupported(n, fmt::format("an input of rank {} (4-D only)", s.size()));
  const int64_t c = s[1] / (bs * bs);
  Attributes r6;
  r6.set("new_shape", std::vector<int64_t>{s[0], c, bs, bs, s[2], s[3]});
  const int t = im.emit(OpType::reshape, {im.onnx_order(x)}, r6, name + "/6d");
  const int p = im.transpose(t, {0, 1, 4, 2, 5, 3}, name + "/interleaved");
  Attributes r4;
  r4.set("new_shape", std::vector<int64_t>{s[0], c, s[2] * bs, s[3] * bs});
  im.set(n, 0, {im.emit(OpType::reshape, {p}, r4, name), Layout::onnx});
}

void import_space_to_depth(Importer& im, NodeRef n) {
  const int64_t bs = attr_int(n, "blocksize", 0);
  if (bs < 1) im.unsupported(n, fmt::format("blocksize {}", bs));
  Attributes a;
  a.set("block_size", bs);
  im.set(n, 0, {im.emit(OpType::space_to_depth, {im.nhwc(im.in(n, 0), n)}, a, im.out_name(n)), Layout::nhwc});
}

}  // namespace qgate::onnx_import
