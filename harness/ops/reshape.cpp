// RESHAPE, SQUEEZE, EXPAND_DIMS: the element order is unchanged, so run() is one memcpy (any dtype).
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "harness/ops/op_util.h"

namespace qgate::ops {

namespace {

void copy_all(OpContext& ctx) {
  if (ctx.out(0).data.data() != ctx.in(0).data.data()) std::memcpy(ctx.out(0).data.data(), ctx.in(0).data.data(), ctx.in(0).bytes());
}

// The batch symbol: dimension 0 of a model input, when symbolic.
bool is_batch_symbol(const Graph& g, int32_t dim) {
  if (!is_symbol(dim)) return false;
  for (int id : g.inputs)
    if (!g.tensors[id].shape.empty() && g.tensors[id].shape[0] == dim) return true;
  return false;
}

// qgate extension of RESHAPE (ONNX Reshape): "copy_zero_dims" 1 makes a 0 in the new shape copy the input's
// dimension at that position (ONNX's allowzero 0), so a new shape like [0,-1] keeps a symbolic batch.
class Reshape : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(1, 2, 1);
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> want;
    std::string source;
    if (ctx.has_input(1)) {
      const std::optional<std::vector<int64_t>> v = known_ints(ctx, 1, "new shape");
      if (!v) {  // computed from the input shapes: only its rank is known now
        const int64_t rank = ctx.in(1).elements();
        ctx.out(0).dtype = x.dtype;
        ctx.out(0).shape.assign(static_cast<size_t>(std::max<int64_t>(rank, 0)), kUnknownDim);
        return;
      }
      want = *v;
      source = "shape input";
    } else if (ctx.node.attrs.has("new_shape")) {
      want = ctx.node.attrs.get_ints("new_shape");
      source = "new_shape attribute";
    } else {
      ctx.fail("has neither a shape input nor a new_shape attribute");
    }
    if (ctx.node.attrs.get_bool("copy_zero_dims", false))
      for (size_t k = 0; k < want.size(); ++k)
        if (want[k] == 0) {
          if (k >= x.shape.size())
            ctx.fail(fmt::format("{} [{}] has a 0 at position {}, beyond the rank of input {}", source,
                                 fmt::join(want, ","), k, shape_string(x.shape)));
          want[k] = x.shape[k] < 0 ? -2 - k : x.shape[k];  // -2 - k: copied from a symbolic dimension
        }
    if (ctx.symbolic) {
      // Copied symbolic dimensions keep their symbol; the -1 is inferred when the input's count is known.
      std::vector<int64_t> plain = want;
      for (size_t k = 0; k < plain.size(); ++k)
        if (plain[k] < -1) plain[k] = 1;
      Shape out = shape_is_concrete(x.shape) ? infer_reshape(x.shape, plain) : infer_reshape({kUnknownDim}, plain);
      for (size_t k = 0; k < want.size(); ++k)
        if (want[k] < -1) out[k] = x.shape[static_cast<size_t>(-2 - want[k])];
      ctx.out(0).dtype = x.dtype;
      ctx.out(0).shape = out;
      return;
    }
    check_batch(ctx, want);
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

 private:
  // A model declared with a symbolic batch whose RESHAPE fixes dimension 0 of its output (new shape [1,-1]) mixes
  // the samples of a larger batch: refused for any batch but the fixed one. Read from the graph's symbolic shapes.
  static void check_batch(const OpContext& ctx, const std::vector<int64_t>& want) {
    const Shape& declared_in = ctx.graph.tensors[ctx.node.inputs[0]].shape;
    const Shape& declared_out = ctx.graph.tensors[ctx.node.outputs[0]].shape;
    if (declared_in.empty() || declared_out.empty() || want.empty() || declared_out[0] < 0) return;
    if (!is_batch_symbol(ctx.graph, declared_in[0]) || ctx.in(0).shape[0] == want[0]) return;
    ctx.fail(fmt::format("reshapes to a fixed batch: its new shape [{}] keeps dimension 0 at {}, its input {} has "
                         "{} = {} (the model is declared with a symbolic batch but runs batch {} only)",
                         fmt::join(want, ","), want[0], ctx.graph.shape_text(declared_in),
                         ctx.graph.symbols.at(symbol_of(declared_in[0])), ctx.in(0).shape[0], want[0]));
  }
};

class Squeeze : public Op {
 public:
  bool infers_symbolic_shapes() const override { return true; }
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
      if (x.shape[k] != 1 && !(ctx.symbolic && x.shape[k] < 0))
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
  bool infers_symbolic_shapes() const override { return true; }
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
