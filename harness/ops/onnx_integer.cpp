// ONNX's integer ops, unfused: DynamicQuantizeLinear (float -> uint8 with one scale and zero point for the whole
// tensor, onnxruntime's arithmetic), MatMulInteger and ConvInteger (8-bit operands with zero points -> int32).
// The importer turns onnxruntime's quantize_dynamic pattern into one hybrid fully_connected node; these run
// whatever is left (and the ONNX conformance cases).
//
// Attributes of conv_integer (NCHW, as ONNX): stride_h, stride_w, dilation_h_factor, dilation_w_factor, group,
// pads [top, left, bottom, right].
#include <algorithm>

#include <fmt/format.h>

#include "harness/op.h"
#include "kernels/integer_matmul.h"
#include "kernels/quantize.h"

namespace qgate {
namespace {

bool is_8bit(DType t) { return t == DType::u8 || t == DType::i8; }

kernels::Int8Operand operand(const Tensor& t) { return {t.data.data(), t.dtype == DType::u8}; }

// A zero-point input: absent, or an 8-bit tensor of the operand's type with 1 or `count` elements.
void check_zero_point(const OpContext& ctx, size_t i, DType operand_type, int64_t count, const char* what) {
  if (!ctx.has_input(i)) return;
  const Tensor& z = ctx.in(i);
  if (z.dtype != operand_type)
    ctx.fail(fmt::format("{} '{}' is {}, the operand is {} (they must match)", what, z.name, dtype_name(z.dtype),
                         dtype_name(operand_type)));
  if (z.elements() != 1 && z.elements() != count)
    ctx.fail(fmt::format("{} '{}' has {} elements, expected 1 or {}", what, z.name, z.elements(), count));
}

// Reads a zero-point input into out (run time: the values may come from a graph input); returns its count.
int64_t read_zero_point(const OpContext& ctx, size_t i, std::vector<int32_t>& out) {
  if (!ctx.has_input(i)) return 0;
  const Tensor& z = ctx.in(i);
  const kernels::Int8Operand o = operand(z);
  for (int64_t k = 0; k < z.elements(); ++k) out[static_cast<size_t>(k)] = o.at(k);
  return z.elements();
}

class DynamicQuantizeLinearOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 3);
    ctx.expect_input(0, DType::f32);
    ctx.out(0).dtype = DType::u8;
    ctx.out(0).shape = ctx.in(0).shape;
    ctx.out(1).dtype = DType::f32;
    ctx.out(1).shape = {};
    ctx.out(2).dtype = DType::u8;
    ctx.out(2).shape = {};
  }
  void run(OpContext& ctx) override {
    kernels::quantize_tensor_ort_u8(ctx.in(0).as<float>(), ctx.in(0).elements(), ctx.out(0).as<uint8_t>(),
                                    ctx.out(1).as<float>(), ctx.out(2).as<uint8_t>());
  }
};

class MatMulIntegerOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 4, 1);
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    if (!is_8bit(a.dtype) || !is_8bit(b.dtype))
      ctx.fail(fmt::format("operands are {} and {}; MatMulInteger takes uint8 or int8", dtype_name(a.dtype),
                           dtype_name(b.dtype)));
    if (a.shape.size() < 2 || b.shape.size() < 2)
      ctx.fail(fmt::format("operands {} and {}: both need rank >= 2", shape_string(a.shape), shape_string(b.shape)));
    k_ = a.shape.back();
    m_ = a.shape[a.shape.size() - 2];
    n_ = b.shape.back();
    if (b.shape[b.shape.size() - 2] != k_)
      ctx.fail(fmt::format("A {} and B {}: inner dimensions differ", shape_string(a.shape), shape_string(b.shape)));
    batches_ = a.elements() / std::max<int64_t>(1, m_ * k_);
    b_batched_ = b.shape.size() > 2;
    if (b_batched_ && (b.shape.size() != a.shape.size() ||
                       !std::equal(a.shape.begin(), a.shape.end() - 2, b.shape.begin())))
      ctx.fail(fmt::format("A {} and B {}: batched B needs A's batch dimensions exactly (broadcasting is not "
                           "supported)", shape_string(a.shape), shape_string(b.shape)));
    check_zero_point(ctx, 2, a.dtype, m_, "a_zero_point");
    check_zero_point(ctx, 3, b.dtype, n_, "b_zero_point");
    a_zp_.assign(static_cast<size_t>(std::max<int64_t>(m_, 1)), 0);
    b_zp_.assign(static_cast<size_t>(std::max<int64_t>(n_, 1)), 0);
    Shape out = a.shape;
    out.back() = static_cast<int32_t>(n_);
    ctx.out(0).dtype = DType::i32;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    const int64_t za = read_zero_point(ctx, 2, a_zp_), zb = read_zero_point(ctx, 3, b_zp_);
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    for (int64_t i = 0; i < batches_; ++i) {
      kernels::Int8Operand oa = operand(a), ob = operand(b);
      oa.data = static_cast<const uint8_t*>(oa.data) + i * m_ * k_;
      if (b_batched_) ob.data = static_cast<const uint8_t*>(ob.data) + i * k_ * n_;
      kernels::matmul_integer(oa, ob, m_, k_, n_, a_zp_.data(), za, b_zp_.data(), zb,
                              ctx.out(0).as<int32_t>() + i * m_ * n_);
    }
  }

 private:
  int64_t m_ = 0, k_ = 0, n_ = 0, batches_ = 1;
  bool b_batched_ = false;
  std::vector<int32_t> a_zp_, b_zp_;
};

class ConvIntegerOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 4, 1);
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    if (!is_8bit(x.dtype) || !is_8bit(w.dtype))
      ctx.fail(fmt::format("x is {} and w is {}; ConvInteger takes uint8 or int8", dtype_name(x.dtype),
                           dtype_name(w.dtype)));
    if (x.shape.size() != 4 || w.shape.size() != 4)
      ctx.fail(fmt::format("x {} and w {}: only 2-D convolution (4-D NCHW) is supported", shape_string(x.shape),
                           shape_string(w.shape)));
    const Attributes& at = ctx.node.attrs;
    kernels::ConvIntegerParams& p = p_;
    p.batch = x.shape[0], p.in_channels = x.shape[1], p.in_h = x.shape[2], p.in_w = x.shape[3];
    p.out_channels = w.shape[0], p.kernel_h = w.shape[2], p.kernel_w = w.shape[3];
    p.group = at.get_int("group", 1);
    p.stride_h = at.get_int("stride_h", 1), p.stride_w = at.get_int("stride_w", 1);
    p.dilation_h = at.get_int("dilation_h_factor", 1), p.dilation_w = at.get_int("dilation_w_factor", 1);
    std::vector<int64_t> pads = at.get_ints("pads");
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (pads.size() != 4) ctx.fail(fmt::format("pads has {} values, expected 4", pads.size()));
    if (p.group < 1 || p.in_channels % p.group != 0 || p.out_channels % p.group != 0 ||
        w.shape[1] != p.in_channels / p.group)
      ctx.fail(fmt::format("group {} with x {} and w {}: channels do not divide", p.group, shape_string(x.shape),
                           shape_string(w.shape)));
    p.pad_top = pads[0], p.pad_left = pads[1];
    p.out_h = (p.in_h + pads[0] + pads[2] - ((p.kernel_h - 1) * p.dilation_h + 1)) / p.stride_h + 1;
    p.out_w = (p.in_w + pads[1] + pads[3] - ((p.kernel_w - 1) * p.dilation_w + 1)) / p.stride_w + 1;
    if (p.out_h < 1 || p.out_w < 1) ctx.fail("the window is larger than the padded input");
    check_zero_point(ctx, 2, x.dtype, 1, "x_zero_point");
    check_zero_point(ctx, 3, w.dtype, p.out_channels, "w_zero_point");
    x_zp_.assign(1, 0);
    w_zp_.assign(static_cast<size_t>(p.out_channels), 0);
    ctx.out(0).dtype = DType::i32;
    ctx.out(0).shape = {static_cast<int32_t>(p.batch), static_cast<int32_t>(p.out_channels),
                        static_cast<int32_t>(p.out_h), static_cast<int32_t>(p.out_w)};
  }
  void run(OpContext& ctx) override {
    read_zero_point(ctx, 2, x_zp_);
    const int64_t zw = read_zero_point(ctx, 3, w_zp_);
    kernels::conv_integer_nchw(p_, operand(ctx.in(0)), x_zp_[0], operand(ctx.in(1)), w_zp_.data(), zw,
                               ctx.out(0).as<int32_t>());
  }

 private:
  kernels::ConvIntegerParams p_;
  std::vector<int32_t> x_zp_, w_zp_;
};

}  // namespace

QGATE_REGISTER_OP(OpType::dynamic_quantize_linear, DynamicQuantizeLinearOp);
QGATE_REGISTER_OP(OpType::matmul_integer, MatMulIntegerOp);
QGATE_REGISTER_OP(OpType::conv_integer, ConvIntegerOp);

}  // namespace qgate
