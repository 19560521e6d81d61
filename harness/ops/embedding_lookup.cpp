// EMBEDDING_LOOKUP: input 0 int32 indices [n], input 1 table [rows, ...]. float32 table -> float32 output;
// int8 table -> float32 output dequantized per row (one scale per row) or per tensor (hybrid), or int8 output
// copied as is when the graph declares the output int8.
#include <fmt/format.h>

#include "harness/op.h"
#include "kernels/embedding_lookup.h"

namespace qgate {
namespace {

class EmbeddingLookupOp final : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 2, 1);
    ctx.expect_input(0, DType::i32, 1);
    const Tensor& table = ctx.in(1);
    if (table.shape.size() < 2)
      ctx.fail(fmt::format("input 1 ('{}') has shape {}, expected rank >= 2 [rows, ...]", table.name,
                           shape_string(table.shape)));
    rows_ = table.shape[0];
    cols_ = rows_ > 0 ? table.elements() / rows_ : 0;
    n_ = ctx.in(0).shape[0];
    Tensor& out = ctx.out(0);
    if (table.dtype == DType::f32) {
      mode_ = Mode::f32;
      out.dtype = DType::f32;
    } else if (table.dtype == DType::i8) {
      if (out.dtype == DType::i8) {
        mode_ = Mode::i8;
      } else {
        mode_ = Mode::hybrid;
        out.dtype = DType::f32;
        const size_t ns = table.quant.scale.size();
        if (ns != 1 && ns != static_cast<size_t>(rows_))
          ctx.fail(fmt::format("input 1 ('{}') is int8 with {} scales; expected 1 (per tensor) or {} (one per row)",
                               table.name, ns, rows_));
      }
    } else {
      ctx.fail(fmt::format("input 1 ('{}') is {}, expected float32 or int8", table.name, dtype_name(table.dtype)));
    }
    Shape s = table.shape;
    s[0] = n_;
    out.shape = s;
    // A constant index tensor is checked here, where an error can still be reported.
    if (ctx.in(0).is_constant) {
      const int32_t* idx = ctx.in(0).as<int32_t>();
      for (int32_t i = 0; i < n_; ++i)
        if (idx[i] < 0 || idx[i] >= rows_)
          ctx.fail(fmt::format("index {} at position {} is outside the table's rows [0, {})", idx[i], i, rows_));
    }
  }

  void run(OpContext& ctx) override {
    const int32_t* idx = ctx.in(0).as<int32_t>();
    const Tensor& table = ctx.in(1);
    int64_t bad = 0;
    switch (mode_) {
      case Mode::f32:
        bad = kernels::embedding_lookup_f32(idx, n_, table.as<float>(), rows_, cols_, ctx.out(0).as<float>());
        break;
      case Mode::hybrid:
        bad = kernels::embedding_lookup_hybrid(idx, n_, table.as<int8_t>(), table.quant.scale.data(),
                                               static_cast<int64_t>(table.quant.scale.size()), rows_, cols_,
                                               ctx.out(0).as<float>());
        break;
      case Mode::i8:
        bad = kernels::embedding_lookup_i8(idx, n_, table.as<int8_t>(), rows_, cols_, ctx.out(0).as<int8_t>());
        break;
    }
    // TFLite fails the invoke here; run() cannot throw, so the bad rows are zeros and the failure is recorded.
    failed = bad > 0;
  }

  bool run_failed() const override { return failed; }

  bool failed = false;  // the last run() met an out-of-range index (its output rows are zeros)

 private:
  enum class Mode { f32, hybrid, i8 };
  Mode mode_ = Mode::f32;
  int32_t n_ = 0;
  int64_t rows_ = 0, cols_ = 0;
};

}  // namespace

QGATE_REGISTER_OP(OpType::embedding_lookup, EmbeddingLookupOp);

}  // namespace qgate
