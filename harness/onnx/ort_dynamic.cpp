// onnxruntime's dynamic quantization (ort_dynamic.h): the pattern matcher over the ONNX graph, the fused hybrid
// layers it emits, and the integer ops (Cast, DynamicQuantizeLinear, MatMulInteger, ConvInteger) imported one by
// one where no pattern covers them.
#include "harness/onnx/ort_dynamic.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

OrtDynamicPatterns find_ort_dynamic_patterns(const onnx::ModelProto& model, const std::string& source) {
  OrtDynamicPatterns found;
  const onnx::GraphProto& graph = model.graph();
  const auto& nodes = graph.node();
  std::map<std::string, std::vector<const onnx::NodeProto*>> consumers;
  std::map<std::string, const onnx::NodeProto*> producer;
  std::set<std::string> graph_outputs;
  for (const auto& o : graph.output()) graph_outputs.insert(o.name());
  for (const auto& n : nodes) {
    for (const auto& i : n.input()) consumers[i].push_back(&n);
    for (const auto& o : n.output()) producer[o] = &n;
  }
  auto initializer = [&](const std::string& name) { return find_constant_proto(graph, name); };
  auto only_consumer = [&](const std::string& name) -> const onnx::NodeProto* {
    auto it = consumers.find(name);
    if (graph_outputs.count(name) || it == consumers.end() || it->second.size() != 1) return nullptr;
    return it->second[0];
  };
  auto produced_by = [&](const std::string& name, const char* op) -> const onnx::NodeProto* {
    auto it = producer.find(name);
    return it != producer.end() && it->second->op_type() == op && it->second->domain().empty() ? it->second : nullptr;
  };
  // The weight: a constant int8 [K, N] without -128 (the hybrid GEMM's precondition), zero point all 0.
  auto weight_ok = [&](const std::string& w, const std::string& zp) {
    const onnx::TensorProto* t = initializer(w);
    if (!t || t->data_type() != kInt8 || t->dims_size() != 2) return false;
    const Tensor wt = tensor_from_proto(*t, source);
    for (int64_t i = 0; i < wt.elements(); ++i)
      if (wt.as<int8_t>()[i] == -128) return false;
    if (zp.empty()) return true;
    const onnx::TensorProto* z = initializer(zp);
    if (!z || z->data_type() != kInt8) return false;
    const Tensor zt = tensor_from_proto(*z, source);
    for (int64_t i = 0; i < zt.elements(); ++i)
      if (zt.as<int8_t>()[i] != 0) return false;
    return zt.elements() == 1 || zt.elements() == wt.shape[1];
  };
  auto scale_ok = [&](const std::string& name, int64_t n) {
    const onnx::TensorProto* t = initializer(name);
    if (!t || t->data_type() != kFloat) return false;
    int64_t e = 1;
    for (int64_t d : t->dims()) e *= d;
    return e == 1 || e == n;
  };
  auto out_columns = [&](const std::string& w) { return initializer(w)->dims(1); };
  // A trailing Add of a constant float [N] bias.
  auto take_bias = [&](OrtDynamicPattern& p, const std::string& out) {
    const onnx::NodeProto* add = only_consumer(out);
    if (!add || add->op_type() != "Add" || !add->domain().empty() || add->input_size() != 2) return;
    const std::string other = add->input(0) == out ? add->input(1) : add->input(0);
    const onnx::TensorProto* b = initializer(other);
    if (!b || b->data_type() != kFloat || b->dims_size() != 1 || b->dims(0) != out_columns(p.weight)) return;
    p.bias = other;
    p.covered.push_back(add);
    p.final = add;
  };
  auto arg = [](const onnx::NodeProto& n, int i) { return i < n.input_size() ? n.input(i) : std::string(); };
  // The conv weight: a constant int8 [O, I/group, KH, KW] without -128, zero point 0 (scalar or per O).
  auto conv_weight_ok = [&](const onnx::NodeProto& n) {
    const onnx::TensorProto* t = initializer(arg(n, 1));
    if (!t || t->data_type() != kInt8 || t->dims_size() != 4) return false;
    const Tensor wt = tensor_from_proto(*t, source);
    for (int64_t i = 0; i < wt.elements(); ++i)
      if (wt.as<int8_t>()[i] == -128) return false;
    const std::string zp = arg(n, 3);
    if (zp.empty()) return true;
    const onnx::TensorProto* z = initializer(zp);
    if (!z || z->data_type() != kInt8) return false;
    const Tensor zt = tensor_from_proto(*z, source);
    for (int64_t i = 0; i < zt.elements(); ++i)
      if (zt.as<int8_t>()[i] != 0) return false;
    return zt.elements() == 1 || zt.elements() == wt.shape[0];
  };
  // A trailing Add of the bias as quantize_dynamic writes it: Reshape(float [O], [1, -1, 1, 1]), or a constant
  // already shaped [1, O, 1, 1].
  auto take_conv_bias = [&](OrtDynamicPattern& p, const std::string& out, int64_t channels) {
    const onnx::NodeProto* add = only_consumer(out);
    if (!add || add->op_type() != "Add" || !add->domain().empty() || add->input_size() != 2) return;
    const std::string other = add->input(0) == out ? add->input(1) : add->input(0);
    const onnx::NodeProto* reshape = produced_by(other, "Reshape");
    std::string bias = other;
    if (reshape) {
      const onnx::TensorProto* shape = initializer(arg(*reshape, 1));
      if (!shape || shape->data_type() != kInt64 || only_consumer(other) != add) return;
      const Tensor st = tensor_from_proto(*shape, source);
      if (st.elements() != 4) return;
      const int64_t* d = st.as<int64_t>();
      if (d[0] != 1 || (d[1] != -1 && d[1] != channels) || d[2] != 1 || d[3] != 1) return;
      bias = arg(*reshape, 0);
    }
    const onnx::TensorProto* b = initializer(bias);
    if (!b || b->data_type() != kFloat) return;
    int64_t e = 1;
    for (int64_t d : b->dims()) e *= d;
    const bool shaped = b->dims_size() == 4 && b->dims(0) == 1 && b->dims(1) == channels && b->dims(2) == 1 &&
                        b->dims(3) == 1;
    if (e != channels || (reshape ? b->dims_size() != 1 : !shaped)) return;
    p.bias = bias;
    if (reshape) p.covered.push_back(reshape);
    p.covered.push_back(add);
    p.final = add;
  };
  // quantize_dynamic's float tail of an integer product: Cast to float -> Mul by Mul(x_scale, w_scale) (either
  // order), each node read only by the next, with a weight scale of `scale_count` values.
  struct ScaleChain {
    const onnx::NodeProto *cast, *mul, *scales_mul;
    std::string weight_scale;
  };
  auto scale_chain = [&](const onnx::NodeProto& product, const onnx::NodeProto& dql,
                         int64_t scale_count) -> std::optional<ScaleChain> {
    const onnx::NodeProto* cast = only_consumer(product.output(0));
    if (!cast || cast->op_type() != "Cast" || attr_int(*cast, "to", 0) != kFloat) return std::nullopt;
    const onnx::NodeProto* mul = only_consumer(cast->output(0));
    if (!mul || mul->op_type() != "Mul" || mul->input_size() != 2) return std::nullopt;
    const std::string scale = mul->input(0) == cast->output(0) ? mul->input(1) : mul->input(0);
    const onnx::NodeProto* scales_mul = produced_by(scale, "Mul");
    if (!scales_mul || only_consumer(scale) != mul || scales_mul->input_size() != 2) return std::nullopt;
    const int own = scales_mul->input(0) == dql.output(1) ? 0 : scales_mul->input(1) == dql.output(1) ? 1 : -1;
    if (own < 0 || !scale_ok(scales_mul->input(1 - own), scale_count)) return std::nullopt;
    return ScaleChain{cast, mul, scales_mul, scales_mul->input(1 - own)};
  };
  std::map<const onnx::NodeProto*, int> dql_uses;  // DQL node -> fused patterns reading it
  for (const auto& n : nodes) {
    OrtDynamicPattern p;
    if (n.domain() == "com.microsoft" && n.op_type() == "DynamicQuantizeMatMul") {
      if (!weight_ok(arg(n, 1), arg(n, 3)) || !scale_ok(arg(n, 2), out_columns(arg(n, 1)))) continue;
      p.x = arg(n, 0), p.weight = arg(n, 1), p.weight_scale = arg(n, 2), p.weight_zp = arg(n, 3);
      p.bias = arg(n, 4);
      if (!p.bias.empty() && !initializer(p.bias)) continue;
      p.final = &n;
    } else if ((n.domain() == "com.microsoft" && n.op_type() == "MatMulIntegerToFloat") ||
               (n.domain().empty() && n.op_type() == "MatMulInteger")) {
      const onnx::NodeProto* dql = produced_by(arg(n, 0), "DynamicQuantizeLinear");
      const bool ms = n.domain() == "com.microsoft";
      const std::string a_zp = ms ? arg(n, 4) : arg(n, 2), w_zp = ms ? arg(n, 5) : arg(n, 3);
      if (!dql || dql->output_size() < 3 || dql->output(0) != arg(n, 0) || a_zp != dql->output(2)) continue;
      if (!weight_ok(arg(n, 1), w_zp)) continue;
      p.x = dql->input(0), p.weight = arg(n, 1), p.weight_zp = w_zp, p.dql = dql;
      const int64_t cols = out_columns(p.weight);
      if (ms) {
        if (arg(n, 2) != dql->output(1) || !scale_ok(arg(n, 3), cols)) continue;
        p.weight_scale = arg(n, 3);
        p.bias = arg(n, 6);
        if (!p.bias.empty() && !initializer(p.bias)) continue;
        p.final = &n;
      } else {
        const std::optional<ScaleChain> chain = scale_chain(n, *dql, cols);
        if (!chain) continue;
        const onnx::NodeProto* mul = chain->mul;
        p.weight_scale = chain->weight_scale;
        p.covered = {&n, chain->cast, chain->scales_mul};
        p.final = mul;
        take_bias(p, mul->output(0));
        if (p.final == mul) p.covered.push_back(mul);
        else p.covered.insert(p.covered.end() - 1, mul);
      }
    } else if (n.domain().empty() && n.op_type() == "ConvInteger") {
      const onnx::NodeProto* dql = produced_by(arg(n, 0), "DynamicQuantizeLinear");
      if (!dql || dql->output_size() < 3 || dql->output(0) != arg(n, 0) || arg(n, 2) != dql->output(2)) continue;
      if (!conv_weight_ok(n)) continue;
      // One weight scale: a per-channel one would need a [1, O, 1, 1] shape to broadcast (quantize_dynamic
      // writes per-tensor conv weights).
      const std::optional<ScaleChain> chain = scale_chain(n, *dql, 1);
      if (!chain) continue;
      p.conv = &n;
      p.x = dql->input(0), p.weight = arg(n, 1), p.weight_zp = arg(n, 3), p.dql = dql;
      p.weight_scale = chain->weight_scale;
      p.covered = {&n, chain->cast, chain->scales_mul, chain->mul};
      p.final = chain->mul;
      take_conv_bias(p, chain->mul->output(0), initializer(p.weight)->dims(0));
    } else {
      continue;
    }
    if (p.covered.empty()) p.covered.push_back(&n);
    for (const onnx::NodeProto* c : p.covered)
      if (c != p.final) found.skipped.insert(c);
    if (p.dql) ++dql_uses[p.dql];
    found.fused[p.final] = p;
  }
  // A DynamicQuantizeLinear all of whose consumers were fused is not needed.
  for (const auto& [dql, uses] : dql_uses) {
    size_t readers = 0;
    bool escapes = false;
    for (const auto& o : dql->output()) {
      readers += consumers[o].size();
      escapes = escapes || graph_outputs.count(o);
    }
    // Each fused pattern reads y and y_zp (MatMulInteger or MatMulIntegerToFloat) and y_scale once.
    if (!escapes && readers == static_cast<size_t>(3 * uses)) found.skipped.insert(dql);
  }
  return found;
}

void set_ort_dynamic_arithmetic(Attributes& a) {
  a.set("asymmetric_quantize_inputs", int64_t{1});
  a.set("qgate_input_quantization", std::string("ort-u8-tensor"));
  a.set("qgate_epilogue", std::string("onnxruntime"));
}

namespace {

// The scale (per tensor or per output channel) and zero point 0 of a fused layer's int8 weight.
void set_weight_quant(Importer& im, const OrtDynamicPattern& p, int axis, Tensor& w) {
  const Tensor st = tensor_from_proto(*find_constant_proto(im.model().graph(), p.weight_scale), im.source());
  w.quant.scale.assign(st.as<float>(), st.as<float>() + st.elements());
  w.quant.zero_point.assign(w.quant.scale.size(), 0);
  w.quant.axis = axis;
}

// Emits the hybrid conv2d node of one recognised ConvInteger pattern (NHWC, as a float Conv imports).
void import_ort_conv(Importer& im, const OrtDynamicPattern& p) {
  const onnx::NodeProto& n = *p.final;
  const onnx::NodeProto& c = *p.conv;
  const onnx::GraphProto& graph = im.model().graph();
  const std::string name = im.out_name(n);
  const Value xv = im.value_of(p.x, c);
  const Tensor oihw = tensor_from_proto(*find_constant_proto(graph, p.weight), im.source());
  const int32_t o = oihw.shape[0], ci = oihw.shape[1], kh = oihw.shape[2], kw = oihw.shape[3];
  const int x = im.nhwc(xv, c);
  const Shape xs = im.tensor(x).shape;
  if (xs.size() != 4 || xs[3] % ci != 0 || xs[3] / ci != attr_int(c, "group", 1))
    im.unsupported(c, fmt::format("an input of shape {} against a weight of shape {} and group {}",
                                  shape_string(im.logical_shape(xv)), shape_string(oihw.shape),
                                  attr_int(c, "group", 1)));
  std::vector<int64_t> strides = attr_ints(c, "strides"), dil = attr_ints(c, "dilations");
  if (strides.empty()) strides = {1, 1};
  if (dil.empty()) dil = {1, 1};
  WindowPadding pad = im.window_padding(c, xs, kh, kw, strides[0], strides[1], dil[0], dil[1]);
  // Explicit pads become zeros before the conv: 0 lies in DynamicQuantizeLinear's range (it always includes
  // 0), so the scale is unchanged and the zeros quantize exactly to the zero point ConvInteger pads with.
  const int xin = pad.explicit_pads.empty() ? x : im.pad_nhwc(x, pad.explicit_pads, 0.0f, name + "/pad");
  // Depthwise (as a float Conv imports): filter [1, KH, KW, O] with O = C * depth_multiplier.
  const int64_t group = attr_int(c, "group", 1);
  const bool depthwise = group > 1 && ci == 1 && group == xs[3];
  Tensor w;
  w.name = p.weight + (depthwise ? "/1hwo" : "/ohwi");
  w.dtype = w.file_dtype = DType::i8;
  w.shape = depthwise ? Shape{1, kh, kw, o} : Shape{o, kh, kw, ci};
  w.is_constant = true;
  w.allocate();
  for (int32_t a = 0; a < o; ++a)
    for (int32_t i = 0; i < ci; ++i)
      for (int32_t y = 0; y < kh; ++y)
        for (int32_t z = 0; z < kw; ++z)
          w.as<int8_t>()[depthwise ? (int64_t{y} * kw + z) * o + a : ((int64_t{a} * kh + y) * kw + z) * ci + i] =
              oihw.as<int8_t>()[((int64_t{a} * ci + i) * kh + y) * kw + z];
  set_weight_quant(im, p, depthwise ? 3 : 0, w);
  std::vector<int> inputs = {xin, im.add(std::move(w))};
  if (!p.bias.empty()) {
    Tensor b = tensor_from_proto(*find_constant_proto(graph, p.bias), im.source());
    b.shape = {o};
    inputs.push_back(im.add(std::move(b)));
  }
  Attributes a;
  a.set("stride_h", strides[0]);
  a.set("stride_w", strides[1]);
  a.set("dilation_h_factor", dil[0]);
  a.set("dilation_w_factor", dil[1]);
  a.set("padding", pad.tflite);
  if (depthwise) a.set("depth_multiplier", int64_t{o / xs[3]});
  set_ort_dynamic_arithmetic(a);
  im.set(n, 0, {im.emit(depthwise ? OpType::depthwise_conv2d : OpType::conv2d, inputs, a, name, /*fold=*/false),
                Layout::nhwc});
}

// Emits the hybrid fully connected node of one recognised MatMul pattern.
void import_ort_fully_connected(Importer& im, const OrtDynamicPattern& p) {
  const onnx::NodeProto& n = *p.final;
  const onnx::GraphProto& graph = im.model().graph();
  const std::string name = im.out_name(n);
  const int x = im.onnx_order(im.value_of(p.x, n));
  const Tensor wkn = tensor_from_proto(*find_constant_proto(graph, p.weight), im.source());
  const int32_t k = wkn.shape[0], cols = wkn.shape[1];
  if (im.tensor(x).shape.empty() || im.tensor(x).shape.back() != k)
    im.unsupported(n, fmt::format("an input of shape {} against a weight of shape {}",
                                  shape_string(im.tensor(x).shape), shape_string(wkn.shape)));
  Tensor w;
  w.name = p.weight + "/nk";
  w.dtype = w.file_dtype = DType::i8;
  w.shape = {cols, k};
  w.is_constant = true;
  w.allocate();
  for (int32_t r = 0; r < k; ++r)
    for (int32_t c = 0; c < cols; ++c) w.as<int8_t>()[int64_t{c} * k + r] = wkn.as<int8_t>()[int64_t{r} * cols + c];
  set_weight_quant(im, p, 0, w);
  std::vector<int> inputs = {x, im.add(std::move(w))};
  if (!p.bias.empty()) {
    Tensor b = tensor_from_proto(*find_constant_proto(graph, p.bias), im.source());
    if (b.dtype != DType::f32 || b.elements() != cols) im.unsupported(n, "a bias that is not float [N]");
    b.shape = {cols};
    inputs.push_back(im.add(std::move(b)));
  }
  Attributes a;
  a.set("keep_num_dims", int64_t{1});
  set_ort_dynamic_arithmetic(a);
  im.set(n, 0, {im.emit(OpType::fully_connected, inputs, a, name, /*fold=*/false), Layout::onnx});
}

}  // namespace

void import_ort_dynamic(Importer& im, const OrtDynamicPattern& p) {
  if (p.conv) import_ort_conv(im, p);
  else import_ort_fully_connected(im, p);
}

// ---- the integer ops one by one (the unfused forms) ----

void import_unfused_ms_op(Importer& im, NodeRef n) {
  im.unsupported(n, "this com.microsoft op outside onnxruntime's dynamic-quantization pattern (a constant int8 "
                    "weight without -128, zero weight zero point, constant scales, a DynamicQuantizeLinear input)");
}

void import_cast(Importer& im, NodeRef n) { cast_to(im, n, attr_int(n, "to", 0)); }

void import_cast_like(Importer& im, NodeRef n) {
  const std::optional<int64_t> to = im.declared_type(n.input(1));
  if (!to) im.unsupported(n, fmt::format("a target '{}' whose element type the model does not declare", n.input(1)));
  cast_to(im, n, *to);
}

void cast_to(Importer& im, NodeRef n, int64_t to) {
  const std::optional<DType> t = dtype_from_onnx(to);
  if (!t || to == kBfloat16)
    im.unsupported(n, fmt::format("to = {} ({}; float32, float64, float16, int32, int64, uint8, int8 or bool)", to,
                                  to == kBfloat16 ? "bfloat16: ONNX 1.12's tests truncate where ONNX now rounds"
                                                  : onnx_type_name(to)));
  const Value x = im.in(n, 0);
  const std::string name = im.out_name(n);
  if (to != kFloat16) {
    im.set(n, 0, {im.emit_multi(OpType::cast, {x.id}, {}, {name}, true, {*t})[0], x.layout});
    return;
  }
  // float16 values are held as float32: the cast rounds to the nearest float16 value.
  int id = x.id;
  if (im.tensor(id).dtype != DType::f32) id = im.emit_multi(OpType::cast, {id}, {}, {name + "/float"}, true, {DType::f32})[0];
  im.set(n, 0, {im.emit(OpType::round_to_float16, {id}, {}, name), x.layout});
}

void import_dynamic_quantize_linear(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i)
    names.push_back(i < n.output_size() && !n.output(i).empty() ? n.output(i) : name + fmt::format("/{}", i));
  const Value x = im.in(n, 0);
  const std::vector<int> outs = im.emit_multi(OpType::dynamic_quantize_linear, {im.onnx_order(x)}, {}, names);
  for (int i = 0; i < 3; ++i) im.set(n, i, {outs[i], Layout::onnx});
}

void import_matmul_integer(Importer& im, NodeRef n) {
  std::vector<int> inputs;
  for (int i = 0; i < 4; ++i) inputs.push_back(im.has(n, i) ? im.onnx_order(im.in(n, i)) : -1);
  while (inputs.back() < 0) inputs.pop_back();
  im.set(n, 0, {im.emit(OpType::matmul_integer, inputs, {}, im.out_name(n)), Layout::onnx});
}

// ConvInteger stays NCHW, as ONNX defines it, with its pads explicit.
void import_conv_integer(Importer& im, NodeRef n) {
  const Value xv = im.in(n, 0), wv = im.in(n, 1);
  const Shape xs = im.logical_shape(xv), ws = im.logical_shape(wv);
  if (xs.size() != 4 || ws.size() != 4) im.unsupported(n, "a rank other than 4 (only 2-D convolution)");
  std::vector<int64_t> strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations");
  if (strides.empty()) strides = {1, 1};
  if (dil.empty()) dil = {1, 1};
  // window_padding works on NHWC shapes; SAME_LOWER / SAME_UPPER / explicit pads all end as 4 numbers here.
  const Shape nhwc_shape = {xs[0], xs[2], xs[3], xs[1]};
  WindowPadding pad = im.window_padding(n, nhwc_shape, ws[2], ws[3], strides[0], strides[1], dil[0], dil[1]);
  std::vector<int64_t> pads = pad.explicit_pads;
  if (pads.empty() && pad.tflite == 0) {
    const auto [t, b] = same_padding(xs[2], ws[2], strides[0], dil[0]);
    const auto [l, r] = same_padding(xs[3], ws[3], strides[1], dil[1]);
    pads = {t, l, b, r};
  }
  if (pads.empty()) pads = {0, 0, 0, 0};
  Attributes a;
  a.set("stride_h", strides[0]);
  a.set("stride_w", strides[1]);
  a.set("dilation_h_factor", dil[0]);
  a.set("dilation_w_factor", dil[1]);
  a.set("group", attr_int(n, "group", 1));
  a.set("pads", pads);
  std::vector<int> inputs;
  for (int i = 0; i < 4; ++i) inputs.push_back(im.has(n, i) ? im.onnx_order(im.in(n, i)) : -1);
  while (inputs.back() < 0) inputs.pop_back();
  im.set(n, 0, {im.emit(OpType::conv_integer, inputs, a, im.out_name(n)), Layout::onnx});
}

}  // namespace qgate::onnx_import
