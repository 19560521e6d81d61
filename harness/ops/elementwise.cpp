// Op wrappers for the elementwise kernels: broadcast binary ops (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM,
// SQUARED_DIFFERENCE, POW, FLOOR_MOD, and ONNX's truncating Mod), PRELU, and the unary activations and math
// functions (TFLite's and ONNX's).
#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/op_util.h"
#include "kernels/binary.h"
#include "kernels/unary.h"
#include "kernels/xnnpack_wasm.h"

namespace qgate {

namespace {

using kernels::Activation;
using kernels::BinaryOp;
using kernels::UnaryOp;

constexpr BinaryOp binary_op_of(OpType t) {
  switch (t) {
    case OpType::add: return BinaryOp::add;
    case OpType::sub: return BinaryOp::sub;
    case OpType::mul: return BinaryOp::mul;
    case OpType::div: return BinaryOp::div;
    case OpType::maximum: return BinaryOp::maximum;
    case OpType::minimum: return BinaryOp::minimum;
    case OpType::squared_difference: return BinaryOp::squared_difference;
    case OpType::pow: return BinaryOp::pow;
    case OpType::floor_mod: return BinaryOp::floor_mod;
    case OpType::trunc_mod: return BinaryOp::trunc_mod;
    default: return BinaryOp::prelu;
  }
}

constexpr bool has_fused_activation(OpType t) {
  return t == OpType::add || t == OpType::sub || t == OpType::mul || t == OpType::div;
}

// Integer (int32, int64) forms: every binary op but SQUARED_DIFFERENCE (and PRELU, a class of its own).
constexpr bool supports_integers(OpType t) { return t != OpType::squared_difference; }

constexpr bool divides(OpType t) { return t == OpType::div || t == OpType::floor_mod || t == OpType::trunc_mod; }

// TFLite's float ADD/SUB/MUL/DIV apply only the clamping activations; TANH and SIGN_BIT there would be
// silently ignored by TFLite, so they are rejected rather than computed differently.
Activation read_clamp_activation(const OpContext& ctx) {
  const int64_t v = ctx.node.attrs.get_int("fused_activation_function", 0);
  switch (v) {
    case 0: return Activation::none;
    case 1: return Activation::relu;
    case 2: return Activation::relu_n1_to_1;
    case 3: return Activation::relu6;
    default:
      ctx.fail(fmt::format("fused_activation_function {} is not supported here (expected 0 NONE, 1 RELU, "
                           "2 RELU_N1_TO_1 or 3 RELU6)", v));
  }
}

// Shared by the binary ops and PRELU: checks the two inputs, computes the broadcast and the output shape.
kernels::BroadcastShape prepare_broadcast(OpContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  kernels::BroadcastShape s;
  if (ctx.symbolic && (!shape_is_concrete(a.shape) || !shape_is_concrete(b.shape))) {
    ctx.out(0).shape = ops::broadcast_shapes(a.shape, b.shape);
    return s;
  }
  std::array<int32_t, kernels::kMaxBroadcastRank> out_shape{};
  int rank = 0;
  if (a.shape.size() > kernels::kMaxBroadcastRank || b.shape.size() > kernels::kMaxBroadcastRank)
    ctx.fail(fmt::format("input shapes {} and {} exceed the supported rank {}", shape_string(a.shape),
                         shape_string(b.shape), kernels::kMaxBroadcastRank));
  if (!kernels::make_broadcast_shape(a.shape, b.shape, &s, &out_shape, &rank))
    ctx.fail(fmt::format("input shapes {} and {} cannot be broadcast", shape_string(a.shape), shape_string(b.shape)));
  ctx.out(0).shape.assign(out_shape.begin(), out_shape.begin() + rank);
  return s;
}

template <OpType T>
class BinaryElementwiseOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const DType dt = ctx.in(0).dtype;
    const bool integer = dt == DType::i32 || dt == DType::i64;
    if (dt != DType::f32 && !(integer && supports_integers(T)))
      ctx.fail(fmt::format("input 0 ('{}') is {}, expected float32{}", ctx.in(0).name, dtype_name(dt),
                           supports_integers(T) ? ", int32 or int64" : ""));
    if (ctx.in(1).dtype != dt)
      ctx.fail(fmt::format("input 1 ('{}') is {}, input 0 is {}: both must have the same type", ctx.in(1).name,
                           dtype_name(ctx.in(1).dtype), dtype_name(dt)));
    act_ = has_fused_activation(T) ? read_clamp_activation(ctx) : Activation::none;
    if (dt == DType::i64 && act_ != Activation::none)
      ctx.fail("a fused activation on int64 operands is not supported");
    if (integer && divides(T) && ctx.in(1).is_constant) {
      // The kernel writes 0 for a zero divisor (run() cannot fail); a constant one is a model error.
      const Tensor& b = ctx.in(1);
      for (int64_t i = 0; i < b.elements(); ++i)
        if ((dt == DType::i32 ? int64_t{b.as<int32_t>()[i]} : b.as<int64_t>()[i]) == 0)
          ctx.fail(fmt::format("input 1 ('{}') holds a zero divisor at element {}", b.name, i));
    }
    shape_ = prepare_broadcast(ctx);
    ctx.out(0).dtype = dt;
  }

  void run(OpContext& ctx) override {
    if (ctx.in(0).dtype == DType::i32) {
      kernels::binary_int32(binary_op_of(T), shape_, ctx.in(0).as<int32_t>(), ctx.in(1).as<int32_t>(),
                            ctx.out(0).as<int32_t>(), act_);
    } else if (ctx.in(0).dtype == DType::i64) {
      kernels::binary_int64(binary_op_of(T), shape_, ctx.in(0).as<int64_t>(), ctx.in(1).as<int64_t>(),
                            ctx.out(0).as<int64_t>());
    } else {
      kernels::binary_float(binary_op_of(T), shape_, ctx.in(0).as<float>(), ctx.in(1).as<float>(),
                            ctx.out(0).as<float>(), act_);
    }
  }

 private:
  kernels::BroadcastShape shape_;
  Activation act_ = Activation::none;
};

// PRELU: out = x >= 0 ? x : x * alpha, alpha broadcast against x (typically [1,1,C] or [C]).
class PreluOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::f32);
    ctx.expect_input(1, DType::f32);
    shape_ = prepare_broadcast(ctx);
    ctx.out(0).dtype = DType::f32;
  }
  void run(OpContext& ctx) override {
    kernels::binary_float(BinaryOp::prelu, shape_, ctx.in(0).as<float>(), ctx.in(1).as<float>(),
                          ctx.out(0).as<float>(), Activation::none);
  }

 private:
  kernels::BroadcastShape shape_;
};

constexpr UnaryOp unary_op_of(OpType t) {
  switch (t) {
    case OpType::relu: return UnaryOp::relu;
    case OpType::relu6: return UnaryOp::relu6;
    case OpType::relu_n1_to_1: return UnaryOp::relu_n1_to_1;
    case OpType::relu_0_to_1: return UnaryOp::relu_0_to_1;
    case OpType::leaky_relu: return UnaryOp::leaky_relu;
    case OpType::logistic: return UnaryOp::logistic;
    case OpType::tanh: return UnaryOp::tanh;
    case OpType::hard_swish: return UnaryOp::hard_swish;
    case OpType::elu: return UnaryOp::elu;
    case OpType::gelu: return UnaryOp::gelu;
    case OpType::exp: return UnaryOp::exp;
    case OpType::log: return UnaryOp::log;
    case OpType::sqrt: return UnaryOp::sqrt;
    case OpType::rsqrt: return UnaryOp::rsqrt;
    case OpType::abs: return UnaryOp::abs;
    case OpType::neg: return UnaryOp::neg;
    case OpType::floor: return UnaryOp::floor;
    case OpType::ceil: return UnaryOp::ceil;
    case OpType::round: return UnaryOp::round;
    case OpType::sign: return UnaryOp::sign;
    case OpType::sin: return UnaryOp::sin;
    case OpType::cos: return UnaryOp::cos;
    case OpType::tan: return UnaryOp::tan;
    case OpType::asin: return UnaryOp::asin;
    case OpType::acos: return UnaryOp::acos;
    case OpType::atan: return UnaryOp::atan;
    case OpType::sinh: return UnaryOp::sinh;
    case OpType::cosh: return UnaryOp::cosh;
    case OpType::asinh: return UnaryOp::asinh;
    case OpType::acosh: return UnaryOp::acosh;
    case OpType::atanh: return UnaryOp::atanh;
    case OpType::erf: return UnaryOp::erf;
    case OpType::reciprocal: return UnaryOp::reciprocal;
    case OpType::softplus: return UnaryOp::softplus;
    case OpType::softsign: return UnaryOp::softsign;
    case OpType::selu: return UnaryOp::selu;
    case OpType::celu: return UnaryOp::celu;
    case OpType::thresholded_relu: return UnaryOp::thresholded_relu;
    case OpType::shrink: return UnaryOp::shrink;
    case OpType::mish: return UnaryOp::mish;
    case OpType::round_to_float16: return UnaryOp::round_to_float16;
    default: return UnaryOp::square;
  }
}

// The parameter an op reads when the node has no "alpha": TFLite's ELU is alpha 1 and has no field for it.
constexpr double default_alpha(OpType t) { return t == OpType::elu ? 1.0 : 0.0; }

template <OpType T>
class UnaryElementwiseOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    params_.alpha = static_cast<float>(ctx.node.attrs.get_float("alpha", default_alpha(T)));
    params_.beta = static_cast<float>(ctx.node.attrs.get_float("beta", 0.0));
    if (T == OpType::celu && params_.alpha == 0.0f) ctx.fail("alpha 0 (celu divides by alpha)");
    params_.approximate = ctx.node.attrs.get_bool("approximate", false);
    // LiteRT's CPU path runs these through XNNPACK's approximations (kernels/xnnpack_wasm.h).
    xnnpack_ = (T == OpType::logistic || T == OpType::hard_swish) && ops::litert_cpu(ctx);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = ctx.in(0).shape;
  }
  void run(OpContext& ctx) override {
    const float* in = ctx.in(0).as<float>();
    float* out = ctx.out(0).as<float>();
    const int64_t n = ctx.in(0).elements();
    if (xnnpack_ && T == OpType::logistic) kernels::logistic_xnnpack_wasm(in, out, n);
    else if (xnnpack_) kernels::hard_swish_xnnpack_wasm(in, out, n);
    else kernels::unary_float(unary_op_of(T), params_, in, out, n);
  }

 private:
  kernels::UnaryParams params_;
  bool xnnpack_ = false;
};

}  // namespace

QGATE_REGISTER_OP(OpType::add, BinaryElementwiseOp<OpType::add>);
QGATE_REGISTER_OP(OpType::sub, BinaryElementwiseOp<OpType::sub>);
QGATE_REGISTER_OP(OpType::mul, BinaryElementwiseOp<OpType::mul>);
QGATE_REGISTER_OP(OpType::div, BinaryElementwiseOp<OpType::div>);
QGATE_REGISTER_OP(OpType::maximum, BinaryElementwiseOp<OpType::maximum>);
QGATE_REGISTER_OP(OpType::minimum, BinaryElementwiseOp<OpType::minimum>);
QGATE_REGISTER_OP(OpType::squared_difference, BinaryElementwiseOp<OpType::squared_difference>);
QGATE_REGISTER_OP(OpType::pow, BinaryElementwiseOp<OpType::pow>);
QGATE_REGISTER_OP(OpType::prelu, PreluOp);
QGATE_REGISTER_OP(OpType::relu, UnaryElementwiseOp<OpType::relu>);
QGATE_REGISTER_OP(OpType::relu6, UnaryElementwiseOp<OpType::relu6>);
QGATE_REGISTER_OP(OpType::relu_n1_to_1, UnaryElementwiseOp<OpType::relu_n1_to_1>);
QGATE_REGISTER_OP(OpType::relu_0_to_1, UnaryElementwiseOp<OpType::relu_0_to_1>);
QGATE_REGISTER_OP(OpType::leaky_relu, UnaryElementwiseOp<OpType::leaky_relu>);
QGATE_REGISTER_OP(OpType::logistic, UnaryElementwiseOp<OpType::logistic>);
QGATE_REGISTER_OP(OpType::tanh, UnaryElementwiseOp<OpType::tanh>);
QGATE_REGISTER_OP(OpType::hard_swish, UnaryElementwiseOp<OpType::hard_swish>);
QGATE_REGISTER_OP(OpType::elu, UnaryElementwiseOp<OpType::elu>);
QGATE_REGISTER_OP(OpType::gelu, UnaryElementwiseOp<OpType::gelu>);
QGATE_REGISTER_OP(OpType::exp, UnaryElementwiseOp<OpType::exp>);
QGATE_REGISTER_OP(OpType::log, UnaryElementwiseOp<OpType::log>);
QGATE_REGISTER_OP(OpType::sqrt, UnaryElementwiseOp<OpType::sqrt>);
QGATE_REGISTER_OP(OpType::rsqrt, UnaryElementwiseOp<OpType::rsqrt>);
QGATE_REGISTER_OP(OpType::abs, UnaryElementwiseOp<OpType::abs>);
QGATE_REGISTER_OP(OpType::neg, UnaryElementwiseOp<OpType::neg>);
QGATE_REGISTER_OP(OpType::square, UnaryElementwiseOp<OpType::square>);
QGATE_REGISTER_OP(OpType::floor_mod, BinaryElementwiseOp<OpType::floor_mod>);
QGATE_REGISTER_OP(OpType::trunc_mod, BinaryElementwiseOp<OpType::trunc_mod>);
QGATE_REGISTER_OP(OpType::floor, UnaryElementwiseOp<OpType::floor>);
QGATE_REGISTER_OP(OpType::ceil, UnaryElementwiseOp<OpType::ceil>);
QGATE_REGISTER_OP(OpType::round, UnaryElementwiseOp<OpType::round>);
QGATE_REGISTER_OP(OpType::sign, UnaryElementwiseOp<OpType::sign>);
QGATE_REGISTER_OP(OpType::sin, UnaryElementwiseOp<OpType::sin>);
QGATE_REGISTER_OP(OpType::cos, UnaryElementwiseOp<OpType::cos>);
QGATE_REGISTER_OP(OpType::tan, UnaryElementwiseOp<OpType::tan>);
QGATE_REGISTER_OP(OpType::asin, UnaryElementwiseOp<OpType::asin>);
QGATE_REGISTER_OP(OpType::acos, UnaryElementwiseOp<OpType::acos>);
QGATE_REGISTER_OP(OpType::atan, UnaryElementwiseOp<OpType::atan>);
QGATE_REGISTER_OP(OpType::sinh, UnaryElementwiseOp<OpType::sinh>);
QGATE_REGISTER_OP(OpType::cosh, UnaryElementwiseOp<OpType::cosh>);
QGATE_REGISTER_OP(OpType::asinh, UnaryElementwiseOp<OpType::asinh>);
QGATE_REGISTER_OP(OpType::acosh, UnaryElementwiseOp<OpType::acosh>);
QGATE_REGISTER_OP(OpType::atanh, UnaryElementwiseOp<OpType::atanh>);
QGATE_REGISTER_OP(OpType::erf, UnaryElementwiseOp<OpType::erf>);
QGATE_REGISTER_OP(OpType::reciprocal, UnaryElementwiseOp<OpType::reciprocal>);
QGATE_REGISTER_OP(OpType::softplus, UnaryElementwiseOp<OpType::softplus>);
QGATE_REGISTER_OP(OpType::softsign, UnaryElementwiseOp<OpType::softsign>);
QGATE_REGISTER_OP(OpType::selu, UnaryElementwiseOp<OpType::selu>);
QGATE_REGISTER_OP(OpType::celu, UnaryElementwiseOp<OpType::celu>);
QGATE_REGISTER_OP(OpType::thresholded_relu, UnaryElementwiseOp<OpType::thresholded_relu>);
QGATE_REGISTER_OP(OpType::shrink, UnaryElementwiseOp<OpType::shrink>);
QGATE_REGISTER_OP(OpType::mish, UnaryElementwiseOp<OpType::mish>);
QGATE_REGISTER_OP(OpType::round_to_float16, UnaryElementwiseOp<OpType::round_to_float16>);

}  // namespace qgate
