// RESHAPE, SQUEEZE, EXPAND_DIMS: the element order is unchanged, so run() is one memcpy (any dtype).
#include <cstring>

#include <fmt/format.h>

#include "harness/ops/op_util.h"

namespace qgate::ops {

namespace {

void copy_all(OpContext& ctx) {
  if (ctx.out(0).data.data() != ctx.in(0).data.data()) std::memcpy(ctx.out(0).data.data(), ctx.in(0).data.data(), ctx.in(0).bytes());
}

class Reshape : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 2, 1);
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> want;
    std::string source;
    if (ctx.has_input(1)) {
      want = const_ints(ctx, 1, "new shape");
      source = "shape input";
    } else if (ctx.node.attrs.has("new_shape")) {
      want = ctx.node.attrs.get_ints("new_shape");
      source = "new_shape attribute";
    } else {
      ctx.fail("has neither a shape input nor a new_shape attribute");
    }
    int infer = -1;
    int64_t known = 1;
    for (size_t k = 0; k < want.size(); ++k) {
      if (want[k] == -1) {
        if (infer >= 0) ctx.fail(fmt::format("{} [{}] has more than one -1", source, fmt::join(want, ",")));
        infer = static_cast<int>(k);
      } else if (want[k] < 0) {
        ctx.fail(fmt::format("{} [{}] has negative dim {}", source, fmt::join(want, ","), want[k]));
      } else {
        known *= want[k];
      }
    }
    const int64_t n = x.elements();
    if (infer >= 0) {
      if (known == 0 || n % known != 0)
        ctx.fail(fmt::format("cannot infer the -1 in {} [{}] for input {} of {} elements", source,
                             fmt::join(want, ","), shape_string(x.shape), n));
      want[infer] = n / known;
    } else if (known != n) {
      ctx.fail(fmt::format("{} [{}] has {} elements, input {} has {}", source, fmt::join(want, ","), known,
                           shape_string(x.shape), n));
    }
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape.assign(want.begin(), want.end());
  }
  void run(OpContext& ctx) override { copy_all(ctx); }
};

class Squeeze : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 1, 1);
    const Tensor& x = ctx.in(0);
    const int rank = static_cast<int>(x.shape.size());
    std::vector<bool> drop(rank, false);
    const std::vector<int64_t> dims = ctx.node.attrs.get_ints("squeeze_dims");
    if (dims.empty()) {
      for (int k = 0; k < rank; ++k) drop[k] = x.shape[k] == 1;
    }
    for (int64_t d : dims) {
      const int k = normalize_axis(ctx, d, rank, "squeeze_dims entry");
      if (x.shape[k] != 1)
        ctx.fail(fmt::format("squeeze_dims entry {} selects dim {} of size {} in {} (must be 1)", d, k, x.shape[k],
                             shape_string(x.shape)));
      drop[k] = true;
    }
    Shape out;
    for (int k = 0; k < rank; ++k)
      if (!drop[k]) out.push_back(x.shape[k]);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override { copy_all(ctx); }
};

class ExpandDims : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    const Tensor& x = ctx.in(0);
    const std::vector<int64_t> axis = const_ints(ctx, 1, "axis");
    if (axis.size() != 1) ctx.fail(fmt::format("axis input has {} values, expected 1", axis.size()));
    const int rank = static_cast<int>(x.shape.size());
    const int k = normalize_axis(ctx, axis[0], rank + 1, "axis");
    Shape out = x.shape;
    out.insert(out.begin() + k, 1);
    ctx.out(0).dtype = x.dtype;
    ctx.out(0).shape = out;
  }
  void run(OpContext& ctx) override { copy_all(ctx); }
};

}  // namespace

QGATE_REGISTER_OP(OpType::reshape, Reshape);
QGATE_REGISTER_OP(OpType::squeeze, Squeeze);
QGATE_REGISTER_OP(OpType::expand_dims, ExpandDims);

}  // namespace qgate::ops
