// TRANSPOSE, TILE, SPACE_TO_DEPTH, DEPTH_TO_SPACE: strided copies, any dtype.
#include <fmt/format.h>

#include "harness/ops/op_util.h"
#include "kernels/layout.h"

namespace qgate::ops {

namespace {

constexpr int kMaxRank = 8;

void check_rank(const OpContext& ctx, const Tensor& x) {
  if (x.shape.size() > kMaxRank)
    ctx.fail(fmt::format("input '{}' has rank {} (at most {} supported)", x.name, x.shape.size(), kMaxRank));
}

class Transpose : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    check_rank(ctx, x);
    const std::vector<int64_t> perm = const_ints(ctx, 1, "perm");
    const int rank = static_cast<int>(x.shape.size());
    std::vector<bool> seen(rank, false);
    bool ok = static_cast<int>(perm.size()) == rank;
    for (size_t k = 0; ok && k < perm.size(); ++k) {
      ok = perm[k] >= 0 && perm[k] < rank && !seen[perm[k]];
      if (ok) seen[perm[k]] = true;
    }
    if (!ok)
      ctx.fail(fmt::format("perm [{}] is not a permutation of the {} dims of {}", fmt::join(perm, ","), rank,
                           shape_string(x.shape)));
    perm_.assign(perm.begin(), perm.end());
    Shape out(rank);
    for (int k = 0; k < rank; ++k) out[k] = x.shape[perm_[k]];
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    kernels::transpose(ctx.in(0).shape, perm_, ctx.in(0).data.data(), ctx.out(0).data.data(), elem_size(ctx.in(0)));
  }

 private:
  std::vector<int32_t> perm_;
};

class Tile : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    check_rank(ctx, x);
    multiples_ = const_ints(ctx, 1, "multiples");
    if (multiples_.size() != x.shape.size())
      ctx.fail(fmt::format("multiples [{}] has {} values, input {} has rank {}", fmt::join(multiples_, ","),
                           multiples_.size(), shape_string(x.shape), x.shape.size()));
    Shape out = x.shape;
    for (size_t k = 0; k < out.size(); ++k) {
      if (multiples_[k] < 0) ctx.fail(fmt::format("multiples [{}] has a negative value", fmt::join(multiples_, ",")));
      out[k] = multiples_[k] == 1 ? x.shape[k] : derived_dim(x.shape[k], x.shape[k] * multiples_[k]);
    }
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override {
    kernels::tile(ctx.in(0).shape, multiples_, ctx.in(0).data.data(), ctx.out(0).data.data(), elem_size(ctx.in(0)));
  }

 private:
  std::vector<int64_t> multiples_;
};

class SpaceToDepth : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() != 4) ctx.fail(fmt::format("input has shape {}, expected rank 4 (NHWC)", shape_string(x.shape)));
    const int64_t bs = ctx.node.attrs.get_int("block_size", 0);
    if (ctx.symbolic && bs >= 1) {
      ctx.out(0).dtype = x.dtype;
      ctx.out(0).shape = {x.shape[0], derived_dim(x.shape[1], x.shape[1] / bs), derived_dim(x.shape[2], x.shape[2] / bs),
                          derived_dim(x.shape[3], x.shape[3] * bs * bs)};
      return;
    }
    if (bs < 1 || x.shape[1] % bs != 0 || x.shape[2] % bs != 0)
      ctx.fail(fmt::format("block_size {} must be positive and divide height {} and width {}", bs, x.shape[1],
                           x.shape[2]));
    bs_ = static_cast<int32_t>(bs);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = {x.shape[0], x.shape[1] / bs_, x.shape[2] / bs_, x.shape[3] * bs_ * bs_};
  }
  void run(OpContext& ctx) override {
    kernels::space_to_depth(ctx.in(0).shape, bs_, ctx.in(0).data.data(), ctx.out(0).data.data(),
                            elem_size(ctx.in(0)));
  }

 private:
  int32_t bs_ = 1;
};

class DepthToSpace : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    const Tensor& x = ctx.in(0);
    if (x.shape.size() != 4) ctx.fail(fmt::format("input has shape {}, expected rank 4 (NHWC)", shape_string(x.shape)));
    const int64_t bs = ctx.node.attrs.get_int("block_size", 0);
    if (ctx.symbolic && bs >= 1) {
      ctx.out(0).dtype = x.dtype;
      ctx.out(0).shape = {x.shape[0], derived_dim(x.shape[1], x.shape[1] * bs), derived_dim(x.shape[2], x.shape[2] * bs),
                          derived_dim(x.shape[3], x.shape[3] / (bs * bs))};
      return;
    }
    if (bs < 1 || x.shape[3] % (bs * bs) != 0)
      ctx.fail(fmt::format("block_size {} must be positive with block_size^2 dividing depth {}", bs, x.shape[3]));
    bs_ = static_cast<int32_t>(bs);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = {x.shape[0], x.shape[1] * bs_, x.shape[2] * bs_, x.shape[3] / (bs_ * bs_)};
  }
  void run(OpContext& ctx) override {
    kernels::depth_to_space(ctx.in(0).shape, bs_, ctx.in(0).data.data(), ctx.out(0).data.data(),
                            elem_size(ctx.in(0)));
  }

 private:
  int32_t bs_ = 1;
};

}  // namespace

QGATE_REGISTER_OP(OpType::transpose, Transpose);
QGATE_REGISTER_OP(OpType::tile, Tile);
QGATE_REGISTER_OP(OpType::space_to_depth, SpaceToDepth);
QGATE_REGISTER_OP(OpType::depth_to_space, DepthToSpace);

}  // namespace qgate::ops
