// GRU: one direction of ONNX GRU (kernels/gru.h). Inputs: 0 x [time, batch, input] (time_major) or
// [batch, time, input], 1 W [3H, input] (rows z, r, n), 2 R [3H, H], 3 input bias [3H] (optional), 4 recurrent
// bias [3H] (optional), 5 hidden state [batch, H] (optional: a variable tensor is updated in place across
// invocations; any other tensor is the initial state of every run; absent: zeros). Outputs: 0 the sequence
// [.., H], 1 (optional) the final hidden state [batch, H]. Attributes: time_major, linear_before_reset, reverse
// (walk time from last to first), gate_clip, asymmetric_quantize_inputs. Float W and R run the float kernel,
// int8 ones (one scale each) the hybrid kernel.
#include <fmt/format.h>

#include "harness/ops/recurrent_util.h"
#include "kernels/gru.h"

namespace qgate {
namespace {

class GruOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(3, 6, ctx.outputs.size());
    if (ctx.outputs.empty() || ctx.outputs.size() > 2)
      ctx.fail(fmt::format("has {} outputs, expected 1 or 2 (sequence, final hidden state)", ctx.outputs.size()));
    ctx.expect_input(0, DType::f32, 3);
    layout_ = recurrent_ops::sequence_layout(ctx, ctx.in(0), ctx.node.attrs.get_bool("time_major", false));
    const Tensor& r = ctx.in(2);
    if (r.shape.size() != 2 || r.shape[0] != 3 * r.shape[1])
      ctx.fail(fmt::format("input 2 (recurrent weights, '{}') has shape {}, expected [3 * hidden, hidden]", r.name,
                           shape_string(r.shape)));
    const int H = r.shape[1], I = ctx.in(0).shape[2];
    store_ = {};
    w_ = {};
    w_.input = recurrent_ops::bind_matrix(ctx, 1, 3 * H, I, "input weights", store_);
    const kernels::RecurrentMatrix all = recurrent_ops::bind_matrix(ctx, 2, 3 * H, H, "recurrent weights", store_,
                                                                     /*required=*/true, /*pack=*/false);
    w_.recurrent_zr = recurrent_ops::matrix_rows(all, 0, 2 * H, store_);
    w_.recurrent_n = recurrent_ops::matrix_rows(all, 2 * H, H, store_);
    recurrent_ops::check_same_mode(ctx, {&w_.input, &all});
    w_.input_bias = recurrent_ops::bind_vector(ctx, 3, 3 * H, "input bias", false);
    w_.recurrent_bias = recurrent_ops::bind_vector(ctx, 4, 3 * H, "recurrent bias", false);
    params_.linear_before_reset = ctx.node.attrs.get_bool("linear_before_reset", false);
    params_.gate_clip = recurrent_ops::gate_clip_attr(ctx);
    params_.asymmetric_inputs = ctx.node.attrs.get_bool("asymmetric_quantize_inputs", false);
    forward_ = !ctx.node.attrs.get_bool("reverse", false);
    state_.bind(ctx, 5, static_cast<int64_t>(layout_.batch) * H, "hidden state");
    scratch_.resize(w_, layout_);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = recurrent_ops::sequence_shape(layout_, H);
    if (ctx.outputs.size() > 1) {
      ctx.out(1).dtype = DType::f32;
      ctx.out(1).shape = {layout_.batch, H};
    }
  }
  void run(OpContext& ctx) override {
    float* h = state_.start(ctx);
    const int H = w_.hidden();
    kernels::gru_sequence(params_, w_, layout_, forward_, ctx.in(0).as<float>(), h, ctx.out(0).as<float>(), H,
                          scratch_);
    recurrent_ops::write_final_state(ctx, 1, h, int64_t{layout_.batch} * H);
  }

 private:
  recurrent_ops::MatrixStore store_;
  kernels::GruWeights w_;
  kernels::GruParams params_;
  kernels::GruScratch scratch_;
  kernels::SequenceLayout layout_;
  recurrent_ops::SequenceState state_;
  bool forward_ = true;
};

}  // namespace

QGATE_REGISTER_OP(OpType::gru, GruOp);

}  // namespace qgate
