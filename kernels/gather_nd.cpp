#include "kernels/gather_nd.h"

#include <cstring>

namespace qgate::kernels {

namespace {

// The offset (in elements, within one batch of data) of the slice tuple t of batch b picks; -1 out of range.
int64_t slice_offset(const GatherNdShape& s, const int64_t* indices, int64_t b, int64_t t) {
  const int64_t* tuple = indices + (b * s.tuples + t) * s.q;
  int64_t off = 0;
  for (int k = 0; k < s.q; ++k) {
    int64_t c = tuple[k];
    if (c < 0) c += s.coord_dims[k];
    if (c < 0 || c >= s.coord_dims[k]) return -1;
    off = off * s.coord_dims[k] + c;
  }
  return off * s.slice;
}

template <typename T>
int64_t scatter_typed(const GatherNdShape& s, const T* data, const int64_t* indices, const T* updates,
                      ScatterReduction reduction, T* out) {
  std::memcpy(out, data, static_cast<size_t>(s.batch * s.data_batch_stride) * sizeof(T));
  int64_t bad = 0;
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t t = 0; t < s.tuples; ++t) {
      const int64_t off = slice_offset(s, indices, b, t);
      if (off < 0) {
        ++bad;
        continue;
      }
      T* dst = out + b * s.data_batch_stride + off;
      const T* src = updates + (b * s.tuples + t) * s.slice;
      for (int64_t e = 0; e < s.slice; ++e) {
        switch (reduction) {
          case ScatterReduction::none: dst[e] = src[e]; break;
          case ScatterReduction::add: dst[e] += src[e]; break;
          case ScatterReduction::mul: dst[e] *= src[e]; break;
        }
      }
    }
  return bad;
}

}  // namespace

std::string make_gather_nd_shape(std::span<const int32_t> data_shape, std::span<const int32_t> index_shape,
                                 int batch_dims, GatherNdShape* s, std::vector<int32_t>* out_shape) {
  const int r = static_cast<int>(data_shape.size()), m = static_cast<int>(index_shape.size());
  if (m < 1 || r < 1) return "data and indices need rank >= 1";
  const int q = index_shape[m - 1];
  if (batch_dims < 0 || batch_dims >= m || batch_dims >= r) return "batch_dims must be below both ranks";
  if (q < 1 || batch_dims + q > r || q > 8) return "the last dim of indices (q) must be in [1, rank(data) - batch_dims]";
  GatherNdShape g;
  for (int k = 0; k < batch_dims; ++k) {
    if (data_shape[k] != index_shape[k]) return "the batch dims of data and indices differ";
    g.batch *= data_shape[k];
  }
  for (int k = batch_dims; k < m - 1; ++k) g.tuples *= index_shape[k];
  g.q = q;
  for (int k = 0; k < q; ++k) g.coord_dims[k] = data_shape[batch_dims + k];
  for (int k = batch_dims + q; k < r; ++k) g.slice *= data_shape[k];
  g.data_batch_stride = g.slice;
  for (int k = 0; k < q; ++k) g.data_batch_stride *= g.coord_dims[k];
  *s = g;
  out_shape->assign(index_shape.begin(), index_shape.end() - 1);
  out_shape->insert(out_shape->end(), data_shape.begin() + batch_dims + q, data_shape.end());
  return "";
}

int64_t gather_nd(const GatherNdShape& s, const void* data, const int64_t* indices, void* out, size_t elem_size) {
  const auto* src = static_cast<const unsigned char*>(data);
  auto* dst = static_cast<unsigned char*>(out);
  const size_t slice_bytes = static_cast<size_t>(s.slice) * elem_size;
  int64_t bad = 0;
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t t = 0; t < s.tuples; ++t) {
      const int64_t off = slice_offset(s, indices, b, t);
      unsigned char* o = dst + (b * s.tuples + t) * slice_bytes;
      if (off < 0) {
        ++bad;
        std::memset(o, 0, slice_bytes);
      } else {
        std::memcpy(o, src + (b * s.data_batch_stride + off) * elem_size, slice_bytes);
      }
    }
  return bad;
}

int64_t scatter_nd(const GatherNdShape& s, const float* data, const int64_t* indices, const float* updates,
                   ScatterReduction reduction, float* out) {
  return scatter_typed(s, data, indices, updates, reduction, out);
}
int64_t scatter_nd(const GatherNdShape& s, const int64_t* data, const int64_t* indices, const int64_t* updates,
                   ScatterReduction reduction, int64_t* out) {
  return scatter_typed(s, data, indices, updates, reduction, out);
}

}  // namespace qgate::kernels
