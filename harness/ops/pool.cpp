// MAX_POOL_2D, AVERAGE_POOL_2D and MediaPipe's MaxPoolingWithArgmax2D / MaxUnpooling2D (NHWC float).
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/pool.h"
#include "kernels/xnnpack_wasm.h"

namespace qgate::ops {

namespace {

// Reads the pooling attributes and computes the output shape of input 0.
kernels::Pool2DParams prepare_pool(OpContext& ctx, Shape* out_shape) {
  ctx.expect_input(0, DType::f32, 4);
  const Attributes& a = ctx.node.attrs;
  const int64_t padding = a.get_int("padding", 0);
  const int64_t sw = a.get_int("stride_w", 1), sh = a.get_int("stride_h", 1);
  const int64_t fw = a.get_int("filter_width", 1), fh = a.get_int("filter_height", 1);
  if (padding != 0 && padding != 1) ctx.fail(fmt::format("padding {} is neither SAME (0) nor VALID (1)", padding));
  if (sw < 1 || sh < 1) ctx.fail(fmt::format("stride_w {} / stride_h {} must be positive", sw, sh));
  if (fw < 1 || fh < 1) ctx.fail(fmt::format("filter_width {} / filter_height {} must be positive", fw, fh));
  const Shape& in = ctx.in(0).shape;
  if (ctx.symbolic && !shape_is_concrete(in)) {
    auto out = [&](int32_t d, int64_t f, int64_t s) {
      return d < 0 ? kUnknownDim
                   : kernels::pool_geometry(d, static_cast<int32_t>(f), static_cast<int32_t>(s),
                                            static_cast<int>(padding)).out;
    };
    *out_shape = {in[0], out(in[1], fh, sh), out(in[2], fw, sw), in[3]};
    return {};
  }
  const auto gy = kernels::pool_geometry(in[1], static_cast<int32_t>(fh), static_cast<int32_t>(sh),
                                         static_cast<int>(padding));
  const auto gx = kernels::pool_geometry(in[2], static_cast<int32_t>(fw), static_cast<int32_t>(sw),
                                         static_cast<int>(padding));
  if (gy.out < 1 || gx.out < 1)
    ctx.fail(fmt::format("a {}x{} VALID window does not fit input {}", fh, fw, shape_string(in)));
  kernels::Pool2DParams p;
  p.stride_h = static_cast<int32_t>(sh);
  p.stride_w = static_cast<int32_t>(sw);
  p.filter_h = static_cast<int32_t>(fh);
  p.filter_w = static_cast<int32_t>(fw);
  p.pad_top = gy.pad;
  p.pad_left = gx.pad;
  p.activation = clamp_activation(ctx);
  *out_shape = {in[0], gy.out, gx.out, in[3]};
  return p;
}

// MAX_POOL_2D and AVERAGE_POOL_2D: the same attributes and shapes, only the window reduction differs.
using PoolKernel = void (*)(const kernels::Pool2DParams&, const kernels::Nhwc&, const float*, const kernels::Nhwc&,
                            float*, kernels::SimdPath);

template <PoolKernel kKernel>
class Pool2D : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    p_ = prepare_pool(ctx, &ctx.out(0).shape);
    ctx.out(0).dtype = DType::f32;
  }
  void run(OpContext& ctx) override {
    kKernel(p_, nhwc(ctx.in(0).shape), ctx.in(0).as<float>(), nhwc(ctx.out(0).shape), ctx.out(0).as<float>(),
            kernels::SimdPath::automatic);
  }

 private:
  kernels::Pool2DParams p_;
};

using MaxPool2D = Pool2D<kernels::max_pool2d>;

// AVERAGE_POOL_2D: qgate's kernel, or XNNPACK's summation order under LiteRT's CPU arithmetic.
class AveragePool2D : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    p_ = prepare_pool(ctx, &ctx.out(0).shape);
    same_padding_ = ctx.node.attrs.get_int("padding", 0) == 0;
    xnnpack_ = litert_cpu(ctx);
    ctx.out(0).dtype = DType::f32;
  }
  void run(OpContext& ctx) override {
    if (xnnpack_)
      kernels::average_pool2d_xnnpack_wasm(p_, same_padding_, nhwc(ctx.in(0).shape), ctx.in(0).as<float>(),
                                           nhwc(ctx.out(0).shape), ctx.out(0).as<float>());
    else
      kernels::average_pool2d(p_, nhwc(ctx.in(0).shape), ctx.in(0).as<float>(), nhwc(ctx.out(0).shape),
                              ctx.out(0).as<float>());
  }

 private:
  kernels::Pool2DParams p_;
  bool same_padding_ = false;
  bool xnnpack_ = false;
};

// Index outputs keep the dtype the model declares: float32 or int32.
void check_index_dtype(const OpContext& ctx, const Tensor& t, const char* role) {
  if (t.dtype != DType::f32 && t.dtype != DType::i32)
    ctx.fail(fmt::format("{} '{}' is {}, expected float32 or int32", role, t.name, dtype_name(t.dtype)));
}

class MaxPoolingWithArgmax : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 2);
    p_ = prepare_pool(ctx, &ctx.out(0).shape);
    ctx.out(0).dtype = DType::f32;
    check_index_dtype(ctx, ctx.out(1), "output 1 (argmax indices)");
    ctx.out(1).shape = ctx.out(0).shape;
  }
  void run(OpContext& ctx) override {
    Tensor& idx = ctx.out(1);
    kernels::max_pool2d_with_argmax(p_, nhwc(ctx.in(0).shape), ctx.in(0).as<float>(), nhwc(ctx.out(0).shape),
                                    ctx.out(0).as<float>(), idx.dtype == DType::f32 ? idx.as<float>() : nullptr,
                                    idx.dtype == DType::i32 ? idx.as<int32_t>() : nullptr);
  }

 private:
  kernels::Pool2DParams p_;
};

class MaxUnpooling : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::f32, 4);
    const Tensor& values = ctx.in(0);
    const Tensor& idx = ctx.in(1);
    check_index_dtype(ctx, idx, "input 1 (indices)");
    if (idx.shape != values.shape && !ctx.symbolic)
      ctx.fail(fmt::format("indices '{}' have shape {}, values have {} (they must match)", idx.name,
                           shape_string(idx.shape), shape_string(values.shape)));
    const int64_t sw = ctx.node.attrs.get_int("stride_w", 1), sh = ctx.node.attrs.get_int("stride_h", 1);
    if (sw < 1 || sh < 1) ctx.fail(fmt::format("stride_w {} / stride_h {} must be positive", sw, sh));
    // MediaPipe's MaxUnpooling2D: the output is the input scaled by the strides.
    const Shape& in = values.shape;
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {in[0], derived_dim(in[1], in[1] * sh), derived_dim(in[2], in[2] * sw), in[3]};
  }
  void run(OpContext& ctx) override {
    const Tensor& idx = ctx.in(1);
    kernels::max_unpool2d(nhwc(ctx.in(0).shape), ctx.in(0).as<float>(),
                          idx.dtype == DType::f32 ? idx.as<float>() : nullptr,
                          idx.dtype == DType::i32 ? idx.as<int32_t>() : nullptr, nhwc(ctx.out(0).shape),
                          ctx.out(0).as<float>());
  }
};

}  // namespace

QGATE_REGISTER_OP(OpType::max_pool2d, MaxPool2D);
QGATE_REGISTER_OP(OpType::average_pool2d, AveragePool2D);
QGATE_REGISTER_OP(OpType::max_pooling_with_argmax, MaxPoolingWithArgmax);
QGATE_REGISTER_OP(OpType::max_unpooling, MaxUnpooling);

}  // namespace qgate::ops
