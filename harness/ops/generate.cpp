// Generators and broadcasting copies: FILL (dims, value: the value's type; ONNX ConstantOfShape), RANGE (start,
// limit, delta scalars of float32, int32 or int64, constant: they fix the output size), BROADCAST_TO (x, shape:
// x broadcast as numpy does against `shape`, both ways, any dtype; ONNX Expand).
#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/ops/op_util.h"
#include "kernels/fill.h"
#include "kernels/layout.h"

namespace qgate::ops {

namespace {

Shape checked_shape(const OpContext& ctx, const std::vector<int64_t>& dims, const std::string& what) {
  Shape s;
  for (int64_t d : dims) {
    if (d < 0 || d > std::numeric_limits<int32_t>::max())
      ctx.fail(fmt::format("{} [{}] has a dimension outside [0, 2^31)", what, fmt::join(dims, ",")));
    s.push_back(static_cast<int32_t>(d));
  }
  return s;
}

class FillOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& value = ctx.in(1);
    if (value.elements() != 1)
      ctx.fail(fmt::format("value '{}' has shape {}; it must hold one element", value.name, shape_string(value.shape)));
    ctx.out(0).dtype = value.dtype;
    ctx.out(0).shape = checked_shape(ctx, const_ints(ctx, 0, "dims"), "dims");
  }
  void run(OpContext& ctx) override {
    kernels::fill(ctx.in(1).data.data(), ctx.out(0).data.data(), ctx.out(0).elements(), elem_size(ctx.in(1)));
  }
};

class RangeOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 3, 1);
    const DType dt = ctx.in(0).dtype;
    if (dt != DType::f32 && dt != DType::i32 && dt != DType::i64)
      ctx.fail(fmt::format("start '{}' is {}, expected float32, int32 or int64", ctx.in(0).name, dtype_name(dt)));
    for (size_t i = 0; i < 3; ++i) {
      const Tensor& t = ctx.in(i);
      if (t.dtype != dt || t.elements() != 1)
        ctx.fail(fmt::format("input {} ('{}') is {} {}; start, limit and delta are scalars of one type", i, t.name,
                             dtype_name(t.dtype), shape_string(t.shape)));
      if (!t.is_constant)
        ctx.fail(fmt::format("input {} ('{}') is computed at run time; its value fixes the output size, which qgate "
                             "needs at prepare time", i, t.name));
    }
    int64_t n = 0;
    if (dt == DType::f32) {
      start_f_ = ctx.in(0).as<float>()[0];
      delta_f_ = ctx.in(2).as<float>()[0];
      if (delta_f_ == 0.0f) ctx.fail("delta is 0");
      n = kernels::range_count_float(start_f_, ctx.in(1).as<float>()[0], delta_f_);
    } else {
      const auto get = [&](size_t i) {
        return dt == DType::i32 ? int64_t{ctx.in(i).as<int32_t>()[0]} : ctx.in(i).as<int64_t>()[0];
      };
      start_i_ = get(0);
      delta_i_ = get(2);
      if (delta_i_ == 0) ctx.fail("delta is 0");
      n = kernels::range_count_int(start_i_, get(1), delta_i_);
    }
    if (n > std::numeric_limits<int32_t>::max()) ctx.fail(fmt::format("{} elements are too many", n));
    ctx.out(0).dtype = dt;
    ctx.out(0).shape = {static_cast<int32_t>(n)};
  }
  void run(OpContext& ctx) override {
    Tensor& out = ctx.out(0);
    switch (out.dtype) {
      case DType::f32: kernels::range_float(start_f_, delta_f_, out.as<float>(), out.elements()); break;
      case DType::i32:
        kernels::range_int32(static_cast<int32_t>(start_i_), static_cast<int32_t>(delta_i_), out.as<int32_t>(),
                             out.elements());
        break;
      default: kernels::range_int64(start_i_, delta_i_, out.as<int64_t>(), out.elements()); break;
    }
  }

 private:
  float start_f_ = 0, delta_f_ = 1;
  int64_t start_i_ = 0, delta_i_ = 1;
};

class BroadcastToOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    const Shape want = checked_shape(ctx, const_ints(ctx, 1, "shape"), "shape");
    const size_t rank = std::max(x.shape.size(), want.size());
    Shape out(rank);
    std::vector<int64_t> strides(rank, 0);
    const std::vector<int64_t> dense = kernels::dense_strides(x.shape);
    for (size_t k = 0; k < rank; ++k) {
      const int64_t kx = static_cast<int64_t>(k) - static_cast<int64_t>(rank - x.shape.size());
      const int64_t kw = static_cast<int64_t>(k) - static_cast<int64_t>(rank - want.size());
      const int32_t dx = kx >= 0 ? x.shape[kx] : 1, dw = kw >= 0 ? want[kw] : 1;
      if (dx != dw && dx != 1 && dw != 1)
        ctx.fail(fmt::format("input {} cannot be broadcast to {}", shape_string(x.shape), shape_string(want)));
      out[k] = dx == 1 ? dw : dx;
      strides[k] = dx == 1 ? 0 : dense[kx];
    }
    dims_.assign(out.begin(), out.end());
    strides_ = strides;
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    kernels::copy_strided(dims_, strides_, ctx.in(0).data.data(), ctx.out(0).data.data(), elem_size(ctx.in(0)));
  }

 private:
  std::vector<int64_t> dims_, strides_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::fill, FillOp);
QGATE_REGISTER_OP(OpType::range, RangeOp);
QGATE_REGISTER_OP(OpType::broadcast_to, BroadcastToOp);

}  // namespace qgate::ops
