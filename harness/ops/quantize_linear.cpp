// ONNX's affine quantization ops: QUANTIZE_LINEAR (x float32, scale, zero_point? -> int8 or uint8 as the output is
// typed: round half to even, saturate) and DEQUANTIZE_LINEAR (x int8 or uint8, scale, zero_point? -> float32).
// scale and zero_point hold one value (per tensor) or one per slice along attr axis (default 1); they may be
// computed at run time (DynamicQuantizeLinear written out as ops).
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/dequantize.h"

namespace qgate::ops {

namespace {

// Checks scale (and zero point) against x and axis, sizes the zero-point buffer; returns the AffineQuant
// geometry (pointers filled at run).
kernels::AffineQuant prepare_affine(const OpContext& ctx, const Tensor& x, DType quantized,
                                    std::vector<int64_t>* zero_points) {
  const Tensor& scale = ctx.in(1);
  if (scale.dtype != DType::f32) ctx.fail(fmt::format("scale '{}' is {}, expected float32", scale.name, dtype_name(scale.dtype)));
  kernels::AffineQuant q;
  if (scale.elements() != 1) {
    const int rank = static_cast<int>(x.shape.size());
    const int axis = normalize_axis(ctx, ctx.node.attrs.get_int("axis", 1), rank, "axis");
    if (scale.shape.size() != 1 || scale.elements() != x.shape[axis])
      ctx.fail(fmt::format("scale {} must be one value or one per slice of axis {} of {}", shape_string(scale.shape),
                           axis, shape_string(x.shape)));
    q.channels = x.shape[axis];
    for (int k = axis + 1; k < rank; ++k) q.inner *= x.shape[k];
  }
  if (ctx.has_input(2)) {
    const Tensor& zp = ctx.in(2);
    if (zp.dtype != quantized || zp.elements() != scale.elements())
      ctx.fail(fmt::format("zero_point '{}' is {} {}; expected {} shaped as scale {}", zp.name, dtype_name(zp.dtype),
                           shape_string(zp.shape), dtype_name(quantized), shape_string(scale.shape)));
  }
  zero_points->assign(static_cast<size_t>(scale.elements()), 0);
  return q;
}

void read_zero_points(const OpContext& ctx, std::vector<int64_t>* zp) {
  if (!ctx.has_input(2)) return;
  const Tensor& t = ctx.in(2);
  for (size_t i = 0; i < zp->size(); ++i)
    (*zp)[i] = t.dtype == DType::u8 ? int64_t{t.as<uint8_t>()[i]} : int64_t{t.as<int8_t>()[i]};
}

class QuantizeLinearOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, 1);
    ctx.expect_input(0, DType::f32);
    Tensor& out = ctx.out(0);
    if (out.dtype != DType::u8 && out.dtype != DType::i8)
      ctx.fail(fmt::format("output '{}' is {}, expected uint8 or int8", out.name, dtype_name(out.dtype)));
    q_ = prepare_affine(ctx, ctx.in(0), out.dtype, &zero_points_);
    q_.ties_to_even = true;
    out.shape = ctx.in(0).shape;
  }
  void run(OpContext& ctx) override {
    read_zero_points(ctx, &zero_points_);
    kernels::AffineQuant q = q_;
    q.scale = ctx.in(1).as<float>();
    q.zero_point = zero_points_.data();
    const Tensor& x = ctx.in(0);
    if (ctx.out(0).dtype == DType::u8) kernels::quantize_uint8(x.as<float>(), ctx.out(0).as<uint8_t>(), x.elements(), q);
    else kernels::quantize_int8(x.as<float>(), ctx.out(0).as<int8_t>(), x.elements(), q);
  }

 private:
  kernels::AffineQuant q_;
  std::vector<int64_t> zero_points_;
};

class DequantizeLinearOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, 1);
    const Tensor& x = ctx.in(0);
    if (x.dtype != DType::u8 && x.dtype != DType::i8)
      ctx.fail(fmt::format("input '{}' is {}, expected uint8 or int8", x.name, dtype_name(x.dtype)));
    q_ = prepare_affine(ctx, x, x.dtype, &zero_points_);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    read_zero_points(ctx, &zero_points_);
    kernels::AffineQuant q = q_;
    q.scale = ctx.in(1).as<float>();
    q.zero_point = zero_points_.data();
    const Tensor& x = ctx.in(0);
    if (x.dtype == DType::u8) kernels::dequantize_uint8(x.as<uint8_t>(), ctx.out(0).as<float>(), x.elements(), q);
    else kernels::dequantize_int8(x.as<int8_t>(), ctx.out(0).as<float>(), x.elements(), q);
  }

 private:
  kernels::AffineQuant q_;
  std::vector<int64_t> zero_points_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::quantize_linear, QuantizeLinearOp);
QGATE_REGISTER_OP(OpType::dequantize_linear, DequantizeLinearOp);

}  // namespace qgate::ops
