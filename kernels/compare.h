// Comparisons, logic and value classes with bool outputs (one byte, 0 or 1): TFLite EQUAL, NOT_EQUAL, LESS,
// LESS_EQUAL, GREATER, GREATER_EQUAL, LOGICAL_AND, LOGICAL_OR, LOGICAL_NOT; ONNX's Xor, IsNaN and IsInf.
// The binary ones broadcast as numpy does, over the BroadcastShape of kernels/binary.h (computed once at
// prepare). Portable loops on every path: these are shape and mask computations, not hot ops.
#pragma once

#include <cstdint>

#include "kernels/binary.h"

namespace qgate::kernels {

enum class CompareOp : uint8_t { equal, not_equal, less, less_equal, greater, greater_equal };
enum class LogicalOp : uint8_t { logical_and, logical_or, logical_xor };

// out[i] = a[ia] op b[ib] ? 1 : 0. Floats compare as IEEE does: NaN is unequal to everything, itself included,
// and -0 equals +0. Bools (uint8) compare as bytes.
void compare_float(CompareOp op, const BroadcastShape& s, const float* a, const float* b, uint8_t* out);
void compare_int32(CompareOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, uint8_t* out);
void compare_int64(CompareOp op, const BroadcastShape& s, const int64_t* a, const int64_t* b, uint8_t* out);
void compare_bool(CompareOp op, const BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out);

// out[i] = a[ia] op b[ib]; any nonzero byte is true.
void logical(LogicalOp op, const BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out);
// out[i] = in[i] == 0.
void logical_not(const uint8_t* in, uint8_t* out, int64_t n);

// out[i] = isnan(in[i]).
void is_nan(const float* in, uint8_t* out, int64_t n);
// out[i] = in[i] is +infinity and detect_positive, or -infinity and detect_negative.
void is_inf(const float* in, uint8_t* out, int64_t n, bool detect_negative, bool detect_positive);

}  // namespace qgate::kernels
