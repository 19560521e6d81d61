// The ONNX importer core (importer.h) and the public entry points (import.h): the import loop, emit and fold,
// constants, the NCHW/NHWC bookkeeping, node inputs, and the building blocks the op handlers share.
#include "harness/onnx/importer.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/onnx/import.h"
#include "harness/onnx/op_table.h"
#include "harness/onnx/ort_dynamic.h"
#include "harness/onnx/proto.h"
#include "harness/op.h"

namespace qgate {
namespace onnx_import {

Importer::Importer(const onnx::ModelProto& model, const std::string& source) : model_(model), source_(source) {
  g_.source = source;
  for (const auto& os : model.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx") opset_ = static_cast<int>(os.version());
}

Graph Importer::run() {
  const onnx::GraphProto& gp = model_.graph();
  if (opset_ > 17)
    throw NotSupported(fmt::format("{}: opset {} is not supported (qgate imports opsets up to 17)", source_, opset_));
  std::map<std::string, std::vector<std::string>> missing;
  for (const auto& n : gp.node()) {
    if (!find_onnx_op_handler(n.domain(), n.op_type()))
      missing[n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type()].push_back(n.name());
  }
  if (!missing.empty()) {
    std::vector<std::string> names;
    for (const auto& [op, nodes] : missing) names.push_back(fmt::format("{} ({} node{})", op, nodes.size(),
                                                                        nodes.size() == 1 ? "" : "s"));
    throw NotSupported(fmt::format("{}: {} ONNX op type{} not supported: {}", source_, names.size(),
                                   names.size() == 1 ? " is" : "s are", fmt::join(names, ", ")));
  }
  import_inputs();
  const OrtDynamicPatterns ort = find_ort_dynamic_patterns(model_, source_);
  // A node qgate refuses does not stop the import: its refusal is kept, its outputs are marked, and the nodes
  // that read them are passed over (they cannot be checked without their inputs' shapes). Every refusal is
  // reported at once at the end.
  std::vector<std::string> refusals;
  int passed_over = 0;
  for (const auto& n : gp.node()) {
    if (ort.skipped.count(&n)) continue;
    try {
      if (auto it = ort.fused.find(&n); it != ort.fused.end()) import_ort_dynamic(*this, it->second);
      else import_node(n);
    } catch (const NotSupported& e) {
      refusals.push_back(e.what());
      for (const auto& o : n.output()) refused_values_.insert(o);
    } catch (const ReadsRefusedValue&) {
      ++passed_over;
      for (const auto& o : n.output()) refused_values_.insert(o);
    }
  }
  if (refusals.size() == 1 && passed_over == 0) throw NotSupported(refusals[0]);
  if (!refusals.empty()) {
    // One line (the CLI's error contract), the refusals separated by "; ", each without the file name the
    // summary already gives.
    std::string list;
    for (std::string r : refusals) {
      if (r.rfind(source_ + ": ", 0) == 0) r.erase(0, source_.size() + 2);
      list += (list.empty() ? " " : "; ") + r;
    }
    throw NotSupported(fmt::format("{}: {} ONNX node{} not supported{}:{}", source_, refusals.size(),
                                   refusals.size() == 1 ? " is" : "s are",
                                   passed_over ? fmt::format(" ({} node{} reading their outputs not checked)",
                                                             passed_over, passed_over == 1 ? "" : "s")
                                               : "",
                                   list));
  }
  for (const auto& out : gp.output()) {
    auto it = values_.find(out.name());
    if (it == values_.end()) throw ModelError(fmt::format("{}: graph output '{}' is never produced", source_, out.name()));
    int id = onnx_order(it->second);
    if (g_.tensors[id].is_constant) {
      // A constant output still needs a producer node for the executor: copy it through a reshape.
      Attributes a;
      a.set("new_shape", to_i64(g_.tensors[id].shape));
      id = emit(OpType::reshape, {id}, a, out.name() + "/out", /*fold=*/false);
    }
    if (g_.tensors[id].name != out.name()) {
      // The ONNX name belongs to the output in ONNX order; the NHWC value it was transposed from is renamed.
      for (Tensor& t : g_.tensors)
        if (t.name == out.name()) t.name += "/nhwc";
      g_.tensors[id].name = out.name();
    }
    g_.outputs.push_back(id);
  }
  return std::move(g_);
}

// Initializers become constants; the other graph inputs become model inputs. A dimension with a dim_param is that
// symbol (one per name); one with neither dim_value nor dim_param (or a negative dim_value) is a symbol of its own,
// named "<input>.<axis>".
void Importer::import_inputs() {
  const onnx::GraphProto& gp = model_.graph();
  for (const auto& init : gp.initializer()) {
    values_[init.name()] = {add(tensor_from_proto(init, source_)), Layout::onnx};
  }
  for (const auto& in : gp.input()) {
    if (values_.count(in.name())) continue;  // older IR lists initializers as inputs too
    Tensor t;
    t.name = in.name();
    const auto& tt = in.type().tensor_type();
    if (!in.type().has_tensor_type())
      throw NotSupported(fmt::format("{}: input '{}' is a {} (only tensors are supported)", source_, in.name(),
                                     onnx_value_kind(in.type())));
    const std::optional<DType> dtype = dtype_from_onnx(tt.elem_type());
    if (!dtype)
      throw NotSupported(fmt::format("{}: input '{}' has ONNX data type {} ({}), not supported", source_, in.name(),
                                     tt.elem_type(), onnx_type_name(tt.elem_type())));
    if (*dtype == DType::u8 || *dtype == DType::i8) check_8bit_input(in.name(), tt.elem_type());
    t.dtype = *dtype;
    t.file_dtype = tt.elem_type() == kFloat16 ? DType::f16 : t.dtype;
    for (int k = 0; k < tt.shape().dim_size(); ++k) {
      const auto& d = tt.shape().dim(k);
      if (d.has_dim_value() && d.dim_value() >= 0) t.shape.push_back(static_cast<int32_t>(d.dim_value()));
      else t.shape.push_back(g_.symbol(d.has_dim_param() && !d.dim_param().empty() ? d.dim_param()
                                                                                   : fmt::format("{}.{}", in.name(), k)));
    }
    const int id = add(std::move(t));
    g_.inputs.push_back(id);
    values_[in.name()] = {id, Layout::onnx};
  }
}

void Importer::import_node(const onnx::NodeProto& n) {
  const OnnxOpHandler handler = find_onnx_op_handler(n.domain(), n.op_type());
  if (!handler) unsupported(n, "this op type");  // run() refused these before the first node
  handler(*this, n);
}

void Importer::check_8bit_input(const std::string& name, int type) const {
  static const std::set<std::string> kInteger = {"MatMulInteger", "ConvInteger", "Cast", "MatMulIntegerToFloat",
                                                  "DequantizeLinear"};
  for (const auto& n : model_.graph().node())
    for (const auto& i : n.input())
      if (i == name && !kInteger.count(n.op_type()))
        throw NotSupported(fmt::format("{}: input '{}' is {} and feeds {} node '{}': not supported (8-bit model inputs "
                                       "go only into MatMulInteger, ConvInteger, DequantizeLinear and Cast)", source_, name,
                                       type == kUint8 ? "uint8" : "int8", n.op_type(), n.name()));
}

int Importer::add(Tensor t) {
  g_.tensors.push_back(std::move(t));
  return static_cast<int>(g_.tensors.size()) - 1;
}

int Importer::const_f32(const std::string& name, Shape shape, const std::vector<float>& v) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  t.is_constant = true;
  t.allocate();
  std::copy(v.begin(), v.end(), t.as<float>());
  return add(std::move(t));
}

int Importer::const_i32(const std::string& name, const std::vector<int64_t>& v, Shape shape) {
  Tensor t;
  t.name = name;
  t.dtype = t.file_dtype = DType::i32;
  t.shape = shape.empty() ? Shape{static_cast<int32_t>(v.size())} : shape;
  t.is_constant = true;
  t.allocate();
  for (size_t i = 0; i < v.size(); ++i) t.as<int32_t>()[i] = static_cast<int32_t>(v[i]);
  return add(std::move(t));
}

int Importer::const_i64(const std::string& name, const std::vector<int64_t>& v) {
  Tensor t;
  t.name = name;
  t.dtype = t.file_dtype = DType::i64;
  t.shape = {static_cast<int32_t>(v.size())};
  t.is_constant = true;
  t.allocate();
  std::copy(v.begin(), v.end(), t.as<int64_t>());
  return add(std::move(t));
}

int Importer::emit(OpType op, std::vector<int> inputs, const Attributes& attrs, const std::string& name, bool fold) {
  return emit_multi(op, std::move(inputs), attrs, {name}, fold)[0];
}

std::vector<int> Importer::emit_multi(OpType op, std::vector<int> inputs, const Attributes& attrs,
                                      const std::vector<std::string>& names, bool fold,
                                      const std::vector<DType>& types) {
  std::vector<int> out_ids;
  for (size_t i = 0; i < names.size(); ++i) {
    Tensor out;
    out.name = names[i];
    if (i < types.size()) out.dtype = types[i];
    out_ids.push_back(add(std::move(out)));
  }
  Node n;
  n.op = op;
  n.name = names[0];
  n.inputs = std::move(inputs);
  n.outputs = out_ids;
  n.attrs = attrs;
  auto impl = make_op(op);
  OpContext ctx{g_, n, {}, {}};
  bool all_const = fold;
  // Computed at prepare, when the input shapes are known: a SHAPE, and a node reading only constants and such values.
  bool at_prepare = op == OpType::shape || !n.inputs.empty();
  for (int t : n.inputs) {
    ctx.inputs.push_back(t < 0 ? nullptr : &g_.tensors[t]);
    if (t >= 0 && !g_.tensors[t].is_constant) all_const = false;
    if (t >= 0 && !g_.tensors[t].is_constant && !g_.tensors[t].computed_at_prepare) at_prepare &= op == OpType::shape;
  }
  for (int id : out_ids) ctx.outputs.push_back(&g_.tensors[id]);
  prepare_maybe_symbolic(*impl, ctx);
  for (int id : out_ids) {
    g_.tensors[id].file_dtype = g_.tensors[id].dtype;
    g_.tensors[id].computed_at_prepare = at_prepare && !all_const;
  }
  if (all_const) {
    for (int id : out_ids) g_.tensors[id].allocate();
    impl->run(ctx);
    for (int id : out_ids) g_.tensors[id].is_constant = true;
    return out_ids;
  }
  n.id = static_cast<int>(g_.nodes.size());
  g_.nodes.push_back(std::move(n));
  return out_ids;
}

int Importer::transpose(int id, const std::vector<int64_t>& perm, const std::string& name) {
  return emit(OpType::transpose, {id, const_i32(name + "/perm", perm)}, {}, name);
}

int Importer::onnx_order(const Value& v) {
  if (v.layout == Layout::onnx) return v.id;
  if (auto it = to_onnx_.find(v.id); it != to_onnx_.end()) return it->second;
  const int id = transpose(v.id, kNhwcToNchw, g_.tensors[v.id].name + "/nchw");
  to_onnx_[v.id] = id;
  to_nhwc_[id] = v.id;
  return id;
}

int Importer::nhwc(const Value& v, const onnx::NodeProto& n) {
  if (v.layout == Layout::nhwc) return v.id;
  if (auto it = to_nhwc_.find(v.id); it != to_nhwc_.end()) return it->second;
  if (g_.tensors[v.id].shape.size() != 4)
    throw NotSupported(fmt::format("{}: {} node '{}': input '{}' has shape {}; a spatial rank other than 2 is "
                                   "not supported (only 4-D NCHW)", source_, n.op_type(), n.name(), g_.tensors[v.id].name,
                                   shape_string(g_.tensors[v.id].shape)));
  const int id = transpose(v.id, kNchwToNhwc, g_.tensors[v.id].name + "/nhwc");
  to_nhwc_[v.id] = id;
  to_onnx_[id] = v.id;
  return id;
}

int Importer::shape_tensor(const Value& v, int start, int end, const std::string& name) {
  const Shape ls = logical_shape(v);
  if (std::all_of(ls.begin() + start, ls.begin() + end, [](int32_t d) { return d >= 0; }))
    return const_i64(name, {ls.begin() + start, ls.begin() + end});
  const bool whole = v.layout == Layout::onnx && start == 0 && end == static_cast<int>(ls.size());
  const int shape = emit_multi(OpType::shape, {v.id}, {}, {whole ? name : name + "/all"}, true, {DType::i64})[0];
  if (whole) return shape;
  std::vector<int64_t> picked;
  for (int k = start; k < end; ++k) picked.push_back(v.layout == Layout::nhwc ? kToNhwcPos[k] : k);
  Attributes a;
  a.set("axis", int64_t{0});
  return emit(OpType::gather, {shape, const_i32(name + "/dims", picked)}, a, name);
}

int Importer::flatten_2d(const onnx::NodeProto& n, const Value& x, int axis, const std::string& name) {
  const Shape ls = logical_shape(x);
  int64_t outer = 1, inner = 1;
  bool outer_symbolic = false, inner_symbolic = false;
  for (int k = 0; k < static_cast<int>(ls.size()); ++k) {
    (k < axis ? outer_symbolic : inner_symbolic) |= ls[k] < 0;
    if (ls[k] >= 0) (k < axis ? outer : inner) *= ls[k];
  }
  Attributes a;
  if (!outer_symbolic && !inner_symbolic) {
    a.set("new_shape", std::vector<int64_t>{outer, inner});
  } else if (!outer_symbolic) {
    a.set("new_shape", std::vector<int64_t>{outer, -1});
  } else if (!inner_symbolic) {
    a.set("new_shape", std::vector<int64_t>{-1, inner});
  } else if (axis == 1) {
    a.set("new_shape", std::vector<int64_t>{0, -1});  // the first dimension copied, symbol and all
    a.set("copy_zero_dims", int64_t{1});
  } else {
    unsupported(n, fmt::format("flattening {} at axis {} (symbolic dimensions on both sides)", g_.shape_text(ls), axis));
  }
  return emit(OpType::reshape, {onnx_order(x)}, a, name);
}

Shape Importer::logical_shape(const Value& v) const {
  const Shape& s = g_.tensors[v.id].shape;
  if (v.layout == Layout::onnx) return s;
  return {s[0], s[3], s[1], s[2]};
}

int Importer::constant_to_nhwc(int id) {
  Tensor& t = g_.tensors[id];
  if (t.shape.size() > 4) return -1;
  Shape s4(4 - t.shape.size(), 1);
  s4.insert(s4.end(), t.shape.begin(), t.shape.end());
  Attributes a;
  a.set("new_shape", to_i64(s4));
  const int r = emit(OpType::reshape, {id}, a, t.name + "/rank4");
  return transpose(r, kNchwToNhwc, t.name + "/nhwc");
}

Value Importer::in(const onnx::NodeProto& n, int i) const {
  if (i >= n.input_size() || n.input(i).empty()) return {};
  return value_of(n.input(i), n);
}

Value Importer::value_of(const std::string& name, const onnx::NodeProto& reader) const {
  if (refused_values_.count(name)) throw ReadsRefusedValue();
  auto it = values_.find(name);
  if (it == values_.end())
    throw ModelError(fmt::format("{}: {} node '{}': input '{}' is not produced by an earlier node", source_,
                                 reader.op_type(), reader.name(), name));
  return it->second;
}

std::vector<int64_t> Importer::const_ints(const onnx::NodeProto& n, int i, const char* what) {
  const Value v = in(n, i);
  const Tensor& t = g_.tensors[v.id];
  if (!t.is_constant)
    throw NotSupported(fmt::format("{}: {} node '{}': {} (input {}, '{}') is not a constant; qgate needs it at "
                                   "load time", source_, n.op_type(), n.name(), what, i, t.name));
  std::vector<int64_t> r(t.elements());
  for (int64_t k = 0; k < t.elements(); ++k)
    r[k] = t.dtype == DType::i64 ? t.as<int64_t>()[k] : t.dtype == DType::i32 ? t.as<int32_t>()[k]
                                                                             : static_cast<int64_t>(t.as<float>()[k]);
  return r;
}

float Importer::const_scalar(const onnx::NodeProto& n, int i, const char* what) {
  const Tensor& t = g_.tensors[in(n, i).id];
  if (!t.is_constant || t.elements() != 1 || t.dtype != DType::f32)
    throw NotSupported(fmt::format("{}: {} node '{}': {} (input {}) must be a constant float scalar", source_,
                                   n.op_type(), n.name(), what, i));
  return t.as<float>()[0];
}

void Importer::set(const onnx::NodeProto& n, int out, Value v) {
  if (out < n.output_size() && !n.output(out).empty()) values_[n.output(out)] = v;
}

std::optional<int64_t> Importer::declared_type(const std::string& name) const {
  const onnx::GraphProto& g = model_.graph();
  for (const auto* list : {&g.input(), &g.output(), &g.value_info()})
    for (const auto& vi : *list)
      if (vi.name() == name && vi.type().has_tensor_type()) return vi.type().tensor_type().elem_type();
  for (const auto& t : g.initializer())
    if (t.name() == name) return t.data_type();
  for (const auto& n : g.node()) {
    if (n.output_size() == 0 || n.output(0) != name) continue;
    if (n.op_type() == "Constant")
      if (const auto* a = find_attr(n, "value")) return a->t().data_type();
    if (n.op_type() == "Cast") return attr_int(n, "to", 0);
  }
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  const Tensor& t = g_.tensors[it->second.id];
  switch (t.file_dtype == DType::f16 ? DType::f16 : t.dtype) {
    case DType::f32: return kFloat;
    case DType::f16: return kFloat16;
    case DType::i8: return kInt8;
    case DType::u8: return kUint8;
    case DType::i32: return kInt32;
    case DType::i64: return kInt64;
    case DType::boolean: return kBool;
  }
  return std::nullopt;
}

bool Importer::read_at_most_once(int id) const {
  for (const auto& [name, v] : values_)
    if (v.id == id && consumers_of(name) > 1) return false;
  return true;
}

int Importer::consumers_of(const std::string& name) const {
  int c = 0;
  for (const auto& n : model_.graph().node())
    for (const auto& i : n.input()) c += i == name;
  for (const auto& o : model_.graph().output()) c += o.name() == name;
  return c;
}

void Importer::unsupported(const onnx::NodeProto& n, const std::string& why) const {
  throw NotSupported(fmt::format("{}: {} node '{}': {} is not supported", source_, n.op_type(), n.name(), why));
}

void Importer::binary(const onnx::NodeProto& n, OpType op, Value a, Value b, int out) {
  const std::string name = out_name(n);
  const Tensor& ta = g_.tensors[a.id];
  const Tensor& tb = g_.tensors[b.id];
  if (ta.dtype != tb.dtype || !binary_operand_type_ok(op, ta.dtype))
    unsupported(n, fmt::format("operand types {} and {} ({}, both the same)", dtype_name(ta.dtype),
                               dtype_name(tb.dtype), binary_operand_types(op)));
  if (a.layout == Layout::nhwc || b.layout == Layout::nhwc) {
    int ia = a.id, ib = b.id;
    bool ok = true;
    // At most one side is converted, so `tb` is read before any tensor is added.
    if (a.layout != Layout::nhwc) ok = ta.is_constant && (ia = constant_to_nhwc(a.id)) >= 0;
    if (ok && b.layout != Layout::nhwc) ok = tb.is_constant && (ib = constant_to_nhwc(b.id)) >= 0;
    if (ok) {
      set(n, out, {emit(op, {ia, ib}, {}, name), Layout::nhwc});
      return;
    }
  }
  set(n, out, {emit(op, {onnx_order(a), onnx_order(b)}, {}, name), Layout::onnx});
}

void Importer::unary(const onnx::NodeProto& n, OpType op, const Attributes& a) {
  const Value x = in(n, 0);
  set(n, 0, {emit(op, {x.id}, a, out_name(n)), x.layout});
}

namespace {

bool is_comparison(OpType op) {
  return op == OpType::equal || op == OpType::not_equal || op == OpType::less || op == OpType::less_equal ||
         op == OpType::greater || op == OpType::greater_equal;
}
bool is_logical(OpType op) {
  return op == OpType::logical_and || op == OpType::logical_or || op == OpType::logical_xor;
}

}  // namespace

bool binary_operand_type_ok(OpType op, DType t) {
  if (is_logical(op)) return t == DType::boolean;
  if (is_comparison(op)) return t == DType::f32 || t == DType::i32 || t == DType::i64 || t == DType::boolean;
  if (op == OpType::prelu || op == OpType::squared_difference) return t == DType::f32;
  return t == DType::f32 || t == DType::i32 || t == DType::i64;
}

std::string binary_operand_types(OpType op) {
  if (is_logical(op)) return "bool";
  if (is_comparison(op)) return "float32, int32, int64 or bool";
  if (op == OpType::prelu || op == OpType::squared_difference) return "float32";
  return "float32, int32 or int64";
}

std::pair<int64_t, int64_t> same_padding(int64_t in, int64_t k, int64_t s, int64_t d) {
  const int64_t ek = (k - 1) * d + 1, out = (in + s - 1) / s;
  const int64_t total = std::max<int64_t>((out - 1) * s + ek - in, 0);
  return {total / 2, total - total / 2};
}

WindowPadding Importer::window_padding(const onnx::NodeProto& n, const Shape& nhwc_in, int64_t kh, int64_t kw,
                                       int64_t sh, int64_t sw, int64_t dh, int64_t dw) {
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  std::vector<int64_t> pads = attr_ints(n, "pads");
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (pads.size() != 4) unsupported(n, fmt::format("pads [{}] (expected 4 values for 2-D)", fmt::join(pads, ",")));
  // A symbolic size has one SAME padding for every size only at stride 1: (k - 1) * dilation in total.
  const bool fixed_same = (nhwc_in[1] >= 0 || sh == 1) && (nhwc_in[2] >= 0 || sw == 1);
  const auto [th, bh] = same_padding(nhwc_in[1] >= 0 ? nhwc_in[1] : kh, kh, sh, dh);
  const auto [tw, bw] = same_padding(nhwc_in[2] >= 0 ? nhwc_in[2] : kw, kw, sw, dw);
  WindowPadding p;
  if (auto_pad == "SAME_LOWER" && !fixed_same)
    unsupported(n, fmt::format("auto_pad SAME_LOWER with stride > 1 over a symbolic size (input {})",
                               g_.shape_text(nhwc_in)));
  if (auto_pad == "SAME_UPPER") {
    p.tflite = 0;
  } else if (auto_pad == "SAME_LOWER") {
    // SAME_LOWER puts the odd pad before.
    const int64_t lth = bh, lbh = th, ltw = bw, lbw = tw;
    if (lth == lbh && ltw == lbw) p.tflite = 0;
    else p.explicit_pads = {lth, ltw, lbh, lbw};
  } else if (auto_pad == "VALID" || std::all_of(pads.begin(), pads.end(), [](int64_t v) { return v == 0; })) {
    p.tflite = 1;
  } else if (auto_pad == "NOTSET") {
    if (fixed_same && pads == std::vector<int64_t>{th, tw, bh, bw}) p.tflite = 0;
    else p.explicit_pads = pads;
  } else {
    unsupported(n, fmt::format("auto_pad '{}'", auto_pad));
  }
  return p;
}

int Importer::pad_nhwc(int x, const std::vector<int64_t>& p, float value, const std::string& name) {
  // paddings [4,2] over NHWC: H gets (top, bottom), W gets (left, right).
  const int paddings = const_i32(name + "/paddings", {0, 0, p[0], p[2], p[1], p[3], 0, 0}, {4, 2});
  const int v = const_f32(name + "/value", {}, {value});
  return emit(OpType::padv2, {x, paddings, v}, {}, name);
}

}  // namespace onnx_import

bool onnx_op_supported(const std::string& op_type) {
  constexpr std::string_view kMicrosoft = "com.microsoft.";
  if (op_type.rfind(kMicrosoft, 0) == 0)
    return onnx_import::find_onnx_op_handler("com.microsoft", op_type.substr(kMicrosoft.size())) != nullptr;
  return onnx_import::find_onnx_op_handler("", op_type) != nullptr;
}

bool looks_like_onnx(const std::string& bytes) {
  onnx::ModelProto m;
  return m.ParseFromString(bytes) && m.ir_version() > 0 && m.has_graph();
}

Graph import_onnx(const std::string& bytes, const std::string& source) {
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes) || !m.has_graph())
    throw ModelError(fmt::format("{}: not an ONNX model (does not parse as a ModelProto with a graph)", source));
  return onnx_import::Importer(m, source).run();
}

}  // namespace qgate
