// DENSIFY: the TFLite importer already expands sparse constants to dense at load, so the op is a copy of its
// (dense) input.
#include <cstring>

#include "harness/op.h"

namespace qgate {

namespace {

class DensifyOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    const Tensor& in = ctx.in(0);
    ctx.out(0).dtype = in.dtype;
    ctx.out(0).shape = in.shape;
    ctx.out(0).quant = in.quant;
  }
  void run(OpContext& ctx) override {
    const Tensor& in = ctx.in(0);
    if (in.bytes() > 0) std::memcpy(ctx.out(0).data.data(), in.data.data(), in.bytes());
  }
};

}  // namespace

QGATE_REGISTER_OP(OpType::densify, DensifyOp);

}  // namespace qgate
