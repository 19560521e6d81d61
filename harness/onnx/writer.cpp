#include "harness/onnx/writer.h"

#include <map>
#include <set>

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include "core/errors.h"
#include "harness/onnx/import.h"
#include "kernels/quantize.h"

namespace qgate {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int kInt8 = onnx::TensorProto::INT8;

const onnx::TensorProto* find_initializer(const onnx::GraphProto& g, const std::string& name) {
  for (const auto& t : g.initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

int64_t attr_int(const onnx::NodeProto& n, const std::string& key, int64_t fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return a.i();
  return fallback;
}
float attr_float(const onnx::NodeProto& n, const std::string& key, float fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return a.f();
  return fallback;
}

onnx::NodeProto make_node(const std::string& op, const std::vector<std::string>& in,
                          const std::vector<std::string>& out, const std::string& name) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (const auto& i : in) n.add_input(i);
  for (const auto& o : out) n.add_output(o);
  return n;
}

}  // namespace

OnnxWriteResult write_onnx_dynamic_quantized(const std::string& bytes, const Scheme& scheme, const std::string& source) {
  if (scheme.activations != ActivationMode::ort_u8_tensor)
    throw InputError(fmt::format("--scheme {}: an .onnx model is written in onnxruntime's dynamic-quantized form; "
                                 "use ort-dynamic (act=u8-tensor)", scheme.to_string()));
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes) || !m.has_graph())
    throw ModelError(fmt::format("{}: not an ONNX model (does not parse as a ModelProto with a graph)", source));
  for (const auto& os : m.opset_import())
    if ((os.domain().empty() || os.domain() == "ai.onnx") && os.version() < 11)
      throw ModelError(fmt::format("{}: opset {}: DynamicQuantizeLinear needs opset 11 or newer", source,
                                   os.version()));
  onnx::GraphProto* g = m.mutable_graph();
  const bool per_channel = scheme.granularity == WeightGranularity::per_channel;
  const bool quantize_fc = scheme.quantizes(OpType::fully_connected);
  const bool quantize_conv = scheme.quantizes(OpType::conv2d);
  // How often each name is read (a weight read by another node too keeps its float initializer).
  std::map<std::string, int> reads;
  for (const auto& n : g->node())
    for (const auto& i : n.input()) ++reads[i];

  OnnxWriteResult result;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  std::map<std::string, std::string> dql_of;  // input name -> DQL output prefix
  std::set<std::string> drop_initializers;
  int serial = 0;
  // The DynamicQuantizeLinear of x, written once per distinct input; returns its output prefix.
  auto quantize_input = [&](const std::string& x) {
    if (!dql_of.count(x)) {
      const std::string p = x + "_dql";
      dql_of[x] = p;
      *nodes.Add() = make_node("DynamicQuantizeLinear", {x}, {p + "_quantized", p + "_scale", p + "_zero_point"},
                               p);
    }
    return dql_of[x];
  };
  // Conv as quantize_dynamic writes it: per-tensor int8 weight (its ConvInteger path never quantizes per channel),
  // ConvInteger with the Conv's attributes, Cast, Mul by Mul(x_scale, W_scale), and the bias reshaped to
  // [1, C, 1, 1] and added.
  auto write_conv_integer = [&](const onnx::NodeProto& n, const std::string& label, const onnx::TensorProto& w,
                                bool bias) {
    Tensor wt = parse_onnx_tensor(w.SerializeAsString(), source);
    std::vector<int8_t> q(static_cast<size_t>(wt.elements()));
    const float scale = kernels::quantize_weights_ort_per_tensor(wt.as<float>(), wt.elements(), scheme.weight_qmax(),
                                                                 q.data());
    const std::string base = n.input(1) + fmt::format("_q{}", serial++);
    onnx::TensorProto* wq = g->add_initializer();
    wq->set_name(base + "_quantized");
    wq->set_data_type(kInt8);
    for (int64_t d : w.dims()) wq->add_dims(d);
    wq->set_raw_data(std::string(reinterpret_cast<const char*>(q.data()), q.size()));
    onnx::TensorProto* ws = g->add_initializer();
    ws->set_name(base + "_scale");
    ws->set_data_type(kFloat);
    ws->set_raw_data(std::string(reinterpret_cast<const char*>(&scale), 4));
    onnx::TensorProto* wz = g->add_initializer();
    wz->set_name(base + "_zero_point");
    wz->set_data_type(kInt8);
    wz->set_raw_data(std::string(1, '\0'));
    if (reads[n.input(1)] == 1) drop_initializers.insert(n.input(1));
    const std::string p = quantize_input(n.input(0));
    const std::string y = n.output(0);
    onnx::NodeProto conv = make_node("ConvInteger", {p + "_quantized", wq->name(), p + "_zero_point", wz->name()},
                                     {y + "_output_quantized"}, label + "_ConvInteger");
    for (const auto& a : n.attribute()) *conv.add_attribute() = a;
    *nodes.Add() = conv;
    onnx::NodeProto cast = make_node("Cast", {y + "_output_quantized"}, {y + "_output_cast"}, label + "_cast");
    onnx::AttributeProto* to = cast.add_attribute();
    to->set_name("to");
    to->set_type(onnx::AttributeProto::INT);
    to->set_i(kFloat);
    *nodes.Add() = cast;
    *nodes.Add() = make_node("Mul", {p + "_scale", ws->name()}, {y + "_scales_mul"}, label + "_scales_mul");
    *nodes.Add() = make_node("Mul", {y + "_output_cast", y + "_scales_mul"}, {bias ? y + "_output_scaled" : y},
                             label + "_output_scale_mul");
    if (bias) {
      onnx::TensorProto* shape = g->add_initializer();
      shape->set_name(y + "_bias_reshape_shape");
      shape->set_data_type(onnx::TensorProto::INT64);
      shape->add_dims(4);
      const int64_t dims[4] = {1, -1, 1, 1};
      shape->set_raw_data(std::string(reinterpret_cast<const char*>(dims), sizeof(dims)));
      *nodes.Add() = make_node("Reshape", {n.input(2), shape->name()}, {y + "_bias_reshaped"},
                               label + "_bias_reshape");
      *nodes.Add() = make_node("Add", {y + "_output_scaled", y + "_bias_reshaped"}, {y}, label + "_bias_add");
    }
    result.weights.push_back({label, n.input(1), false, wt.elements()});
  };
  for (const auto& n : g->node()) {
    const std::string label = n.name().empty() ? (n.output_size() ? n.output(0) : n.op_type()) : n.name();
    const bool is_matmul = n.domain().empty() && n.op_type() == "MatMul";
    const bool is_gemm = n.domain().empty() && n.op_type() == "Gemm";
    if (n.domain().empty() && n.op_type() == "Conv" && n.input_size() >= 2) {
      if (!quantize_conv) {
        *nodes.Add() = n;
        continue;
      }
      const onnx::TensorProto* w = find_initializer(*g, n.input(1));
      const bool has_bias = n.input_size() > 2 && !n.input(2).empty();
      const onnx::TensorProto* bias = has_bias ? find_initializer(*g, n.input(2)) : nullptr;
      std::string why;
      if (!w || w->data_type() != kFloat || w->dims_size() != 4)
        why = "the weight is not a 4-D float initializer (only 2-D convolution)";
      else if (has_bias && (!bias || bias->data_type() != kFloat || bias->dims_size() != 1))
        why = "the bias is not a 1-D float initializer";
      if (!why.empty()) {
        result.kept_float.push_back(fmt::format("{}: Conv stays float: {}", label, why));
        *nodes.Add() = n;
        continue;
      }
      write_conv_integer(n, label, *w, bias != nullptr);
      continue;
    }
    if (!(is_matmul || is_gemm) || !quantize_fc || n.input_size() < 2) {
      *nodes.Add() = n;
      continue;
    }
    const onnx::TensorProto* b = find_initializer(*g, n.input(1));
    const onnx::TensorProto* c = is_gemm && n.input_size() > 2 && !n.input(2).empty() ? find_initializer(*g, n.input(2)) : nullptr;
    std::string why;
    if (!b || b->data_type() != kFloat || b->dims_size() != 2) why = "the weight is not a 2-D float initializer";
    else if (is_gemm && (attr_int(n, "transA", 0) != 0 || attr_float(n, "alpha", 1.0f) != 1.0f ||
                         attr_float(n, "beta", 1.0f) != 1.0f))
      why = "Gemm with transA, alpha or beta other than the defaults";
    else if (is_gemm && n.input_size() > 2 && !n.input(2).empty() &&
             (!c || c->data_type() != kFloat || c->dims_size() != 1))
      why = "Gemm whose C is not a 1-D float initializer";
    if (!why.empty()) {
      result.kept_float.push_back(fmt::format("{}: stays float: {}", label, why));
      *nodes.Add() = n;
      continue;
    }
    Tensor wt = parse_onnx_tensor(b->SerializeAsString(), source);
    const bool trans_b = is_gemm && attr_int(n, "transB", 0) != 0;
    const int64_t k = trans_b ? wt.shape[1] : wt.shape[0], cols = trans_b ? wt.shape[0] : wt.shape[1];
    std::vector<float> wkn(static_cast<size_t>(k * cols));
    for (int64_t r = 0; r < k; ++r)
      for (int64_t col = 0; col < cols; ++col)
        wkn[static_cast<size_t>(r * cols + col)] = trans_b ? wt.as<float>()[col * k + r] : wt.as<float>()[r * cols + col];
    std::vector<int8_t> q(wkn.size());
    std::vector<float> scales(per_channel ? static_cast<size_t>(cols) : 1);
    if (per_channel)
      kernels::quantize_weights_ort_per_channel(wkn.data(), k, cols, 1, scheme.weight_qmax(), q.data(), scales.data());
    else
      scales[0] = kernels::quantize_weights_ort_per_tensor(wkn.data(), k * cols, scheme.weight_qmax(), q.data());

    const std::string base = n.input(1) + fmt::format("_q{}", serial++);
    onnx::TensorProto* wq = g->add_initializer();
    wq->set_name(base + "_quantized");
    wq->set_data_type(kInt8);
    wq->add_dims(k);
    wq->add_dims(cols);
    wq->set_raw_data(std::string(reinterpret_cast<const char*>(q.data()), q.size()));
    onnx::TensorProto* ws = g->add_initializer();
    ws->set_name(base + "_scale");
    ws->set_data_type(kFloat);
    if (per_channel) ws->add_dims(cols);
    ws->set_raw_data(std::string(reinterpret_cast<const char*>(scales.data()), scales.size() * 4));
    onnx::TensorProto* wz = g->add_initializer();
    wz->set_name(base + "_zero_point");
    wz->set_data_type(kInt8);
    if (per_channel) wz->add_dims(cols);
    wz->set_raw_data(std::string(scales.size(), '\0'));
    if (reads[n.input(1)] == 1) drop_initializers.insert(n.input(1));

    const std::string p = quantize_input(n.input(0));
    const std::string y = n.output(0);
    const bool bias = c != nullptr;
    *nodes.Add() = make_node("MatMulInteger", {p + "_quantized", wq->name(), p + "_zero_point", wz->name()},
                             {y + "_output_quantized"}, label + "_MatMulInteger");
    onnx::NodeProto cast = make_node("Cast", {y + "_output_quantized"}, {y + "_output_cast"}, label + "_cast");
    onnx::AttributeProto* to = cast.add_attribute();
    to->set_name("to");
    to->set_type(onnx::AttributeProto::INT);
    to->set_i(kFloat);
    *nodes.Add() = cast;
    *nodes.Add() = make_node("Mul", {p + "_scale", ws->name()}, {y + "_scales_mul"}, label + "_scales_mul");
    *nodes.Add() = make_node("Mul", {y + "_output_cast", y + "_scales_mul"}, {bias ? y + "_output_scaled" : y},
                             label + "_output_scale_mul");
    if (bias) *nodes.Add() = make_node("Add", {y + "_output_scaled", n.input(2)}, {y}, label + "_bias_add");
    result.weights.push_back({label, n.input(1), per_channel, k * cols});
  }
  g->mutable_node()->Swap(&nodes);
  if (!drop_initializers.empty()) {
    google::protobuf::RepeatedPtrField<onnx::TensorProto> kept;
    for (const auto& t : g->initializer())
      if (!drop_initializers.count(t.name())) *kept.Add() = t;
    g->mutable_initializer()->Swap(&kept);
    // Older IRs list initializers as graph inputs too.
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> inputs;
    for (const auto& i : g->input())
      if (!drop_initializers.count(i.name())) *inputs.Add() = i;
    g->mutable_input()->Swap(&inputs);
  }
  // Shapes recorded for the replaced values no longer hold for the intermediate names; drop them all
  // (onnxruntime infers shapes itself).
  g->clear_value_info();
  result.bytes = m.SerializeAsString();
  return result;
}

}  // namespace qgate
