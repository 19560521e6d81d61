// LSTM (kernel_type FULL), UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM with TFLite's input
// layouts. Float weight matrices run the float kernel, int8 ones (one scale each) the hybrid kernel;
// asymmetric_quantize_inputs picks the activation quantization of the hybrid kernel.
#include <fmt/format.h>

#include "harness/ops/hybrid_util.h"
#include "harness/ops/recurrent_util.h"
#include "kernels/lstm.h"

namespace qgate {
namespace {

using recurrent_ops::bind_matrix;
using recurrent_ops::sequence_layout;
using recurrent_ops::sequence_shape;

// Where one cell's tensors sit among the node's inputs (-1: the layout has no such input).
struct LstmSlots {
  int input_to[4];
  int recurrent_to[4];
  int peephole[4];  // by gate; the cell gate entry is -1
  int bias[4];
  int projection, projection_bias;
  int layer_norm[4];
  int aux_to[4];
  int output_state, cell_state;
};

// UNIDIRECTIONAL_SEQUENCE_LSTM and LSTM: 0 input, 1-4 input-to-{i,f,g,o}, 5-8 recurrent-to, 9-11 cell-to-{i,f,o},
// 12-15 biases, 16 projection, 17 projection bias, 18 output state, 19 cell state, 20-23 layer norm.
constexpr LstmSlots kUnidirectional{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, -1, 11}, {12, 13, 14, 15}, 16, 17,
                                    {20, 21, 22, 23}, {-1, -1, -1, -1}, 18, 19};
// BIDIRECTIONAL_SEQUENCE_LSTM (48 inputs): fw 1-17 as above, bw 18-34 likewise, 35/36 fw output/cell state,
// 37/38 bw output/cell state, 39 aux input, 40-43 fw aux-to-{i,f,g,o}, 44-47 bw aux-to. No layer norm.
constexpr LstmSlots kBidiForward{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, -1, 11}, {12, 13, 14, 15}, 16, 17,
                                 {-1, -1, -1, -1}, {40, 41, 42, 43}, 35, 36};
constexpr LstmSlots kBidiBackward{{18, 19, 20, 21}, {22, 23, 24, 25}, {26, 27, -1, 28}, {29, 30, 31, 32}, 33, 34,
                                  {-1, -1, -1, -1}, {44, 45, 46, 47}, 37, 38};

constexpr const char* kGateName[4] = {"input", "forget", "cell", "output"};

bool has(const OpContext& ctx, int slot) { return slot >= 0 && ctx.has_input(static_cast<size_t>(slot)); }

// Input counts of an LSTM layout: many inputs are optional (-1), so only input 0 is required up front.
void expect_lstm_arity(const OpContext& ctx, size_t min_inputs, size_t max_inputs, size_t outputs) {
  ctx.expect_arity(1, max_inputs, outputs);
  if (ctx.inputs.size() < min_inputs)
    ctx.fail(fmt::format("has {} inputs, expected {} to {} (absent optional inputs are -1)", ctx.inputs.size(),
                         min_inputs, max_inputs));
}

struct LstmCell {
  kernels::LstmWeights w;
  kernels::LstmScratch scratch;
  recurrent_ops::MatrixStore row_sums;
  std::deque<std::vector<float>> peepholes;
  int output_state = -1, cell_state = -1;
  recurrent_ops::SequenceState h_state, c_state;  // bound with initial_states only

  // initial_states: the states may also be non-variable or absent inputs (recurrent_ops::SequenceState).
  // row_scales: int8 weights may have one scale per row (onnxruntime's per-channel DynamicQuantizeLSTM).
  void bind(const OpContext& ctx, const LstmSlots& s, int n_input, int n_aux, int batch, const char* dir,
            bool initial_states = false, bool row_scales = false) {
    const int fgate = s.input_to[kernels::lstm_forget_gate];
    const int rgate = s.recurrent_to[kernels::lstm_forget_gate];
    if (!has(ctx, fgate) || ctx.in(fgate).shape.size() != 2 || !has(ctx, rgate) || ctx.in(rgate).shape.size() != 2)
      ctx.fail(fmt::format("{}input-to-forget (input {}) and recurrent-to-forget (input {}) weights must be present "
                           "with rank 2", dir, fgate, rgate));
    const int n_cell = ctx.in(fgate).shape[0];
    const int n_output = ctx.in(rgate).shape[1];
    const bool cifg = !has(ctx, s.input_to[0]);
    if (cifg && has(ctx, s.recurrent_to[0]))
      ctx.fail(fmt::format("{}recurrent-to-input weights (input {}) present without input-to-input weights (CIFG "
                           "needs both absent)", dir, s.recurrent_to[0]));
    std::vector<const kernels::RecurrentMatrix*> mats;
    for (int g = 0; g < 4; ++g) {
      if (cifg && g == kernels::lstm_input_gate) continue;
      const std::string gate = fmt::format("{}input-to-{} weights", dir, kGateName[g]);
      w.input_to[g] = bind_matrix(ctx, s.input_to[g], n_cell, n_input, gate.c_str(), row_sums, true, true, row_scales);
      const std::string rec = fmt::format("{}recurrent-to-{} weights", dir, kGateName[g]);
      w.recurrent_to[g] =
          bind_matrix(ctx, s.recurrent_to[g], n_cell, n_output, rec.c_str(), row_sums, true, true, row_scales);
      mats.push_back(&w.input_to[g]);
      mats.push_back(&w.recurrent_to[g]);
      if (n_aux > 0) {
        const std::string aux = fmt::format("{}aux-input-to-{} weights", dir, kGateName[g]);
        w.aux_to[g] = bind_matrix(ctx, s.aux_to[g], n_cell, n_aux, aux.c_str(), row_sums);
        mats.push_back(&w.aux_to[g]);
      }
      const std::string bias = fmt::format("{}{} gate bias", dir, kGateName[g]);
      w.bias[g] = recurrent_ops::bind_vector(ctx, s.bias[g], n_cell, bias.c_str());
      if (s.peephole[g] >= 0 && has(ctx, s.peephole[g])) {
        const std::string peep = fmt::format("{}cell-to-{} weights", dir, kGateName[g]);
        w.peephole[g] = recurrent_ops::bind_peephole(ctx, s.peephole[g], n_cell, peep.c_str(), peepholes);
      }
      if (has(ctx, s.layer_norm[g])) {
        const std::string ln = fmt::format("{}{} layer norm coefficients", dir, kGateName[g]);
        w.layer_norm[g] = recurrent_ops::bind_vector(ctx, s.layer_norm[g], n_cell, ln.c_str());
      }
    }
    const bool any_ln = w.layer_norm[1] || w.layer_norm[2] || w.layer_norm[3];
    if (any_ln && !(w.layer_norm[1] && w.layer_norm[2] && w.layer_norm[3] && (cifg || w.layer_norm[0])))
      ctx.fail(fmt::format("{}layer norm coefficients must be given for every gate or none", dir));
    const bool peep_any = w.peephole[1] || w.peephole[3];
    if (peep_any && !(w.peephole[1] && w.peephole[3] && (cifg || w.peephole[0])))
      ctx.fail(fmt::format("{}peephole weights must be given for every gate that exists or none", dir));
    if (has(ctx, s.projection)) {
      w.projection = bind_matrix(ctx, s.projection, n_output, n_cell, "projection weights", row_sums);
      mats.push_back(&w.projection);
      w.projection_bias = recurrent_ops::bind_vector(ctx, s.projection_bias, n_output, "projection bias", false);
    } else if (n_output != n_cell) {
      ctx.fail(fmt::format("{}output size {} differs from cell size {} without projection weights", dir, n_output,
                           n_cell));
    }
    recurrent_ops::check_same_mode(ctx, mats);
    output_state = s.output_state;
    cell_state = s.cell_state;
    if (initial_states) {
      h_state.bind(ctx, output_state, static_cast<int64_t>(batch) * n_output, "output state");
      c_state.bind(ctx, cell_state, static_cast<int64_t>(batch) * n_cell, "cell state");
    } else {
      recurrent_ops::check_state(ctx, output_state, static_cast<int64_t>(batch) * n_output, "output state");
      recurrent_ops::check_state(ctx, cell_state, static_cast<int64_t>(batch) * n_cell, "cell state");
    }
    scratch.resize(w, batch);
  }
  float* h(const OpContext& ctx) const { return ctx.in(output_state).as<float>(); }
  float* c(const OpContext& ctx) const { return ctx.in(cell_state).as<float>(); }
};

kernels::LstmParams lstm_params(const OpContext& ctx) {
  kernels::LstmParams p;
  p.activation = recurrent_ops::activation_attr(ctx);
  p.cell_clip = static_cast<float>(ctx.node.attrs.get_float("cell_clip", 0.0));
  p.proj_clip = static_cast<float>(ctx.node.attrs.get_float("proj_clip", 0.0));
  if (p.cell_clip < 0 || p.proj_clip < 0)
    ctx.fail(fmt::format("cell_clip {} and proj_clip {} must be >= 0 (0: no clipping)", p.cell_clip, p.proj_clip));
  p.asymmetric_inputs = ctx.node.attrs.get_bool("asymmetric_quantize_inputs", false);
  const ops::OrtHybrid ort = ops::read_ort_hybrid(ctx);
  p.ort_dynamic = ort.enabled;
  if (ort.saturating)
    ctx.fail("qgate_saturation: onnxruntime's saturating uint8 x int8 product is modelled for fully_connected only");
  p.gate_clip = recurrent_ops::gate_clip_attr(ctx);
  return p;
}

// LSTM: one step, input [batch, input]; output [batch, n_output].
class LstmOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    if (ctx.node.attrs.get_int("kernel_type", 0) != 0)
      ctx.fail(fmt::format("kernel_type {} (BASIC) is not supported; only FULL (0)",
                           ctx.node.attrs.get_int("kernel_type", 0)));
    expect_lstm_arity(ctx, 20, 24, 1);
    ctx.expect_input(0, DType::f32, 2);
    batch_ = ctx.in(0).shape[0];
    cell_.bind(ctx, kUnidirectional, ctx.in(0).shape[1], 0, batch_, "");
    params_ = lstm_params(ctx);
    if (params_.ort_dynamic) ctx.fail("onnxruntime dynamic quantization runs on UNIDIRECTIONAL_SEQUENCE_LSTM only");
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {batch_, cell_.w.n_output()};
  }
  void run(OpContext& ctx) override {
    kernels::lstm_step(params_, cell_.w, batch_, ctx.in(0).as<float>(), nullptr, cell_.h(ctx), cell_.c(ctx),
                       ctx.out(0).as<float>(), cell_.w.n_output(), cell_.scratch);
  }

 private:
  LstmCell cell_;
  kernels::LstmParams params_;
  int batch_ = 0;
};

// UNIDIRECTIONAL_SEQUENCE_LSTM. Beyond TFLite (for ONNX LSTM): the output and cell state inputs 18 and 19 may be
// non-variable (initial values, each run starts from them) or absent (zeros); optional outputs 1 and 2 are the
// final output state [batch, n_output] and cell state [batch, n_cell]; `reverse` walks time from last to first
// (outputs stay at their time steps); `gate_clip` bounds the gate pre-activations.
class SequenceLstmOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    expect_lstm_arity(ctx, 20, 24, ctx.outputs.size());
    if (ctx.outputs.empty() || ctx.outputs.size() > 3)
      ctx.fail(fmt::format("has {} outputs, expected 1 to 3 (sequence, final output state, final cell state)",
                           ctx.outputs.size()));
    ctx.expect_input(0, DType::f32, 3);
    layout_ = sequence_layout(ctx, ctx.in(0), ctx.node.attrs.get_bool("time_major", false));
    params_ = lstm_params(ctx);
    cell_.bind(ctx, kUnidirectional, ctx.in(0).shape[2], 0, layout_.batch, "", /*initial_states=*/true,
               /*row_scales=*/params_.ort_dynamic);
    if (params_.ort_dynamic) {
      // onnxruntime's DynamicQuantizeLSTM (imported from ONNX): time-major, no projection or layer norm.
      if (!cell_.w.hybrid() || !layout_.time_major || cell_.w.projection.present() || cell_.w.layer_norm[1])
        ctx.fail(fmt::format("onnxruntime dynamic quantization (qgate_input_quantization 'ort-u8-tensor') needs int8 "
                             "weights, time_major 1, no projection and no layer norm (weights {}, time_major {})",
                             cell_.w.hybrid() ? "int8" : "float32", layout_.time_major ? 1 : 0));
      cell_.scratch.resize(cell_.w, layout_.batch, int64_t{layout_.time} * layout_.batch);
    }
    forward_ = !ctx.node.attrs.get_bool("reverse", false);
    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = sequence_shape(layout_, cell_.w.n_output());
    const Shape final_shapes[2] = {{layout_.batch, cell_.w.n_output()}, {layout_.batch, cell_.w.n_cell()}};
    for (size_t i = 1; i < ctx.outputs.size(); ++i) {
      ctx.out(i).dtype = DType::f32;
      ctx.out(i).shape = final_shapes[i - 1];
    }
  }
  void run(OpContext& ctx) override {
    float* h = cell_.h_state.start(ctx);
    float* c = cell_.c_state.start(ctx);
    kernels::lstm_sequence(params_, cell_.w, layout_, forward_, ctx.in(0).as<float>(), nullptr, h, c,
                           ctx.out(0).as<float>(), cell_.w.n_output(), cell_.scratch);
    recurrent_ops::write_final_state(ctx, 1, h, int64_t{layout_.batch} * cell_.w.n_output());
    recurrent_ops::write_final_state(ctx, 2, c, int64_t{layout_.batch} * cell_.w.n_cell());
  }

 private:
  LstmCell cell_;
  kernels::LstmParams params_;
  kernels::SequenceLayout layout_;
  bool forward_ = true;
};

// BIDIRECTIONAL_SEQUENCE_LSTM. Aux input as in BIDIRECTIONAL_SEQUENCE_RNN: with aux weights both cells add the
// aux product; with an aux input and no aux weights the backward cell reads the aux input as its input.
// time_major defaults to true (the schema default of BidirectionalSequenceLSTMOptions).
// TFLite offsets the aux input by the input's row size and, batch-major with merged outputs, the state rows by
// the merged output width: defects not reproduced (see kernels/lstm.cpp).
class BidirectionalSequenceLstmOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    merge_ = ctx.node.attrs.get_bool("merge_outputs", false);
    expect_lstm_arity(ctx, 39, 48, merge_ ? 1 : 2);
    ctx.expect_input(0, DType::f32, 3);
    layout_ = sequence_layout(ctx, ctx.in(0), ctx.node.attrs.get_bool("time_major", true));
    const bool has_aux = ctx.has_input(39);
    const bool aux_weights = has(ctx, kBidiForward.aux_to[kernels::lstm_forget_gate]);
    non_stacking_ = has_aux && !aux_weights;
    int aux_size = 0;
    if (has_aux) {
      ctx.expect_input(39, DType::f32, 3);
      const kernels::SequenceLayout al = sequence_layout(ctx, ctx.in(39), layout_.time_major);
      if (al.batch != layout_.batch || al.time != layout_.time)
        ctx.fail(fmt::format("aux input shape {} does not match input shape {} in batch and time",
                             shape_string(ctx.in(39).shape), shape_string(ctx.in(0).shape)));
      aux_size = ctx.in(39).shape[2];
    }
    if (aux_weights && !has_aux) ctx.fail("aux input weights are present but the aux input (input 39) is absent");
    const int n_input = ctx.in(0).shape[2];
    fw_.bind(ctx, kBidiForward, n_input, aux_weights ? aux_size : 0, layout_.batch, "fw ");
    bw_.bind(ctx, kBidiBackward, non_stacking_ ? aux_size : n_input, aux_weights ? aux_size : 0, layout_.batch,
             "bw ");
    if (fw_.w.hybrid() != bw_.w.hybrid()) ctx.fail("fw weights and bw weights must both be float32 or both int8");
    params_ = lstm_params(ctx);
    if (params_.ort_dynamic) ctx.fail("onnxruntime dynamic quantization runs on UNIDIRECTIONAL_SEQUENCE_LSTM only");
    recurrent_ops::set_bidirectional_outputs(ctx, layout_, merge_, fw_.w.n_output(), bw_.w.n_output());
  }
  void run(OpContext& ctx) override {
    const auto io = recurrent_ops::bidirectional_io(ctx, 39, merge_, non_stacking_, fw_.w.n_output(), bw_.w.n_output());
    kernels::lstm_sequence(params_, fw_.w, layout_, true, io.fw_x, io.aux, fw_.h(ctx), fw_.c(ctx), io.fw_out,
                           io.fw_stride, fw_.scratch);
    kernels::lstm_sequence(params_, bw_.w, layout_, false, io.bw_x, io.aux, bw_.h(ctx), bw_.c(ctx), io.bw_out,
                           io.bw_stride, bw_.scratch);
  }

 private:
  LstmCell fw_, bw_;
  kernels::LstmParams params_;
  kernels::SequenceLayout layout_;
  bool merge_ = false;
  bool non_stacking_ = false;
};

}  // namespace

QGATE_REGISTER_OP(OpType::lstm, LstmOp);
QGATE_REGISTER_OP(OpType::unidirectional_sequence_lstm, SequenceLstmOp);
QGATE_REGISTER_OP(OpType::bidirectional_sequence_lstm, BidirectionalSequenceLstmOp);

}  // namespace qgate
