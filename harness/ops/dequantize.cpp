// DEQUANTIZE (float16, int8, uint8 -> float32), QUANTIZE (float32 -> int8, uint8 with the output tensor's
// scale and zero point) and CAST.
#include <fmt/format.h>

#include "harness/op.h"
#include "kernels/cast.h"
#include "kernels/dequantize.h"

namespace qgate {

namespace {

// Checks `t`'s quantization parameters and returns the kernel's view of them (borrowing t.quant).
kernels::AffineQuant affine_of(const OpContext& ctx, const Tensor& t) {
  const QuantParams& q = t.quant;
  if (q.scale.empty()) ctx.fail(fmt::format("tensor '{}' ({}) has no quantization scale", t.name, dtype_name(t.dtype)));
  for (float s : q.scale)
    if (!(s > 0.0f) && !(q.per_channel() && s == 0.0f))
      ctx.fail(fmt::format("tensor '{}' has quantization scale {}, expected > 0", t.name, s));
  kernels::AffineQuant a;
  a.scale = q.scale.data();
  if (!q.zero_point.empty()) {
    if (q.zero_point.size() != q.scale.size() && q.zero_point.size() != 1)
      ctx.fail(fmt::format("tensor '{}' has {} scales but {} zero points", t.name, q.scale.size(),
                           q.zero_point.size()));
    a.zero_point = q.zero_point.data();
  }
  if (q.per_channel()) {
    const int rank = static_cast<int>(t.shape.size());
    if (q.axis < 0 || q.axis >= rank ||
        (t.shape[q.axis] != static_cast<int32_t>(q.scale.size()) && !(ctx.symbolic && t.shape[q.axis] < 0)))
      ctx.fail(fmt::format("tensor '{}' of shape {} has {} scales along axis {}, which must match that dim",
                           t.name, shape_string(t.shape), q.scale.size(), q.axis));
    if (q.zero_point.size() == 1)
      ctx.fail(fmt::format("tensor '{}' has per-channel scales but one zero point", t.name));
    a.channels = static_cast<int64_t>(q.scale.size());
    for (int d = q.axis + 1; d < rank; ++d) a.inner *= t.shape[d];
  }
  return a;
}

class DequantizeOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    const Tensor& x = ctx.in(0);
    if (x.dtype != DType::f16 && x.dtype != DType::i8 && x.dtype != DType::u8)
      ctx.fail(fmt::format("input '{}' is {}, expected float16, int8 or uint8", x.name, dtype_name(x.dtype)));
    if (x.dtype != DType::f16) affine_ = affine_of(ctx, x);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = x.shape;
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    float* out = ctx.out(0).as<float>();
    switch (x.dtype) {
      case DType::f16: kernels::dequantize_f16(x.as<uint16_t>(), out, x.elements()); break;
      case DType::i8: kernels::dequantize_int8(x.as<int8_t>(), out, x.elements(), affine_); break;
      case DType::u8: kernels::dequantize_uint8(x.as<uint8_t>(), out, x.elements(), affine_); break;
      default: break;
    }
  }

 private:
  kernels::AffineQuant affine_;
};

class QuantizeOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    Tensor& out = ctx.out(0);
    if (out.dtype != DType::i8 && out.dtype != DType::u8)
      ctx.fail(fmt::format("output '{}' is {}, expected int8 or uint8", out.name, dtype_name(out.dtype)));
    out.shape = ctx.in(0).shape;
    affine_ = affine_of(ctx, out);
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& out = ctx.out(0);
    if (out.dtype == DType::i8) kernels::quantize_int8(x.as<float>(), out.as<int8_t>(), x.elements(), affine_);
    else kernels::quantize_uint8(x.as<float>(), out.as<uint8_t>(), x.elements(), affine_);
  }

 private:
  kernels::AffineQuant affine_;
};

bool cast_type_of(DType t, kernels::CastType* out) {
  switch (t) {
    case DType::f32: *out = kernels::CastType::f32; return true;
    case DType::i32: *out = kernels::CastType::i32; return true;
    case DType::i64: *out = kernels::CastType::i64; return true;
    case DType::u8: *out = kernels::CastType::u8; return true;
    case DType::i8: *out = kernels::CastType::i8; return true;
    case DType::boolean: *out = kernels::CastType::boolean; return true;
    default: return false;
  }
}

// The output type is the one the model declares for the output tensor.
class CastOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    const Tensor& x = ctx.in(0);
    Tensor& out = ctx.out(0);
    if (!cast_type_of(x.dtype, &from_))
      ctx.fail(fmt::format("input '{}' is {}; cast supports float32, int32, int64, uint8, int8 and bool", x.name,
                           dtype_name(x.dtype)));
    if (!cast_type_of(out.dtype, &to_))
      ctx.fail(fmt::format("output '{}' is {}; cast supports float32, int32, int64, uint8, int8 and bool", out.name,
                           dtype_name(out.dtype)));
    out.shape = x.shape;
  }
  void run(OpContext& ctx) override {
    kernels::cast(from_, ctx.in(0).data.data(), to_, ctx.out(0).data.data(), ctx.in(0).elements());
  }

 private:
  kernels::CastType from_ = kernels::CastType::f32, to_ = kernels::CastType::f32;
};

}  // namespace

QGATE_REGISTER_OP(OpType::dequantize, DequantizeOp);
QGATE_REGISTER_OP(OpType::quantize, QuantizeOp);
QGATE_REGISTER_OP(OpType::cast, CastOp);

}  // namespace qgate
