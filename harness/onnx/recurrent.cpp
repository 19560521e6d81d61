// ONNX recurrent ops: RNN, LSTM, GRU, and com.microsoft DynamicQuantizeLSTM (onnxruntime's quantize_dynamic).
//
// Each direction becomes one sequence op (UNIDIRECTIONAL_SEQUENCE_RNN, UNIDIRECTIONAL_SEQUENCE_LSTM or GRU)
// whose weights are sliced at load, per direction (and per gate for LSTM), into constants in the layout that
// op takes, so PTQ quantizes them as it does TFLite's. The reverse direction is the same op with `reverse`.
// ONNX's Y [T, D, B, H] (layout 1: [B, T, D, H]) and Y_h / Y_c [D, B, H] ([B, D, H]) are assembled from the
// per-direction outputs with RESHAPE (one direction) or PACK (two).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/ort_dynamic.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {
namespace {

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
RecurrentShape recurrent_shape(Importer& im, NodeRef n, int gates, const std::vector<std::string>& default_acts,
                               bool transposed = false) {
  const std::string& source = im.source();
  RecurrentShape r;
  const Shape xs = im.logical_shape(im.in(n, 0));
  if (xs.size() != 3) throw ModelError(fmt::format("{}: {} node '{}': X has shape {}, expected rank 3", source,
                                                   n.op_type(), n.name(), shape_string(xs)));
  r.batch_major = attr_int(n, "layout", 0) != 0;
  r.T = r.batch_major ? xs[1] : xs[0];
  r.B = r.batch_major ? xs[0] : xs[1];
  r.I = xs[2];
  const std::string dir = attr_string(n, "direction", "forward");
  if (dir == "bidirectional") r.dirs = 2;
  else if (dir == "reverse") r.reverse_only = true;
  else if (dir != "forward") im.unsupported(n, fmt::format("direction '{}'", dir));
  for (int i : {1, 2})
    if (!im.has(n, i) || !im.tensor(im.in(n, i).id).is_constant)
      im.unsupported(n, fmt::format("a non-constant or absent {} (input {}; weights must be initializers)",
                                    i == 1 ? "W" : "R", i));
  const Shape ws = im.tensor(im.in(n, 1).id).shape, rs = im.tensor(im.in(n, 2).id).shape;
  r.H = static_cast<int>(attr_int(n, "hidden_size", rs.size() == 3 ? rs[transposed ? 1 : 2] : 0));
  const int gh = gates * r.H;
  if (transposed && (ws != Shape{r.dirs, r.I, gh} || rs != Shape{r.dirs, r.H, gh}))
    throw ModelError(fmt::format("{}: {} node '{}': W {} and R {} do not match [{}, {}, {}] and [{}, {}, {}] "
                                 "(directions, input / hidden size, {} gates x hidden_size)", source,
                                 n.op_type(), n.name(), shape_string(ws), shape_string(rs), r.dirs, r.I, gh,
                                 r.dirs, r.H, gh, gates));
  if (!transposed && (ws != Shape{r.dirs, gh, r.I} || rs != Shape{r.dirs, gh, r.H}))
    throw ModelError(fmt::format("{}: {} node '{}': W {} and R {} do not match [{}, {}, {}] and [{}, {}, {}] "
                                 "(directions, {} gates x hidden_size, input / hidden size)", source,
                                 n.op_type(), n.name(), shape_string(ws), shape_string(rs), r.dirs, gh, r.I,
                                 r.dirs, gh, r.H, gates));
  if (im.has(n, 3)) {
    const Tensor& b = im.tensor(im.in(n, 3).id);
    if (!b.is_constant) im.unsupported(n, "a non-constant B (input 3; biases must be initializers)");
    if (b.shape != Shape{r.dirs, 2 * gh})
      throw ModelError(fmt::format("{}: {} node '{}': B has shape {}, expected [{}, {}]", source, n.op_type(),
                                   n.name(), shape_string(b.shape), r.dirs, 2 * gh));
  }
  if (im.has(n, 4)) {
    // qgate runs every sequence to its full length; ONNX's shorter ones stop early and pad Y with zeros.
    const Tensor& sl = im.tensor(im.in(n, 4).id);
    if (!sl.is_constant)
      im.unsupported(n, "a non-constant sequence_lens (input 4; only constant lengths that all equal the sequence "
                        "length)");
    for (int64_t v : im.const_ints(n, 4, "sequence_lens"))
      if (v != r.T)
        im.unsupported(n, fmt::format("sequence_lens [{}] with a length other than the sequence length {}",
                                      fmt::join(im.const_ints(n, 4, "sequence_lens"), ","), r.T));
  }
  if (const auto* acts = find_attr(n, "activations"))
    for (std::string s : acts->strings()) {  // ONNX Runtime matches these names case-insensitively
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
      r.activations.push_back(s);
    }
  const size_t want = default_acts.size() * r.dirs;
  if (r.activations.empty())
    for (int d = 0; d < r.dirs; ++d)
      r.activations.insert(r.activations.end(), default_acts.begin(), default_acts.end());
  if (r.activations.size() != want)
    throw ModelError(fmt::format("{}: {} node '{}': {} activations, expected {} ({} per direction)", source,
                                 n.op_type(), n.name(), r.activations.size(), want, default_acts.size()));
  if (const auto* c = find_attr(n, "clip")) {
    if (!(c->f() > 0.0f)) im.unsupported(n, fmt::format("clip {} (a clip threshold must be > 0)", c->f()));
    r.clip = c->f();
  }
  return r;
}

// `count` floats of a constant from element `offset` on, each times `sign`.
std::vector<float> const_floats(Importer& im, int id, int64_t offset, int64_t count, float sign = 1.0f) {
  const float* p = im.tensor(id).as<float>() + offset;
  std::vector<float> v(p, p + count);
  if (sign != 1.0f)
    for (float& x : v) x *= sign;
  return v;
}

// Initial state input i ([D, B, H]; layout 1: [B, D, H]) per direction: [B, H] values, -1 when absent.
std::vector<int> initial_state(Importer& im, NodeRef n, int i, const RecurrentShape& r, const std::string& base) {
  std::vector<int> out(r.dirs, -1);
  if (!im.has(n, i)) return out;
  const int id = im.onnx_order(im.in(n, i));
  const Shape want = r.batch_major ? Shape{r.B, r.dirs, r.H} : Shape{r.dirs, r.B, r.H};
  if (im.tensor(id).shape != want)
    throw ModelError(fmt::format("{}: {} node '{}': input {} ('{}') has shape {}, expected {}", im.source(),
                                 n.op_type(), n.name(), i, im.tensor(id).name, shape_string(im.tensor(id).shape),
                                 shape_string(want)));
  // One direction: [1, B, H] and [B, 1, H] hold the [B, H] values in order; the op reads them as they are.
  if (r.dirs == 1) {
    out[0] = id;
    return out;
  }
  const std::string name = im.tensor(id).name;
  if (im.tensor(id).is_constant) {
    const std::vector<float> all = const_floats(im, id, 0, im.tensor(id).elements());
    for (int d = 0; d < r.dirs; ++d) {
      std::vector<float> v(static_cast<size_t>(r.B) * r.H);
      for (int b = 0; b < r.B; ++b)
        for (int h = 0; h < r.H; ++h)
          v[static_cast<size_t>(b) * r.H + h] =
              all[r.batch_major ? (static_cast<size_t>(b) * r.dirs + d) * r.H + h
                                : (static_cast<size_t>(d) * r.B + b) * r.H + h];
      out[d] = im.const_f32(fmt::format("{}/{}", name, d == 0 ? "forward" : "reverse"), {r.B, r.H}, v);
    }
    return out;
  }
  Attributes a;
  a.set("num_splits", int64_t{2});
  const std::vector<int> parts = im.emit_multi(
      OpType::split_v,
      {id, im.const_i32(base + "/" + name + "/sizes", {1, 1}),
       im.const_i32(base + "/" + name + "/axis", {r.batch_major ? 1 : 0}, {1})},
      a, {base + "/" + name + "/forward", base + "/" + name + "/reverse"});
  return parts;
}

// Op outputs to emit: Y always (the op's sequence output), then the final states up to the last one ONNX asks for.
int recurrent_op_outputs(NodeRef n, int max_outputs) {
  int count = 1;
  for (int k = 1; k < std::min(n.output_size(), max_outputs); ++k)
    if (!n.output(k).empty()) count = k + 1;
  return count;
}

// Prefix of the tensors a recurrent node adds: its name, else its first named output.
std::string recurrent_base(NodeRef n) {
  if (!n.name().empty()) return n.name();
  for (const auto& o : n.output())
    if (!o.empty()) return o;
  return n.op_type();
}

std::string direction_name(const RecurrentShape& r, int d) { return d == 1 || r.reverse_only ? "reverse" : "forward"; }

// Attributes every per-direction op takes.
Attributes recurrent_attrs(const RecurrentShape& r, int d) {
  Attributes a;
  a.set("time_major", int64_t{r.batch_major ? 0 : 1});
  a.set("reverse", int64_t{d == 1 || r.reverse_only ? 1 : 0});
  if (r.clip > 0.0f) a.set("gate_clip", static_cast<double>(r.clip));
  return a;
}

// per_dir[d][k]: output k (0 Y, 1 final h, 2 final c) of direction d's op, as ONNX's Y, Y_h, Y_c.
void recurrent_outputs(Importer& im, NodeRef n, const RecurrentShape& r, const std::vector<std::vector<int>>& per_dir) {
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
      id = im.emit(OpType::reshape, {per_dir[0][k]}, a, name);
    } else {
      Attributes a;
      a.set("values_count", int64_t{2});
      a.set("axis", int64_t{k == 0 ? (r.batch_major ? 2 : 1) : (r.batch_major ? 1 : 0)});
      id = im.emit(OpType::pack, {per_dir[0][k], per_dir[1][k]}, a, name);
    }
    im.set(n, k, {id, Layout::onnx});
  }
}

// The fused_activation_function of an ONNX activation name qgate's RNN and LSTM ops can run.
int64_t fused_activation(Importer& im, NodeRef n, const std::string& act, const char* role) {
  if (act == "tanh") return 4;
  if (act == "relu") return 1;
  im.unsupported(n, fmt::format("{} activation '{}' (only Tanh and Relu)", role, act));
}

// com.microsoft DynamicQuantizeLSTM's int8 weights: W [D, I, 4H] or R [D, H, 4H] (input w_slot) with their
// scales ([D] per tensor or [D, 4H] per channel) and zero points (all 0: symmetric), checked.
struct DqWeights {
  int w = -1;  // tensor id (adding tensors moves the graph's tensors: no pointers kept)
  std::vector<float> scales;  // [D] or [D, 4H]
  bool per_channel = false;
};

DqWeights dq_weights(Importer& im, NodeRef n, int w_slot, int scale_slot, int zp_slot, int dirs, int H) {
  const char* wname = w_slot == 1 ? "W" : "R";
  DqWeights d;
  d.w = im.in(n, w_slot).id;
  const Tensor& wt = im.tensor(d.w);
  if (wt.dtype != DType::i8)
    im.unsupported(n, fmt::format("{} of type {} (only int8 W and R with zero points 0)", wname, dtype_name(wt.dtype)));
  for (int64_t i = 0; i < wt.elements(); ++i)
    if (wt.as<int8_t>()[i] == -128)
      im.unsupported(n, fmt::format("{} holding -128 (the hybrid kernel takes int8 weights in [-127, 127])", wname));
  if (!im.has(n, scale_slot) || !im.tensor(im.in(n, scale_slot).id).is_constant ||
      im.tensor(im.in(n, scale_slot).id).dtype != DType::f32)
    im.unsupported(n, fmt::format("an absent, non-constant or non-float {}_scale (input {})", wname, scale_slot));
  const Tensor& st = im.tensor(im.in(n, scale_slot).id);
  d.per_channel = st.elements() == int64_t{dirs} * 4 * H;
  if (st.elements() != dirs && !d.per_channel)
    throw ModelError(fmt::format("{}: {} node '{}': {}_scale has shape {}, expected [{}] or [{}, {}]", im.source(),
                                 n.op_type(), n.name(), wname, shape_string(st.shape), dirs, dirs, 4 * H));
  d.scales.assign(st.as<float>(), st.as<float>() + st.elements());
  if (im.has(n, zp_slot)) {
    const Tensor& zt = im.tensor(im.in(n, zp_slot).id);
    if (!zt.is_constant || (zt.dtype != DType::i8 && zt.dtype != DType::u8))
      im.unsupported(n, fmt::format("a non-constant or non-8-bit {}_zero_point (input {})", wname, zp_slot));
    for (int64_t i = 0; i < zt.elements(); ++i)
      if ((zt.dtype == DType::i8 ? int{zt.as<int8_t>()[i]} : int{zt.as<uint8_t>()[i]}) != 0)
        im.unsupported(n, fmt::format("{}_zero_point {} at element {} (only zero weight zero points, i.e. "
                                      "symmetric int8 weights)", wname, zt.dtype == DType::i8 ? int{zt.as<int8_t>()[i]}
                                                                                     : int{zt.as<uint8_t>()[i]}, i));
  }
  return d;
}

// Gate block `blk` of direction d as an int8 [H, K] constant, W[d][k][blk * H + h] times `sign` (-1 negates
// exactly: no -128), with its scale or its H per-row scales.
int dq_gate_weight(Importer& im, const DqWeights& dw, const std::string& name, int d, int blk, int H, float sign) {
  const int K = im.tensor(dw.w).shape[1], G = im.tensor(dw.w).shape[2];
  Tensor t;
  t.name = name;
  t.dtype = t.file_dtype = DType::i8;
  t.shape = {H, K};
  t.is_constant = true;
  t.allocate();
  const int8_t* src = im.tensor(dw.w).as<int8_t>() + int64_t{d} * K * G;
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
  return im.add(std::move(t));
}

// dynamic_quantize: com.microsoft DynamicQuantizeLSTM (inputs as LSTM, then W_scale, W_zero_point, R_scale,
// R_zero_point; W and R int8 and transposed). Its int8 weights stay as they are, each gate's block an int8
// constant with its scales, and the op runs onnxruntime's arithmetic (LstmParams::ort_dynamic).
void lstm(Importer& im, NodeRef n, bool dynamic_quantize) {
  const RecurrentShape r = recurrent_shape(im, n, 4, {"sigmoid", "tanh", "tanh"}, dynamic_quantize);
  if (dynamic_quantize && r.batch_major) im.unsupported(n, "layout 1 (DynamicQuantizeLSTM is time-major)");
  DqWeights dw, dr;
  if (dynamic_quantize) {
    dw = dq_weights(im, n, 1, 8, 9, r.dirs, r.H);
    dr = dq_weights(im, n, 2, 10, 11, r.dirs, r.H);
  }
  const std::string base = recurrent_base(n);
  const int H = r.H, I = r.I, outputs = recurrent_op_outputs(n, 3);
  const bool input_forget = attr_int(n, "input_forget", 0) != 0;
  int peep = -1;
  if (im.has(n, 7)) {
    peep = im.in(n, 7).id;
    if (!im.tensor(peep).is_constant) im.unsupported(n, "a non-constant P (input 7; peepholes must be initializers)");
    if (im.tensor(peep).shape != Shape{r.dirs, 3 * H})
      throw ModelError(fmt::format("{}: LSTM node '{}': P has shape {}, expected [{}, {}]", im.source(), n.name(),
                                   shape_string(im.tensor(peep).shape), r.dirs, 3 * H));
  }
  const int x = im.onnx_order(im.in(n, 0));
  const std::vector<int> h0 = initial_state(im, n, 5, r, base), c0 = initial_state(im, n, 6, r, base);
  const int w = im.in(n, 1).id, rw = im.in(n, 2).id, bias = im.has(n, 3) ? im.in(n, 3).id : -1;
  // TFLite gate g (input, forget, cell, output) is ONNX block kBlock[g] of W, R, B (blocks i, o, f, c).
  constexpr int kBlock[4] = {0, 2, 3, 1};
  constexpr const char* kGate[4] = {"input", "forget", "cell", "output"};
  std::vector<std::vector<int>> per_dir;
  for (int d = 0; d < r.dirs; ++d) {
    const std::string dn = base + "/" + direction_name(r, d);
    if (r.activations[3 * d] != "sigmoid")
      im.unsupported(n, fmt::format("gate activation '{}' (only Sigmoid)", r.activations[3 * d]));
    if (r.activations[3 * d + 1] != r.activations[3 * d + 2])
      im.unsupported(n, fmt::format("cell activation '{}' differing from hidden activation '{}'",
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
        inputs[1 + g] = dq_gate_weight(im, dw, fmt::format("{}/input_to_{}", dn, kGate[g]), d, blk, H, sign);
        inputs[5 + g] = dq_gate_weight(im, dr, fmt::format("{}/recurrent_to_{}", dn, kGate[g]), d, blk, H, sign);
      } else {
        inputs[1 + g] = im.const_f32(fmt::format("{}/input_to_{}", dn, kGate[g]), {H, I},
                                     const_floats(im, w, row0 * I, int64_t{H} * I, sign));
        inputs[5 + g] = im.const_f32(fmt::format("{}/recurrent_to_{}", dn, kGate[g]), {H, H},
                                     const_floats(im, rw, row0 * H, int64_t{H} * H, sign));
      }
      std::vector<float> b(H, 0.0f);
      if (bias >= 0) {
        const int64_t b0 = int64_t{d} * 8 * H + int64_t{blk} * H;  // Wb block; Rb follows 4H later
        const std::vector<float> wb = const_floats(im, bias, b0, H, sign),
                                 rb = const_floats(im, bias, b0 + 4 * H, H, sign);
        for (int k = 0; k < H; ++k) b[k] = wb[k] + rb[k];
      }
      inputs[12 + g] = im.const_f32(fmt::format("{}/{}_gate_bias", dn, kGate[g]), {H}, b);
    }
    if (peep >= 0) {
      // P holds the input, output and forget peepholes, in that order.
      const int64_t p0 = int64_t{d} * 3 * H;
      if (!input_forget) inputs[9] = im.const_f32(dn + "/cell_to_input", {H}, const_floats(im, peep, p0, H));
      inputs[10] = input_forget ? im.const_f32(dn + "/cell_to_forget", {H}, const_floats(im, peep, p0, H, -1.0f))
                                : im.const_f32(dn + "/cell_to_forget", {H}, const_floats(im, peep, p0 + 2 * H, H));
      inputs[11] = im.const_f32(dn + "/cell_to_output", {H}, const_floats(im, peep, p0 + H, H));
    }
    inputs[18] = h0[d];
    inputs[19] = c0[d];
    Attributes a = recurrent_attrs(r, d);
    a.set("fused_activation_function", fused_activation(im, n, r.activations[3 * d + 1], "cell"));
    if (dynamic_quantize) set_ort_dynamic_arithmetic(a);
    std::vector<std::string> names = {dn + "/Y", dn + "/Y_h", dn + "/Y_c"};
    names.resize(outputs);
    per_dir.push_back(im.emit_multi(OpType::unidirectional_sequence_lstm, inputs, a, names));
  }
  recurrent_outputs(im, n, r, per_dir);
}

}  // namespace

void import_rnn(Importer& im, NodeRef n) {
  const RecurrentShape r = recurrent_shape(im, n, 1, {"tanh"});
  const std::string base = recurrent_base(n);
  const int x = im.onnx_order(im.in(n, 0));
  const std::vector<int> h0 = initial_state(im, n, 5, r, base);
  const int w = im.in(n, 1).id, rw = im.in(n, 2).id, bias = im.has(n, 3) ? im.in(n, 3).id : -1;
  const int H = r.H, I = r.I, outputs = recurrent_op_outputs(n, 2);
  std::vector<std::vector<int>> per_dir;
  for (int d = 0; d < r.dirs; ++d) {
    const std::string dn = base + "/" + direction_name(r, d);
    std::vector<float> b(H, 0.0f);
    if (bias >= 0) {
      const std::vector<float> wb = const_floats(im, bias, int64_t{d} * 2 * H, H);
      const std::vector<float> rb = const_floats(im, bias, int64_t{d} * 2 * H + H, H);
      for (int k = 0; k < H; ++k) b[k] = wb[k] + rb[k];  // ONNX adds Wb and Rb every step; their sum is the bias
    }
    std::vector<int> inputs = {
        x, im.const_f32(dn + "/W", {H, I}, const_floats(im, w, int64_t{d} * H * I, int64_t{H} * I)),
        im.const_f32(dn + "/R", {H, H}, const_floats(im, rw, int64_t{d} * H * H, int64_t{H} * H)),
        im.const_f32(dn + "/bias", {H}, b), h0[d]};
    Attributes a = recurrent_attrs(r, d);
    a.set("fused_activation_function", fused_activation(im, n, r.activations[d], "f"));
    std::vector<std::string> names = {dn + "/Y", dn + "/Y_h"};
    names.resize(outputs);
    per_dir.push_back(im.emit_multi(OpType::unidirectional_sequence_rnn, inputs, a, names));
  }
  recurrent_outputs(im, n, r, per_dir);
}

void import_lstm(Importer& im, NodeRef n) { lstm(im, n, /*dynamic_quantize=*/false); }

void import_dynamic_quantize_lstm(Importer& im, NodeRef n) { lstm(im, n, /*dynamic_quantize=*/true); }

void import_gru(Importer& im, NodeRef n) {
  const RecurrentShape r = recurrent_shape(im, n, 3, {"sigmoid", "tanh"});
  const std::string base = recurrent_base(n);
  const int H = r.H, I = r.I, outputs = recurrent_op_outputs(n, 2);
  const int x = im.onnx_order(im.in(n, 0));
  const std::vector<int> h0 = initial_state(im, n, 5, r, base);
  const int w = im.in(n, 1).id, rw = im.in(n, 2).id, bias = im.has(n, 3) ? im.in(n, 3).id : -1;
  std::vector<std::vector<int>> per_dir;
  for (int d = 0; d < r.dirs; ++d) {
    const std::string dn = base + "/" + direction_name(r, d);
    if (r.activations[2 * d] != "sigmoid" || r.activations[2 * d + 1] != "tanh")
      im.unsupported(n, fmt::format("activations '{}', '{}' (only Sigmoid, Tanh)", r.activations[2 * d],
                                    r.activations[2 * d + 1]));
    // W, R and the two biases keep ONNX's gate order z, r, h: the GRU op takes them as they are.
    const int64_t wn = 3 * int64_t{H} * I, rn = 3 * int64_t{H} * H;
    std::vector<int> inputs = {x, im.const_f32(dn + "/W", {3 * H, I}, const_floats(im, w, d * wn, wn)),
                               im.const_f32(dn + "/R", {3 * H, H}, const_floats(im, rw, d * rn, rn)), -1, -1, h0[d]};
    if (bias >= 0) {
      inputs[3] = im.const_f32(dn + "/input_bias", {3 * H}, const_floats(im, bias, int64_t{d} * 6 * H, 3 * H));
      inputs[4] =
          im.const_f32(dn + "/recurrent_bias", {3 * H}, const_floats(im, bias, int64_t{d} * 6 * H + 3 * H, 3 * H));
    }
    Attributes a = recurrent_attrs(r, d);
    a.set("linear_before_reset", int64_t{attr_int(n, "linear_before_reset", 0) != 0 ? 1 : 0});
    std::vector<std::string> names = {dn + "/Y", dn + "/Y_h"};
    names.resize(outputs);
    per_dir.push_back(im.emit_multi(OpType::gru, inputs, a, names));
  }
  recurrent_outputs(im, n, r, per_dir);
}

}  // namespace qgate::onnx_import
