// ONNX window ops beyond the NHWC 2-D forms (ops_spatial.cpp): 1-D Conv as a 2-D one of height 1 (it keeps the
// fast, quantizable conv2d path), 3-D Conv, the pools of any spatial rank and the 2-D ones with ceil_mode,
// dilations, an Indices output or padding SAME cannot express, LpPool, MaxUnpool, ConvTranspose of any rank,
// groups and dilations, and Resize and Upsample in every mode, all channels-first (ONNX order).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

namespace {

// An int list attribute with a default of `fallback` for each of `count` dims.
std::vector<int64_t> ints_or(NodeRef n, const char* key, size_t count, int64_t fallback) {
  std::vector<int64_t> v = attr_ints(n, key);
  if (v.empty()) v.assign(count, fallback);
  return v;
}

// ONNX pads ([begins..., ends...]) of a window op, auto_pad resolved: SAME_UPPER / SAME_LOWER as TFLite's SAME
// arithmetic (the odd pad after, or before), VALID none.
std::vector<int64_t> resolve_pads(Importer& im, NodeRef n, const Shape& spatial_in, const std::vector<int64_t>& kernel,
                                  const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations) {
  const size_t s = spatial_in.size();
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  std::vector<int64_t> pads(2 * s, 0);
  if (auto_pad == "NOTSET") {
    const std::vector<int64_t> given = attr_ints(n, "pads");
    if (!given.empty() && given.size() != 2 * s)
      im.unsupported(n, fmt::format("pads [{}] for {} spatial dims", fmt::join(given, ","), s));
    if (!given.empty()) pads = given;
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t d = 0; d < s; ++d) {
      const auto [before, after] = same_padding(spatial_in[d], kernel[d], strides[d], dilations[d]);
      pads[d] = auto_pad == "SAME_UPPER" ? before : after;  // SAME_LOWER puts the odd pad before
      pads[s + d] = auto_pad == "SAME_UPPER" ? after : before;
    }
  } else if (auto_pad != "VALID") {
    im.unsupported(n, fmt::format("auto_pad '{}'", auto_pad));
  }
  return pads;
}

// These forms resolve pads, output sizes and taps at load: an input of symbolic size is refused (the NHWC 2-D
// forms of ops_spatial.cpp take symbolic sizes).
void require_known_sizes(Importer& im, NodeRef n) {
  const Shape s = im.logical_shape(im.in(n, 0));
  for (int32_t d : s)
    if (d < 0)
      im.unsupported(n, fmt::format("an input of symbolic size {} in a form that needs its sizes at load",
                                    im.graph().shape_text(s)));
}

}  // namespace

// Conv with a 1-D kernel: [N, C, L] as [N, C, 1, L] through the 2-D import (the same attributes with a height of
// 1 prepended), then back to [N, M, L'].
void import_conv_1d(Importer& im, NodeRef n) {
  require_known_sizes(im, n);
  const std::string name = im.out_name(n);
  const Shape xs = im.logical_shape(im.in(n, 0));
  const Shape ws = im.tensor(im.in(n, 1).id).shape;
  if (xs.size() != 3) im.unsupported(n, fmt::format("an input {} for a 1-D kernel", shape_string(xs)));
  onnx::NodeProto n2 = n;
  n2.clear_attribute();
  for (const auto& a : n.attribute()) {
    onnx::AttributeProto b = a;
    if (a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape") {
      b.clear_ints();
      b.add_ints(1);
      for (int64_t v : a.ints()) b.add_ints(v);
    } else if (a.name() == "pads") {
      if (a.ints_size() != 2) im.unsupported(n, fmt::format("pads of {} values for a 1-D kernel", a.ints_size()));
      b.clear_ints();
      for (int64_t v : {int64_t{0}, a.ints(0), int64_t{0}, a.ints(1)}) b.add_ints(v);
    }
    *n2.add_attribute() = b;
  }
  // The 2-D node reads its input and weight under names of its own.
  onnx::NodeProto binder;
  binder.set_op_type(n.op_type());
  binder.add_output(name + "/x_2d");
  binder.add_output(name + "/w_2d");
  Attributes rx, rw;
  rx.set("new_shape", std::vector<int64_t>{xs[0], xs[1], 1, xs[2]});
  rw.set("new_shape", std::vector<int64_t>{ws[0], ws[1], 1, ws[2]});
  im.set(binder, 0, {im.emit(OpType::reshape, {im.onnx_order(im.in(n, 0))}, rx, name + "/x_2d"), Layout::onnx});
  im.set(binder, 1, {im.emit(OpType::reshape, {im.in(n, 1).id}, rw, name + "/w_2d"), Layout::onnx});
  n2.set_input(0, name + "/x_2d");
  n2.set_input(1, name + "/w_2d");
  n2.set_output(0, name + "/2d");
  import_conv(im, n2);
  const Value y2 = im.value_of(name + "/2d", n);
  const Shape ys = im.logical_shape(y2);
  Attributes r3;
  r3.set("new_shape", std::vector<int64_t>{ys[0], ys[1], ys[3]});
  im.set(n, 0, {im.emit(OpType::reshape, {im.onnx_order(y2)}, r3, name), Layout::onnx});
}

// Conv and ConvTranspose of any spatial rank, groups and dilations, as CONV_ND / CONV_TRANSPOSE_ND.
void import_conv_nd(Importer& im, NodeRef n, bool transpose) {
  require_known_sizes(im, n);
  const std::string name = im.out_name(n);
  const int x = im.onnx_order(im.in(n, 0));
  const int w = im.onnx_order(im.in(n, 1));
  const Shape xs = im.tensor(x).shape, ws = im.tensor(w).shape;
  const size_t s = xs.size() < 3 ? 0 : xs.size() - 2;
  if (s < 1 || s > 3 || ws.size() != xs.size())
    im.unsupported(n, fmt::format("input {} with weight {} (1 to 3 spatial dims)", shape_string(xs), shape_string(ws)));
  const Shape in(xs.begin() + 2, xs.end());
  const std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  const std::vector<int64_t> strides = ints_or(n, "strides", s, 1), dil = ints_or(n, "dilations", s, 1);
  const int64_t group = attr_int(n, "group", 1);
  Attributes a;
  a.set("strides", strides);
  a.set("dilations", dil);
  a.set("group", group);
  if (!transpose) {
    a.set("pads", resolve_pads(im, n, in, kernel, strides, dil));
  } else {
    // ONNX's ConvTranspose: the full output is stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1;
    // output_shape, or SAME's in * stride, fixes the size and puts the difference in the pads.
    const std::vector<int64_t> out_pad = ints_or(n, "output_padding", s, 0);
    std::vector<int64_t> out_shape = attr_ints(n, "output_shape"), pads = attr_ints(n, "pads");
    const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
    if (out_shape.size() > s) out_shape.erase(out_shape.begin(), out_shape.end() - static_cast<long>(s));
    if (out_shape.empty() && (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER"))
      for (size_t d = 0; d < s; ++d) out_shape.push_back(in[d] * strides[d]);
    if (pads.empty()) pads.assign(2 * s, 0);
    std::vector<int64_t> out(s);
    for (size_t d = 0; d < s; ++d) {
      const int64_t full = strides[d] * (in[d] - 1) + out_pad[d] + (kernel[d] - 1) * dil[d] + 1;
      if (!out_shape.empty()) {
        // Halves rounded toward minus infinity, as ONNX's reference does: a total of -1 (an output_shape one
        // larger than the full output) extends the end, not the start.
        const int64_t total = full - out_shape[d];
        const int64_t half = total >= 0 ? total / 2 : -((1 - total) / 2);
        pads[d] = auto_pad == "SAME_UPPER" ? half : total - half;
        pads[s + d] = total - pads[d];
        out[d] = out_shape[d];
      } else {
        out[d] = full - pads[d] - pads[s + d];
      }
      if (out[d] < 1) im.unsupported(n, fmt::format("an output of size {} in spatial dim {}", out[d], d));
    }
    a.set("pads", pads);
    a.set("output_spatial", out);
  }
  std::vector<int> inputs = {x, w};
  if (im.has(n, 2)) inputs.push_back(im.onnx_order(im.in(n, 2)));
  im.set(n, 0, {im.emit(transpose ? OpType::conv_transpose_nd : OpType::conv_nd, inputs, a, name), Layout::onnx});
}

// MaxPool (with its Indices output), AveragePool, LpPool of any spatial rank as POOL_ND.
void import_pool_nd(Importer& im, NodeRef n, const char* kind) {
  require_known_sizes(im, n);
  const std::string name = im.out_name(n);
  const int x = im.onnx_order(im.in(n, 0));
  const Shape xs = im.tensor(x).shape;
  const size_t s = xs.size() < 3 ? 0 : xs.size() - 2;
  if (s < 1 || s > 3) im.unsupported(n, fmt::format("an input {} (1 to 3 spatial dims)", shape_string(xs)));
  const std::vector<int64_t> kernel = attr_ints(n, "kernel_shape");
  if (kernel.size() != s) im.unsupported(n, fmt::format("kernel_shape [{}] for {} spatial dims", fmt::join(kernel, ","), s));
  if (attr_int(n, "storage_order", 0) != 0) im.unsupported(n, "storage_order 1 (column-major indices)");
  const std::vector<int64_t> strides = ints_or(n, "strides", s, 1), dil = ints_or(n, "dilations", s, 1);
  Attributes a;
  a.set("kind", std::string(kind));
  a.set("kernel_shape", kernel);
  a.set("strides", strides);
  a.set("dilations", dil);
  a.set("pads", resolve_pads(im, n, Shape(xs.begin() + 2, xs.end()), kernel, strides, dil));
  a.set("ceil_mode", attr_int(n, "ceil_mode", 0));
  a.set("count_include_pad", attr_int(n, "count_include_pad", 0));
  a.set("p", attr_int(n, "p", 2));
  std::vector<std::string> names = {name};
  std::vector<DType> types = {DType::f32};
  if (n.output_size() > 1 && !n.output(1).empty()) {
    names.push_back(n.output(1));
    types.push_back(DType::i64);
  }
  const std::vector<int> outs = im.emit_multi(OpType::pool_nd, {x}, a, names, true, types);
  for (size_t o = 0; o < outs.size(); ++o) im.set(n, static_cast<int>(o), {outs[o], Layout::onnx});
}

// GlobalLpPool: LpPool with the whole spatial extent as its window.
void import_global_lp_pool(Importer& im, NodeRef n) {
  require_known_sizes(im, n);
  const Shape xs = im.logical_shape(im.in(n, 0));
  const std::string name = im.out_name(n);
  if (xs.size() < 3 || xs.size() > 5) im.unsupported(n, fmt::format("an input {}", shape_string(xs)));
  Attributes a;
  a.set("kind", std::string("lp"));
  a.set("kernel_shape", std::vector<int64_t>(xs.begin() + 2, xs.end()));
  a.set("p", attr_int(n, "p", 2));
  im.set(n, 0, {im.emit(OpType::pool_nd, {im.onnx_order(im.in(n, 0))}, a, name), Layout::onnx});
}

void import_max_unpool(Importer& im, NodeRef n) {
  require_known_sizes(im, n);
  const std::string name = im.out_name(n);
  const int x = im.onnx_order(im.in(n, 0));
  const Shape xs = im.tensor(x).shape;
  const size_t s = xs.size() - 2;
  // The size MaxPool's input had: (in - 1) * stride + kernel - pads.
  std::vector<int64_t> out;
  const std::vector<int64_t> k = attr_ints(n, "kernel_shape"), st = ints_or(n, "strides", s, 1);
  std::vector<int64_t> pads = attr_ints(n, "pads");
  if (pads.empty()) pads.assign(2 * s, 0);
  if (k.size() != s) im.unsupported(n, fmt::format("kernel_shape [{}]", fmt::join(k, ",")));
  for (size_t d = 0; d < s; ++d) out.push_back((xs[2 + d] - 1) * st[d] + k[d] - pads[d] - pads[s + d]);
  if (im.has(n, 2)) {
    // Another size than MaxPool's input leaves open which layout the flat indices count in (ONNX's tests place
    // them in MaxPool's input, a flat scatter into the output would not): refused rather than guessed.
    const std::vector<int64_t> shape = im.const_ints(n, 2, "output_shape");
    if (shape.size() != xs.size() || !std::equal(out.begin(), out.end(), shape.end() - static_cast<long>(s)))
      im.unsupported(n, fmt::format("output_shape [{}] other than MaxPool's input size [{}] (the indices' layout "
                                    "is ambiguous)", fmt::join(shape, ","), fmt::join(out, ",")));
  }
  Attributes a;
  a.set("output_spatial", out);
  im.set(n, 0, {im.emit(OpType::max_unpool_nd, {x, im.onnx_order(im.in(n, 1))}, a, name), Layout::onnx});
}

// Resize / Upsample as RESIZE_ND: the output sizes and per-dim scales resolved here (sizes given: scale = size /
// input; scales given: size = floor(input * scale), the scale kept as given, as ONNX's coordinate formulas use it).
void import_resize_nd(Importer& im, NodeRef n) {
  require_known_sizes(im, n);
  const std::string name = im.out_name(n);
  const int x = im.onnx_order(im.in(n, 0));
  const Shape xs = im.tensor(x).shape;
  const size_t rank = xs.size();
  const int opset = im.opset();
  const bool upsample = n.op_type() == "Upsample";
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  const int scales_input = upsample || opset < 11 ? 1 : 2;
  if (upsample && opset < 9) {
    for (float f : find_attr(n, "scales") ? std::vector<float>(find_attr(n, "scales")->floats().begin(),
                                                               find_attr(n, "scales")->floats().end())
                                          : std::vector<float>{})
      scales.push_back(f);
  } else if (!upsample && opset >= 11 && im.has(n, 3)) {
    sizes = im.const_ints(n, 3, "sizes");
  } else if (im.has(n, scales_input)) {
    const Tensor& st = im.tensor(im.in(n, scales_input).id);
    if (!st.is_constant || st.dtype != DType::f32) im.unsupported(n, "scales that are not a constant float tensor");
    for (int64_t i = 0; i < st.elements(); ++i) scales.push_back(st.as<float>()[i]);
  }
  if (!sizes.empty() && sizes.size() != rank) im.unsupported(n, fmt::format("sizes [{}] for rank {}", fmt::join(sizes, ","), rank));
  if (sizes.empty() && scales.size() != rank) im.unsupported(n, fmt::format("{} scales for rank {}", scales.size(), rank));
  const bool from_scales = sizes.empty();
  if (from_scales) {
    for (size_t d = 0; d < rank; ++d) sizes.push_back(static_cast<int64_t>(std::floor(xs[d] * static_cast<float>(scales[d]))));
  } else {
    scales.clear();
    for (size_t d = 0; d < rank; ++d) scales.push_back(static_cast<double>(static_cast<float>(sizes[d]) / static_cast<float>(xs[d])));
  }
  std::string mode = attr_string(n, "mode", "nearest");
  if (mode == "bilinear" || mode == "trilinear") mode = "linear";  // Upsample's older names
  const bool old = upsample || opset < 11;
  if (from_scales && !old && mode != "nearest" &&
      attr_string(n, "coordinate_transformation_mode", "half_pixel") == "align_corners")
    for (size_t d = 0; d < rank; ++d)
      if (static_cast<float>(xs[d]) * static_cast<float>(scales[d]) != static_cast<float>(sizes[d]))
        // align_corners divides by the resized length minus 1: ONNX's tests take in * scale, not the output size.
        im.unsupported(n, fmt::format("align_corners with scale {} giving a fractional size {} * {} in dim {} (which "
                                      "resized length the coordinates divide by is ambiguous)",
                                      static_cast<float>(scales[d]), xs[d], static_cast<float>(scales[d]), d));
  if (old && mode == "nearest")
    for (size_t d = 0; d < rank; ++d)
      if (sizes[d] < xs[d])  // onnxruntime rounds these up, not down: not ONNX's floor
        im.unsupported(n, fmt::format("opset-{} nearest downsampling (dim {}: {} to {})", opset, d, xs[d], sizes[d]));
  Attributes a;
  a.set("mode", mode);
  a.set("coordinate_transformation_mode", old ? std::string("asymmetric")
                                              : attr_string(n, "coordinate_transformation_mode", "half_pixel"));
  // Before opset 11 nearest meant the floor of the asymmetric coordinate.
  a.set("nearest_mode", old ? std::string("floor") : attr_string(n, "nearest_mode", "round_prefer_floor"));
  a.set("cubic_coeff_a", static_cast<double>(attr_float(n, "cubic_coeff_a", -0.75f)));
  a.set("exclude_outside", attr_int(n, "exclude_outside", 0));
  a.set("extrapolation_value", static_cast<double>(attr_float(n, "extrapolation_value", 0.0f)));
  a.set("sizes", sizes);
  a.set("scales", scales);
  if (!old && attr_string(n, "coordinate_transformation_mode", "") == "tf_crop_and_resize") {
    if (!im.has(n, 1)) im.unsupported(n, "tf_crop_and_resize without roi");
    const Tensor& roi = im.tensor(im.in(n, 1).id);
    if (!roi.is_constant || roi.dtype != DType::f32 || roi.elements() != static_cast<int64_t>(2 * rank))
      im.unsupported(n, "an roi that is not a constant float tensor of 2 * rank values");
    a.set("roi", std::vector<double>(roi.as<float>(), roi.as<float>() + roi.elements()));
  }
  if (find_attr(n, "antialias") && attr_int(n, "antialias", 0) != 0) im.unsupported(n, "antialias 1");
  im.set(n, 0, {im.emit(OpType::resize_nd, {x}, a, name), Layout::onnx});
}

void import_grid_sample(Importer& im, NodeRef n) {
  Attributes a;
  a.set("mode", attr_string(n, "mode", "bilinear"));
  a.set("padding_mode", attr_string(n, "padding_mode", "zeros"));
  a.set("align_corners", attr_int(n, "align_corners", 0));
  im.set(n, 0, {im.emit(OpType::grid_sample, {im.onnx_order(im.in(n, 0)), im.onnx_order(im.in(n, 1))}, a, im.out_name(n)),
                Layout::onnx});
}

void import_roi_align(Importer& im, NodeRef n) {
  Attributes a;
  a.set("mode", attr_string(n, "mode", "avg"));
  a.set("output_height", attr_int(n, "output_height", 1));
  a.set("output_width", attr_int(n, "output_width", 1));
  a.set("sampling_ratio", attr_int(n, "sampling_ratio", 0));
  a.set("spatial_scale", static_cast<double>(attr_float(n, "spatial_scale", 1.0f)));
  // Before opset 16 the only rule was output_half_pixel.
  a.set("coordinate_transformation_mode",
        attr_string(n, "coordinate_transformation_mode", im.opset() >= 16 ? "half_pixel" : "output_half_pixel"));
  std::vector<int> inputs;
  for (int i = 0; i < 3; ++i) inputs.push_back(im.onnx_order(im.in(n, i)));
  if (im.tensor(inputs[2]).dtype != DType::i64)
    inputs[2] = im.emit_multi(OpType::cast, {inputs[2]}, {}, {im.out_name(n) + "/batch_indices"}, true, {DType::i64})[0];
  im.set(n, 0, {im.emit(OpType::roi_align, inputs, a, im.out_name(n)), Layout::onnx});
}

}  // namespace qgate::onnx_import
