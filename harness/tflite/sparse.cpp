// Sparse TFLite constants expanded to dense storage (sparse.h).
#include "harness/tflite/sparse.h"

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "harness/tflite/reader_util.h"

namespace qgate::tflite_import {

// Expands a sparse constant (the format's SparsityParameters) into dense row-major storage.
//
// Storage dims: the tensor's own dims (0..rank-1, each divided by its block size when blocked) followed by one
// dim per block (rank + j blocks original dim block_map[j]), visited in traversal_order. Each storage level is
// DENSE (dense_size positions) or SPARSE_CSR (for position p of the enclosing level, array_segments[p] ..
// array_segments[p+1] select the entries of array_indices present at this level). The stored values are the
// leaves of that walk, in order.
void densify_sparse_constant(const tflite::SparsityParameters* sp, std::span<const std::byte> bytes,
                             const std::string& source, const std::string& where, Tensor& out) {
  const ImportFailure fail{source};
  const size_t rank = out.shape.size();
  const size_t esize = dtype_size(out.dtype);
  const auto* order = sp->traversal_order();
  const auto* meta = sp->dim_metadata();
  const auto* bmap = sp->block_map();
  const size_t nblocks = bmap ? bmap->size() : 0;
  const size_t levels = order ? order->size() : 0;
  if (!order || !meta || levels != rank + nblocks || meta->size() != levels)
    fail(where, fmt::format("sparsity has {} traversal dims and {} dim_metadata for rank {} with {} block dims "
                            "(both must equal rank + block count)", levels, meta ? meta->size() : 0, rank,
                            nblocks));
  std::vector<char> seen(levels, 0);
  for (size_t k = 0; k < levels; ++k) {
    const int t = order->Get(static_cast<flatbuffers::uoffset_t>(k));
    if (t < 0 || static_cast<size_t>(t) >= levels || seen[t])
      fail(where, fmt::format("sparsity traversal_order {} is not a permutation of 0..{} (traversal_order rule)",
                              int_list(order), levels - 1));
    seen[t] = 1;
  }
  std::vector<int64_t> block_size(rank, 1);
  std::vector<int> block_of(rank, -1);  // block dim (rank + j) of an original dim
  for (size_t j = 0; j < nblocks; ++j) {
    const int d = bmap->Get(static_cast<flatbuffers::uoffset_t>(j));
    if (d < 0 || static_cast<size_t>(d) >= rank || block_of[d] != -1)
      fail(where, fmt::format("sparsity block_map {} names dim {} (each must be a distinct dim < rank {})",
                              int_list(bmap), d, rank));
    block_of[d] = static_cast<int>(rank + j);
  }
  std::vector<int64_t> extent(levels, 0);  // size of each storage dim, indexed by storage dim id
  for (size_t k = 0; k < levels; ++k) {
    const size_t t = static_cast<size_t>(order->Get(static_cast<flatbuffers::uoffset_t>(k)));
    if (t >= rank) {
      const auto* m = meta->Get(static_cast<flatbuffers::uoffset_t>(k));
      if (m->format() != tflite::DimensionType::DENSE || m->dense_size() <= 0)
        fail(where, fmt::format("sparsity block dim {} must be DENSE with dense_size > 0 (block dims are dense)",
                                t));
      extent[t] = m->dense_size();
      block_size[bmap->Get(static_cast<flatbuffers::uoffset_t>(t - rank))] = m->dense_size();
    }
  }
  for (size_t d = 0; d < rank; ++d) {
    if (out.shape[d] % block_size[d] != 0)
      fail(where, fmt::format("dimension {} of size {} is not a multiple of its sparsity block size {}", d,
                              out.shape[d], block_size[d]));
    extent[d] = out.shape[d] / block_size[d];
  }

  // Per level: dense size, or CSR segments + indices, and the number of positions the level has.
  struct Level {
    bool dense = true;
    int64_t size = 0;
    std::vector<int64_t> segments, indices;
  };
  auto read_index_vector = [&](tflite::SparseIndexVector type, const void* v, size_t level,
                               const char* what) -> std::vector<int64_t> {
    std::vector<int64_t> r;
    switch (type) {
      case tflite::SparseIndexVector::Int32Vector: {
        const auto* vals = static_cast<const tflite::Int32Vector*>(v)->values();
        if (vals) r.assign(vals->begin(), vals->end());
        return r;
      }
      case tflite::SparseIndexVector::Uint16Vector: {
        const auto* vals = static_cast<const tflite::Uint16Vector*>(v)->values();
        if (vals) r.assign(vals->begin(), vals->end());
        return r;
      }
      case tflite::SparseIndexVector::Uint8Vector: {
        const auto* vals = static_cast<const tflite::Uint8Vector*>(v)->values();
        if (vals) r.assign(vals->begin(), vals->end());
        return r;
      }
      default:
        fail(where, fmt::format("sparsity level {} is SPARSE_CSR without {} (CSR levels need array_segments and "
                                "array_indices)", level, what));
    }
  };
  std::vector<Level> lv(levels);
  int64_t positions = 1;  // positions of the enclosing level
  for (size_t k = 0; k < levels; ++k) {
    const auto* m = meta->Get(static_cast<flatbuffers::uoffset_t>(k));
    const size_t t = static_cast<size_t>(order->Get(static_cast<flatbuffers::uoffset_t>(k)));
    if (m->format() == tflite::DimensionType::DENSE) {
      if (m->dense_size() != extent[t])
        fail(where, fmt::format("sparsity level {} is DENSE with dense_size {}, but storage dim {} has size {} "
                                "(dense_size must match)", k, m->dense_size(), t, extent[t]));
      lv[k].size = extent[t];
      positions *= extent[t];
      if (positions > kMaxTensorBytes)
        fail(where, "sparsity levels address more than 2^40 elements (shape limit)");
      continue;
    }
    lv[k].dense = false;
    lv[k].segments = read_index_vector(m->array_segments_type(), m->array_segments(), k, "array_segments");
    lv[k].indices = read_index_vector(m->array_indices_type(), m->array_indices(), k, "array_indices");
    const auto& seg = lv[k].segments;
    if (static_cast<int64_t>(seg.size()) != positions + 1)
      fail(where, fmt::format("sparsity level {} has {} array_segments for {} enclosing positions (need one more "
                              "than the positions)", k, seg.size(), positions));
    for (size_t i = 0; i < seg.size(); ++i)
      if (seg[i] < 0 || seg[i] > static_cast<int64_t>(lv[k].indices.size()) || (i > 0 && seg[i] < seg[i - 1]))
        fail(where, fmt::format("sparsity level {} array_segments[{}] = {} (segments must be non-decreasing and "
                                "<= {} indices)", k, i, seg[i], lv[k].indices.size()));
    for (size_t i = 0; i < lv[k].indices.size(); ++i)
      if (lv[k].indices[i] < 0 || lv[k].indices[i] >= extent[t])
        fail(where, fmt::format("sparsity level {} array_indices[{}] = {} is out of range for storage dim {} of "
                                "size {}", k, i, lv[k].indices[i], t, extent[t]));
    positions = static_cast<int64_t>(lv[k].indices.size());
  }
  const int64_t stored = static_cast<int64_t>(bytes.size() / esize);
  if (positions > stored)
    fail(where, fmt::format("sparse data holds {} values but its index arrays address {} (buffer too short)",
                            stored, positions));

  out.allocate();
  std::memset(out.data.data(), 0, out.data.size());
  std::vector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;) strides[d - 1] = strides[d] * out.shape[d];
  std::vector<int64_t> coord(levels, 0);  // by storage dim id
  int64_t next_value = 0;
  auto* dst = out.data.data();
  auto walk = [&](auto&& self, size_t k, int64_t pos) -> void {
    if (k == levels) {
      int64_t offset = 0;
      for (size_t d = 0; d < rank; ++d) {
        int64_t c = coord[d] * block_size[d];
        if (block_of[d] >= 0) c += coord[block_of[d]];
        offset += c * strides[d];
      }
      std::memcpy(dst + offset * esize, bytes.data() + next_value * esize, esize);
      ++next_value;
      return;
    }
    const size_t t = static_cast<size_t>(order->Get(static_cast<flatbuffers::uoffset_t>(k)));
    if (lv[k].dense) {
      for (int64_t i = 0; i < lv[k].size; ++i) {
        coord[t] = i;
        self(self, k + 1, pos * lv[k].size + i);
      }
    } else {
      for (int64_t j = lv[k].segments[pos]; j < lv[k].segments[pos + 1]; ++j) {
        coord[t] = lv[k].indices[j];
        self(self, k + 1, j);
      }
    }
  };
  walk(walk, 0, 0);
}

}  // namespace qgate::tflite_import
