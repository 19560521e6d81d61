// Naive twins of kernels/compare.h: one output element at a time, offsets from the padded shapes
// (reference::broadcast_offsets), each comparison written as its definition.
#pragma once

#include "kernels/compare.h"

namespace qgate::reference {

using kernels::CompareOp;
using kernels::LogicalOp;

void compare_float(CompareOp op, const kernels::BroadcastShape& s, const float* a, const float* b, uint8_t* out);
void compare_int32(CompareOp op, const kernels::BroadcastShape& s, const int32_t* a, const int32_t* b, uint8_t* out);
void compare_int64(CompareOp op, const kernels::BroadcastShape& s, const int64_t* a, const int64_t* b, uint8_t* out);
void compare_bool(CompareOp op, const kernels::BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out);
void logical(LogicalOp op, const kernels::BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out);
void logical_not(const uint8_t* in, uint8_t* out, int64_t n);
void is_nan(const float* in, uint8_t* out, int64_t n);
void is_inf(const float* in, uint8_t* out, int64_t n, bool detect_negative, bool detect_positive);

}  // namespace qgate::reference
