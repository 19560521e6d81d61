// ONNX window ops, imported NHWC: Conv (groups, dilation, pads; depthwise when every group is one channel),
// ConvTranspose, MaxPool, AveragePool, Resize, and BatchNormalization (folded into the conv before it when it can
// be, else a per-channel MUL and ADD). Filters are transposed at load: OIHW -> OHWI, depthwise -> 1HWO.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/fold_batch_norm.h"
#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {
namespace {

// A BatchNormalization right after the conv that produced its input x, where nothing else reads x: the conv
// takes the scale and shift into its filter and bias.
bool fold_into_conv(Importer& im, int x, const std::vector<float>& scale, const std::vector<float>& shift) {
  Graph& g = im.graph();
  if (g.nodes.empty()) return false;
  Node& conv = g.nodes.back();
  if ((conv.op != OpType::conv2d && conv.op != OpType::depthwise_conv2d) || conv.outputs[0] != x) return false;
  if (!im.read_at_most_once(x)) return false;
  return fold_batch_norm_into_conv(g, conv, scale, shift, g.tensors[x].name + "/bias_bn");
}

}  // namespace

void import_conv(Importer& im, NodeRef n) {
  const Value xv = im.in(n, 0);
  // Copies: adding tensors below may move the graph's tensor vector.
  const Shape w_shape = im.tensor(im.in(n, 1).id).shape;
  const std::string w_name = im.tensor(im.in(n, 1).id).name;
  const bool constant_weight = im.tensor(im.in(n, 1).id).is_constant;
  // 1-D with a constant weight: a 2-D conv of height 1; other ranks and run-time weights: the direct CONV_ND.
  if (w_shape.size() == 3 && constant_weight) return import_conv_1d(im, n);
  if (w_shape.size() != 4 || !constant_weight) return import_conv_nd(im, n, /*transpose=*/false);
  const int x = im.nhwc(xv, n);
  const Shape xs = im.tensor(x).shape;
  const int64_t group = attr_int(n, "group", 1);
  std::vector<int64_t> strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations");
  if (strides.empty()) strides = {1, 1};
  if (dil.empty()) dil = {1, 1};
  const int64_t kh = w_shape[2], kw = w_shape[3];
  const std::string name = im.out_name(n);
  WindowPadding pad = im.window_padding(n, xs, kh, kw, strides[0], strides[1], dil[0], dil[1]);
  int xin = x;
  if (!pad.explicit_pads.empty()) xin = im.pad_nhwc(x, pad.explicit_pads, 0.0f, name + "/pad");
  Attributes a;
  a.set("stride_h", strides[0]);
  a.set("stride_w", strides[1]);
  a.set("dilation_h_factor", dil[0]);
  a.set("dilation_w_factor", dil[1]);
  a.set("padding", pad.tflite);
  const int64_t cin = xs[3], cout = w_shape[0];
  std::vector<int> inputs;
  OpType op = OpType::conv2d;
  if (group > 1 && group == cin && w_shape[1] == 1) {
    op = OpType::depthwise_conv2d;
    a.set("depth_multiplier", cout / cin);
    inputs = {xin, im.transpose(im.in(n, 1).id, {1, 2, 3, 0}, w_name + "/1hwo")};
  } else {
    inputs = {xin, im.transpose(im.in(n, 1).id, {0, 2, 3, 1}, w_name + "/ohwi")};
  }
  if (im.has(n, 2)) inputs.push_back(im.in(n, 2).id);
  im.set(n, 0, {im.emit(op, inputs, a, name), Layout::nhwc});
}

void import_pool(Importer& im, NodeRef n, bool is_max) {
  // The NHWC 2-D pools take 2-D windows without dilation, ceil_mode or Indices, and average padding that is SAME or
  // counted; everything else goes to POOL_ND.
  const Shape ls = im.logical_shape(im.in(n, 0));
  std::vector<int64_t> k = attr_ints(n, "kernel_shape"), strides = attr_ints(n, "strides"),
                       dil = attr_ints(n, "dilations");
  if (strides.empty()) strides = {1, 1};
  const bool include_pad = !is_max && attr_int(n, "count_include_pad", 0) != 0;
  bool nd = ls.size() != 4 || k.size() != 2 || strides.size() != 2 || attr_int(n, "ceil_mode", 0) != 0 ||
            (!dil.empty() && (dil.size() != 2 || dil[0] != 1 || dil[1] != 1)) ||
            attr_int(n, "storage_order", 0) != 0 || (n.output_size() > 1 && !n.output(1).empty()) ||
            attr_ints(n, "pads").size() > 4;
  if (!nd) {
    const WindowPadding probe = im.window_padding(n, {ls[0], ls[2], ls[3], ls[1]}, k[0], k[1], strides[0], strides[1], 1, 1);
    nd = !probe.explicit_pads.empty() && !is_max && !include_pad;
  }
  if (nd) return import_pool_nd(im, n, is_max ? "max" : "average");
  const int x = im.nhwc(im.in(n, 0), n);
  const Shape xs = im.tensor(x).shape;
  const std::string name = im.out_name(n);
  WindowPadding pad = im.window_padding(n, xs, k[0], k[1], strides[0], strides[1], 1, 1);
  int xin = x;
  if (include_pad && pad.tflite == 0) {
    // TFLite's SAME average excludes the padding; count_include_pad needs the zeros padded explicitly.
    if ((xs[1] < 0 && strides[0] > 1) || (xs[2] < 0 && strides[1] > 1))
      im.unsupported(n, fmt::format("count_include_pad 1 with SAME padding and stride > 1 over input {} of symbolic size",
                                    im.graph().shape_text(xs)));
    const auto [t, b] = same_padding(xs[1] < 0 ? k[0] : xs[1], k[0], strides[0], 1);
    const auto [l, r] = same_padding(xs[2] < 0 ? k[1] : xs[2], k[1], strides[1], 1);
    pad.explicit_pads = {t, l, b, r};
    pad.tflite = 1;
  }
  if (!pad.explicit_pads.empty()) {
    if (!is_max && !include_pad)
      im.unsupported(n, fmt::format("asymmetric pads [{}] with count_include_pad 0 (not expressible as SAME)",
                                    fmt::join(attr_ints(n, "pads"), ",")));
    xin = im.pad_nhwc(x, pad.explicit_pads, is_max ? -std::numeric_limits<float>::infinity() : 0.0f, name + "/pad");
  }
  Attributes a;
  a.set("stride_h", strides[0]);
  a.set("stride_w", strides[1]);
  a.set("filter_height", k[0]);
  a.set("filter_width", k[1]);
  a.set("padding", pad.tflite);
  im.set(n, 0, {im.emit(is_max ? OpType::max_pool2d : OpType::average_pool2d, {xin}, a, name), Layout::nhwc});
}

namespace {

// ConvTranspose over an input of symbolic size, by explicit pads: the full output (in - 1) * stride + kernel +
// max(output_padding - pad_end, 0) is computed at prepare from the input's SHAPE, and the crop [pad_begin,
// full - max(pad_end - output_padding, 0)) has constant offsets from both ends.
void conv_transpose_symbolic(Importer& im, NodeRef n, int x, const Shape& xs, const std::vector<int64_t>& strides,
                             const std::vector<int64_t>& out_pad, const std::vector<int64_t>& pads, bool sized) {
  if (sized)
    im.unsupported(n, fmt::format("output_shape or auto_pad over input {} of symbolic size (explicit pads only)",
                                  im.graph().shape_text(xs)));
  const Shape w_shape = im.tensor(im.in(n, 1).id).shape;  // [Cin, Cout, KH, KW]
  const std::string w_name = im.tensor(im.in(n, 1).id).name;
  const std::string name = im.out_name(n);
  const int64_t cout = w_shape[1];
  int64_t grow[2], cut[2];
  for (int k = 0; k < 2; ++k) {
    grow[k] = std::max<int64_t>(out_pad[k] - pads[k + 2], 0);
    cut[k] = std::max<int64_t>(pads[k + 2] - out_pad[k], 0);
  }
  // [N, H, W, C] * [1, sh, sw, 0] + [0, kh - sh + grow, kw - sw + grow, Cout]
  const int dims = im.emit_multi(OpType::shape, {x}, {}, {name + "/input_shape"}, true, {DType::i32})[0];
  const int scaled = im.emit(OpType::mul, {dims, im.const_i32(name + "/stride", {1, strides[0], strides[1], 0})}, {},
                             name + "/scaled");
  const int full = im.emit(OpType::add, {scaled, im.const_i32(name + "/extent", {0, w_shape[2] - strides[0] + grow[0],
                                                                                w_shape[3] - strides[1] + grow[1], cout})},
                           {}, name + "/output_shape");
  Attributes a;
  a.set("stride_h", strides[0]);
  a.set("stride_w", strides[1]);
  a.set("padding", int64_t{1});
  std::vector<int> inputs = {full, im.transpose(im.in(n, 1).id, {1, 2, 3, 0}, w_name + "/ohwi"), x};
  if (im.has(n, 2)) inputs.push_back(im.in(n, 2).id);
  const bool crop = pads[0] != 0 || pads[1] != 0 || cut[0] != 0 || cut[1] != 0;
  int id = im.emit(OpType::transpose_conv, inputs, a, crop ? name + "/full" : name);
  if (crop) {
    Attributes c;
    c.set("begin_mask", int64_t{0b1001});
    c.set("end_mask", int64_t{0b1001} | (cut[0] == 0 ? 0b0010 : 0) | (cut[1] == 0 ? 0b0100 : 0));
    id = im.emit(OpType::strided_slice,
                 {id, im.const_i32(name + "/begin", {0, pads[0], pads[1], 0}),
                  im.const_i32(name + "/end", {0, -cut[0], -cut[1], 0}), im.const_i32(name + "/strides", {1, 1, 1, 1})},
                 c, name);
  }
  im.set(n, 0, {id, Layout::nhwc});
}

}  // namespace

// ONNX ConvTranspose (2-D, group 1, dilation 1) as TRANSPOSE_CONV with VALID padding onto the full output
// ((in - 1) * stride + kernel, or more for output_padding), then a crop of [pad_begin, pad_begin + out).
void import_conv_transpose(Importer& im, NodeRef n) {
  const Value xv = im.in(n, 0);
  const Tensor& wt = im.tensor(im.in(n, 1).id);
  // TRANSPOSE_CONV takes a constant 2-D weight without groups or dilation, and pads that only crop; the rest goes
  // to CONV_TRANSPOSE_ND.
  bool nd = !wt.is_constant || wt.shape.size() != 4 || attr_int(n, "group", 1) != 1;
  for (int64_t d : attr_ints(n, "dilations")) nd |= d != 1;
  if (nd) return import_conv_nd(im, n, /*transpose=*/true);
  const Shape w_shape = wt.shape;  // [Cin, Cout, KH, KW]
  const std::string w_name = wt.name;
  const Shape ls = im.logical_shape(xv);
  if (ls.size() != 4) return import_conv_nd(im, n, /*transpose=*/true);
  const Shape xs = {ls[0], ls[2], ls[3], ls[1]};  // the NHWC shape, before anything is emitted
  std::vector<int64_t> strides = attr_ints(n, "strides"), out_pad = attr_ints(n, "output_padding"),
                       pads = attr_ints(n, "pads"), out_shape = attr_ints(n, "output_shape");
  if (strides.empty()) strides = {1, 1};
  if (out_pad.empty()) out_pad = {0, 0};
  if (pads.empty()) pads = {0, 0, 0, 0};
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (out_shape.size() > 2) out_shape.erase(out_shape.begin(), out_shape.end() - 2);
  if (!shape_is_concrete(xs)) {
    conv_transpose_symbolic(im, n, im.nhwc(xv, n), xs, strides, out_pad, pads,
                            !out_shape.empty() || auto_pad != "NOTSET");
    return;
  }
  if (out_shape.empty() && (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER"))
    out_shape = {xs[1] * strides[0], xs[2] * strides[1]};
  int64_t begin[2], out[2];
  for (int k = 0; k < 2; ++k) {
    const int64_t in_k = xs[1 + k], kk = w_shape[2 + k];
    if (!out_shape.empty()) {
      const int64_t total = strides[k] * (in_k - 1) + out_pad[k] + kk - out_shape[k];
      begin[k] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      out[k] = out_shape[k];
    } else {
      begin[k] = pads[k];
      out[k] = strides[k] * (in_k - 1) + out_pad[k] + kk - pads[k] - pads[k + 2];
    }
    if (begin[k] < 0 || out[k] < 1) return import_conv_nd(im, n, /*transpose=*/true);
  }
  const int x = im.nhwc(xv, n);
  const std::string name = im.out_name(n);
  const int64_t cout = w_shape[1];
  int64_t full[2];
  for (int k = 0; k < 2; ++k)
    full[k] = std::max<int64_t>((xs[1 + k] - 1) * strides[k] + w_shape[2 + k], begin[k] + out[k]);
  Attributes a;
  a.set("stride_h", strides[0]);
  a.set("stride_w", strides[1]);
  a.set("padding", int64_t{1});
  std::vector<int> inputs = {im.const_i32(name + "/output_shape", {xs[0], full[0], full[1], cout}),
                             im.transpose(im.in(n, 1).id, {1, 2, 3, 0}, w_name + "/ohwi"), x};
  if (im.has(n, 2)) inputs.push_back(im.in(n, 2).id);
  const bool crop = begin[0] != 0 || begin[1] != 0 || full[0] != out[0] || full[1] != out[1];
  int id = im.emit(OpType::transpose_conv, inputs, a, crop ? name + "/full" : name);
  if (crop)
    id = im.emit(OpType::strided_slice,
                 {id, im.const_i32(name + "/begin", {0, begin[0], begin[1], 0}),
                  im.const_i32(name + "/end", {xs[0], begin[0] + out[0], begin[1] + out[1], cout}),
                  im.const_i32(name + "/strides", {1, 1, 1, 1})},
                 {}, name);
  im.set(n, 0, {id, Layout::nhwc});
}

// ONNX Resize of the two spatial dims of a 4-D NCHW tensor as RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR where
// TFLite's arithmetic is ONNX's; every other resize as RESIZE_ND (ops_window_nd.cpp).
void import_resize(Importer& im, NodeRef n) {
  const Value xv = im.in(n, 0);
  const Shape ls = im.logical_shape(xv);
  if (ls.size() != 4) return import_resize_nd(im, n);
  const int opset = im.opset();
  const std::string mode = attr_string(n, "mode", "nearest");
  const std::string ctm = attr_string(n, "coordinate_transformation_mode", opset < 11 ? "asymmetric" : "half_pixel");
  // Before opset 11 nearest took the floor of the asymmetric coordinate (when upsampling).
  const std::string nearest_mode = attr_string(n, "nearest_mode", opset < 11 ? "floor" : "round_prefer_floor");
  std::vector<int64_t> out_hw;
  std::vector<float> scales;
  const int scales_input = opset < 11 ? 1 : 2;
  const std::string name = im.out_name(n);
  int size_at_prepare = -1;  // the output size as an int32 [2] tensor computed at prepare (symbolic input sizes)
  if (opset >= 11 && im.has(n, 3) && !im.tensor(im.in(n, 3).id).is_constant) {
    // Sizes computed from shapes (a resize to another tensor's size): H and W read at prepare.
    const Tensor& st = im.tensor(im.in(n, 3).id);
    if (st.shape != Shape{4}) im.unsupported(n, fmt::format("sizes of shape {} (expected [4])", shape_string(st.shape)));
    Attributes g;
    g.set("axis", int64_t{0});
    const int hw = im.emit(OpType::gather, {im.in(n, 3).id, im.const_i32(name + "/hw", {2, 3})}, g, name + "/sizes_hw");
    size_at_prepare = im.emit_multi(OpType::cast, {hw}, {}, {name + "/size"}, true, {DType::i32})[0];
  } else if (opset >= 11 && im.has(n, 3)) {
    const std::vector<int64_t> sizes = im.const_ints(n, 3, "sizes");
    if (sizes.size() != 4 || !Importer::dims_match(sizes[0], ls[0]) || !Importer::dims_match(sizes[1], ls[1]))
      return import_resize_nd(im, n);
    out_hw = {sizes[2], sizes[3]};
  } else if (im.has(n, scales_input)) {
    const Tensor& st = im.tensor(im.in(n, scales_input).id);
    if (!st.is_constant || st.dtype != DType::f32) im.unsupported(n, "non-constant scales");
    if (st.elements() != 4) return import_resize_nd(im, n);
    scales.assign(st.as<float>(), st.as<float>() + 4);
    if (scales[0] != 1.0f || scales[1] != 1.0f) return import_resize_nd(im, n);
  }
  if (size_at_prepare < 0 && !scales.empty() && (ls[2] < 0 || ls[3] < 0)) {
    // A symbolic size scaled: exact (in * scale, as TFLite's size-derived scale) only for whole-number scales.
    if (scales[2] != std::floor(scales[2]) || scales[3] != std::floor(scales[3]) || scales[2] < 1 || scales[3] < 1)
      im.unsupported(n, fmt::format("scales [{},{}] over input {} of symbolic size (only whole-number scales)",
                                    scales[2], scales[3], im.graph().shape_text(ls)));
    const int nhwc_x = im.nhwc(xv, n);
    const int dims = im.emit_multi(OpType::shape, {nhwc_x}, {}, {name + "/input_shape"}, true, {DType::i32})[0];
    Attributes g;
    g.set("axis", int64_t{0});
    const int hw = im.emit(OpType::gather, {dims, im.const_i32(name + "/hw", {1, 2})}, g, name + "/input_hw");
    size_at_prepare = im.emit(OpType::mul, {hw, im.const_i32(name + "/scale", {static_cast<int64_t>(scales[2]),
                                                                               static_cast<int64_t>(scales[3])})},
                              {}, name + "/size");
  } else if (!scales.empty()) {
    out_hw = {static_cast<int64_t>(std::floor(ls[2] * scales[2])), static_cast<int64_t>(std::floor(ls[3] * scales[3]))};
    // TFLite derives the coordinate scale from the sizes; the ONNX spec uses the given scale.
    if (ls[2] * scales[2] != static_cast<float>(out_hw[0]) || ls[3] * scales[3] != static_cast<float>(out_hw[1]))
      return import_resize_nd(im, n);
  } else if (size_at_prepare < 0 && out_hw.empty()) {
    im.unsupported(n, "neither scales nor sizes");
  }
  if (size_at_prepare >= 0 && ctm == "pytorch_half_pixel")
    im.unsupported(n, "pytorch_half_pixel over a size known only at prepare (it depends on whether the size is 1)");
  if (find_attr(n, "antialias") && attr_int(n, "antialias", 0) != 0) im.unsupported(n, "antialias 1");
  // The forms TFLite's resize ops do not express go to RESIZE_ND, which needs every size at load.
  const auto resize_nd = [&] {
    if (size_at_prepare >= 0)
      im.unsupported(n, fmt::format("mode '{}' with coordinate_transformation_mode '{}' over input {} of symbolic size",
                                    mode, ctm, im.graph().shape_text(ls)));
    import_resize_nd(im, n);
  };
  if (attr_int(n, "exclude_outside", 0) != 0 || ctm == "tf_crop_and_resize") return resize_nd();
  Attributes a;
  OpType op;
  if (mode == "linear") {
    op = OpType::resize_bilinear;
    if (ctm == "half_pixel" || (ctm == "pytorch_half_pixel" && out_hw[0] > 1 && out_hw[1] > 1))
      a.set("half_pixel_centers", int64_t{1});
    else if (ctm == "align_corners") a.set("align_corners", int64_t{1});
    else if (ctm != "asymmetric") return resize_nd();
  } else if (mode == "nearest") {
    op = OpType::resize_nearest_neighbor;
    if (ctm == "asymmetric" && nearest_mode == "floor") {
    } else if (ctm == "align_corners" && nearest_mode == "round_prefer_ceil") {
      a.set("align_corners", int64_t{1});
    } else if (ctm == "tf_half_pixel_for_nn" && nearest_mode == "floor") {
      a.set("half_pixel_centers", int64_t{1});
    } else {
      return resize_nd();
    }
  } else {
    return resize_nd();
  }
  const int x = im.nhwc(xv, n);
  const int size = size_at_prepare >= 0 ? size_at_prepare : im.const_i32(name + "/size", out_hw);
  im.set(n, 0, {im.emit(op, {x, size}, a, name), Layout::nhwc});
}

// Inference BatchNormalization: scale = gamma / sqrt(var + eps), shift = beta - mean * scale per channel.
void import_batch_norm(Importer& im, NodeRef n) {
  if (attr_int(n, "training_mode", 0) != 0 || n.output_size() > 1) im.unsupported(n, "training mode");
  const Value x = im.in(n, 0);
  const std::string name = im.out_name(n);
  std::vector<const Tensor*> p;
  for (int i = 1; i <= 4; ++i) {
    const Tensor& t = im.tensor(im.in(n, i).id);
    if (!t.is_constant || t.dtype != DType::f32 || t.shape.size() != 1)
      im.unsupported(n, fmt::format("a non-constant or non-1-D parameter (input {})", i));
    p.push_back(&t);
  }
  const int64_t c = p[0]->shape[0];
  const float eps = attr_float(n, "epsilon", 1e-5f);
  std::vector<float> scale(c), shift(c);
  for (int64_t k = 0; k < c; ++k) {
    scale[k] = p[0]->as<float>()[k] / std::sqrt(p[3]->as<float>()[k] + eps);
    shift[k] = p[1]->as<float>()[k] - p[2]->as<float>()[k] * scale[k];
  }
  const int rank = static_cast<int>(im.logical_shape(x).size());
  Shape cshape;
  if (x.layout == Layout::nhwc) {
    cshape = {static_cast<int32_t>(c)};
  } else {
    cshape = Shape(std::max(rank - 1, 1), 1);
    cshape[0] = static_cast<int32_t>(c);
  }
  if (fold_into_conv(im, x.id, scale, shift)) {
    im.set(n, 0, x);
    return;
  }
  const int m = im.emit(OpType::mul, {x.id, im.const_f32(name + "/scale", cshape, scale)}, {}, name + "/scaled");
  im.set(n, 0, {im.emit(OpType::add, {m, im.const_f32(name + "/shift", cshape, shift)}, {}, name), x.layout});
}

}  // namespace qgate::onnx_import
