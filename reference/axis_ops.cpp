#include "reference/axis_ops.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace qgate::reference {

namespace {

// Element j of line (o, i).
template <typename T>
T at(const AxisShape& s, const T* in, int64_t o, int64_t j, int64_t i) {
  return in[(o * s.axis + j) * s.inner + i];
}

}  // namespace

void arg_minmax(ArgOp op, const AxisShape& s, const float* in, bool select_last_index, int64_t* out) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      float extreme = at(s, in, o, 0, i);
      for (int64_t j = 1; j < s.axis; ++j) {
        const float v = at(s, in, o, j, i);
        extreme = op == ArgOp::max ? std::max(extreme, v) : std::min(extreme, v);
      }
      int64_t pos = -1;
      for (int64_t j = 0; j < s.axis; ++j)
        if (at(s, in, o, j, i) == extreme && (pos < 0 || select_last_index)) pos = j;
      out[o * s.inner + i] = pos;
    }
}

void topk(const AxisShape& s, int64_t k, bool largest, const float* in, float* values, int64_t* indices) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      std::vector<std::pair<float, int64_t>> line;
      for (int64_t j = 0; j < s.axis; ++j) line.push_back({at(s, in, o, j, i), j});
      std::stable_sort(line.begin(), line.end(), [&](const auto& a, const auto& b) {
        return largest ? a.first > b.first : a.first < b.first;
      });
      for (int64_t j = 0; j < k; ++j) {
        values[(o * k + j) * s.inner + i] = line[j].first;
        indices[(o * k + j) * s.inner + i] = line[j].second;
      }
    }
}

template <typename T, typename Acc>
void cumsum_naive(const AxisShape& s, bool exclusive, bool reverse, const T* in, T* out) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i)
      for (int64_t j = 0; j < s.axis; ++j) {
        Acc sum = 0;
        for (int64_t m = 0; m < s.axis; ++m) {
          const bool in_prefix = reverse ? (exclusive ? m > j : m >= j) : (exclusive ? m < j : m <= j);
          if (in_prefix) sum += at(s, in, o, m, i);
        }
        out[(o * s.axis + j) * s.inner + i] = static_cast<T>(sum);
      }
}

void cumsum(const AxisShape& s, bool exclusive, bool reverse, const float* in, float* out) {
  cumsum_naive<float, double>(s, exclusive, reverse, in, out);
}
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const int64_t* in, int64_t* out) {
  cumsum_naive<int64_t, int64_t>(s, exclusive, reverse, in, out);
}

}  // namespace qgate::reference
