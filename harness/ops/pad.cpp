// PAD and PADV2 (constant value from input 2), and MIRROR_PAD (attr mode: REFLECT 0, SYMMETRIC 1 as TFLite's
// MirrorPadMode, and qgate's EDGE 2), for any dtype.
#include <cstring>

#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/pad.h"

namespace qgate::ops {

namespace {

class Pad : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  explicit Pad(bool v2) : v2_(v2) {}
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, v2_ ? 3 : 2, 1);  // PADV2 without its value pads with zero
    const Tensor& x = ctx.in(0);
    const int rank = static_cast<int>(x.shape.size());
    const std::optional<std::vector<int64_t>> known = known_ints(ctx, 1, "paddings");
    if (!known) {
      ctx.out(0).dtype = x.dtype;
      ctx.out(0).shape.assign(static_cast<size_t>(rank), kUnknownDim);
      return;
    }
    const std::vector<int64_t>& p = *known;
    if (static_cast<int64_t>(p.size()) != 2 * rank || ctx.in(1).shape.size() != 2)
      ctx.fail(fmt::format("paddings '{}' have shape {}, expected [{},2] for input {}", ctx.in(1).name,
                           shape_string(ctx.in(1).shape), rank, shape_string(x.shape)));
    if (rank > 16) ctx.fail(fmt::format("input rank {} exceeds 16", rank));
    before_.resize(rank);
    after_.resize(rank);
    Shape out(rank);
    for (int k = 0; k < rank; ++k) {
      before_[k] = p[2 * k];
      after_[k] = p[2 * k + 1];
      if (before_[k] < 0 || after_[k] < 0)
        ctx.fail(fmt::format("paddings for dim {} are [{},{}] (must be non-negative)", k, before_[k], after_[k]));
      out[k] = derived_dim(x.shape[k], before_[k] + x.shape[k] + after_[k]);
    }
    std::memset(value_, 0, sizeof(value_));
    // Quantized 8-bit tensors pad with their zero point, which stands for 0.0.
    if ((x.dtype == DType::i8 || x.dtype == DType::u8) && !x.quant.zero_point.empty()) {
      const int64_t zp = x.quant.zero_point[0];
      if (x.dtype == DType::i8) value_[0] = static_cast<std::byte>(static_cast<int8_t>(zp));
      else value_[0] = static_cast<std::byte>(static_cast<uint8_t>(zp));
    }
    if (v2_ && ctx.has_input(2)) {
      const Tensor& c = ctx.in(2);
      if (c.dtype != x.dtype || c.elements() != 1)
        ctx.fail(fmt::format("constant_values '{}' is {} {}, expected one {} value", c.name, dtype_name(c.dtype),
                             shape_string(c.shape), dtype_name(x.dtype)));
    }
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    const void* value = (v2_ && ctx.has_input(2)) ? static_cast<const void*>(ctx.in(2).data.data()) : value_;
    kernels::pad(ctx.in(0).shape, before_, after_, ctx.in(0).data.data(), value, ctx.out(0).data.data(),
                 elem_size(ctx.in(0)));
  }

 private:
  bool v2_;
  std::vector<int64_t> before_, after_;
  std::byte value_[8];
};

class MirrorPad : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    const int rank = static_cast<int>(x.shape.size());
    const std::vector<int64_t> p = const_ints(ctx, 1, "paddings");
    if (static_cast<int64_t>(p.size()) != 2 * rank || rank > 16)
      ctx.fail(fmt::format("paddings '{}' have shape {}, expected [{},2] for input {}", ctx.in(1).name,
                           shape_string(ctx.in(1).shape), rank, shape_string(x.shape)));
    const int64_t mode = ctx.node.attrs.get_int("mode", 0);
    if (mode < 0 || mode > 2) ctx.fail(fmt::format("mode {} is not REFLECT 0, SYMMETRIC 1 or EDGE 2", mode));
    mode_ = static_cast<kernels::MirrorMode>(mode);
    before_.resize(rank);
    after_.resize(rank);
    Shape out(rank);
    for (int k = 0; k < rank; ++k) {
      before_[k] = p[2 * k];
      after_[k] = p[2 * k + 1];
      if (before_[k] < 0 || after_[k] < 0 || x.shape[k] < 1)
        ctx.fail(fmt::format("dim {} of {}: paddings [{},{}] must be non-negative around a dim of at least 1", k,
                             shape_string(x.shape), before_[k], after_[k]));
      out[k] = static_cast<int32_t>(before_[k] + x.shape[k] + after_[k]);
    }
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    kernels::pad_mirror(mode_, ctx.in(0).shape, before_, after_, ctx.in(0).data.data(), ctx.out(0).data.data(),
                        elem_size(ctx.in(0)));
  }

 private:
  kernels::MirrorMode mode_ = kernels::MirrorMode::reflect;
  std::vector<int64_t> before_, after_;
};

class PadV1 : public Pad {
 public:
  PadV1() : Pad(false) {}
};
class PadV2 : public Pad {
 public:
  PadV2() : Pad(true) {}
};

}  // namespace

QGATE_REGISTER_OP(OpType::pad, PadV1);
QGATE_REGISTER_OP(OpType::padv2, PadV2);
QGATE_REGISTER_OP(OpType::mirror_pad, MirrorPad);

}  // namespace qgate::ops
