// Generators: FILL (ONNX ConstantOfShape, Dropout's mask) and RANGE, for the element types shape computations use.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qgate::kernels {

// out[i] = *value (elem_size bytes) for i in [0, n).
void fill(const void* value, void* out, int64_t n, size_t elem_size);

// The number of elements of range(start, limit, delta): max(ceil((limit - start) / delta), 0), computed in the
// element type's own arithmetic (double for float, as ONNX and TFLite size it). delta must be nonzero.
int64_t range_count_float(float start, float limit, float delta);
int64_t range_count_int(int64_t start, int64_t limit, int64_t delta);
// out[i] = start + i * delta, for i in [0, n). Float values are computed as start + i * delta, not accumulated,
// so no error builds up along the sequence.
void range_float(float start, float delta, float* out, int64_t n);
void range_int32(int32_t start, int32_t delta, int32_t* out, int64_t n);
void range_int64(int64_t start, int64_t delta, int64_t* out, int64_t n);

}  // namespace qgate::kernels
