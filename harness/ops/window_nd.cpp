// Window ops over channels-first tensors of 1 to 3 spatial dims (ONNX layout), for what the NHWC 2-D ops do not
// express: CONV_ND (x [N, C, ...], w [M, C / group, k...], bias?), CONV_TRANSPOSE_ND (w [C, M / group, k...]),
// POOL_ND (outputs Y and, for max, optionally Indices) and MAX_UNPOOL_ND (x, indices). Attributes as ONNX names
// them, every list per spatial dim: strides, dilations, pads (begins then ends, resolved: no auto_pad), group,
// kernel_shape, and for pooling kind ("max", "average", "lp"), ceil_mode, count_include_pad, p; the transposed
// convolution's and the unpool's output spatial sizes as output_spatial.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/conv_nd.h"
#include "kernels/pool_nd.h"

namespace qgate::ops {

namespace {

// Reads a per-dim attribute list (default `fallback` for each of `spatial` dims) into a 3-array padded with
// `pad_value`.
std::array<int64_t, 3> dims_attr(const OpContext& ctx, const char* key, int spatial, int64_t fallback,
                                 int64_t pad_value, size_t offset = 0, size_t expected = 0) {
  std::vector<int64_t> v = ctx.node.attrs.get_ints(key);
  if (v.empty()) v.assign(expected ? expected : spatial, fallback);
  if (v.size() != (expected ? expected : static_cast<size_t>(spatial)))
    ctx.fail(fmt::format("{} [{}] has {} values for {} spatial dims", key, fmt::join(v, ","), v.size(), spatial));
  std::array<int64_t, 3> a{pad_value, pad_value, pad_value};
  for (int d = 0; d < spatial; ++d) a[d] = v[offset + d];
  return a;
}

int spatial_rank(const OpContext& ctx, const Tensor& x) {
  const int s = static_cast<int>(x.shape.size()) - 2;
  if (s < 1 || s > 3) ctx.fail(fmt::format("input {} needs [N, C] and 1 to 3 spatial dims", shape_string(x.shape)));
  return s;
}

template <bool kTranspose>
class ConvNdOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, 1);
    ctx.expect_input(0, DType::f32);
    ctx.expect_input(1, DType::f32);
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    const int s = spatial_rank(ctx, x);
    if (static_cast<int>(w.shape.size()) != s + 2)
      ctx.fail(fmt::format("weight {} does not match input {}", shape_string(w.shape), shape_string(x.shape)));
    p_ = {};
    p_.spatial = s;
    p_.batch = x.shape[0];
    p_.in_channels = x.shape[1];
    p_.groups = ctx.node.attrs.get_int("group", 1);
    if (p_.groups < 1 || p_.in_channels % p_.groups != 0)
      ctx.fail(fmt::format("group {} does not divide the {} input channels", p_.groups, p_.in_channels));
    p_.out_channels = kTranspose ? w.shape[1] * p_.groups : w.shape[0];
    const int64_t w_in = kTranspose ? w.shape[0] : w.shape[1] * p_.groups;
    if (w_in != p_.in_channels || p_.out_channels % p_.groups != 0)
      ctx.fail(fmt::format("weight {} does not fit {} input channels in {} groups", shape_string(w.shape),
                           p_.in_channels, p_.groups));
    for (int d = 0; d < s; ++d) {
      p_.in[d] = x.shape[2 + d];
      p_.kernel[d] = w.shape[2 + d];
    }
    p_.stride = dims_attr(ctx, "strides", s, 1, 1);
    p_.dilation = dims_attr(ctx, "dilations", s, 1, 1);
    p_.pad_begin = dims_attr(ctx, "pads", s, 0, 0, 0, 2 * s);
    const auto pad_end = dims_attr(ctx, "pads", s, 0, 0, s, 2 * s);
    if (kTranspose) p_.out = dims_attr(ctx, "output_spatial", s, 1, 1);
    Shape out = {x.shape[0], static_cast<int32_t>(p_.out_channels)};
    for (int d = 0; d < s; ++d) {
      if (!kTranspose) {
        const int64_t span = (p_.kernel[d] - 1) * p_.dilation[d] + 1;
        p_.out[d] = (p_.in[d] + p_.pad_begin[d] + pad_end[d] - span) / p_.stride[d] + 1;
      }
      if (p_.out[d] < 1 || p_.stride[d] < 1 || p_.dilation[d] < 1)
        ctx.fail(fmt::format("spatial dim {}: input {}, kernel {}, stride {}, dilation {} give no output", d,
                             p_.in[d], p_.kernel[d], p_.stride[d], p_.dilation[d]));
      out.push_back(static_cast<int32_t>(p_.out[d]));
    }
    if (ctx.has_input(2)) {
      const Tensor& b = ctx.in(2);
      if (b.dtype != DType::f32 || b.elements() != p_.out_channels)
        ctx.fail(fmt::format("bias '{}' is {} {}, expected {} float32 values", b.name, dtype_name(b.dtype),
                             shape_string(b.shape), p_.out_channels));
    }
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    const float* bias = ctx.has_input(2) ? ctx.in(2).as<float>() : nullptr;
    if (kTranspose)
      kernels::conv_transpose_nd(p_, ctx.in(0).as<float>(), ctx.in(1).as<float>(), bias, ctx.out(0).as<float>());
    else
      kernels::conv_nd(p_, ctx.in(0).as<float>(), ctx.in(1).as<float>(), bias, ctx.out(0).as<float>());
  }

 private:
  kernels::ConvNdParams p_;
};

class PoolNdOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    if (ctx.outputs.empty() || ctx.outputs.size() > 2) ctx.fail("expects 1 or 2 outputs");
    ctx.expect_arity(1, 1, ctx.outputs.size());
    ctx.expect_input(0, DType::f32);
    const Tensor& x = ctx.in(0);
    const int s = spatial_rank(ctx, x);
    p_ = {};
    p_.spatial = s;
    p_.planes = static_cast<int64_t>(x.shape[0]) * x.shape[1];
    const std::string kind = ctx.node.attrs.get_string("kind", "max");
    if (kind == "max") p_.kind = kernels::PoolKind::max;
    else if (kind == "average") p_.kind = kernels::PoolKind::average;
    else if (kind == "lp") p_.kind = kernels::PoolKind::lp;
    else ctx.fail(fmt::format("kind '{}' is not max, average or lp", kind));
    if (ctx.outputs.size() == 2 && p_.kind != kernels::PoolKind::max) ctx.fail("only max pooling has indices");
    p_.kernel = dims_attr(ctx, "kernel_shape", s, 0, 1);
    p_.stride = dims_attr(ctx, "strides", s, 1, 1);
    p_.dilation = dims_attr(ctx, "dilations", s, 1, 1);
    p_.pad_begin = dims_attr(ctx, "pads", s, 0, 0, 0, 2 * s);
    p_.pad_end = dims_attr(ctx, "pads", s, 0, 0, s, 2 * s);
    p_.count_include_pad = ctx.node.attrs.get_bool("count_include_pad", false);
    p_.p = static_cast<float>(ctx.node.attrs.get_int("p", 2));
    const bool ceil_mode = ctx.node.attrs.get_bool("ceil_mode", false);
    Shape out = {x.shape[0], x.shape[1]};
    for (int d = 0; d < s; ++d) {
      p_.in[d] = x.shape[2 + d];
      const int64_t span = (p_.kernel[d] - 1) * p_.dilation[d] + 1;
      const int64_t room = p_.in[d] + p_.pad_begin[d] + p_.pad_end[d] - span;
      if (p_.kernel[d] < 1 || p_.stride[d] < 1 || p_.dilation[d] < 1 || room < 0)
        ctx.fail(fmt::format("spatial dim {}: input {}, kernel {}, stride {}, dilation {}, pads {} + {} give no output",
                             d, p_.in[d], p_.kernel[d], p_.stride[d], p_.dilation[d], p_.pad_begin[d], p_.pad_end[d]));
      int64_t o = room / p_.stride[d] + 1;
      // ceil_mode: one more window when the last one would start inside the input or its leading padding.
      if (ceil_mode && room % p_.stride[d] != 0 && (o * p_.stride[d]) < p_.in[d] + p_.pad_begin[d]) ++o;
      p_.out[d] = o;
      out.push_back(static_cast<int32_t>(o));
    }
    for (Tensor* t : ctx.outputs) t->shape = out;
    ctx.out(0).dtype = DType::f32;
    if (ctx.outputs.size() == 2) ctx.out(1).dtype = DType::i64;
  }
  void run(OpContext& ctx) override {
    kernels::pool_nd(p_, ctx.in(0).as<float>(), ctx.out(0).as<float>(),
                     ctx.outputs.size() == 2 ? ctx.out(1).as<int64_t>() : nullptr);
  }

 private:
  kernels::PoolNdParams p_;
};

class MaxUnpoolNdOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::f32);
    ctx.expect_input(1, DType::i64);
    const Tensor& x = ctx.in(0);
    const int s = spatial_rank(ctx, x);
    if (ctx.in(1).shape != x.shape)
      ctx.fail(fmt::format("indices {} must be shaped as x {}", shape_string(ctx.in(1).shape), shape_string(x.shape)));
    const auto spatial = dims_attr(ctx, "output_spatial", s, 1, 1);
    Shape out = {x.shape[0], x.shape[1]};
    for (int d = 0; d < s; ++d) out.push_back(static_cast<int32_t>(spatial[d]));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    bad_ = kernels::max_unpool(ctx.in(0).as<float>(), ctx.in(1).as<int64_t>(), ctx.in(0).elements(),
                               ctx.out(0).as<float>(), ctx.out(0).elements());
  }
  bool run_failed() const override { return bad_ != 0; }

 private:
  int64_t bad_ = 0;
};

}  // namespace

QGATE_REGISTER_OP(OpType::conv_nd, ConvNdOp<false>);
QGATE_REGISTER_OP(OpType::conv_transpose_nd, ConvNdOp<true>);
QGATE_REGISTER_OP(OpType::pool_nd, PoolNdOp);
QGATE_REGISTER_OP(OpType::max_unpool_nd, MaxUnpoolNdOp);

}  // namespace qgate::ops
