#include "harness/ops/recurrent_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace qgate::recurrent_ops {

kernels::RecurrentMatrix bind_matrix(const OpContext& ctx, size_t i, int rows, int cols, const char* what,
                                     MatrixStore& store, bool required, bool pack, bool row_scales) {
  kernels::RecurrentMatrix m;
  if (!ctx.has_input(i)) {
    if (required) ctx.fail(fmt::format("input {} ({}) is required but absent", i, what));
    return m;
  }
  const Tensor& t = ctx.in(i);
  const Shape want{rows, cols};
  if (t.shape != want)
    ctx.fail(fmt::format("input {} ({}, '{}') has shape {}, expected {}", i, what, t.name, shape_string(t.shape),
                         shape_string(want)));
  if (!t.is_constant)
    ctx.fail(fmt::format("input {} ({}, '{}') must be a constant weight tensor", i, what, t.name));
  m.rows = rows;
  m.cols = cols;
  if (t.dtype == DType::f32) {
    m.f32 = t.as<float>();
    if (!pack) return m;
    store.f32.push_back(kernels::gemm_pack(m.f32, rows, cols, cols, 1));
    m.f32_packed = &store.f32.back();
  } else if (t.dtype == DType::i8) {
    const bool per_row = row_scales && rows > 1 && t.quant.scale.size() == static_cast<size_t>(rows) &&
                         t.quant.axis == 0;
    if (t.quant.scale.size() != 1 && !per_row)
      ctx.fail(fmt::format("input {} ({}, '{}') is int8 with {} scales; hybrid recurrent ops need one per-tensor "
                           "scale{}", i, what, t.name, t.quant.scale.size(),
                           row_scales ? fmt::format(" or {} on dimension 0", rows) : std::string()));
    for (float s : t.quant.scale)
      if (!(s >= 0.0f) || !std::isfinite(s))
        ctx.fail(fmt::format("input {} ({}, '{}') has scale {}; scales must be finite and >= 0", i, what, t.name, s));
    m.i8 = t.as<int8_t>();
    m.scale = t.quant.scale[0];
    if (per_row) m.row_scales = t.quant.scale.data();
    if (!kernels::int8_weights_symmetric(m.i8, int64_t{rows} * cols))
      ctx.fail(fmt::format("input {} ({}, '{}') holds -128; symmetric int8 weights are in [-127, 127]", i, what,
                           t.name));
    if (!pack) return m;
    store.row_sums.push_back(kernels::int8_row_sums(m.i8, rows, cols));
    m.row_sums = store.row_sums.back().data();
    store.i8.push_back(per_row ? kernels::pack_int8_weights(m.i8, rows, cols, m.row_scales, rows)
                               : kernels::pack_int8_weights(m.i8, rows, cols, &m.scale, 1));
    m.i8_packed = &store.i8.back();
  } else {
    ctx.fail(fmt::format("input {} ({}, '{}') is {}, expected float32 or int8", i, what, t.name, dtype_name(t.dtype)));
  }
  return m;
}

kernels::RecurrentMatrix matrix_rows(const kernels::RecurrentMatrix& m, int row0, int rows, MatrixStore& store) {
  kernels::RecurrentMatrix r;
  r.rows = rows;
  r.cols = m.cols;
  const size_t offset = static_cast<size_t>(row0) * m.cols;
  if (m.f32) {
    r.f32 = m.f32 + offset;
    store.f32.push_back(kernels::gemm_pack(r.f32, rows, r.cols, r.cols, 1));
    r.f32_packed = &store.f32.back();
  } else if (m.i8) {
    r.i8 = m.i8 + offset;
    r.scale = m.scale;
    if (m.row_scales) r.row_scales = m.row_scales + row0;
    store.row_sums.push_back(kernels::int8_row_sums(r.i8, rows, r.cols));
    r.row_sums = store.row_sums.back().data();
    store.i8.push_back(kernels::pack_int8_weights(r.i8, rows, r.cols, &r.scale, 1));
    r.i8_packed = &store.i8.back();
  }
  return r;
}

const float* bind_vector(const OpContext& ctx, size_t i, int n, const char* what, bool required) {
  if (!ctx.has_input(i)) {
    if (required) ctx.fail(fmt::format("input {} ({}) is required but absent", i, what));
    return nullptr;
  }
  const Tensor& t = ctx.in(i);
  if (t.dtype != DType::f32 || t.elements() != n)
    ctx.fail(fmt::format("input {} ({}, '{}') is {} {}, expected float32 with {} elements", i, what, t.name,
                         dtype_name(t.dtype), shape_string(t.shape), n));
  return t.as<float>();
}

const float* bind_peephole(const OpContext& ctx, size_t i, int n, const char* what,
                           std::deque<std::vector<float>>& store) {
  if (!ctx.has_input(i)) return nullptr;
  const Tensor& t = ctx.in(i);
  if (t.elements() != n)
    ctx.fail(fmt::format("input {} ({}, '{}') has shape {}, expected {} elements", i, what, t.name,
                         shape_string(t.shape), n));
  if (t.dtype == DType::f32) return t.as<float>();
  if (t.dtype != DType::i8 || t.quant.scale.size() != 1)
    ctx.fail(fmt::format("input {} ({}, '{}') is {} with {} scales, expected float32 or per-tensor int8", i, what,
                         t.name, dtype_name(t.dtype), t.quant.scale.size()));
  // TFLite's hybrid LSTM recovers f32(s * w) every step; doing it once gives the same values.
  std::vector<float> v(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) v[k] = t.quant.scale[0] * static_cast<float>(t.as<int8_t>()[k]);
  store.push_back(std::move(v));
  return store.back().data();
}

void check_same_mode(const OpContext& ctx, const std::vector<const kernels::RecurrentMatrix*>& mats) {
  int f = 0, q = 0;
  for (const auto* m : mats) {
    if (!m->present()) continue;
    (m->hybrid() ? q : f)++;
  }
  if (f > 0 && q > 0)
    ctx.fail(fmt::format("mixes {} float32 and {} int8 weight matrices; all must be float32 (float kernel) or all "
                         "int8 (hybrid kernel)", f, q));
}

kernels::Activation activation_attr(const OpContext& ctx) {
  const int64_t a = ctx.node.attrs.get_int("fused_activation_function", 0);
  if (a < 0 || a > 5)
    ctx.fail(fmt::format("fused_activation_function {} is not one of NONE 0, RELU 1, RELU_N1_TO_1 2, RELU6 3, "
                         "TANH 4, SIGN_BIT 5", a));
  return static_cast<kernels::Activation>(a);
}

void check_state(const OpContext& ctx, size_t i, int64_t elements, const char* what) {
  if (!ctx.has_input(i)) ctx.fail(fmt::format("input {} ({}) is required but absent", i, what));
  const Tensor& t = ctx.in(i);
  if (t.dtype != DType::f32 || t.elements() != elements)
    ctx.fail(fmt::format("input {} ({}, '{}') is {} {}, expected float32 with {} elements", i, what, t.name,
                         dtype_name(t.dtype), shape_string(t.shape), elements));
  if (!t.is_variable) ctx.fail(fmt::format("input {} ({}, '{}') must be a variable (state) tensor", i, what, t.name));
}

void SequenceState::bind(const OpContext& ctx, int slot, int64_t elements, const char* what) {
  input = slot;
  in_place = false;
  own.clear();
  if (slot >= 0 && ctx.has_input(static_cast<size_t>(slot))) {
    const Tensor& t = ctx.in(slot);
    if (t.dtype != DType::f32 || t.elements() != elements)
      ctx.fail(fmt::format("input {} ({}, '{}') is {} {}, expected float32 with {} elements", slot, what, t.name,
                           dtype_name(t.dtype), shape_string(t.shape), elements));
    in_place = t.is_variable;
  } else {
    input = -1;
  }
  if (!in_place) own.assign(static_cast<size_t>(elements), 0.0f);
}

float* SequenceState::start(const OpContext& ctx) {
  if (in_place) return ctx.in(input).as<float>();
  if (input >= 0) std::memcpy(own.data(), ctx.in(input).as<float>(), own.size() * sizeof(float));
  else std::fill(own.begin(), own.end(), 0.0f);
  return own.data();
}

void write_final_state(const OpContext& ctx, size_t i, const float* state, int64_t elements) {
  if (i >= ctx.outputs.size() || ctx.outputs[i] == nullptr) return;
  std::memcpy(ctx.out(i).as<float>(), state, static_cast<size_t>(elements) * sizeof(float));
}

float gate_clip_attr(const OpContext& ctx) {
  const double c = ctx.node.attrs.get_float("gate_clip", 0.0);
  if (!(c >= 0.0)) ctx.fail(fmt::format("gate_clip {} must be >= 0 (0: no clipping)", c));
  return static_cast<float>(c);
}

kernels::SequenceLayout sequence_layout(const OpContext& ctx, const Tensor& x, bool time_major) {
  if (x.shape.size() != 3)
    ctx.fail(fmt::format("input '{}' has shape {}, expected rank 3 ({})", x.name, shape_string(x.shape),
                         time_major ? "[time, batch, input]" : "[batch, time, input]"));
  kernels::SequenceLayout l;
  l.time_major = time_major;
  l.time = time_major ? x.shape[0] : x.shape[1];
  l.batch = time_major ? x.shape[1] : x.shape[0];
  return l;
}

Shape sequence_shape(const kernels::SequenceLayout& l, int features) {
  return l.time_major ? Shape{l.time, l.batch, features} : Shape{l.batch, l.time, features};
}

void set_bidirectional_outputs(OpContext& ctx, const kernels::SequenceLayout& l, bool merge, int fw_features,
                               int bw_features) {
  ctx.out(0).dtype = DType::f32;
  ctx.out(0).shape = sequence_shape(l, merge ? fw_features + bw_features : fw_features);
  if (!merge) {
    ctx.out(1).dtype = DType::f32;
    ctx.out(1).shape = sequence_shape(l, bw_features);
  }
}

BidirectionalIo bidirectional_io(OpContext& ctx, size_t aux_input, bool merge, bool non_stacking, int fw_features,
                                 int bw_features) {
  BidirectionalIo io;
  io.fw_x = ctx.in(0).as<float>();
  const float* aux = ctx.has_input(aux_input) ? ctx.in(aux_input).as<float>() : nullptr;
  io.bw_x = non_stacking ? aux : io.fw_x;
  io.aux = non_stacking ? nullptr : aux;
  io.fw_out = ctx.out(0).as<float>();
  io.bw_out = merge ? io.fw_out + fw_features : ctx.out(1).as<float>();
  io.fw_stride = merge ? fw_features + bw_features : fw_features;
  io.bw_stride = merge ? fw_features + bw_features : bw_features;
  return io;
}

}  // namespace qgate::recurrent_ops
