// Op wrappers for kernels/compare.h and kernels/select.h: EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER,
// GREATER_EQUAL (float32, int32, int64 or bool operands of one type), LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR,
// LOGICAL_NOT (bool), IS_NAN, IS_INF (float32; attrs detect_negative, detect_positive, default 1) and
// SELECT_V2 (bool condition, x and y of one type, all three broadcast). Every output but SELECT_V2's is bool.
#include <fmt/format.h>

#include "harness/op.h"
#include "kernels/compare.h"
#include "kernels/select.h"

namespace qgate {

namespace {

using kernels::CompareOp;
using kernels::LogicalOp;

kernels::BroadcastShape broadcast(OpContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  kernels::BroadcastShape s;
  std::array<int32_t, kernels::kMaxBroadcastRank> shape{};
  int rank = 0;
  if (!kernels::make_broadcast_shape(a.shape, b.shape, &s, &shape, &rank))
    ctx.fail(fmt::format("input shapes {} and {} cannot be broadcast (or exceed rank {})", shape_string(a.shape),
                         shape_string(b.shape), kernels::kMaxBroadcastRank));
  ctx.out(0).shape.assign(shape.begin(), shape.begin() + rank);
  ctx.out(0).dtype = DType::boolean;
  return s;
}

template <CompareOp C>
class CompareOpImpl : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const DType dt = ctx.in(0).dtype;
    if (dt != DType::f32 && dt != DType::i32 && dt != DType::i64 && dt != DType::boolean)
      ctx.fail(fmt::format("input 0 ('{}') is {}, expected float32, int32, int64 or bool", ctx.in(0).name,
                           dtype_name(dt)));
    if (ctx.in(1).dtype != dt)
      ctx.fail(fmt::format("input 1 ('{}') is {}, input 0 is {}: both must have the same type", ctx.in(1).name,
                           dtype_name(ctx.in(1).dtype), dtype_name(dt)));
    shape_ = broadcast(ctx);
  }
  void run(OpContext& ctx) override {
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    uint8_t* out = ctx.out(0).as<uint8_t>();
    switch (a.dtype) {
      case DType::f32: kernels::compare_float(C, shape_, a.as<float>(), b.as<float>(), out); break;
      case DType::i32: kernels::compare_int32(C, shape_, a.as<int32_t>(), b.as<int32_t>(), out); break;
      case DType::i64: kernels::compare_int64(C, shape_, a.as<int64_t>(), b.as<int64_t>(), out); break;
      default: kernels::compare_bool(C, shape_, a.as<uint8_t>(), b.as<uint8_t>(), out); break;
    }
  }

 private:
  kernels::BroadcastShape shape_;
};

template <LogicalOp L>
class LogicalOpImpl : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::boolean);
    ctx.expect_input(1, DType::boolean);
    shape_ = broadcast(ctx);
  }
  void run(OpContext& ctx) override {
    kernels::logical(L, shape_, ctx.in(0).as<uint8_t>(), ctx.in(1).as<uint8_t>(), ctx.out(0).as<uint8_t>());
  }

 private:
  kernels::BroadcastShape shape_;
};

class LogicalNotOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::boolean);
    ctx.out(0).dtype = DType::boolean;
    ctx.out(0).shape = ctx.in(0).shape;
  }
  void run(OpContext& ctx) override {
    kernels::logical_not(ctx.in(0).as<uint8_t>(), ctx.out(0).as<uint8_t>(), ctx.in(0).elements());
  }
};

// IS_NAN and IS_INF (is_inf reads detect_negative and detect_positive).
template <bool kInf>
class ClassifyOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    ctx.expect_input(0, DType::f32);
    negative_ = ctx.node.attrs.get_bool("detect_negative", true);
    positive_ = ctx.node.attrs.get_bool("detect_positive", true);
    ctx.out(0).dtype = DType::boolean;
    ctx.out(0).shape = ctx.in(0).shape;
  }
  void run(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    if (kInf) kernels::is_inf(x.as<float>(), ctx.out(0).as<uint8_t>(), x.elements(), negative_, positive_);
    else kernels::is_nan(x.as<float>(), ctx.out(0).as<uint8_t>(), x.elements());
  }

 private:
  bool negative_ = true, positive_ = true;
};

class SelectV2Op : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    ctx.expect_input(0, DType::boolean);
    const Tensor& x = ctx.in(1);
    const Tensor& y = ctx.in(2);
    if (y.dtype != x.dtype)
      ctx.fail(fmt::format("x ('{}') is {} and y ('{}') is {}: both must have the same type", x.name,
                           dtype_name(x.dtype), y.name, dtype_name(y.dtype)));
    std::array<int32_t, kernels::kMaxBroadcastRank> shape{};
    int rank = 0;
    if (!kernels::make_select_shape(ctx.in(0).shape, x.shape, y.shape, &shape_, &shape, &rank))
      ctx.fail(fmt::format("condition {}, x {} and y {} cannot be broadcast (or exceed rank {})",
                           shape_string(ctx.in(0).shape), shape_string(x.shape), shape_string(y.shape),
                           kernels::kMaxBroadcastRank));
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape.assign(shape.begin(), shape.begin() + rank);
  }
  void run(OpContext& ctx) override {
    kernels::select(shape_, ctx.in(0).as<uint8_t>(), ctx.in(1).data.data(), ctx.in(2).data.data(),
                    ctx.out(0).data.data(), dtype_size(ctx.in(1).dtype));
  }

 private:
  kernels::SelectShape shape_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::equal, CompareOpImpl<CompareOp::equal>);
QGATE_REGISTER_OP(OpType::not_equal, CompareOpImpl<CompareOp::not_equal>);
QGATE_REGISTER_OP(OpType::less, CompareOpImpl<CompareOp::less>);
QGATE_REGISTER_OP(OpType::less_equal, CompareOpImpl<CompareOp::less_equal>);
QGATE_REGISTER_OP(OpType::greater, CompareOpImpl<CompareOp::greater>);
QGATE_REGISTER_OP(OpType::greater_equal, CompareOpImpl<CompareOp::greater_equal>);
QGATE_REGISTER_OP(OpType::logical_and, LogicalOpImpl<LogicalOp::logical_and>);
QGATE_REGISTER_OP(OpType::logical_or, LogicalOpImpl<LogicalOp::logical_or>);
QGATE_REGISTER_OP(OpType::logical_xor, LogicalOpImpl<LogicalOp::logical_xor>);
QGATE_REGISTER_OP(OpType::logical_not, LogicalNotOp);
QGATE_REGISTER_OP(OpType::is_nan, ClassifyOp<false>);
QGATE_REGISTER_OP(OpType::is_inf, ClassifyOp<true>);
QGATE_REGISTER_OP(OpType::select_v2, SelectV2Op);

}  // namespace qgate
