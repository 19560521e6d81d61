// Naive reference twins of kernels/rnn.h, kernels/lstm.h, kernels/embedding_lookup.h and the row quantizer of
// kernels/recurrent_common.h: plain loops in the order of docs/arithmetic.md#per-op, quantizing inline with their
// own scalar quantizers. Test oracles: obviously correct rather than fast (they allocate; scratch arguments are
// accepted for signature parity and ignored).
#pragma once

#include <cstdint>

#include "kernels/embedding_lookup.h"
#include "kernels/lstm.h"
#include "kernels/recurrent_common.h"
#include "kernels/rnn.h"

namespace qgate::reference {

// One batch row quantized per docs/arithmetic.md#activation-quantization (written from it, independent of kernels/).
struct QuantizedRow {
  std::vector<int8_t> q;
  float scale = 1.0f;
  int32_t zero_point = 0;
};
QuantizedRow quantize_row(const float* x, int n, bool asymmetric);
// Row n of the int8 matrix w against a quantized row: the exact int32 sum of w * (q - zero_point), as
// sum(w * q) - zero_point * sum(w).
int32_t hybrid_row_dot(const kernels::RecurrentMatrix& w, int n, const QuantizedRow& q);

void rnn_step(const kernels::RnnParams& p, const kernels::RnnWeights& w, int batch, const float* x,
              const float* aux, float* h, float* out, int out_stride, const kernels::QuantizedRows& scratch);
void rnn_sequence(const kernels::RnnParams& p, const kernels::RnnWeights& w, const kernels::SequenceLayout& layout,
                  bool forward, const float* x, const float* aux, float* h, float* out, int out_stride,
                  const kernels::QuantizedRows& scratch);

void lstm_step(const kernels::LstmParams& p, const kernels::LstmWeights& w, int batch, const float* x,
               const float* aux, float* h, float* c, float* out, int out_stride, kernels::LstmScratch& scratch);
void lstm_sequence(const kernels::LstmParams& p, const kernels::LstmWeights& w,
                   const kernels::SequenceLayout& layout, bool forward, const float* x, const float* aux, float* h,
                   float* c, float* out, int out_stride, kernels::LstmScratch& scratch);

int64_t embedding_lookup_f32(const int32_t* idx, int64_t n, const float* table, int64_t rows, int64_t cols,
                             float* out);
int64_t embedding_lookup_hybrid(const int32_t* idx, int64_t n, const int8_t* table, const float* scales,
                                int64_t num_scales, int64_t rows, int64_t cols, float* out);

}  // namespace qgate::reference
