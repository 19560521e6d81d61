// BATCH_MATMUL (float): x [..., M, K] (adj_x: [..., K, M]), y [..., K, N] (adj_y: [..., N, K]), batch dimensions
// broadcast; output [..., M, N].
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/op_util.h"
#include "kernels/batch_matmul.h"

namespace qgate {
namespace {

class BatchMatMulOp : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::f32);
    ctx.expect_input(1, DType::f32);
    const Shape& xs = ctx.in(0).shape;
    const Shape& ys = ctx.in(1).shape;
    if (xs.size() < 2 || ys.size() < 2)
      ctx.fail(fmt::format("inputs need rank >= 2, got x {} and y {}", shape_string(xs), shape_string(ys)));
    kernels::BatchMatMulParams& p = params_;
    p.adj_x = ctx.node.attrs.get_bool("adj_x", false);
    p.adj_y = ctx.node.attrs.get_bool("adj_y", false);
    const int32_t xr = xs[xs.size() - 2], xc = xs.back(), yr = ys[ys.size() - 2], yc = ys.back();
    p.m = p.adj_x ? xc : xr;
    p.k = p.adj_x ? xr : xc;
    const int64_t ky = p.adj_y ? yc : yr;
    p.n = p.adj_y ? yr : yc;
    if (ctx.symbolic && (!shape_is_concrete(xs) || !shape_is_concrete(ys))) {
      Shape out = ops::broadcast_shapes(Shape(xs.begin(), xs.end() - 2), Shape(ys.begin(), ys.end() - 2));
      out.push_back(static_cast<int32_t>(p.m));
      out.push_back(static_cast<int32_t>(p.n));
      ctx.out(0).dtype = DType::f32;
      ctx.out(0).shape = out;
      return;
    }
    if (p.k != ky)
      ctx.fail(fmt::format("x {} (adj_x {}) has depth {}, y {} (adj_y {}) has depth {}", shape_string(xs), p.adj_x,
                           p.k, shape_string(ys), p.adj_y, ky));
    const size_t rank = std::max(xs.size(), ys.size()) - 2;
    p.x_batch.assign(rank, 1);
    p.y_batch.assign(rank, 1);
    p.out_batch.assign(rank, 1);
    std::copy(xs.begin(), xs.end() - 2, p.x_batch.end() - (xs.size() - 2));
    std::copy(ys.begin(), ys.end() - 2, p.y_batch.end() - (ys.size() - 2));
    Shape out;
    for (size_t i = 0; i < rank; ++i) {
      const int32_t a = p.x_batch[i], b = p.y_batch[i];
      if (a != b && a != 1 && b != 1)
        ctx.fail(fmt::format("batch dimensions of x {} and y {} do not broadcast", shape_string(xs), shape_string(ys)));
      p.out_batch[i] = std::max(a, b);
      out.push_back(p.out_batch[i]);
    }
    out.push_back(static_cast<int32_t>(p.m));
    out.push_back(static_cast<int32_t>(p.n));
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = out;
    scratch_.assign(static_cast<size_t>(kernels::batch_matmul_scratch_size(p)), 0.0f);
  }

  void run(OpContext& ctx) override {
    kernels::batch_matmul_float(params_, ctx.in(0).as<float>(), ctx.in(1).as<float>(), ctx.out(0).as<float>(),
                                scratch_.data());
  }

 private:
  kernels::BatchMatMulParams params_;
  std::vector<float> scratch_;  // packed y and transposed x
};

}  // namespace

QGATE_REGISTER_OP(OpType::batch_matmul, BatchMatMulOp);

}  // namespace qgate
