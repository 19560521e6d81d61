#include "reference/indexing.h"

#include <cstring>

namespace qgate::reference {

namespace {

int64_t count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

// The multi-index of flat position p in `shape`.
std::vector<int64_t> unflatten(int64_t p, const std::vector<int32_t>& shape) {
  std::vector<int64_t> idx(shape.size());
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = p % shape[d];
    p /= shape[d];
  }
  return idx;
}

int64_t flatten(const std::vector<int64_t>& idx, const std::vector<int32_t>& shape) {
  int64_t p = 0;
  for (size_t d = 0; d < shape.size(); ++d) p = p * shape[d] + idx[d];
  return p;
}

// The data position element p of the index tensor addresses; -1 out of range.
int64_t element_target(const std::vector<int32_t>& data_shape, const std::vector<int32_t>& index_shape,
                       const int64_t* indices, int axis, int64_t p) {
  std::vector<int64_t> idx = unflatten(p, index_shape);
  int64_t k = indices[p];
  if (k < -data_shape[axis] || k >= data_shape[axis]) return -1;
  idx[axis] = k < 0 ? k + data_shape[axis] : k;
  return flatten(idx, data_shape);
}

void apply(ScatterReduction r, float& dst, float v) {
  if (r == ScatterReduction::none) dst = v;
  else if (r == ScatterReduction::add) dst = dst + v;
  else dst = dst * v;
}

}  // namespace

void gather_elements(const std::vector<int32_t>& data_shape, const float* data, const std::vector<int32_t>& index_shape,
                     const int64_t* indices, int axis, float* out) {
  for (int64_t p = 0; p < count(index_shape); ++p) {
    const int64_t q = element_target(data_shape, index_shape, indices, axis, p);
    out[p] = q < 0 ? 0.0f : data[q];
  }
}

void scatter_elements(const std::vector<int32_t>& data_shape, const float* data,
                      const std::vector<int32_t>& index_shape, const int64_t* indices, const float* updates, int axis,
                      ScatterReduction reduction, float* out) {
  for (int64_t p = 0; p < count(data_shape); ++p) out[p] = data[p];
  for (int64_t p = 0; p < count(index_shape); ++p) {
    const int64_t q = element_target(data_shape, index_shape, indices, axis, p);
    if (q >= 0) apply(reduction, out[q], updates[p]);
  }
}

void gather_nd(const std::vector<int32_t>& data_shape, const float* data, const std::vector<int32_t>& index_shape,
               const int64_t* indices, int batch_dims, float* out) {
  const int q = index_shape.back();
  // Output: indices' shape without its last dim, then data's dims after batch_dims + q.
  std::vector<int32_t> out_shape(index_shape.begin(), index_shape.end() - 1);
  out_shape.insert(out_shape.end(), data_shape.begin() + batch_dims + q, data_shape.end());
  for (int64_t p = 0; p < count(out_shape); ++p) {
    const std::vector<int64_t> o = unflatten(p, out_shape);
    const int tuple_rank = static_cast<int>(index_shape.size()) - 1;
    std::vector<int64_t> tuple_pos(o.begin(), o.begin() + tuple_rank);
    tuple_pos.push_back(0);
    const int64_t* tuple = indices + flatten(tuple_pos, index_shape);
    std::vector<int64_t> d(data_shape.size());
    bool ok = true;
    for (int k = 0; k < batch_dims; ++k) d[k] = o[k];
    for (int k = 0; k < q; ++k) {
      const int64_t dim = data_shape[batch_dims + k];
      const int64_t c = tuple[k] < 0 ? tuple[k] + dim : tuple[k];
      ok = ok && c >= 0 && c < dim;
      d[batch_dims + k] = c;
    }
    for (size_t k = batch_dims + q; k < data_shape.size(); ++k) d[k] = o[tuple_rank + (k - batch_dims - q)];
    out[p] = ok ? data[flatten(d, data_shape)] : 0.0f;
  }
}

void scatter_nd(const std::vector<int32_t>& data_shape, const float* data, const std::vector<int32_t>& index_shape,
                const int64_t* indices, const float* updates, ScatterReduction reduction, float* out) {
  for (int64_t p = 0; p < count(data_shape); ++p) out[p] = data[p];
  const int q = index_shape.back();
  std::vector<int32_t> update_shape(index_shape.begin(), index_shape.end() - 1);
  update_shape.insert(update_shape.end(), data_shape.begin() + q, data_shape.end());
  const int tuple_rank = static_cast<int>(index_shape.size()) - 1;
  for (int64_t p = 0; p < count(update_shape); ++p) {
    const std::vector<int64_t> u = unflatten(p, update_shape);
    std::vector<int64_t> tuple_pos(u.begin(), u.begin() + tuple_rank);
    tuple_pos.push_back(0);
    const int64_t* tuple = indices + flatten(tuple_pos, index_shape);
    std::vector<int64_t> d(data_shape.size());
    bool ok = true;
    for (int k = 0; k < q; ++k) {
      const int64_t c = tuple[k] < 0 ? tuple[k] + data_shape[k] : tuple[k];
      ok = ok && c >= 0 && c < data_shape[k];
      d[k] = c;
    }
    for (size_t k = q; k < data_shape.size(); ++k) d[k] = u[tuple_rank + (k - q)];
    if (ok) apply(reduction, out[flatten(d, data_shape)], updates[p]);
  }
}

void one_hot(const int64_t* indices, int64_t outer, int64_t depth, int64_t inner, float on, float off, float* out) {
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t k = indices[a * inner + i];
        out[(a * depth + d) * inner + i] = (k == d || k + depth == d) ? on : off;
      }
}

void trilu(const float* in, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper, float* out) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        const int64_t p = (b * rows + r) * cols + c;
        out[p] = (upper ? c - r >= k : c - r <= k) ? in[p] : 0.0f;
      }
}

void reverse_sequence(const std::vector<int32_t>& shape, int time_axis, int batch_axis, const int64_t* seq_lens,
                      const float* in, float* out) {
  const int rank = static_cast<int>(shape.size());
  std::vector<int64_t> index(rank);
  for (int64_t p = 0; p < count(shape); ++p) {
    int64_t rest = p;
    for (int k = rank - 1; k >= 0; --k) {
      index[k] = rest % shape[k];
      rest /= shape[k];
    }
    // Output step t of batch entry b reads step len - 1 - t when t < len, else step t.
    std::vector<int64_t> source = index;
    const int64_t t = index[time_axis], len = seq_lens[index[batch_axis]];
    if (t < len) source[time_axis] = len - 1 - t;
    int64_t q = 0;
    for (int k = 0; k < rank; ++k) q = q * shape[k] + source[k];
    out[p] = in[q];
  }
}

}  // namespace qgate::reference
