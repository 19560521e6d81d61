// RNN, UNIDIRECTIONAL_SEQUENCE_RNN and BIDIRECTIONAL_SEQUENCE_RNN with TFLite's input layouts. Float weights run
// the float kernel, int8 weights (one scale each) the hybrid kernel; asymmetric_quantize_inputs picks the
// activation quantization of the hybrid kernel.
#include <fmt/format.h>

#include "harness/ops/recurrent_util.h"
#include "kernels/rnn.h"

namespace qgate {
namespace {

using recurrent_ops::bind_matrix;
using recurrent_ops::sequence_layout;
using recurrent_ops::sequence_shape;

// One cell: weights bound at prepare, scratch sized for the largest batch a step sees.
struct RnnCell {
  kernels::RnnWeights w;
  kernels::QuantizedRowsBuffer scratch;
  recurrent_ops::MatrixStore row_sums;

  // W at wi ([units, input_size]), R at ri, bias at bi, aux weights at ai (absent: no aux).
  void bind(const OpContext& ctx, size_t wi, size_t ri, size_t bi, size_t ai, int input_size, int aux_size,
            const char* dir) {
    if (!ctx.has_input(wi) || ctx.in(wi).shape.size() != 2)
      ctx.fail(fmt::format("input {} ({}input weights) must be present with rank 2", wi, dir));
    const int units = ctx.in(wi).shape[0];
    w.input = bind_matrix(ctx, wi, units, input_size, "input weights", row_sums);
    w.recurrent = bind_matrix(ctx, ri, units, units, "recurrent weights", row_sums);
    w.bias = recurrent_ops::bind_vector(ctx, bi, units, "bias");
    if (aux_size > 0) w.aux = bind_matrix(ctx, ai, units, aux_size, "aux input weights", row_sums);
    recurrent_ops::check_same_mode(ctx, {&w.input, &w.recurrent, &w.aux});
  }
  void size_scratch(int batch) {
    if (w.hybrid()) scratch.resize(kernels::rnn_scratch_q_size(w, batch), batch);
  }
  kernels::QuantizedRows rows() { return scratch.view(); }
};

kernels::RnnParams rnn_params(const OpContext& ctx) {
  kernels::RnnParams p;
  p.activation = recurrent_ops::activation_attr(ctx);
  p.asymmetric_inputs = ctx.node.attrs.get_bool("asymmetric_quantize_inputs", false);
  p.gate_clip = recurrent_ops::gate_clip_attr(ctx);
  return p;
}

// RNN: x [batch, input], W [units, input], R [units, units], bias [units], hidden state [batch, units].
class RnnOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(5, 5, 1);
    ctx.expect_input(0, DType::f32, 2);
    const Shape& xs = ctx.in(0).shape;
    batch_ = xs[0];
    cell_.bind(ctx, 1, 2, 3, 0, xs[1], 0, "");
    params_ = rnn_params(ctx);
    recurrent_ops::check_state(ctx, 4, static_cast<int64_t>(batch_) * cell_.w.units(), "hidden state");
    cell_.size_scratch(batch_);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {batch_, cell_.w.units()};
  }
  void run(OpContext& ctx) override {
    kernels::rnn_step(params_, cell_.w, batch_, ctx.in(0).as<float>(), nullptr, ctx.in(4).as<float>(),
                      ctx.out(0).as<float>(), cell_.w.units(), cell_.rows());
  }

 private:
  RnnCell cell_;
  kernels::RnnParams params_;
  int batch_ = 0;
};

// UNIDIRECTIONAL_SEQUENCE_RNN: as RNN over x [time, batch, input] (time_major) or [batch, time, input].
// Beyond TFLite (for ONNX RNN): the hidden state input 4 may be non-variable (its initial value, each run starts
// from it) or absent (zeros); optional output 1 is the final hidden state [batch, units]; `reverse` walks time
// from last to first (outputs stay at their time steps); `gate_clip` bounds the pre-activation.
class SequenceRnnOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(4, 5, ctx.outputs.size());
    if (ctx.outputs.empty() || ctx.outputs.size() > 2)
      ctx.fail(fmt::format("has {} outputs, expected 1 or 2 (sequence, final hidden state)", ctx.outputs.size()));
    ctx.expect_input(0, DType::f32, 3);
    layout_ = sequence_layout(ctx, ctx.in(0), ctx.node.attrs.get_bool("time_major", false));
    cell_.bind(ctx, 1, 2, 3, 0, ctx.in(0).shape[2], 0, "");
    params_ = rnn_params(ctx);
    forward_ = !ctx.node.attrs.get_bool("reverse", false);
    state_.bind(ctx, 4, static_cast<int64_t>(layout_.batch) * cell_.w.units(), "hidden state");
    cell_.size_scratch(layout_.batch);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = sequence_shape(layout_, cell_.w.units());
    if (ctx.outputs.size() > 1) {
      ctx.out(1).dtype = DType::f32;
      ctx.out(1).shape = {layout_.batch, cell_.w.units()};
    }
  }
  void run(OpContext& ctx) override {
    float* h = state_.start(ctx);
    kernels::rnn_sequence(params_, cell_.w, layout_, forward_, ctx.in(0).as<float>(), nullptr, h,
                          ctx.out(0).as<float>(), cell_.w.units(), cell_.rows());
    recurrent_ops::write_final_state(ctx, 1, h, int64_t{layout_.batch} * cell_.w.units());
  }

 private:
  RnnCell cell_;
  kernels::RnnParams params_;
  kernels::SequenceLayout layout_;
  recurrent_ops::SequenceState state_;
  bool forward_ = true;
};

// BIDIRECTIONAL_SEQUENCE_RNN: 0 input, 1-3 fw W/R/bias, 4 fw hidden, 5-7 bw W/R/bias, 8 bw hidden, 9 aux input,
// 10 fw aux W, 11 bw aux W. Outputs fw (and bw unless merge_outputs; merged: one output [.., fw + bw units]).
// With an aux input but no aux weights the backward cell reads the aux input as its input (TFLite's
// "non-stacking" mode); with aux weights both cells add the aux product.
// TFLite's time-major hybrid path recomputes the sweep max_time times and its batch-major path offsets the aux
// input by input_size instead of aux_input_size: known defects, not reproduced (each sweep runs once, aux rows
// are aux_input_size wide).
class BidirectionalSequenceRnnOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    merge_ = ctx.node.attrs.get_bool("merge_outputs", false);
    ctx.expect_arity(9, 12, merge_ ? 1 : 2);
    ctx.expect_input(0, DType::f32, 3);
    layout_ = sequence_layout(ctx, ctx.in(0), ctx.node.attrs.get_bool("time_major", false));
    const bool has_aux = ctx.has_input(9);
    const bool aux_weights = ctx.has_input(10);
    non_stacking_ = has_aux && !aux_weights;
    int aux_size = 0;
    if (has_aux) {
      ctx.expect_input(9, DType::f32, 3);
      const kernels::SequenceLayout al = sequence_layout(ctx, ctx.in(9), layout_.time_major);
      if (al.batch != layout_.batch || al.time != layout_.time)
        ctx.fail(fmt::format("aux input shape {} does not match input shape {} in batch and time",
                             shape_string(ctx.in(9).shape), shape_string(ctx.in(0).shape)));
      aux_size = ctx.in(9).shape[2];
    }
    if (aux_weights != ctx.has_input(11))
      ctx.fail("fw and bw aux input weights (inputs 10, 11) must be both present or both absent");
    if (aux_weights && !has_aux) ctx.fail("aux input weights are present but the aux input (input 9) is absent");
    const int input_size = ctx.in(0).shape[2];
    fw_.bind(ctx, 1, 2, 3, 10, input_size, aux_weights ? aux_size : 0, "fw ");
    bw_.bind(ctx, 5, 6, 7, 11, non_stacking_ ? aux_size : input_size, aux_weights ? aux_size : 0, "bw ");
    recurrent_ops::check_same_mode(ctx, {&fw_.w.input, &bw_.w.input});
    params_ = rnn_params(ctx);
    recurrent_ops::check_state(ctx, 4, static_cast<int64_t>(layout_.batch) * fw_.w.units(), "fw hidden state");
    recurrent_ops::check_state(ctx, 8, static_cast<int64_t>(layout_.batch) * bw_.w.units(), "bw hidden state");
    fw_.size_scratch(layout_.batch);
    bw_.size_scratch(layout_.batch);
    recurrent_ops::set_bidirectional_outputs(ctx, layout_, merge_, fw_.w.units(), bw_.w.units());
  }
  void run(OpContext& ctx) override {
    const auto io = recurrent_ops::bidirectional_io(ctx, 9, merge_, non_stacking_, fw_.w.units(), bw_.w.units());
    kernels::rnn_sequence(params_, fw_.w, layout_, true, io.fw_x, io.aux, ctx.in(4).as<float>(), io.fw_out,
                          io.fw_stride, fw_.rows());
    kernels::rnn_sequence(params_, bw_.w, layout_, false, io.bw_x, io.aux, ctx.in(8).as<float>(), io.bw_out,
                          io.bw_stride, bw_.rows());
  }

 private:
  RnnCell fw_, bw_;
  kernels::RnnParams params_;
  kernels::SequenceLayout layout_;
  bool merge_ = false;
  bool non_stacking_ = false;
};

}  // namespace

QGATE_REGISTER_OP(OpType::rnn, RnnOp);
QGATE_REGISTER_OP(OpType::unidirectional_sequence_rnn, SequenceRnnOp);
QGATE_REGISTER_OP(OpType::bidirectional_sequence_rnn, BidirectionalSequenceRnnOp);

}  // namespace qgate
