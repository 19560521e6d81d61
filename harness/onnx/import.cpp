#include "harness/onnx/import.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/onnx_pb.h>

#include "core/errors.h"
#include "harness/op.h"

namespace qgate {
namespace {

// TensorProto.DataType values (onnx.proto).
enum OnnxType { kFloat = 1, kUint8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kBool = 9, kFloat16 = 10, kDouble = 11 };

// NCHW axis -> its position in the NHWC storage, and back.
constexpr int kToNhwcPos[4] = {0, 3, 1, 2};
const std::vector<int64_t> kNchwToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kNhwcToNchw = {0, 3, 1, 2};

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float v;
  if (exp == 0) v = std::ldexp(static_cast<float>(man), -24);
  else if (exp == 31) v = man ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else v = std::ldexp(static_cast<float>(man | 0x400), static_cast<int>(exp) - 25);
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  bits |= sign;
  std::memcpy(&v, &bits, 4);
  return v;
}

Tensor tensor_from_proto(const onnx::TensorProto& tp, const std::string& source) {
  Tensor t;
  t.name = tp.name();
  t.is_constant = true;
  for (int64_t d : tp.dims()) t.shape.push_back(static_cast<int32_t>(d));
  if (tp.data_location() == onnx::TensorProto::EXTERNAL)
    throw ModelError(fmt::format("{}: tensor '{}' keeps its data in an external file, which is not supported",
                                 source, tp.name()));
  const int64_t n = shape_elements(t.shape);
  const std::string& raw = tp.raw_data();
  const bool has_raw = tp.has_raw_data();
  auto check_count = [&](int64_t have) {
    if (have != n)
      throw ModelError(fmt::format("{}: tensor '{}' of shape {} holds {} values, expected {}", source, tp.name(),
                                   shape_string(t.shape), have, n));
  };
  switch (tp.data_type()) {
    case kFloat:
    case kDouble:
    case kFloat16: {
      t.dtype = DType::f32;
      t.file_dtype = tp.data_type() == kFloat16 ? DType::f16 : DType::f32;
      t.allocate();
      float* out = t.as<float>();
      if (tp.data_type() == kFloat) {
        if (has_raw) {
          check_count(static_cast<int64_t>(raw.size() / 4));
          std::memcpy(out, raw.data(), n * 4);
        } else {
          check_count(tp.float_data_size());
          std::copy(tp.float_data().begin(), tp.float_data().end(), out);
        }
      } else if (tp.data_type() == kDouble) {
        if (has_raw) {
          check_count(static_cast<int64_t>(raw.size() / 8));
          for (int64_t i = 0; i < n; ++i) {
            double d;
            std::memcpy(&d, raw.data() + 8 * i, 8);
            out[i] = static_cast<float>(d);
          }
        } else {
          check_count(tp.double_data_size());
          for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(tp.double_data(i));
        }
      } else {
        if (has_raw) {
          check_count(static_cast<int64_t>(raw.size() / 2));
          for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, raw.data() + 2 * i, 2);
            out[i] = half_to_float(h);
          }
        } else {
          check_count(tp.int32_data_size());
          for (int64_t i = 0; i < n; ++i) out[i] = half_to_float(static_cast<uint16_t>(tp.int32_data(i)));
        }
      }
      return t;
    }
    case kInt64: {
      t.dtype = DType::i64;
      t.allocate();
      if (has_raw) {
        check_count(static_cast<int64_t>(raw.size() / 8));
        std::memcpy(t.data.data(), raw.data(), n * 8);
      } else {
        check_count(tp.int64_data_size());
        std::copy(tp.int64_data().begin(), tp.int64_data().end(), t.as<int64_t>());
      }
      return t;
    }
    case kInt32:
    case kInt8:
    case kUint8:
    case kBool: {
      t.dtype = tp.data_type() == kInt32 ? DType::i32
                : tp.data_type() == kInt8 ? DType::i8
                : tp.data_type() == kUint8 ? DType::u8
                                           : DType::boolean;
      t.allocate();
      const size_t es = dtype_size(t.dtype);
      if (has_raw) {
        check_count(static_cast<int64_t>(raw.size() / es));
        std::memcpy(t.data.data(), raw.data(), n * es);
      } else {
        check_count(tp.int32_data_size());
        for (int64_t i = 0; i < n; ++i) {
          const int32_t v = tp.int32_data(i);
          if (es == 4) t.as<int32_t>()[i] = v;
          else t.as<int8_t>()[i] = static_cast<int8_t>(v);
        }
      }
      return t;
    }
    default:
      throw ModelError(fmt::format("{}: tensor '{}' has ONNX data type {}, which is not supported", source,
                                   tp.name(), tp.data_type()));
  }
}

enum class Layout { onnx, nhwc };  // nhwc: a 4-D NCHW value stored as NHWC

struct Value {
  int id = -1;
  Layout layout = Layout::onnx;
};

class NotSupported : public ModelError {
 public:
  using ModelError::ModelError;
};

const std::set<std::string>& supported_op_types() {
  static const std::set<std::string> s = {
      "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "Sigmoid", "Tanh", "LeakyRelu",
      "PRelu", "HardSwish", "HardSigmoid", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
      "BatchNormalization", "Reshape", "Flatten", "Transpose", "Concat", "Softmax", "LogSoftmax", "Gather",
      "Squeeze", "Unsqueeze", "ReduceMean", "Pad", "Identity", "Constant", "Shape", "Dropout", "Exp", "Log",
      "Sqrt", "Abs", "Neg", "Elu", "Max", "Min", "Pow", "ReduceSum", "ReduceMax", "Slice", "Resize", "ConvTranspose", "Split",
      "Expand",
      "RNN", "LSTM", "GRU",
      // onnxruntime dynamic quantization (see import_ort_dynamic below)
      "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger", "Cast"};
  return s;
}

// com.microsoft contrib ops qgate imports (written by onnxruntime's quantize_dynamic and graph optimizer).
const std::set<std::string>& supported_ms_op_types() {
  static const std::set<std::string> s = {"DynamicQuantizeMatMul", "MatMulIntegerToFloat", "DynamicQuantizeLSTM"};
  return s;
}

bool node_supported(const onnx::NodeProto& n) {
  if (n.domain().empty() || n.domain() == "ai.onnx") return supported_op_types().count(n.op_type()) != 0;
  if (n.domain() == "com.microsoft") return supported_ms_op_types().count(n.op_type()) != 0;
  return false;
}

class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::string& source) : model_(model), source_(source) {
    g_.source = source;
    for (const auto& os : model.opset_import())
      if (os.domain().empty() || os.domain() == "ai.onnx") opset_ = static_cast<int>(os.version());
  }

  Graph run() {
    const onnx::GraphProto& gp = model_.graph();
    if (opset_ > 17)
      throw NotSupported(fmt::format("{}: opset {} is not supported (qgate imports opsets up to 17)", source_, opset_));
    std::map<std::string, std::vector<std::string>> missing;
    for (const auto& n : gp.node()) {
      if (!node_supported(n))
        missing[n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type()].push_back(n.name());
    }
    if (!missing.empty()) {
      std::vector<std::string> names;
      for (const auto& [op, nodes] : missing) names.push_back(fmt::format("{} ({} node{})", op, nodes.size(),
                                                                          nodes.size() == 1 ? "" : "s"));
      throw NotSupported(fmt::format("{}: {} ONNX op type{} not supported: {}", source_, names.size(),
                                     names.size() == 1 ? " is" : "s are", fmt::join(names, ", ")));
    }
    for (const auto& init : gp.initializer()) {
      values_[init.name()] = {add(tensor_from_proto(init, source_)), Layout::onnx};
    }
    for (const auto& in : gp.input()) {
      if (values_.count(in.name())) continue;  // older IR lists initializers as inputs too
      Tensor t;
      t.name = in.name();
      const auto& tt = in.type().tensor_type();
      switch (tt.elem_type()) {
        case kFloat: t.dtype = DType::f32; break;
        case kInt64: t.dtype = DType::i64; break;
        case kInt32: t.dtype = DType::i32; break;
        case kUint8:
        case kInt8:
          check_8bit_input(in.name(), tt.elem_type());
          t.dtype = tt.elem_type() == kUint8 ? DType::u8 : DType::i8;
          break;
        default:
          throw NotSupported(fmt::format("{}: input '{}' has ONNX data type {}, not supported", source_, in.name(),
                                         tt.elem_type()));
      }
      t.file_dtype = t.dtype;
      for (const auto& d : tt.shape().dim()) t.shape.push_back(d.has_dim_value() ? static_cast<int32_t>(d.dim_value()) : 1);
      const int id = add(std::move(t));
      g_.inputs.push_back(id);
      values_[in.name()] = {id, Layout::onnx};
    }
    find_ort_dynamic_patterns();
    for (const auto& n : gp.node()) {
      if (skipped_.count(&n)) continue;
      if (auto it = fused_.find(&n); it != fused_.end()) {
        import_ort_dynamic(it->second);
        continue;
      }
      import_node(n);
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

 private:
  static std::vector<int64_t> to_i64(const Shape& s) { return {s.begin(), s.end()}; }

  int add(Tensor t) {
    g_.tensors.push_back(std::move(t));
    return static_cast<int>(g_.tensors.size()) - 1;
  }

  int const_f32(const std::string& name, Shape shape, const std::vector<float>& v) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.is_constant = true;
    t.allocate();
    std::copy(v.begin(), v.end(), t.as<float>());
    return add(std::move(t));
  }
  int const_i32(const std::string& name, const std::vector<int64_t>& v, Shape shape = {}) {
    Tensor t;
    t.name = name;
    t.dtype = t.file_dtype = DType::i32;
    t.shape = shape.empty() ? Shape{static_cast<int32_t>(v.size())} : shape;
    t.is_constant = true;
    t.allocate();
    for (size_t i = 0; i < v.size(); ++i) t.as<int32_t>()[i] = static_cast<int32_t>(v[i]);
    return add(std::move(t));
  }
  int const_i64(const std::string& name, const std::vector<int64_t>& v) {
    Tensor t;
    t.name = name;
    t.dtype = t.file_dtype = DType::i64;
    t.shape = {static_cast<int32_t>(v.size())};
    t.is_constant = true;
    t.allocate();
    std::copy(v.begin(), v.end(), t.as<int64_t>());
    return add(std::move(t));
  }

  // Adds a node; prepare() computes its output shapes now (the importer needs them for later nodes). A node
  // whose inputs are all constants runs once here and its output becomes a constant (shape arithmetic,
  // weight transposes).
  int emit(OpType op, std::vector<int> inputs, const Attributes& attrs, const std::string& name, bool fold = true) {
    return emit_multi(op, std::move(inputs), attrs, {name}, fold)[0];
  }
  // `types`: output dtypes set before prepare, for ops that read their target type from the output (CAST).
  std::vector<int> emit_multi(OpType op, std::vector<int> inputs, const Attributes& attrs,
                              const std::vector<std::string>& names, bool fold = true,
                              const std::vector<DType>& types = {}) {
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
    for (int t : n.inputs) {
      ctx.inputs.push_back(t < 0 ? nullptr : &g_.tensors[t]);
      if (t >= 0 && !g_.tensors[t].is_constant) all_const = false;
    }
    for (int id : out_ids) ctx.outputs.push_back(&g_.tensors[id]);
    impl->prepare(ctx);
    for (int id : out_ids) g_.tensors[id].file_dtype = g_.tensors[id].dtype;
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

  int transpose(int id, const std::vector<int64_t>& perm, const std::string& name) {
    return emit(OpType::transpose, {id, const_i32(name + "/perm", perm)}, {}, name);
  }

  // The value in ONNX order (one TRANSPOSE, memoised, when it is stored NHWC).
  int onnx_order(const Value& v) {
    if (v.layout == Layout::onnx) return v.id;
    if (auto it = to_onnx_.find(v.id); it != to_onnx_.end()) return it->second;
    const int id = transpose(v.id, kNhwcToNchw, g_.tensors[v.id].name + "/nchw");
    to_onnx_[v.id] = id;
    to_nhwc_[id] = v.id;
    return id;
  }
  // A 4-D NCHW value as NHWC.
  int nhwc(const Value& v, const onnx::NodeProto& n) {
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
  // The ONNX (logical) shape of a value.
  Shape logical_shape(const Value& v) const {
    const Shape& s = g_.tensors[v.id].shape;
    if (v.layout == Layout::onnx) return s;
    return {s[0], s[3], s[1], s[2]};
  }

  Value in(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) return {};
    auto it = values_.find(n.input(i));
    if (it == values_.end())
      throw ModelError(fmt::format("{}: {} node '{}': input '{}' is not produced by an earlier node", source_,
                                   n.op_type(), n.name(), n.input(i)));
    return it->second;
  }
  bool has(const onnx::NodeProto& n, int i) const { return i < n.input_size() && !n.input(i).empty(); }

  std::vector<int64_t> const_ints(const onnx::NodeProto& n, int i, const char* what) {
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
  float const_scalar(const onnx::NodeProto& n, int i, const char* what) {
    const Tensor& t = g_.tensors[in(n, i).id];
    if (!t.is_constant || t.elements() != 1 || t.dtype != DType::f32)
      throw NotSupported(fmt::format("{}: {} node '{}': {} (input {}) must be a constant float scalar", source_,
                                     n.op_type(), n.name(), what, i));
    return t.as<float>()[0];
  }

  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& key) const {
    for (const auto& a : n.attribute())
      if (a.name() == key) return &a;
    return nullptr;
  }
  int64_t attr_int(const onnx::NodeProto& n, const std::string& key, int64_t fallback) const {
    const auto* a = attr(n, key);
    return a ? a->i() : fallback;
  }
  float attr_float(const onnx::NodeProto& n, const std::string& key, float fallback) const {
    const auto* a = attr(n, key);
    return a ? a->f() : fallback;
  }
  std::string attr_string(const onnx::NodeProto& n, const std::string& key, const std::string& fallback) const {
    const auto* a = attr(n, key);
    return a ? a->s() : fallback;
  }
  std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& key) const {
    const auto* a = attr(n, key);
    if (!a) return {};
    return {a->ints().begin(), a->ints().end()};
  }

  [[noreturn]] void unsupported(const onnx::NodeProto& n, const std::string& why) const {
    throw NotSupported(fmt::format("{}: {} node '{}': {} is not supported", source_, n.op_type(), n.name(), why));
  }

  void set(const onnx::NodeProto& n, int out, Value v) {
    if (out < n.output_size() && !n.output(out).empty()) values_[n.output(out)] = v;
  }
  std::string out_name(const onnx::NodeProto& n) const { return n.output_size() ? n.output(0) : n.name(); }

  static int norm_axis(int64_t a, int rank) { return static_cast<int>(a < 0 ? a + rank : a); }

  // A constant operand broadcast against a 4-D NHWC-stored value: right-align it to rank 4 (numpy rules) and
  // permute its data to NHWC.
  int constant_to_nhwc(int id) {
    Tensor& t = g_.tensors[id];
    if (t.shape.size() > 4) return -1;
    Shape s4(4 - t.shape.size(), 1);
    s4.insert(s4.end(), t.shape.begin(), t.shape.end());
    Attributes a;
    a.set("new_shape", to_i64(s4));
    const int r = emit(OpType::reshape, {id}, a, t.name + "/rank4");
    return transpose(r, kNchwToNhwc, t.name + "/nhwc");
  }

  // Binary elementwise op with ONNX (numpy) broadcasting, staying NHWC when one side is NHWC and the other a
  // constant or also NHWC.
  void binary(const onnx::NodeProto& n, OpType op, Value a, Value b, int out = 0) {
    const std::string name = out_name(n);
    const Tensor& ta = g_.tensors[a.id];
    const Tensor& tb = g_.tensors[b.id];
    const bool int_ok = op != OpType::pow && op != OpType::prelu;
    if (ta.dtype != tb.dtype || !(ta.dtype == DType::f32 || (int_ok && ta.dtype == DType::i32)))
      unsupported(n, fmt::format("operand types {} and {} (float32, or int32 for arithmetic, both the same)",
                                 dtype_name(ta.dtype), dtype_name(tb.dtype)));
    if (a.layout == Layout::nhwc || b.layout == Layout::nhwc) {
      int ia = a.id, ib = b.id;
      bool ok = true;
      if (a.layout != Layout::nhwc) ok = ta.is_constant && (ia = constant_to_nhwc(a.id)) >= 0;
      if (ok && b.layout != Layout::nhwc) ok = tb.is_constant && (ib = constant_to_nhwc(b.id)) >= 0;
      if (ok) {
        set(n, out, {emit(op, {ia, ib}, {}, name), Layout::nhwc});
        return;
      }
    }
    set(n, out, {emit(op, {onnx_order(a), onnx_order(b)}, {}, name), Layout::onnx});
  }

  void unary(const onnx::NodeProto& n, OpType op, const Attributes& a = {}) {
    const Value x = in(n, 0);
    set(n, 0, {emit(op, {x.id}, a, out_name(n)), x.layout});
  }

  // ONNX pads / auto_pad of a 2-D window -> (SAME or VALID, explicit [top, left, bottom, right] still to pad).
  struct Padding {
    int64_t tflite = 1;  // VALID
    std::vector<int64_t> explicit_pads;  // empty: none
  };
  Padding window_padding(const onnx::NodeProto& n, const Shape& nhwc_in, int64_t kh, int64_t kw, int64_t sh,
                         int64_t sw, int64_t dh, int64_t dw) {
    const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
    std::vector<int64_t> pads = attr_ints(n, "pads");
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (pads.size() != 4) unsupported(n, fmt::format("pads [{}] (expected 4 values for 2-D)", fmt::join(pads, ",")));
    // Pads TFLite's SAME would use: total = max((ceil(in/s) - 1) * s + effective_k - in, 0), the odd one after.
    auto same = [](int64_t in, int64_t k, int64_t s, int64_t d, bool lower) {
      const int64_t ek = (k - 1) * d + 1, out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>((out - 1) * s + ek - in, 0);
      const int64_t small = total / 2;
      return std::pair<int64_t, int64_t>{lower ? total - small : small, lower ? small : total - small};
    };
    const auto [th, bh] = same(nhwc_in[1], kh, sh, dh, false);
    const auto [tw, bw] = same(nhwc_in[2], kw, sw, dw, false);
    Padding p;
    if (auto_pad == "SAME_UPPER") {
      p.tflite = 0;
    } else if (auto_pad == "SAME_LOWER") {
      const auto [lth, lbh] = same(nhwc_in[1], kh, sh, dh, true);
      const auto [ltw, lbw] = same(nhwc_in[2], kw, sw, dw, true);
      if (lth == lbh && ltw == lbw) p.tflite = 0;
      else p.explicit_pads = {lth, ltw, lbh, lbw};
    } else if (auto_pad == "VALID" || std::all_of(pads.begin(), pads.end(), [](int64_t v) { return v == 0; })) {
      p.tflite = 1;
    } else if (auto_pad == "NOTSET") {
      if (pads == std::vector<int64_t>{th, tw, bh, bw}) p.tflite = 0;
      else p.explicit_pads = pads;
    } else {
      unsupported(n, fmt::format("auto_pad '{}'", auto_pad));
    }
    return p;
  }

  int pad_nhwc(int x, const std::vector<int64_t>& p, float value, const std::string& name) {
    // paddings [4,2] over NHWC: H gets (top, bottom), W gets (left, right).
    const int paddings = const_i32(name + "/paddings", {0, 0, p[0], p[2], p[1], p[3], 0, 0}, {4, 2});
    const int v = const_f32(name + "/value", {}, {value});
    return emit(OpType::padv2, {x, paddings, v}, {}, name);
  }

  void conv(const onnx::NodeProto& n) {
    const Value xv = in(n, 0);
    // Copies: adding tensors below may move the graph's tensor vector.
    const Shape w_shape = g_.tensors[in(n, 1).id].shape;
    const std::string w_name = g_.tensors[in(n, 1).id].name;
    if (w_shape.size() != 4) unsupported(n, fmt::format("a weight of shape {} (only 2-D convolution)", shape_string(w_shape)));
    if (!g_.tensors[in(n, 1).id].is_constant) unsupported(n, "a non-constant weight");
    const int x = nhwc(xv, n);
    const Shape xs = g_.tensors[x].shape;
    const int64_t group = attr_int(n, "group", 1);
    std::vector<int64_t> strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations");
    if (strides.empty()) strides = {1, 1};
    if (dil.empty()) dil = {1, 1};
    const int64_t kh = w_shape[2], kw = w_shape[3];
    const std::string name = out_name(n);
    Padding pad = window_padding(n, xs, kh, kw, strides[0], strides[1], dil[0], dil[1]);
    int xin = x;
    if (!pad.explicit_pads.empty()) xin = pad_nhwc(x, pad.explicit_pads, 0.0f, name + "/pad");
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
      inputs = {xin, transpose(in(n, 1).id, {1, 2, 3, 0}, w_name + "/1hwo")};
    } else {
      inputs = {xin, transpose(in(n, 1).id, {0, 2, 3, 1}, w_name + "/ohwi")};
    }
    if (has(n, 2)) inputs.push_back(in(n, 2).id);
    set(n, 0, {emit(op, inputs, a, name), Layout::nhwc});
  }

  void pool(const onnx::NodeProto& n, bool is_max) {
    const int x = nhwc(in(n, 0), n);
    const Shape xs = g_.tensors[x].shape;
    std::vector<int64_t> k = attr_ints(n, "kernel_shape"), strides = attr_ints(n, "strides"),
                         dil = attr_ints(n, "dilations");
    if (k.size() != 2) unsupported(n, fmt::format("kernel_shape [{}] (only 2-D pooling)", fmt::join(k, ",")));
    if (strides.empty()) strides = {1, 1};
    if (!dil.empty() && (dil[0] != 1 || dil[1] != 1)) unsupported(n, "dilated pooling");
    if (attr_int(n, "ceil_mode", 0) != 0) unsupported(n, "ceil_mode 1");
    if (attr_int(n, "storage_order", 0) != 0 || n.output_size() > 1) unsupported(n, "the Indices output");
    const std::string name = out_name(n);
    Padding pad = window_padding(n, xs, k[0], k[1], strides[0], strides[1], 1, 1);
    int xin = x;
    const bool include_pad = !is_max && attr_int(n, "count_include_pad", 0) != 0;
    if (include_pad && pad.tflite == 0) {
      // TFLite's SAME average excludes the padding; count_include_pad needs the zeros padded explicitly.
      const auto [th, bh] = std::pair<int64_t, int64_t>{0, 0};
      (void)th; (void)bh;
      auto same = [](int64_t in, int64_t kk, int64_t s) {
        const int64_t out = (in + s - 1) / s, total = std::max<int64_t>((out - 1) * s + kk - in, 0);
        return std::pair<int64_t, int64_t>{total / 2, total - total / 2};
      };
      const auto [t, b] = same(xs[1], k[0], strides[0]);
      const auto [l, r] = same(xs[2], k[1], strides[1]);
      pad.explicit_pads = {t, l, b, r};
      pad.tflite = 1;
    }
    if (!pad.explicit_pads.empty()) {
      if (!is_max && !include_pad)
        unsupported(n, fmt::format("asymmetric pads [{}] with count_include_pad 0 (not expressible as SAME)",
                                   fmt::join(attr_ints(n, "pads"), ",")));
      xin = pad_nhwc(x, pad.explicit_pads, is_max ? -std::numeric_limits<float>::infinity() : 0.0f, name + "/pad");
    }
    Attributes a;
    a.set("stride_h", strides[0]);
    a.set("stride_w", strides[1]);
    a.set("filter_height", k[0]);
    a.set("filter_width", k[1]);
    a.set("padding", pad.tflite);
    set(n, 0, {emit(is_max ? OpType::max_pool2d : OpType::average_pool2d, {xin}, a, name), Layout::nhwc});
  }

  void reduce(const onnx::NodeProto& n, OpType op, Value x, std::vector<int64_t> axes, bool keep) {
    const Shape ls = logical_shape(x);
    const int rank = static_cast<int>(ls.size());
    if (axes.empty())
      for (int k = 0; k < rank; ++k) axes.push_back(k);
    for (int64_t& a : axes) a = norm_axis(a, rank);
    const std::string name = out_name(n);
    Attributes at;
    at.set("keep_dims", static_cast<int64_t>(keep));
    if (x.layout == Layout::nhwc) {
      std::set<int64_t> s(axes.begin(), axes.end());
      const bool c_kept = !s.count(1), spatial_kept = !s.count(2) || !s.count(3);
      if (keep || !(c_kept && spatial_kept)) {
        std::vector<int64_t> mapped;
        for (int64_t a : axes) mapped.push_back(kToNhwcPos[a]);
        const int id = emit(op, {x.id, const_i32(name + "/axes", mapped)}, at, name);
        set(n, 0, {id, keep ? Layout::nhwc : Layout::onnx});
        return;
      }
    }
    set(n, 0, {emit(op, {onnx_order(x), const_i32(name + "/axes", axes)}, at, name), Layout::onnx});
  }

  void reshape_to(const onnx::NodeProto& n, const Value& x, const std::vector<int64_t>& shape, int out = 0) {
    Attributes a;
    a.set("new_shape", shape);
    set(n, out, {emit(OpType::reshape, {onnx_order(x)}, a, out_name(n)), Layout::onnx});
  }

  void softmax(const onnx::NodeProto& n, bool log) {
    const Value x = in(n, 0);
    const Shape ls = logical_shape(x);
    const int rank = static_cast<int>(ls.size());
    const int axis = norm_axis(attr_int(n, "axis", opset_ >= 13 ? -1 : 1), rank);
    const OpType op = log ? OpType::log_softmax : OpType::softmax;
    const std::string name = out_name(n);
    if (opset_ < 13) {
      // Before opset 13 the input is seen as 2-D [prod(dims < axis), prod(dims >= axis)].
      int64_t outer = 1, inner = 1;
      for (int k = 0; k < rank; ++k) (k < axis ? outer : inner) *= ls[k];
      Attributes a;
      a.set("new_shape", std::vector<int64_t>{outer, inner});
      const int flat = emit(OpType::reshape, {onnx_order(x)}, a, name + "/2d");
      const int s = emit(op, {flat}, {}, name + "/softmax");
      Attributes b;
      b.set("new_shape", to_i64(ls));
      set(n, 0, {emit(OpType::reshape, {s}, b, name), Layout::onnx});
      return;
    }
    if (x.layout == Layout::nhwc && axis == 1) {
      set(n, 0, {emit(op, {x.id}, {}, name), Layout::nhwc});
      return;
    }
    if (axis == rank - 1) {
      set(n, 0, {emit(op, {onnx_order(x)}, {}, name), Layout::onnx});
      return;
    }
    std::vector<int64_t> perm;
    for (int k = 0; k < rank; ++k)
      if (k != axis) perm.push_back(k);
    perm.push_back(axis);
    std::vector<int64_t> inv(rank);
    for (int k = 0; k < rank; ++k) inv[perm[k]] = k;
    const int t = transpose(onnx_order(x), perm, name + "/axis_last");
    const int s = emit(op, {t}, {}, name + "/softmax");
    set(n, 0, {transpose(s, inv, name), Layout::onnx});
  }

  void import_node(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    const std::string name = out_name(n);
    if (op == "Identity" || op == "Dropout") {
      set(n, 0, in(n, 0));
      if (op == "Dropout" && n.output_size() > 1 && !n.output(1).empty()) unsupported(n, "the mask output");
    } else if (op == "Constant") {
      if (const auto* a = attr(n, "value")) {
        Tensor t = tensor_from_proto(a->t(), source_);
        t.name = name;
        set(n, 0, {add(std::move(t)), Layout::onnx});
      } else if (const auto* a = attr(n, "value_float")) {
        set(n, 0, {const_f32(name, {}, {a->f()}), Layout::onnx});
      } else if (const auto* a = attr(n, "value_floats")) {
        set(n, 0, {const_f32(name, {a->floats_size()}, {a->floats().begin(), a->floats().end()}), Layout::onnx});
      } else if (const auto* a = attr(n, "value_int")) {
        const int id = const_i64(name, {a->i()});
        g_.tensors[id].shape = {};
        set(n, 0, {id, Layout::onnx});
      } else if (const auto* a = attr(n, "value_ints")) {
        set(n, 0, {const_i64(name, {a->ints().begin(), a->ints().end()}), Layout::onnx});
      } else {
        unsupported(n, "a value attribute other than value/value_float(s)/value_int(s)");
      }
    } else if (op == "Shape") {
      const Shape ls = logical_shape(in(n, 0));
      const int rank = static_cast<int>(ls.size());
      int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", rank);
      if (start < 0) start += rank;
      if (end < 0) end += rank;
      start = std::clamp<int64_t>(start, 0, rank);
      end = std::clamp<int64_t>(end, start, rank);
      set(n, 0, {const_i64(name, {ls.begin() + start, ls.begin() + end}), Layout::onnx});
    } else if (op == "Relu") {
      unary(n, OpType::relu);
    } else if (op == "Sigmoid") {
      unary(n, OpType::logistic);
    } else if (op == "Tanh") {
      unary(n, OpType::tanh);
    } else if (op == "HardSwish") {
      unary(n, OpType::hard_swish);
    } else if (op == "Exp" || op == "Log" || op == "Sqrt" || op == "Abs" || op == "Neg") {
      unary(n, op == "Exp" ? OpType::exp : op == "Log" ? OpType::log : op == "Sqrt" ? OpType::sqrt
               : op == "Abs" ? OpType::abs : OpType::neg);
    } else if (op == "LeakyRelu" || op == "Elu") {
      Attributes a;
      a.set("alpha", static_cast<double>(attr_float(n, "alpha", op == "Elu" ? 1.0f : 0.01f)));
      if (op == "Elu" && attr_float(n, "alpha", 1.0f) != 1.0f) unsupported(n, "alpha != 1");
      unary(n, op == "Elu" ? OpType::elu : OpType::leaky_relu, a);
    } else if (op == "HardSigmoid") {
      // max(0, min(1, alpha * x + beta)) as MUL, ADD, RELU_0_TO_1.
      const Value x = in(n, 0);
      const int m = emit(OpType::mul, {x.id, const_f32(name + "/alpha", {}, {attr_float(n, "alpha", 0.2f)})}, {},
                         name + "/scaled");
      const int s = emit(OpType::add, {m, const_f32(name + "/beta", {}, {attr_float(n, "beta", 0.5f)})}, {},
                         name + "/shifted");
      set(n, 0, {emit(OpType::relu_0_to_1, {s}, {}, name), x.layout});
    } else if (op == "Clip") {
      const Value x = in(n, 0);
      float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
      if (opset_ < 11) {
        lo = attr_float(n, "min", lo);
        hi = attr_float(n, "max", hi);
      } else {
        if (has(n, 1)) lo = const_scalar(n, 1, "min");
        if (has(n, 2)) hi = const_scalar(n, 2, "max");
      }
      if (lo == 0.0f && hi == 6.0f) {
        set(n, 0, {emit(OpType::relu6, {x.id}, {}, name), x.layout});
      } else if (lo == 0.0f && hi == std::numeric_limits<float>::infinity()) {
        set(n, 0, {emit(OpType::relu, {x.id}, {}, name), x.layout});
      } else {
        int id = x.id;
        if (lo != -std::numeric_limits<float>::infinity())
          id = emit(OpType::maximum, {id, const_f32(name + "/min", {}, {lo})}, {}, hi == std::numeric_limits<float>::infinity() ? name : name + "/lo");
        if (hi != std::numeric_limits<float>::infinity())
          id = emit(OpType::minimum, {id, const_f32(name + "/max", {}, {hi})}, {}, name);
        if (id == x.id) id = emit(OpType::reshape, {id}, [&] { Attributes a; a.set("new_shape", to_i64(g_.tensors[x.id].shape)); return a; }(), name);
        set(n, 0, {id, x.layout});
      }
    } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "PRelu") {
      const OpType t = op == "Add" ? OpType::add : op == "Sub" ? OpType::sub : op == "Mul" ? OpType::mul
                       : op == "Div" ? OpType::div : op == "Pow" ? OpType::pow : OpType::prelu;
      Value b = in(n, 1);
      const Shape xs = logical_shape(in(n, 0));
      const Tensor& slope = g_.tensors[b.id];
      if (t == OpType::prelu && opset_ < 7 && slope.shape.size() == 1 && xs.size() >= 2 && slope.shape[0] == xs[1] &&
          slope.shape[0] != 1) {
        // PRelu before opset 7: a 1-D slope is per channel (dim 1), not numpy-broadcast against the last dim.
        std::vector<int64_t> cs(xs.size() - 1, 1);
        cs[0] = xs[1];
        Attributes a;
        a.set("new_shape", cs);
        b = {emit(OpType::reshape, {b.id}, a, slope.name + "/per_channel"), Layout::onnx};
      }
      binary(n, t, in(n, 0), b);
    } else if (op == "Expand") {
      // Expand is numpy broadcasting of the input against a shape: input + zeros(shape) with the broadcasting ADD
      // is the same value, and folds at load when the input is a constant (torch's zero initial states).
      const std::vector<int64_t> want = const_ints(n, 1, "shape");
      Shape zs;
      for (int64_t d : want) {
        if (d < 1 || d > std::numeric_limits<int32_t>::max())
          unsupported(n, fmt::format("shape [{}] (every dimension must be positive)", fmt::join(want, ",")));
        zs.push_back(static_cast<int32_t>(d));
      }
      const Tensor& x = g_.tensors[in(n, 0).id];
      if (x.dtype != DType::f32) unsupported(n, fmt::format("a {} input (only float32)", dtype_name(x.dtype)));
      int64_t count = 1;
      for (int32_t d : zs) count *= d;
      const int zeros = const_f32(x.name + "/expand_zeros", zs, std::vector<float>(static_cast<size_t>(count), 0.0f));
      binary(n, OpType::add, in(n, 0), {zeros, Layout::onnx});
    } else if (op == "Max" || op == "Min") {
      if (n.input_size() != 2) unsupported(n, fmt::format("{} inputs (only 2)", n.input_size()));
      binary(n, op == "Max" ? OpType::maximum : OpType::minimum, in(n, 0), in(n, 1));
    } else if (op == "Conv") {
      conv(n);
    } else if (op == "MaxPool" || op == "AveragePool") {
      pool(n, op == "MaxPool");
    } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      const Value x = in(n, 0);
      const int rank = static_cast<int>(logical_shape(x).size());
      std::vector<int64_t> axes;
      for (int k = 2; k < rank; ++k) axes.push_back(k);
      reduce(n, op == "GlobalAveragePool" ? OpType::mean : OpType::reduce_max, x, axes, true);
    } else if (op == "ReduceMean" || op == "ReduceSum" || op == "ReduceMax") {
      std::vector<int64_t> axes = attr_ints(n, "axes");
      if (op == "ReduceSum" && opset_ >= 13 && has(n, 1)) axes = const_ints(n, 1, "axes");
      if (attr_int(n, "noop_with_empty_axes", 0) != 0 && axes.empty()) unsupported(n, "noop_with_empty_axes 1");
      reduce(n, op == "ReduceMean" ? OpType::mean : op == "ReduceSum" ? OpType::sum : OpType::reduce_max, in(n, 0),
             axes, attr_int(n, "keepdims", 1) != 0);
    } else if (op == "BatchNormalization") {
      batch_norm(n);
    } else if (op == "Gemm") {
      gemm(n);
    } else if (op == "MatMul") {
      matmul(n);
    } else if (op == "Reshape") {
      const Value x = in(n, 0);
      const Shape ls = logical_shape(x);
      std::vector<int64_t> want = opset_ < 5 ? attr_ints(n, "shape") : const_ints(n, 1, "shape");
      const bool allowzero = attr_int(n, "allowzero", 0) != 0;
      for (size_t k = 0; k < want.size(); ++k)
        if (want[k] == 0 && !allowzero) {
          if (k >= ls.size()) unsupported(n, "a 0 in shape beyond the input's rank");
          want[k] = ls[k];
        }
      reshape_to(n, x, want);
    } else if (op == "Flatten") {
      const Value x = in(n, 0);
      const Shape ls = logical_shape(x);
      const int axis = norm_axis(attr_int(n, "axis", 1), static_cast<int>(ls.size()));
      int64_t outer = 1, inner = 1;
      for (int k = 0; k < static_cast<int>(ls.size()); ++k) (k < axis ? outer : inner) *= ls[k];
      reshape_to(n, x, {outer, inner});
    } else if (op == "Squeeze" || op == "Unsqueeze") {
      const Value x = in(n, 0);
      const Shape ls = logical_shape(x);
      std::vector<int64_t> axes = opset_ >= 13 && has(n, 1) ? const_ints(n, 1, "axes") : attr_ints(n, "axes");
      std::vector<int64_t> shape;
      if (op == "Squeeze") {
        const int rank = static_cast<int>(ls.size());
        std::set<int64_t> s;
        for (int64_t a : axes) s.insert(norm_axis(a, rank));
        for (int k = 0; k < rank; ++k)
          if (!(axes.empty() ? ls[k] == 1 : s.count(k) != 0)) shape.push_back(ls[k]);
      } else {
        const int rank = static_cast<int>(ls.size() + axes.size());
        std::set<int64_t> s;
        for (int64_t a : axes) s.insert(norm_axis(a, rank));
        for (int k = 0, j = 0; k < rank; ++k) shape.push_back(s.count(k) ? 1 : ls[j++]);
      }
      reshape_to(n, x, shape);
    } else if (op == "Transpose") {
      const Value x = in(n, 0);
      const int rank = static_cast<int>(logical_shape(x).size());
      std::vector<int64_t> perm = attr_ints(n, "perm");
      if (perm.empty())
        for (int k = rank - 1; k >= 0; --k) perm.push_back(k);
      set(n, 0, {transpose(onnx_order(x), perm, name), Layout::onnx});
    } else if (op == "Concat") {
      std::vector<Value> xs;
      for (int i = 0; i < n.input_size(); ++i) xs.push_back(in(n, i));
      const int rank = static_cast<int>(logical_shape(xs[0]).size());
      const int axis = norm_axis(attr_int(n, "axis", 0), rank);
      const bool all_nhwc = std::all_of(xs.begin(), xs.end(), [](const Value& v) { return v.layout == Layout::nhwc; });
      Attributes a;
      std::vector<int> ids;
      for (const Value& v : xs) ids.push_back(all_nhwc ? v.id : onnx_order(v));
      a.set("axis", static_cast<int64_t>(all_nhwc ? kToNhwcPos[axis] : axis));
      set(n, 0, {emit(OpType::concatenation, ids, a, name), all_nhwc ? Layout::nhwc : Layout::onnx});
    } else if (op == "Softmax" || op == "LogSoftmax") {
      softmax(n, op == "LogSoftmax");
    } else if (op == "Gather") {
      const Value x = in(n, 0);
      const int rank = static_cast<int>(logical_shape(x).size());
      const int axis = norm_axis(attr_int(n, "axis", 0), rank);
      int idx = in(n, 1).id;
      Tensor& it = g_.tensors[idx];
      if (it.is_constant) {
        // ONNX allows negative indices (counted from the end); qgate's GATHER does not.
        const int64_t dim = logical_shape(x)[axis];
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
        idx = add(std::move(t));
      }
      Attributes a;
      a.set("axis", static_cast<int64_t>(axis));
      // qgate extension (no TFLite field): run-time negative indices count from the end, as ONNX specifies.
      a.set("wrap_negative_indices", int64_t{1});
      set(n, 0, {emit(OpType::gather, {onnx_order(x), idx}, a, name), Layout::onnx});
    } else if (op == "Pad") {
      const Value x = in(n, 0);
      const std::string mode = attr_string(n, "mode", "constant");
      if (mode != "constant") unsupported(n, fmt::format("mode '{}'", mode));
      std::vector<int64_t> pads = opset_ >= 11 ? const_ints(n, 1, "pads") : attr_ints(n, "pads");
      float value = opset_ >= 11 ? (has(n, 2) ? const_scalar(n, 2, "constant_value") : 0.0f) : attr_float(n, "value", 0.0f);
      if (opset_ >= 18 && has(n, 3)) unsupported(n, "the axes input");
      const int rank = static_cast<int>(logical_shape(x).size());
      if (static_cast<int>(pads.size()) != 2 * rank) unsupported(n, fmt::format("pads [{}] for rank {}", fmt::join(pads, ","), rank));
      for (int64_t p : pads)
        if (p < 0) unsupported(n, "negative pads (cropping)");
      std::vector<int64_t> flat(2 * rank);
      const bool keep_nhwc = x.layout == Layout::nhwc;
      for (int k = 0; k < rank; ++k) {
        const int pos = keep_nhwc ? kToNhwcPos[k] : k;
        flat[2 * pos] = pads[k];
        flat[2 * pos + 1] = pads[rank + k];
      }
      const int paddings = const_i32(name + "/paddings", flat, {rank, 2});
      const int v = const_f32(name + "/value", {}, {value});
      set(n, 0, {emit(OpType::padv2, {keep_nhwc ? x.id : onnx_order(x), paddings, v}, {}, name), x.layout});
    } else if (op == "ConvTranspose") {
      conv_transpose(n);
    } else if (op == "Slice") {
      slice(n);
    } else if (op == "Split") {
      const Value x = in(n, 0);
      const Shape ls = logical_shape(x);
      const int axis = norm_axis(attr_int(n, "axis", 0), static_cast<int>(ls.size()));
      std::vector<int64_t> sizes = opset_ >= 13 && has(n, 1) ? const_ints(n, 1, "split") : attr_ints(n, "split");
      const int64_t parts = n.output_size();
      if (sizes.empty()) {
        if (ls[axis] % parts != 0) unsupported(n, fmt::format("an uneven split of {} into {}", ls[axis], parts));
        sizes.assign(parts, ls[axis] / parts);
      }
      std::vector<std::string> names(n.output().begin(), n.output().end());
      const bool keep = x.layout == Layout::nhwc;
      const int src = keep ? x.id : onnx_order(x);
      Attributes a;
      a.set("num_splits", parts);
      const std::vector<int> outs =
          emit_multi(OpType::split_v, {src, const_i32(names[0] + "/sizes", sizes),
                                       const_i32(names[0] + "/axis", {keep ? kToNhwcPos[axis] : axis}, {1})},
                     a, names);
      for (int i = 0; i < parts; ++i) set(n, i, {outs[i], x.layout});
    } else if (op == "RNN") {
      onnx_rnn(n);
    } else if (op == "LSTM") {
      onnx_lstm(n);
    } else if (op == "GRU") {
      onnx_gru(n);
    } else if (op == "Resize") {
      resize(n);
    } else if (op == "DynamicQuantizeLSTM" && n.domain() == "com.microsoft") {
      onnx_lstm(n, /*dynamic_quantize=*/true);
    } else if (op == "DynamicQuantizeLinear" || op == "MatMulInteger" || op == "ConvInteger" || op == "Cast" ||
               n.domain() == "com.microsoft") {
      import_integer_op(n);
    } else {
      unsupported(n, "this op type");
    }
  }

  // 8-bit model inputs go only into the integer ops (the other ops compute in float32 or int32).
  void check_8bit_input(const std::string& name, int type) const {
    static const std::set<std::string> kInteger = {"MatMulInteger", "ConvInteger", "Cast", "MatMulIntegerToFloat"};
    for (const auto& n : model_.graph().node())
      for (const auto& i : n.input())
        if (i == name && !kInteger.count(n.op_type()))
          throw NotSupported(fmt::format("{}: input '{}' is {} and feeds {} node '{}': not supported (8-bit model inputs "
                                         "go only into MatMulInteger, ConvInteger and Cast)", source_, name,
                                         type == kUint8 ? "uint8" : "int8", n.op_type(), n.name()));
  }

  // ---- onnxruntime dynamic quantization ----
  // quantize_dynamic writes, per MatMul:  x -> DynamicQuantizeLinear -> (y, y_scale, y_zp);
  //   MatMulInteger(y, W_int8 [K, N], y_zp, W_zp) -> Cast(to float) -> Mul(., Mul(y_scale, W_scale)) [-> Add(bias)]
  // and its graph optimizer fuses that into com.microsoft DynamicQuantizeMatMul(x, W, W_scale, W_zp, bias) or
  // MatMulIntegerToFloat(y, W, y_scale, W_scale, y_zp, W_zp, bias). Each becomes one hybrid fully_connected node
  // with the int8 weight (transposed to [N, K]) and onnxruntime's input quantization and epilogue. Anything not
  // matching runs as the separate integer ops.
  //
  // And per Conv:  ConvInteger(y, W_int8 [O, I/group, KH, KW], y_zp, W_zp) -> Cast(to float)
  //   -> Mul(., Mul(y_scale, W_scale)) [-> Add(., Reshape(bias [O], [1, -1, 1, 1]))]
  // which becomes one hybrid conv2d node (the weight transposed to OHWI, the ConvInteger's strides, dilations,
  // pads and group) with the same input quantization and epilogue; a depthwise ConvInteger (group > 1, one input
  // channel per group) becomes a hybrid depthwise_conv2d the same way.
  struct OrtDynamicPattern {
    const onnx::NodeProto* conv = nullptr;   // the ConvInteger of a conv pattern (null: a fully connected one)
    const onnx::NodeProto* final = nullptr;  // the node whose output the fused layer produces
    std::string x;                           // the float input
    std::string weight, weight_scale, weight_zp, bias;  // initializer / constant names ("" when absent)
    std::vector<const onnx::NodeProto*> covered;        // nodes the fused layer replaces (except the DQL)
    const onnx::NodeProto* dql = nullptr;
  };

  const onnx::TensorProto* initializer(const std::string& name) const {
    for (const auto& t : model_.graph().initializer())
      if (t.name() == name) return &t;
    for (const auto& n : model_.graph().node())
      if (n.op_type() == "Constant" && n.output_size() == 1 && n.output(0) == name)
        for (const auto& a : n.attribute())
          if (a.name() == "value" && a.has_t()) return &a.t();
    return nullptr;
  }

  void find_ort_dynamic_patterns() {
    const auto& nodes = model_.graph().node();
    std::map<std::string, std::vector<const onnx::NodeProto*>> consumers;
    std::map<std::string, const onnx::NodeProto*> producer;
    std::set<std::string> graph_outputs;
    for (const auto& o : model_.graph().output()) graph_outputs.insert(o.name());
    for (const auto& n : nodes) {
      for (const auto& i : n.input()) consumers[i].push_back(&n);
      for (const auto& o : n.output()) producer[o] = &n;
    }
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
      const Tensor wt = tensor_from_proto(*t, source_);
      for (int64_t i = 0; i < wt.elements(); ++i)
        if (wt.as<int8_t>()[i] == -128) return false;
      if (zp.empty()) return true;
      const onnx::TensorProto* z = initializer(zp);
      if (!z || z->data_type() != kInt8) return false;
      const Tensor zt = tensor_from_proto(*z, source_);
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
      const Tensor wt = tensor_from_proto(*t, source_);
      for (int64_t i = 0; i < wt.elements(); ++i)
        if (wt.as<int8_t>()[i] == -128) return false;
      const std::string zp = arg(n, 3);
      if (zp.empty()) return true;
      const onnx::TensorProto* z = initializer(zp);
      if (!z || z->data_type() != kInt8) return false;
      const Tensor zt = tensor_from_proto(*z, source_);
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
        const Tensor st = tensor_from_proto(*shape, source_);
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
        if (c != p.final) skipped_.insert(c);
      if (p.dql) ++dql_uses[p.dql];
      fused_[p.final] = p;
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
      if (!escapes && readers == static_cast<size_t>(3 * uses)) skipped_.insert(dql);
    }
  }

  // Emits the hybrid conv2d node of one recognised ConvInteger pattern (NHWC, as a float Conv imports).
  void import_ort_conv(const OrtDynamicPattern& p) {
    const onnx::NodeProto& n = *p.final;
    const onnx::NodeProto& c = *p.conv;
    const std::string name = out_name(n);
    auto vit = values_.find(p.x);
    if (vit == values_.end())
      throw ModelError(fmt::format("{}: {} node '{}': input '{}' is not produced by an earlier node", source_,
                                   c.op_type(), c.name(), p.x));
    const Tensor oihw = tensor_from_proto(*initializer(p.weight), source_);
    const int32_t o = oihw.shape[0], ci = oihw.shape[1], kh = oihw.shape[2], kw = oihw.shape[3];
    const int x = nhwc(vit->second, c);
    const Shape xs = g_.tensors[x].shape;
    if (xs.size() != 4 || xs[3] % ci != 0 || xs[3] / ci != attr_int(c, "group", 1))
      unsupported(c, fmt::format("an input of shape {} against a weight of shape {} and group {}",
                                 shape_string(logical_shape(vit->second)), shape_string(oihw.shape),
                                 attr_int(c, "group", 1)));
    std::vector<int64_t> strides = attr_ints(c, "strides"), dil = attr_ints(c, "dilations");
    if (strides.empty()) strides = {1, 1};
    if (dil.empty()) dil = {1, 1};
    Padding pad = window_padding(c, xs, kh, kw, strides[0], strides[1], dil[0], dil[1]);
    // Explicit pads become zeros before the conv: 0 lies in DynamicQuantizeLinear's range (it always includes
    // 0), so the scale is unchanged and the zeros quantize exactly to the zero point ConvInteger pads with.
    const int xin = pad.explicit_pads.empty() ? x : pad_nhwc(x, pad.explicit_pads, 0.0f, name + "/pad");
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
    const Tensor st = tensor_from_proto(*initializer(p.weight_scale), source_);
    w.quant.scale.assign(st.as<float>(), st.as<float>() + st.elements());
    w.quant.zero_point.assign(w.quant.scale.size(), 0);
    w.quant.axis = depthwise ? 3 : 0;
    std::vector<int> inputs = {xin, add(std::move(w))};
    if (!p.bias.empty()) {
      Tensor b = tensor_from_proto(*initializer(p.bias), source_);
      b.shape = {o};
      inputs.push_back(add(std::move(b)));
    }
    Attributes a;
    a.set("stride_h", strides[0]);
    a.set("stride_w", strides[1]);
    a.set("dilation_h_factor", dil[0]);
    a.set("dilation_w_factor", dil[1]);
    a.set("padding", pad.tflite);
    if (depthwise) a.set("depth_multiplier", int64_t{o / xs[3]});
    a.set("asymmetric_quantize_inputs", int64_t{1});
    a.set("qgate_input_quantization", std::string("ort-u8-tensor"));
    a.set("qgate_epilogue", std::string("onnxruntime"));
    set(n, 0, {emit(depthwise ? OpType::depthwise_conv2d : OpType::conv2d, inputs, a, name, /*fold=*/false),
               Layout::nhwc});
  }

  // Emits the hybrid fully connected node of one recognised pattern.
  void import_ort_dynamic(const OrtDynamicPattern& p) {
    if (p.conv) {
      import_ort_conv(p);
      return;
    }
    const onnx::NodeProto& n = *p.final;
    const std::string name = out_name(n);
    auto vit = values_.find(p.x);
    if (vit == values_.end())
      throw ModelError(fmt::format("{}: {} node '{}': input '{}' is not produced by an earlier node", source_,
                                   n.op_type(), n.name(), p.x));
    const int x = onnx_order(vit->second);
    const Tensor wkn = tensor_from_proto(*initializer(p.weight), source_);
    const int32_t k = wkn.shape[0], cols = wkn.shape[1];
    if (g_.tensors[x].shape.empty() || g_.tensors[x].shape.back() != k)
      unsupported(n, fmt::format("an input of shape {} against a weight of shape {}", shape_string(g_.tensors[x].shape),
                                 shape_string(wkn.shape)));
    Tensor w;
    w.name = p.weight + "/nk";
    w.dtype = w.file_dtype = DType::i8;
    w.shape = {cols, k};
    w.is_constant = true;
    w.allocate();
    for (int32_t r = 0; r < k; ++r)
      for (int32_t c = 0; c < cols; ++c) w.as<int8_t>()[int64_t{c} * k + r] = wkn.as<int8_t>()[int64_t{r} * cols + c];
    const Tensor st = tensor_from_proto(*initializer(p.weight_scale), source_);
    w.quant.scale.assign(st.as<float>(), st.as<float>() + st.elements());
    w.quant.zero_point.assign(w.quant.scale.size(), 0);
    w.quant.axis = 0;
    std::vector<int> inputs = {x, add(std::move(w))};
    if (!p.bias.empty()) {
      Tensor b = tensor_from_proto(*initializer(p.bias), source_);
      if (b.dtype != DType::f32 || b.elements() != cols) unsupported(n, "a bias that is not float [N]");
      b.shape = {cols};
      inputs.push_back(add(std::move(b)));
    }
    Attributes a;
    a.set("keep_num_dims", int64_t{1});
    a.set("asymmetric_quantize_inputs", int64_t{1});
    a.set("qgate_input_quantization", std::string("ort-u8-tensor"));
    a.set("qgate_epilogue", std::string("onnxruntime"));
    set(n, 0, {emit(OpType::fully_connected, inputs, a, name, /*fold=*/false), Layout::onnx});
  }

  // Cast, DynamicQuantizeLinear, MatMulInteger, ConvInteger as their own ops (the unfused forms), and the
  // com.microsoft ops that did not match a pattern.
  void import_integer_op(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    const std::string name = out_name(n);
    if (n.domain() == "com.microsoft")
      unsupported(n, "this com.microsoft op outside onnxruntime's dynamic-quantization pattern (a constant int8 "
                     "weight without -128, zero weight zero point, constant scales, a DynamicQuantizeLinear input)");
    if (op == "Cast") {
      const int64_t to = attr_int(n, "to", 0);
      DType t;
      switch (to) {
        case kFloat: t = DType::f32; break;
        case kInt32: t = DType::i32; break;
        case kInt64: t = DType::i64; break;
        case kUint8: t = DType::u8; break;
        case kInt8: t = DType::i8; break;
        case kBool: t = DType::boolean; break;
        default: unsupported(n, fmt::format("to = {} (float, int32, int64, uint8, int8 or bool)", to));
      }
      const Value x = in(n, 0);
      set(n, 0, {emit_multi(OpType::cast, {x.id}, {}, {name}, true, {t})[0], x.layout});
    } else if (op == "DynamicQuantizeLinear") {
      std::vector<std::string> names;
      for (int i = 0; i < 3; ++i) names.push_back(i < n.output_size() && !n.output(i).empty() ? n.output(i) : name + fmt::format("/{}", i));
      const Value x = in(n, 0);
      const std::vector<int> outs = emit_multi(OpType::dynamic_quantize_linear, {onnx_order(x)}, {}, names);
      for (int i = 0; i < 3; ++i) set(n, i, {outs[i], Layout::onnx});
    } else if (op == "MatMulInteger") {
      std::vector<int> inputs;
      for (int i = 0; i < 4; ++i) inputs.push_back(has(n, i) ? onnx_order(in(n, i)) : -1);
      while (inputs.back() < 0) inputs.pop_back();
      set(n, 0, {emit(OpType::matmul_integer, inputs, {}, name), Layout::onnx});
    } else {  // ConvInteger, NCHW as ONNX
      const Value xv = in(n, 0), wv = in(n, 1);
      const Shape xs = logical_shape(xv), ws = logical_shape(wv);
      if (xs.size() != 4 || ws.size() != 4) unsupported(n, "a rank other than 4 (only 2-D convolution)");
      std::vector<int64_t> strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations");
      if (strides.empty()) strides = {1, 1};
      if (dil.empty()) dil = {1, 1};
      // window_padding works on NHWC shapes; SAME_LOWER / SAME_UPPER / explicit pads all end as 4 numbers here.
      const Shape nhwc_shape = {xs[0], xs[2], xs[3], xs[1]};
      Padding pad = window_padding(n, nhwc_shape, ws[2], ws[3], strides[0], strides[1], dil[0], dil[1]);
      std::vector<int64_t> pads = pad.explicit_pads;
      if (pads.empty() && pad.tflite == 0) {
        auto same = [](int64_t in, int64_t kk, int64_t s, int64_t d) {
          const int64_t ek = (kk - 1) * d + 1, out = (in + s - 1) / s;
          const int64_t total = std::max<int64_t>((out - 1) * s + ek - in, 0);
          return std::pair<int64_t, int64_t>{total / 2, total - total / 2};
        };
        const auto [t, b] = same(xs[2], ws[2], strides[0], dil[0]);
        const auto [l, r] = same(xs[3], ws[3], strides[1], dil[1]);
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
      for (int i = 0; i < 4; ++i) inputs.push_back(has(n, i) ? onnx_order(in(n, i)) : -1);
      while (inputs.back() < 0) inputs.pop_back();
      set(n, 0, {emit(OpType::conv_integer, inputs, a, name), Layout::onnx});
    }
  }

  // ONNX ConvTranspose (2-D, group 1, dilation 1) as TRANSPOSE_CONV with VALID padding onto the full output
  // ((in - 1) * stride + kernel, or more for output_padding), then a crop of [pad_begin, pad_begin + out).
  void conv_transpose(const onnx::NodeProto& n) {
    const Value xv = in(n, 0);
    const Tensor& wt = g_.tensors[in(n, 1).id];
    if (!wt.is_constant) unsupported(n, "a non-constant weight");
    if (wt.shape.size() != 4) unsupported(n, fmt::format("a weight of shape {} (only 2-D)", shape_string(wt.shape)));
    if (attr_int(n, "group", 1) != 1) unsupported(n, "group > 1");
    std::vector<int64_t> dil = attr_ints(n, "dilations");
    for (int64_t d : dil)
      if (d != 1) unsupported(n, "dilation > 1");
    const Shape w_shape = wt.shape;  // [Cin, Cout, KH, KW]
    const std::string w_name = wt.name;
    const int x = nhwc(xv, n);
    const Shape xs = g_.tensors[x].shape;
    std::vector<int64_t> strides = attr_ints(n, "strides"), out_pad = attr_ints(n, "output_padding"),
                         pads = attr_ints(n, "pads"), out_shape = attr_ints(n, "output_shape");
    if (strides.empty()) strides = {1, 1};
    if (out_pad.empty()) out_pad = {0, 0};
    if (pads.empty()) pads = {0, 0, 0, 0};
    const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
    if (out_shape.size() > 2) out_shape.erase(out_shape.begin(), out_shape.end() - 2);
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
      if (begin[k] < 0 || out[k] < 1) unsupported(n, "pads or output_shape that extend the output before its start");
    }
    const std::string name = out_name(n);
    const int64_t cout = w_shape[1];
    int64_t full[2];
    for (int k = 0; k < 2; ++k)
      full[k] = std::max<int64_t>((xs[1 + k] - 1) * strides[k] + w_shape[2 + k], begin[k] + out[k]);
    Attributes a;
    a.set("stride_h", strides[0]);
    a.set("stride_w", strides[1]);
    a.set("padding", int64_t{1});
    std::vector<int> inputs = {const_i32(name + "/output_shape", {xs[0], full[0], full[1], cout}),
                               transpose(in(n, 1).id, {1, 2, 3, 0}, w_name + "/ohwi"), x};
    if (has(n, 2)) inputs.push_back(in(n, 2).id);
    const bool crop = begin[0] != 0 || begin[1] != 0 || full[0] != out[0] || full[1] != out[1];
    int id = emit(OpType::transpose_conv, inputs, a, crop ? name + "/full" : name);
    if (crop)
      id = emit(OpType::strided_slice,
                {id, const_i32(name + "/begin", {0, begin[0], begin[1], 0}),
                 const_i32(name + "/end", {xs[0], begin[0] + out[0], begin[1] + out[1], cout}),
                 const_i32(name + "/strides", {1, 1, 1, 1})},
                {}, name);
    set(n, 0, {id, Layout::nhwc});
  }

  // ONNX Slice (starts/ends/axes/steps, clamped per the spec) as STRIDED_SLICE over explicit per-dim ranges.
  void slice(const onnx::NodeProto& n) {
    const Value x = in(n, 0);
    const Shape ls = logical_shape(x);
    const int rank = static_cast<int>(ls.size());
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset_ < 10) {
      starts = attr_ints(n, "starts");
      ends = attr_ints(n, "ends");
      axes = attr_ints(n, "axes");
    } else {
      starts = const_ints(n, 1, "starts");
      ends = const_ints(n, 2, "ends");
      if (has(n, 3)) axes = const_ints(n, 3, "axes");
      if (has(n, 4)) steps = const_ints(n, 4, "steps");
    }
    if (axes.empty())
      for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      unsupported(n, "starts/ends/axes/steps of different lengths");
    std::vector<int64_t> begin(rank, 0), end(ls.begin(), ls.end()), stride(rank, 1);
    int64_t end_mask = 0;
    for (size_t i = 0; i < starts.size(); ++i) {
      const int a = norm_axis(axes[i], rank);
      const int64_t d = ls[a], st = steps[i];
      if (st == 0) unsupported(n, "step 0");
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
    const std::string name = out_name(n);
    set(n, 0, {emit(OpType::strided_slice, {onnx_order(x), const_i32(name + "/begin", begin),
                                            const_i32(name + "/end", end), const_i32(name + "/strides", stride)},
                    at, name),
               Layout::onnx});
  }

  // ONNX Resize of the two spatial dims of a 4-D NCHW tensor as RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR.
  void resize(const onnx::NodeProto& n) {
    const Value xv = in(n, 0);
    const Shape ls = logical_shape(xv);
    if (ls.size() != 4) unsupported(n, fmt::format("an input of rank {} (only 4-D NCHW)", ls.size()));
    const std::string mode = attr_string(n, "mode", "nearest");
    const std::string ctm = attr_string(n, "coordinate_transformation_mode", opset_ < 11 ? "asymmetric" : "half_pixel");
    const std::string nearest_mode = attr_string(n, "nearest_mode", "round_prefer_floor");
    std::vector<int64_t> out_hw;
    std::vector<float> scales;
    const int scales_input = opset_ < 11 ? 1 : 2;
    if (opset_ >= 11 && has(n, 3)) {
      const std::vector<int64_t> sizes = const_ints(n, 3, "sizes");
      if (sizes.size() != 4) unsupported(n, "sizes with other than 4 values");
      if (sizes[0] != ls[0] || sizes[1] != ls[1]) unsupported(n, "resizing the batch or channel dim");
      out_hw = {sizes[2], sizes[3]};
    } else if (has(n, scales_input)) {
      const Tensor& st = g_.tensors[in(n, scales_input).id];
      if (!st.is_constant || st.dtype != DType::f32 || st.elements() != 4) unsupported(n, "non-constant scales");
      scales.assign(st.as<float>(), st.as<float>() + 4);
      if (scales[0] != 1.0f || scales[1] != 1.0f) unsupported(n, "resizing the batch or channel dim");
      out_hw = {static_cast<int64_t>(std::floor(ls[2] * scales[2])), static_cast<int64_t>(std::floor(ls[3] * scales[3]))};
      // TFLite derives the coordinate scale from the sizes; the ONNX spec uses the given scale.
      if (ls[2] * scales[2] != static_cast<float>(out_hw[0]) || ls[3] * scales[3] != static_cast<float>(out_hw[1]))
        unsupported(n, "scales giving a fractional output size");
    } else {
      unsupported(n, "neither scales nor sizes");
    }
    if (attr_int(n, "exclude_outside", 0) != 0) unsupported(n, "exclude_outside 1");
    if (has(n, 1) && opset_ >= 11 && ctm == "tf_crop_and_resize") unsupported(n, "tf_crop_and_resize");
    if (attr(n, "antialias") && attr_int(n, "antialias", 0) != 0) unsupported(n, "antialias");
    Attributes a;
    OpType op;
    if (mode == "linear") {
      op = OpType::resize_bilinear;
      if (ctm == "half_pixel" || (ctm == "pytorch_half_pixel" && out_hw[0] > 1 && out_hw[1] > 1))
        a.set("half_pixel_centers", int64_t{1});
      else if (ctm == "align_corners") a.set("align_corners", int64_t{1});
      else if (ctm != "asymmetric") unsupported(n, fmt::format("linear with coordinate_transformation_mode '{}'", ctm));
    } else if (mode == "nearest") {
      op = OpType::resize_nearest_neighbor;
      if (ctm == "asymmetric" && nearest_mode == "floor") {
      } else if (ctm == "align_corners" && nearest_mode == "round_prefer_ceil") {
        a.set("align_corners", int64_t{1});
      } else if (ctm == "tf_half_pixel_for_nn" && nearest_mode == "floor") {
        a.set("half_pixel_centers", int64_t{1});
      } else {
        unsupported(n, fmt::format("nearest with coordinate_transformation_mode '{}' and nearest_mode '{}'", ctm,
                                   nearest_mode));
      }
    } else {
      unsupported(n, fmt::format("mode '{}'", mode));
    }
    const std::string name = out_name(n);
    const int x = nhwc(xv, n);
    set(n, 0, {emit(op, {x, const_i32(name + "/size", out_hw)}, a, name), Layout::nhwc});
  }

  void batch_norm(const onnx::NodeProto& n) {
    if (attr_int(n, "training_mode", 0) != 0 || n.output_size() > 1) unsupported(n, "training mode");
    const Value x = in(n, 0);
    const std::string name = out_name(n);
    std::vector<const Tensor*> p;
    for (int i = 1; i <= 4; ++i) {
      const Tensor& t = g_.tensors[in(n, i).id];
      if (!t.is_constant || t.dtype != DType::f32 || t.shape.size() != 1)
        unsupported(n, fmt::format("a non-constant or non-1-D parameter (input {})", i));
      p.push_back(&t);
    }
    const int64_t c = p[0]->shape[0];
    const float eps = attr_float(n, "epsilon", 1e-5f);
    std::vector<float> scale(c), shift(c);
    for (int64_t k = 0; k < c; ++k) {
      scale[k] = p[0]->as<float>()[k] / std::sqrt(p[3]->as<float>()[k] + eps);
      shift[k] = p[1]->as<float>()[k] - p[2]->as<float>()[k] * scale[k];
    }
    const int rank = static_cast<int>(logical_shape(x).size());
    Shape cshape;
    if (x.layout == Layout::nhwc) {
      cshape = {static_cast<int32_t>(c)};
    } else {
      cshape = Shape(std::max(rank - 1, 1), 1);
      cshape[0] = static_cast<int32_t>(c);
    }
    const int xid = x.id;
    if (fold_into_conv(xid, scale, shift)) {
      set(n, 0, x);
      return;
    }
    const int m = emit(OpType::mul, {xid, const_f32(name + "/scale", cshape, scale)}, {}, name + "/scaled");
    set(n, 0, {emit(OpType::add, {m, const_f32(name + "/shift", cshape, shift)}, {}, name), x.layout});
  }

  // BatchNormalization right after a Conv whose output nothing else reads: scale the filter's output channels
  // and fold the shift into the bias, at load.
  bool fold_into_conv(int x, const std::vector<float>& scale, const std::vector<float>& shift) {
    if (g_.nodes.empty()) return false;
    Node& conv = g_.nodes.back();
    if ((conv.op != OpType::conv2d && conv.op != OpType::depthwise_conv2d) || conv.outputs[0] != x) return false;
    for (const auto& [name, v] : values_)
      if (v.id == x && consumers_of(name) > 1) return false;
    const bool dw = conv.op == OpType::depthwise_conv2d;
    const Tensor& w = g_.tensors[conv.inputs[1]];  // read only: the weight may be shared; add() comes after
    Tensor wc;
    wc.name = w.name + "/bn";
    wc.shape = w.shape;
    wc.is_constant = true;
    wc.allocate();
    const int64_t cout = dw ? w.shape[3] : w.shape[0];
    if (cout != static_cast<int64_t>(scale.size())) return false;
    const int64_t per = w.elements() / cout;
    for (int64_t i = 0; i < w.elements(); ++i) {
      const int64_t ch = dw ? i % cout : i / per;
      wc.as<float>()[i] = w.as<float>()[i] * scale[ch];
    }
    std::vector<float> bias(cout, 0.0f);
    if (conv.inputs.size() > 2 && conv.inputs[2] >= 0)
      for (int64_t k = 0; k < cout; ++k) bias[k] = g_.tensors[conv.inputs[2]].as<float>()[k];
    for (int64_t k = 0; k < cout; ++k) bias[k] = bias[k] * scale[k] + shift[k];
    conv.inputs[1] = add(std::move(wc));
    const int b = const_f32(g_.tensors[x].name + "/bias_bn", {static_cast<int32_t>(cout)}, bias);
    if (conv.inputs.size() > 2) conv.inputs[2] = b;
    else conv.inputs.push_back(b);
    return true;
  }
  int consumers_of(const std::string& name) const {
    int c = 0;
    for (const auto& n : model_.graph().node())
      for (const auto& i : n.input()) c += i == name;
    for (const auto& o : model_.graph().output()) c += o.name() == name;
    return c;
  }

  void gemm(const onnx::NodeProto& n) {
    const std::string name = out_name(n);
    const float alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
    const bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
    int a = onnx_order(in(n, 0));
    if (g_.tensors[a].shape.size() != 2) unsupported(n, "a non-2-D A");
    if (ta) a = transpose(a, {1, 0}, name + "/At");
    const Value bv = in(n, 1);
    if (!g_.tensors[bv.id].is_constant) unsupported(n, "a non-constant B");
    // FULLY_CONNECTED weights are [N, K]: B^T unless transB.
    int w = tb ? bv.id : transpose(bv.id, {1, 0}, name + "/Bt");
    if (alpha != 1.0f) w = emit(OpType::mul, {w, const_f32(name + "/alpha", {}, {alpha})}, {}, name + "/weights");
    const int64_t nout = g_.tensors[w].shape[0];
    std::vector<int> inputs = {a, w};
    int add_after = -1;
    if (has(n, 2) && beta != 0.0f) {
      const Tensor& c = g_.tensors[in(n, 2).id];
      if (c.is_constant && c.elements() == nout && (c.shape.size() == 1 || c.shape[0] == 1)) {
        std::vector<float> bias(c.as<float>(), c.as<float>() + nout);
        for (float& v : bias) v *= beta;
        inputs.push_back(const_f32(name + "/bias", {static_cast<int32_t>(nout)}, bias));
      } else {
        add_after = in(n, 2).id;
        if (beta != 1.0f) add_after = emit(OpType::mul, {onnx_order(in(n, 2)), const_f32(name + "/beta", {}, {beta})}, {}, name + "/C");
      }
    }
    int id = emit(OpType::fully_connected, inputs, {}, add_after < 0 ? name : name + "/fc");
    if (add_after >= 0) id = emit(OpType::add, {id, add_after}, {}, name);
    set(n, 0, {id, Layout::onnx});
  }

  void matmul(const onnx::NodeProto& n) {
    const std::string name = out_name(n);
    const int a = onnx_order(in(n, 0));
    const Value bv = in(n, 1);
    const Tensor& b = g_.tensors[bv.id];
    const Shape as = g_.tensors[a].shape;
    if (b.is_constant && b.shape.size() == 2 && as.size() >= 2) {
      const int w = transpose(bv.id, {1, 0}, name + "/Bt");
      Attributes at;
      at.set("keep_num_dims", int64_t{1});
      set(n, 0, {emit(OpType::fully_connected, {a, w}, at, name), Layout::onnx});
      return;
    }
    if (as.size() < 2 || b.shape.size() < 2) unsupported(n, "a 1-D operand");
    set(n, 0, {emit(OpType::batch_matmul, {a, onnx_order(bv)}, {}, name), Layout::onnx});
  }

  // ---- Recurrent ops: ONNX RNN, LSTM and GRU ----
  //
  // Each direction becomes one sequence op (UNIDIRECTIONAL_SEQUENCE_RNN, UNIDIRECTIONAL_SEQUENCE_LSTM or GRU)
  // whose weights are sliced at load, per direction (and per gate for LSTM), into constants in the layout that
  // op takes, so PTQ quantizes them as it does TFLite's. The reverse direction is the same op with `reverse`.
  // ONNX's Y [T, D, B, H] (layout 1: [B, T, D, H]) and Y_h / Y_c [D, B, H] ([B, D, H]) are assembled from the
  // per-direction outputs with RESHAPE (one direction) or PACK (two).

  struct RecurrentShape {
    int dirs = 1;
    bool reverse_only = false;  // direction "reverse"
    bool batch_major = false;   // layout 1: X [B, T, I]
    int T = 0, B = 0, I = 0, H = 0;
    float clip = 0.0f;          // > 0: gate pre-activation clip
    std::vector<std::string> activations;  // acts_per_dir per direction
  };

  // Validates what RNN, LSTM and GRU share (X, W, R, B, sequence_lens, direction, layout, activations, clip).
  // transposed: W [D, I, gates * H] and R [D, H, gates * H] (com.microsoft DynamicQuantizeLSTM) instead of ONNX's
  // [D, gates * H, I] and [D, gates * H, H].
  RecurrentShape recurrent_shape(const onnx::NodeProto& n, int gates, const std::vector<std::string>& default_acts,
                                 bool transposed = false) {
    RecurrentShape r;
    const Shape xs = logical_shape(in(n, 0));
    if (xs.size() != 3) throw ModelError(fmt::format("{}: {} node '{}': X has shape {}, expected rank 3", source_,
                                                     n.op_type(), n.name(), shape_string(xs)));
    r.batch_major = attr_int(n, "layout", 0) != 0;
    r.T = r.batch_major ? xs[1] : xs[0];
    r.B = r.batch_major ? xs[0] : xs[1];
    r.I = xs[2];
    const std::string dir = attr_string(n, "direction", "forward");
    if (dir == "bidirectional") r.dirs = 2;
    else if (dir == "reverse") r.reverse_only = true;
    else if (dir != "forward") unsupported(n, fmt::format("direction '{}'", dir));
    for (int i : {1, 2})
      if (!has(n, i) || !g_.tensors[in(n, i).id].is_constant)
        unsupported(n, fmt::format("a non-constant or absent {} (input {}; weights must be initializers)",
                                   i == 1 ? "W" : "R", i));
    const Shape ws = g_.tensors[in(n, 1).id].shape, rs = g_.tensors[in(n, 2).id].shape;
    r.H = static_cast<int>(attr_int(n, "hidden_size", rs.size() == 3 ? rs[transposed ? 1 : 2] : 0));
    const int gh = gates * r.H;
    if (transposed && (ws != Shape{r.dirs, r.I, gh} || rs != Shape{r.dirs, r.H, gh}))
      throw ModelError(fmt::format("{}: {} node '{}': W {} and R {} do not match [{}, {}, {}] and [{}, {}, {}] "
                                   "(directions, input / hidden size, {} gates x hidden_size)", source_,
                                   n.op_type(), n.name(), shape_string(ws), shape_string(rs), r.dirs, r.I, gh,
                                   r.dirs, r.H, gh, gates));
    if (!transposed && (ws != Shape{r.dirs, gh, r.I} || rs != Shape{r.dirs, gh, r.H}))
      throw ModelError(fmt::format("{}: {} node '{}': W {} and R {} do not match [{}, {}, {}] and [{}, {}, {}] "
                                   "(directions, {} gates x hidden_size, input / hidden size)", source_,
                                   n.op_type(), n.name(), shape_string(ws), shape_string(rs), r.dirs, gh, r.I,
                                   r.dirs, gh, r.H, gates));
    if (has(n, 3)) {
      const Tensor& b = g_.tensors[in(n, 3).id];
      if (!b.is_constant) unsupported(n, "a non-constant B (input 3; biases must be initializers)");
      if (b.shape != Shape{r.dirs, 2 * gh})
        throw ModelError(fmt::format("{}: {} node '{}': B has shape {}, expected [{}, {}]", source_, n.op_type(),
                                     n.name(), shape_string(b.shape), r.dirs, 2 * gh));
    }
    if (has(n, 4)) {
      // qgate runs every sequence to its full length; ONNX's shorter ones stop early and pad Y with zeros.
      const Tensor& sl = g_.tensors[in(n, 4).id];
      if (!sl.is_constant)
        unsupported(n, "a non-constant sequence_lens (input 4; only constant lengths that all equal the sequence "
                       "length)");
      for (int64_t v : const_ints(n, 4, "sequence_lens"))
        if (v != r.T)
          unsupported(n, fmt::format("sequence_lens [{}] with a length other than the sequence length {}",
                                     fmt::join(const_ints(n, 4, "sequence_lens"), ","), r.T));
    }
    if (const auto* acts = attr(n, "activations"))
      for (std::string s : acts->strings()) {  // ONNX Runtime matches these names case-insensitively
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        r.activations.push_back(s);
      }
    const size_t want = default_acts.size() * r.dirs;
    if (r.activations.empty())
      for (int d = 0; d < r.dirs; ++d)
        r.activations.insert(r.activations.end(), default_acts.begin(), default_acts.end());
    if (r.activations.size() != want)
      throw ModelError(fmt::format("{}: {} node '{}': {} activations, expected {} ({} per direction)", source_,
                                   n.op_type(), n.name(), r.activations.size(), want, default_acts.size()));
    if (const auto* c = attr(n, "clip")) {
      if (!(c->f() > 0.0f)) unsupported(n, fmt::format("clip {} (a clip threshold must be > 0)", c->f()));
      r.clip = c->f();
    }
    return r;
  }

  // `count` floats of a constant from element `offset` on, each times `sign`.
  std::vector<float> const_floats(int id, int64_t offset, int64_t count, float sign = 1.0f) const {
    const float* p = g_.tensors[id].as<float>() + offset;
    std::vector<float> v(p, p + count);
    if (sign != 1.0f)
      for (float& x : v) x *= sign;
    return v;
  }

  // Initial state input i ([D, B, H]; layout 1: [B, D, H]) per direction: [B, H] values, -1 when absent.
  std::vector<int> initial_state(const onnx::NodeProto& n, int i, const RecurrentShape& r, const std::string& base) {
    std::vector<int> out(r.dirs, -1);
    if (!has(n, i)) return out;
    const int id = onnx_order(in(n, i));
    const Shape want = r.batch_major ? Shape{r.B, r.dirs, r.H} : Shape{r.dirs, r.B, r.H};
    if (g_.tensors[id].shape != want)
      throw ModelError(fmt::format("{}: {} node '{}': input {} ('{}') has shape {}, expected {}", source_,
                                   n.op_type(), n.name(), i, g_.tensors[id].name, shape_string(g_.tensors[id].shape),
                                   shape_string(want)));
    // One direction: [1, B, H] and [B, 1, H] hold the [B, H] values in order; the op reads them as they are.
    if (r.dirs == 1) {
      out[0] = id;
      return out;
    }
    const std::string name = g_.tensors[id].name;
    if (g_.tensors[id].is_constant) {
      const std::vector<float> all = const_floats(id, 0, g_.tensors[id].elements());
      for (int d = 0; d < r.dirs; ++d) {
        std::vector<float> v(static_cast<size_t>(r.B) * r.H);
        for (int b = 0; b < r.B; ++b)
          for (int h = 0; h < r.H; ++h)
            v[static_cast<size_t>(b) * r.H + h] =
                all[r.batch_major ? (static_cast<size_t>(b) * r.dirs + d) * r.H + h
                                  : (static_cast<size_t>(d) * r.B + b) * r.H + h];
        out[d] = const_f32(fmt::format("{}/{}", name, d == 0 ? "forward" : "reverse"), {r.B, r.H}, v);
      }
      return out;
    }
    Attributes a;
    a.set("num_splits", int64_t{2});
    const std::vector<int> parts = emit_multi(
        OpType::split_v,
        {id, const_i32(base + "/" + name + "/sizes", {1, 1}),
         const_i32(base + "/" + name + "/axis", {r.batch_major ? 1 : 0}, {1})},
        a, {base + "/" + name + "/forward", base + "/" + name + "/reverse"});
    return parts;
  }

  // Op outputs to emit: Y always (the op's sequence output), then the final states up to the last one ONNX asks for.
  static int recurrent_op_outputs(const onnx::NodeProto& n, int max_outputs) {
    int count = 1;
    for (int k = 1; k < std::min(n.output_size(), max_outputs); ++k)
      if (!n.output(k).empty()) count = k + 1;
    return count;
  }

  // Prefix of the tensors a recurrent node adds: its name, else its first named output.
  static std::string recurrent_base(const onnx::NodeProto& n) {
    if (!n.name().empty()) return n.name();
    for (const auto& o : n.output())
      if (!o.empty()) return o;
    return n.op_type();
  }

  static std::string direction_name(const RecurrentShape& r, int d) {
    return d == 1 || r.reverse_only ? "reverse" : "forward";
  }

  // Attributes every per-direction op takes.
  Attributes recurrent_attrs(const RecurrentShape& r, int d) const {
    Attributes a;
    a.set("time_major", int64_t{r.batch_major ? 0 : 1});
    a.set("reverse", int64_t{d == 1 || r.reverse_only ? 1 : 0});
    if (r.clip > 0.0f) a.set("gate_clip", static_cast<double>(r.clip));
    return a;
  }

  // per_dir[d][k]: output k (0 Y, 1 final h, 2 final c) of direction d's op, as ONNX's Y, Y_h, Y_c.
  void recurrent_outputs(const onnx::NodeProto& n, const RecurrentShape& r,
                         const std::vector<std::vector<int>>& per_dir) {
    for (int k = 0; k < n.output_size() && k < static_cast<int>(per_dir[0].size()); ++k) {
      if (n.output(k).empty()) continue;
      const std::string& name = n.output(k);
      int id;
      if (r.dirs == 1) {
        // The batch stays -1 (inferred): a model declared with a symbolic batch runs with any batch.
        Attributes a;
        if (k == 0) a.set("new_shape", r.batch_major ? std::vector<int64_t>{-1, r.T, 1, r.H}
                                                     : std::vector<int64_t>{r.T, 1, -1, r.H});
        else a.set("new_shape", r.batch_major ? std::vector<int64_t>{-1, 1, r.H} : std::vector<int64_t>{1, -1, r.H});
        id = emit(OpType::reshape, {per_dir[0][k]}, a, name);
      } else {
        Attributes a;
        a.set("values_count", int64_t{2});
        a.set("axis", int64_t{k == 0 ? (r.batch_major ? 2 : 1) : (r.batch_major ? 1 : 0)});
        id = emit(OpType::pack, {per_dir[0][k], per_dir[1][k]}, a, name);
      }
      set(n, k, {id, Layout::onnx});
    }
  }

  // The fused_activation_function of an ONNX activation name qgate's RNN and LSTM ops can run.
  int64_t fused_activation(const onnx::NodeProto& n, const std::string& act, const char* role) const {
    if (act == "tanh") return 4;
    if (act == "relu") return 1;
    unsupported(n, fmt::format("{} activation '{}' (only Tanh and Relu)", role, act));
  }

  void onnx_rnn(const onnx::NodeProto& n) {
    const RecurrentShape r = recurrent_shape(n, 1, {"tanh"});
    const std::string base = recurrent_base(n);
    const int x = onnx_order(in(n, 0));
    const std::vector<int> h0 = initial_state(n, 5, r, base);
    const int w = in(n, 1).id, rw = in(n, 2).id, bias = has(n, 3) ? in(n, 3).id : -1;
    const int H = r.H, I = r.I, outputs = recurrent_op_outputs(n, 2);
    std::vector<std::vector<int>> per_dir;
    for (int d = 0; d < r.dirs; ++d) {
      const std::string dn = base + "/" + direction_name(r, d);
      std::vector<float> b(H, 0.0f);
      if (bias >= 0) {
        const std::vector<float> wb = const_floats(bias, int64_t{d} * 2 * H, H);
        const std::vector<float> rb = const_floats(bias, int64_t{d} * 2 * H + H, H);
        for (int k = 0; k < H; ++k) b[k] = wb[k] + rb[k];  // ONNX adds Wb and Rb every step; their sum is the bias
      }
      std::vector<int> inputs = {x, const_f32(dn + "/W", {H, I}, const_floats(w, int64_t{d} * H * I, int64_t{H} * I)),
                                 const_f32(dn + "/R", {H, H}, const_floats(rw, int64_t{d} * H * H, int64_t{H} * H)),
                                 const_f32(dn + "/bias", {H}, b), h0[d]};
      Attributes a = recurrent_attrs(r, d);
      a.set("fused_activation_function", fused_activation(n, r.activations[d], "f"));
      std::vector<std::string> names = {dn + "/Y", dn + "/Y_h"};
      names.resize(outputs);
      per_dir.push_back(emit_multi(OpType::unidirectional_sequence_rnn, inputs, a, names));
    }
    recurrent_outputs(n, r, per_dir);
  }

  // com.microsoft DynamicQuantizeLSTM's int8 weights: W [D, I, 4H] or R [D, H, 4H] (input w_slot) with their
  // scales ([D] per tensor or [D, 4H] per channel) and zero points (all 0: symmetric), checked.
  struct DqWeights {
    int w = -1;  // tensor id (add() moves g_.tensors: no pointers kept)
    std::vector<float> scales;  // [D] or [D, 4H]
    bool per_channel = false;
  };
  DqWeights dq_weights(const onnx::NodeProto& n, int w_slot, int scale_slot, int zp_slot, int dirs, int H) {
    const char* wname = w_slot == 1 ? "W" : "R";
    DqWeights d;
    d.w = in(n, w_slot).id;
    const Tensor& wt = g_.tensors[d.w];
    if (wt.dtype != DType::i8)
      unsupported(n, fmt::format("{} of type {} (only int8 W and R with zero points 0)", wname, dtype_name(wt.dtype)));
    for (int64_t i = 0; i < wt.elements(); ++i)
      if (wt.as<int8_t>()[i] == -128)
        unsupported(n, fmt::format("{} holding -128 (the hybrid kernel takes int8 weights in [-127, 127])", wname));
    if (!has(n, scale_slot) || !g_.tensors[in(n, scale_slot).id].is_constant ||
        g_.tensors[in(n, scale_slot).id].dtype != DType::f32)
      unsupported(n, fmt::format("an absent, non-constant or non-float {}_scale (input {})", wname, scale_slot));
    const Tensor& st = g_.tensors[in(n, scale_slot).id];
    d.per_channel = st.elements() == int64_t{dirs} * 4 * H;
    if (st.elements() != dirs && !d.per_channel)
      throw ModelError(fmt::format("{}: {} node '{}': {}_scale has shape {}, expected [{}] or [{}, {}]", source_,
                                   n.op_type(), n.name(), wname, shape_string(st.shape), dirs, dirs, 4 * H));
    d.scales.assign(st.as<float>(), st.as<float>() + st.elements());
    if (has(n, zp_slot)) {
      const Tensor& zt = g_.tensors[in(n, zp_slot).id];
      if (!zt.is_constant || (zt.dtype != DType::i8 && zt.dtype != DType::u8))
        unsupported(n, fmt::format("a non-constant or non-8-bit {}_zero_point (input {})", wname, zp_slot));
      for (int64_t i = 0; i < zt.elements(); ++i)
        if ((zt.dtype == DType::i8 ? int{zt.as<int8_t>()[i]} : int{zt.as<uint8_t>()[i]}) != 0)
          unsupported(n, fmt::format("{}_zero_point {} at element {} (only zero weight zero points, i.e. "
                                     "symmetric int8 weights)", wname, zt.dtype == DType::i8 ? int{zt.as<int8_t>()[i]}
                                                                                    : int{zt.as<uint8_t>()[i]}, i));
    }
    return d;
  }
  // Gate block `blk` of direction d as an int8 [H, K] constant, W[d][k][blk * H + h] times `sign` (-1 negates
  // exactly: no -128), with its scale or its H per-row scales.
  int dq_gate_weight(const DqWeights& dw, const std::string& name, int d, int blk, int H, float sign) {
    const int K = g_.tensors[dw.w].shape[1], G = g_.tensors[dw.w].shape[2];
    Tensor t;
    t.name = name;
    t.dtype = t.file_dtype = DType::i8;
    t.shape = {H, K};
    t.is_constant = true;
    t.allocate();
    const int8_t* src = g_.tensors[dw.w].as<int8_t>() + int64_t{d} * K * G;
    for (int h = 0; h < H; ++h)
      for (int k = 0; k < K; ++k) {
        const int8_t v = src[int64_t{k} * G + int64_t{blk} * H + h];
        t.as<int8_t>()[int64_t{h} * K + k] = static_cast<int8_t>(sign < 0 ? -v : v);
      }
    if (dw.per_channel)
      t.quant.scale.assign(dw.scales.begin() + int64_t{d} * 4 * H + int64_t{blk} * H,
                           dw.scales.begin() + int64_t{d} * 4 * H + int64_t{blk + 1} * H);
    else
      t.quant.scale = {dw.scales[d]};
    t.quant.zero_point.assign(t.quant.scale.size(), 0);
    t.quant.axis = 0;
    return add(std::move(t));
  }

  // dynamic_quantize: com.microsoft DynamicQuantizeLSTM (inputs as LSTM, then W_scale, W_zero_point, R_scale,
  // R_zero_point; W and R int8 and transposed). Its int8 weights stay as they are, each gate's block an int8
  // constant with its scales, and the op runs onnxruntime's arithmetic (LstmParams::ort_dynamic).
  void onnx_lstm(const onnx::NodeProto& n, bool dynamic_quantize = false) {
    const RecurrentShape r = recurrent_shape(n, 4, {"sigmoid", "tanh", "tanh"}, dynamic_quantize);
    if (dynamic_quantize && r.batch_major) unsupported(n, "layout 1 (DynamicQuantizeLSTM is time-major)");
    DqWeights dw, dr;
    if (dynamic_quantize) {
      dw = dq_weights(n, 1, 8, 9, r.dirs, r.H);
      dr = dq_weights(n, 2, 10, 11, r.dirs, r.H);
    }
    const std::string base = recurrent_base(n);
    const int H = r.H, I = r.I, outputs = recurrent_op_outputs(n, 3);
    const bool input_forget = attr_int(n, "input_forget", 0) != 0;
    int peep = -1;
    if (has(n, 7)) {
      peep = in(n, 7).id;
      if (!g_.tensors[peep].is_constant) unsupported(n, "a non-constant P (input 7; peepholes must be initializers)");
      if (g_.tensors[peep].shape != Shape{r.dirs, 3 * H})
        throw ModelError(fmt::format("{}: LSTM node '{}': P has shape {}, expected [{}, {}]", source_, n.name(),
                                     shape_string(g_.tensors[peep].shape), r.dirs, 3 * H));
    }
    const int x = onnx_order(in(n, 0));
    const std::vector<int> h0 = initial_state(n, 5, r, base), c0 = initial_state(n, 6, r, base);
    const int w = in(n, 1).id, rw = in(n, 2).id, bias = has(n, 3) ? in(n, 3).id : -1;
    // TFLite gate g (input, forget, cell, output) is ONNX block kBlock[g] of W, R, B (blocks i, o, f, c).
    constexpr int kBlock[4] = {0, 2, 3, 1};
    constexpr const char* kGate[4] = {"input", "forget", "cell", "output"};
    std::vector<std::vector<int>> per_dir;
    for (int d = 0; d < r.dirs; ++d) {
      const std::string dn = base + "/" + direction_name(r, d);
      if (r.activations[3 * d] != "sigmoid")
        unsupported(n, fmt::format("gate activation '{}' (only Sigmoid)", r.activations[3 * d]));
      if (r.activations[3 * d + 1] != r.activations[3 * d + 2])
        unsupported(n, fmt::format("cell activation '{}' differing from hidden activation '{}'",
                                   r.activations[3 * d + 1], r.activations[3 * d + 2]));
      std::vector<int> inputs(20, -1);
      inputs[0] = x;
      for (int g = 0; g < 4; ++g) {
        // input_forget couples the gates as f = 1 - i. The op's CIFG form (no input gate, i = 1 - f) computes the
        // same with the forget gate fed the negated input-gate weights: sigmoid(-z) = 1 - sigmoid(z).
        if (input_forget && g == 0) continue;
        const int blk = input_forget && g == 1 ? 0 : kBlock[g];
        const float sign = input_forget && g == 1 ? -1.0f : 1.0f;
        const int64_t row0 = int64_t{d} * 4 * H + int64_t{blk} * H;
        if (dynamic_quantize) {
          inputs[1 + g] = dq_gate_weight(dw, fmt::format("{}/input_to_{}", dn, kGate[g]), d, blk, H, sign);
          inputs[5 + g] = dq_gate_weight(dr, fmt::format("{}/recurrent_to_{}", dn, kGate[g]), d, blk, H, sign);
        } else {
          inputs[1 + g] = const_f32(fmt::format("{}/input_to_{}", dn, kGate[g]), {H, I},
                                    const_floats(w, row0 * I, int64_t{H} * I, sign));
          inputs[5 + g] = const_f32(fmt::format("{}/recurrent_to_{}", dn, kGate[g]), {H, H},
                                    const_floats(rw, row0 * H, int64_t{H} * H, sign));
        }
        std::vector<float> b(H, 0.0f);
        if (bias >= 0) {
          const int64_t b0 = int64_t{d} * 8 * H + int64_t{blk} * H;  // Wb block; Rb follows 4H later
          const std::vector<float> wb = const_floats(bias, b0, H, sign), rb = const_floats(bias, b0 + 4 * H, H, sign);
          for (int k = 0; k < H; ++k) b[k] = wb[k] + rb[k];
        }
        inputs[12 + g] = const_f32(fmt::format("{}/{}_gate_bias", dn, kGate[g]), {H}, b);
      }
      if (peep >= 0) {
        // P holds the input, output and forget peepholes, in that order.
        const int64_t p0 = int64_t{d} * 3 * H;
        if (!input_forget) inputs[9] = const_f32(dn + "/cell_to_input", {H}, const_floats(peep, p0, H));
        inputs[10] = input_forget ? const_f32(dn + "/cell_to_forget", {H}, const_floats(peep, p0, H, -1.0f))
                                  : const_f32(dn + "/cell_to_forget", {H}, const_floats(peep, p0 + 2 * H, H));
        inputs[11] = const_f32(dn + "/cell_to_output", {H}, const_floats(peep, p0 + H, H));
      }
      inputs[18] = h0[d];
      inputs[19] = c0[d];
      Attributes a = recurrent_attrs(r, d);
      a.set("fused_activation_function", fused_activation(n, r.activations[3 * d + 1], "cell"));
      if (dynamic_quantize) {
        a.set("asymmetric_quantize_inputs", int64_t{1});
        a.set("qgate_input_quantization", std::string("ort-u8-tensor"));
        a.set("qgate_epilogue", std::string("onnxruntime"));
      }
      std::vector<std::string> names = {dn + "/Y", dn + "/Y_h", dn + "/Y_c"};
      names.resize(outputs);
      per_dir.push_back(emit_multi(OpType::unidirectional_sequence_lstm, inputs, a, names));
    }
    recurrent_outputs(n, r, per_dir);
  }

  void onnx_gru(const onnx::NodeProto& n) {
    const RecurrentShape r = recurrent_shape(n, 3, {"sigmoid", "tanh"});
    const std::string base = recurrent_base(n);
    const int H = r.H, I = r.I, outputs = recurrent_op_outputs(n, 2);
    const int x = onnx_order(in(n, 0));
    const std::vector<int> h0 = initial_state(n, 5, r, base);
    const int w = in(n, 1).id, rw = in(n, 2).id, bias = has(n, 3) ? in(n, 3).id : -1;
    std::vector<std::vector<int>> per_dir;
    for (int d = 0; d < r.dirs; ++d) {
      const std::string dn = base + "/" + direction_name(r, d);
      if (r.activations[2 * d] != "sigmoid" || r.activations[2 * d + 1] != "tanh")
        unsupported(n, fmt::format("activations '{}', '{}' (only Sigmoid, Tanh)", r.activations[2 * d],
                                   r.activations[2 * d + 1]));
      // W, R and the two biases keep ONNX's gate order z, r, h: the GRU op takes them as they are.
      const int64_t wn = 3 * int64_t{H} * I, rn = 3 * int64_t{H} * H;
      std::vector<int> inputs = {x, const_f32(dn + "/W", {3 * H, I}, const_floats(w, d * wn, wn)),
                                 const_f32(dn + "/R", {3 * H, H}, const_floats(rw, d * rn, rn)), -1, -1, h0[d]};
      if (bias >= 0) {
        inputs[3] = const_f32(dn + "/input_bias", {3 * H}, const_floats(bias, int64_t{d} * 6 * H, 3 * H));
        inputs[4] = const_f32(dn + "/recurrent_bias", {3 * H}, const_floats(bias, int64_t{d} * 6 * H + 3 * H, 3 * H));
      }
      Attributes a = recurrent_attrs(r, d);
      a.set("linear_before_reset", int64_t{attr_int(n, "linear_before_reset", 0) != 0 ? 1 : 0});
      std::vector<std::string> names = {dn + "/Y", dn + "/Y_h"};
      names.resize(outputs);
      per_dir.push_back(emit_multi(OpType::gru, inputs, a, names));
    }
    recurrent_outputs(n, r, per_dir);
  }

  const onnx::ModelProto& model_;
  std::string source_;
  int opset_ = 1;
  Graph g_;
  std::map<std::string, Value> values_;
  std::map<int, int> to_onnx_, to_nhwc_;
  // onnxruntime dynamic-quantization patterns: node -> its fused layer (keyed by the pattern's last node), and
  // the nodes a fused layer replaces.
  std::map<const onnx::NodeProto*, OrtDynamicPattern> fused_;
  std::set<const onnx::NodeProto*> skipped_;
};

}  // namespace

bool onnx_op_supported(const std::string& op_type) {
  if (op_type.rfind("com.microsoft.", 0) == 0) return supported_ms_op_types().count(op_type.substr(14)) != 0;
  return supported_op_types().count(op_type) != 0;
}

bool looks_like_onnx(const std::string& bytes) {
  onnx::ModelProto m;
  return m.ParseFromString(bytes) && m.ir_version() > 0 && m.has_graph();
}

Graph import_onnx(const std::string& bytes, const std::string& source) {
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes) || !m.has_graph())
    throw ModelError(fmt::format("{}: not an ONNX model (does not parse as a ModelProto with a graph)", source));
  return Importer(m, source).run();
}

Tensor parse_onnx_tensor(const std::string& bytes, const std::string& source) {
  onnx::TensorProto tp;
  if (!tp.ParseFromString(bytes)) throw InputError(fmt::format("{}: not an ONNX TensorProto", source));
  return tensor_from_proto(tp, source);
}

}  // namespace qgate
