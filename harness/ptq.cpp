#include "harness/ptq.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/weight_rules.h"
#include "kernels/quantize.h"

namespace qgate {

namespace {

Tensor copy_tensor(const Tensor& t) {
  Tensor c;
  c.name = t.name;
  c.dtype = t.dtype;
  c.shape = t.shape;
  c.quant = t.quant;
  c.is_constant = t.is_constant;
  c.is_variable = t.is_variable;
  c.computed_at_prepare = t.computed_at_prepare;
  c.file_dtype = t.file_dtype;
  if (t.is_constant) {
    c.allocate();
    if (t.bytes()) std::memcpy(c.data.data(), t.data.data(), t.bytes());
  }
  return c;
}

void measure_error(const float* w, const int8_t* q, const std::vector<float>& scales, int64_t outer,
                   int64_t channels, int64_t inner, WeightQuantization& r) {
  int64_t nonzero = 0, zeroed = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t idx = (o * channels + c) * inner + i;
        double s = scales.size() == 1 ? scales[0] : scales[c];
        double deq = q[idx] * s;
        double e = deq - w[idx];
        r.sum_sq_error += e * e;
        r.sum_sq += double{w[idx]} * w[idx];
        r.max_abs_error = std::max(r.max_abs_error, std::abs(e));
        if (w[idx] != 0) {
          ++nonzero;
          if (q[idx] == 0) ++zeroed;
        }
      }
  r.zeroed_fraction = nonzero ? static_cast<double>(zeroed) / nonzero : 0.0;
}

}  // namespace

Graph dequantized_twin(const Graph& quantized) {
  Graph g;
  g.source = quantized.source;
  g.symbols = quantized.symbols;
  g.inputs = quantized.inputs;
  g.outputs = quantized.outputs;
  g.nodes = quantized.nodes;
  g.tensors.reserve(quantized.tensors.size());
  for (const Tensor& t : quantized.tensors) g.tensors.push_back(copy_tensor(t));
  for (Node& n : g.nodes)
    for (const WeightSlot& slot : weight_slots(n)) {
      if (slot.input >= static_cast<int>(n.inputs.size()) || n.inputs[slot.input] < 0) continue;
      Tensor& t = g.tensors[n.inputs[slot.input]];
      if (!t.is_constant || t.dtype != DType::i8) continue;
      const Tensor& q = quantized.tensors[n.inputs[slot.input]];
      int64_t outer = 1, channels = 1, inner = t.elements();
      if (q.quant.per_channel()) {
        const int axis = q.quant.axis;
        outer = 1;
        for (int d = 0; d < axis; ++d) outer *= q.shape[d];
        channels = q.shape[axis];
        inner = q.elements() / (outer * channels);
      }
      t.dtype = DType::f32;
      t.quant = {};
      t.allocate();
      kernels::dequantize_weights(q.as<int8_t>(), outer, channels, inner, q.quant.scale.data(), t.as<float>());
    }
  return g;
}

bool has_int8_weights(const Graph& graph) {
  for (const Node& n : graph.nodes)
    for (const WeightSlot& s : weight_slots(n))
      if (s.input < static_cast<int>(n.inputs.size()) && n.inputs[s.input] >= 0) {
        const Tensor& t = graph.tensors[n.inputs[s.input]];
        if (t.is_constant && t.dtype == DType::i8) return true;
      }
  return false;
}

void set_activation_mode(Graph& graph, bool asymmetric) {
  for (Node& n : graph.nodes)
    if (!weight_slots(n).empty()) n.attrs.set(kAsymmetricInputsAttr, int64_t{asymmetric ? 1 : 0});
}

void set_litert_cpu_arithmetic(Graph& graph) {
  for (Node& n : graph.nodes) n.attrs.set(kArithmeticAttr, std::string("litert-cpu"));
}

std::string arithmetic_name(const Graph& graph) {
  for (const Node& n : graph.nodes)
    if (n.attrs.get_string(kArithmeticAttr, "") == "litert-cpu") return "litert-cpu";
  std::set<std::string> epilogues;
  for (const Node& n : graph.nodes)
    for (const WeightSlot& slot : weight_slots(n))
      if (slot.input < static_cast<int>(n.inputs.size()) && n.inputs[slot.input] >= 0 &&
          graph.tensors[n.inputs[slot.input]].dtype == DType::i8) {
        epilogues.insert(n.attrs.get_string(kEpilogueAttr, "tflite"));
        break;
      }
  if (epilogues.empty()) return "float";
  if (epilogues.size() > 1) return "mixed";
  const std::string& e = *epilogues.begin();
  return e == "xnnpack" ? "xnnpack-qd8" : e == "onnxruntime" ? "onnxruntime" : "tflite-builtin";
}

QuantizedGraph quantize_graph(const Graph& float_graph, const Scheme& scheme, const std::set<int>& keep_float) {
  for (int id : keep_float)
    if (id < 0 || id >= static_cast<int>(float_graph.nodes.size()))
      throw InputError(fmt::format("{}: keep-float node {} does not exist (the graph has {} nodes)",
                                   float_graph.source, id, float_graph.nodes.size()));
  QuantizedGraph out;
  out.scheme = scheme;
  Graph& g = out.graph;
  g.source = float_graph.source;
  g.symbols = float_graph.symbols;
  g.inputs = float_graph.inputs;
  g.outputs = float_graph.outputs;
  g.nodes = float_graph.nodes;
  g.tensors.reserve(float_graph.tensors.size());
  for (const Tensor& t : float_graph.tensors) g.tensors.push_back(copy_tensor(t));

  // A weight shared by two nodes is quantized once, by the first node that claims it.
  std::vector<char> done(g.tensors.size(), 0);
  for (Node& n : g.nodes) {
    const auto slots = weight_slots(n);
    if (slots.empty()) continue;
    const bool op_quantized = scheme.quantizes(n.op) && !keep_float.count(n.id);
    // Recurrent hybrid kernels take int8 for every weight matrix of the op, so there the size threshold is
    // applied to the op's largest weight and decides for all of them.
    const bool recurrent = slots.size() > 1;
    int64_t largest = 0;
    for (const WeightSlot& slot : slots)
      if (slot.input < static_cast<int>(n.inputs.size()) && n.inputs[slot.input] >= 0)
        largest = std::max(largest, g.tensors[n.inputs[slot.input]].elements());
    bool any = false;
    for (const WeightSlot& slot : slots) {
      if (slot.input >= static_cast<int>(n.inputs.size()) || n.inputs[slot.input] < 0) continue;
      const int tid = n.inputs[slot.input];
      Tensor& t = g.tensors[tid];
      WeightQuantization r;
      r.node = n.id;
      r.tensor = tid;
      r.elements = t.elements();
      r.float_bytes = r.elements * 4;
      r.quantized_bytes = r.float_bytes;
      if (!t.is_constant) {
        r.reason = "stays float: not a constant";
      } else if (t.dtype == DType::i8) {
        r.quantized = true;
        r.per_channel = t.quant.per_channel();
        r.axis = t.quant.per_channel() ? t.quant.axis : -1;
        r.quantized_bytes = r.elements + 4 * static_cast<int64_t>(t.quant.scale.size());
        r.reason = "already int8 in the file";
        any = true;
      } else if (t.dtype != DType::f32) {
        r.reason = fmt::format("stays {}: only float32 weights are quantized", dtype_name(t.dtype));
      } else if (!op_quantized) {
        r.reason = keep_float.count(n.id) ? "kept float" : fmt::format("stays float: scheme does not quantize {}",
                                                                     op_name(n.op));
      } else if (done[tid]) {
        continue;
      } else if ((recurrent ? largest : r.elements) < scheme.min_elements) {
        r.reason = recurrent ? fmt::format("stays float: the op's largest weight has {} elements < {}", largest,
                                           scheme.min_elements)
                             : fmt::format("stays float: {} elements < {}", r.elements, scheme.min_elements);
      } else {
        const bool per_channel = scheme.per_channel_for(n.op) && slot.axis < static_cast<int>(t.shape.size());
        const int axis = per_channel ? slot.axis : -1;
        std::vector<int64_t> dims(t.shape.begin(), t.shape.end());
        int64_t outer = 1, channels = 1, inner = 1;
        if (axis >= 0) {
          for (int d = 0; d < axis; ++d) outer *= dims[d];
          channels = dims[axis];
          for (size_t d = axis + 1; d < dims.size(); ++d) inner *= dims[d];
        } else {
          inner = r.elements;
        }
        kernels::QuantizedWeights qw;
        if (scheme.weight_quantizer == WeightQuantizer::onnxruntime) {
          qw.values.resize(static_cast<size_t>(r.elements));
          qw.scales.resize(static_cast<size_t>(channels));
          qw.axis = axis;
          kernels::quantize_weights_ort_per_channel(t.as<float>(), outer, channels, inner, scheme.weight_qmax(),
                                                    qw.values.data(), qw.scales.data());
        } else {
          qw = kernels::quantize_weights_symmetric(t.as<float>(), dims, axis, scheme.bits);
        }
        measure_error(t.as<float>(), qw.values.data(), qw.scales, outer, channels, inner, r);
        r.quantized = true;
        r.per_channel = per_channel;
        r.axis = axis;
        r.bits = scheme.bits;
        r.quantized_bytes = r.elements + 4 * static_cast<int64_t>(qw.scales.size());
        r.reason = per_channel ? fmt::format("int{} per-channel axis {}", scheme.bits, axis)
                               : fmt::format("int{} per-tensor", scheme.bits);
        if (scheme.reduce_range) r.reason += " (reduce_range: [-64, 64])";
        if (scheme.activations == ActivationMode::weight_only) {
          // Weight-only: the float kernels see the dequantized weights.
          kernels::dequantize_weights(qw.values.data(), outer, channels, inner, qw.scales.data(), t.as<float>());
        } else {
          t.dtype = DType::i8;
          t.quant.scale = qw.scales;
          t.quant.zero_point.assign(qw.scales.size(), 0);
          t.quant.axis = per_channel ? axis : 0;
          t.allocate();
          std::memcpy(t.data.data(), qw.values.data(), qw.values.size());
        }
        done[tid] = 1;
        any = true;
      }
      out.weights.push_back(r);
    }
    if (any && scheme.activations != ActivationMode::weight_only) {
      if (scheme.activations != ActivationMode::op_default)
        n.attrs.set(kAsymmetricInputsAttr, int64_t{scheme.activations == ActivationMode::asymmetric ? 1 : 0});
      n.attrs.set(kEpilogueAttr, std::string(scheme.epilogue == Epilogue::xnnpack       ? "xnnpack"
                                             : scheme.epilogue == Epilogue::onnxruntime ? "onnxruntime"
                                                                                        : "tflite"));
      if (scheme.activations == ActivationMode::ort_u8_tensor) {
        n.attrs.set(kAsymmetricInputsAttr, int64_t{1});
        n.attrs.set(kInputQuantizationAttr, std::string("ort-u8-tensor"));
      } else if (n.attrs.has(kInputQuantizationAttr)) {
        // A node imported with onnxruntime's arithmetic (e.g. DynamicQuantizeMatMul, DynamicQuantizeLSTM) runs
        // the scheme's on its int8 weights.
        n.attrs.set(kInputQuantizationAttr, std::string());
      }
      if (scheme.saturation == Saturation::avx2_u8s8) n.attrs.set(kSaturationAttr, std::string("avx2-u8s8"));
      else if (n.attrs.has(kSaturationAttr)) n.attrs.set(kSaturationAttr, std::string());
      n.version = n.attrs.get_bool(kAsymmetricInputsAttr, false) ? 3 : 2;
    }
  }
  if (scheme.arithmetic == Arithmetic::litert_cpu) set_litert_cpu_arithmetic(g);
  return out;
}

}  // namespace qgate
