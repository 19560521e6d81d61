#include "reference/window_nd.h"

#include <cmath>
#include <limits>
#include <vector>

namespace qgate::reference {

namespace {

using Coord = std::array<int64_t, 3>;

// Every coordinate of a box of the given sizes, first dim slowest.
std::vector<Coord> box(const Coord& sizes) {
  std::vector<Coord> v;
  for (int64_t a = 0; a < sizes[0]; ++a)
    for (int64_t b = 0; b < sizes[1]; ++b)
      for (int64_t c = 0; c < sizes[2]; ++c) v.push_back({a, b, c});
  return v;
}

int64_t flat(const Coord& c, const Coord& sizes) { return (c[0] * sizes[1] + c[1]) * sizes[2] + c[2]; }
int64_t vol(const Coord& s) { return s[0] * s[1] * s[2]; }

bool inside(const Coord& c, const Coord& sizes) {
  for (int d = 0; d < 3; ++d)
    if (c[d] < 0 || c[d] >= sizes[d]) return false;
  return true;
}

}  // namespace

void conv_nd(const kernels::ConvNdParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t cin_g = p.in_channels / p.groups, cout_g = p.out_channels / p.groups;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t co = 0; co < p.out_channels; ++co)
      for (const Coord& o : box(p.out)) {
        double acc = bias ? bias[co] : 0.0;
        for (int64_t c = 0; c < cin_g; ++c) {
          const int64_t ci = (co / cout_g) * cin_g + c;
          for (const Coord& k : box(p.kernel)) {
            Coord i;
            for (int d = 0; d < 3; ++d) i[d] = o[d] * p.stride[d] - p.pad_begin[d] + k[d] * p.dilation[d];
            if (!inside(i, p.in)) continue;
            acc += double(x[(n * p.in_channels + ci) * vol(p.in) + flat(i, p.in)]) *
                   w[(co * cin_g + c) * vol(p.kernel) + flat(k, p.kernel)];
          }
        }
        y[(n * p.out_channels + co) * vol(p.out) + flat(o, p.out)] = static_cast<float>(acc);
      }
}

void conv_transpose_nd(const kernels::ConvNdParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t cin_g = p.in_channels / p.groups, cout_g = p.out_channels / p.groups;
  std::vector<double> acc(p.batch * p.out_channels * vol(p.out), 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t co = 0; co < p.out_channels; ++co)
      for (const Coord& o : box(p.out)) acc[(n * p.out_channels + co) * vol(p.out) + flat(o, p.out)] = bias ? bias[co] : 0.0;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t ci = 0; ci < p.in_channels; ++ci)
      for (const Coord& i : box(p.in))
        for (int64_t c = 0; c < cout_g; ++c) {
          const int64_t co = (ci / cin_g) * cout_g + c;
          for (const Coord& k : box(p.kernel)) {
            Coord o;
            for (int d = 0; d < 3; ++d) o[d] = i[d] * p.stride[d] - p.pad_begin[d] + k[d] * p.dilation[d];
            if (!inside(o, p.out)) continue;
            acc[(n * p.out_channels + co) * vol(p.out) + flat(o, p.out)] +=
                double(x[(n * p.in_channels + ci) * vol(p.in) + flat(i, p.in)]) *
                w[(ci * cout_g + c) * vol(p.kernel) + flat(k, p.kernel)];
          }
        }
  for (size_t e = 0; e < acc.size(); ++e) y[e] = static_cast<float>(acc[e]);
}

void pool_nd(const kernels::PoolNdParams& p, const float* x, float* y, int64_t* indices) {
  Coord lo, hi;  // the padded input
  for (int d = 0; d < 3; ++d) {
    lo[d] = -p.pad_begin[d];
    hi[d] = p.in[d] + p.pad_end[d];
  }
  for (int64_t plane = 0; plane < p.planes; ++plane)
    for (const Coord& o : box(p.out)) {
      double best = -INFINITY, sum = 0;
      int64_t best_at = -1, in_count = 0, pad_count = 0;
      for (const Coord& k : box(p.kernel)) {
        Coord i;
        bool in_padded = true;
        for (int d = 0; d < 3; ++d) {
          i[d] = o[d] * p.stride[d] - p.pad_begin[d] + k[d] * p.dilation[d];
          in_padded = in_padded && i[d] >= lo[d] && i[d] < hi[d];
        }
        pad_count += in_padded;
        if (!inside(i, p.in)) continue;
        ++in_count;
        const int64_t at = flat(i, p.in);
        const double v = x[plane * vol(p.in) + at];
        if (best_at < 0 || v > best) {
          best = v;
          best_at = at;
        }
        sum += p.kind == kernels::PoolKind::lp ? std::pow(std::fabs(v), static_cast<double>(p.p)) : v;
      }
      const int64_t out_at = plane * vol(p.out) + flat(o, p.out);
      switch (p.kind) {
        case kernels::PoolKind::max:
          y[out_at] = static_cast<float>(best);
          if (indices) indices[out_at] = best_at < 0 ? -1 : plane * vol(p.in) + best_at;
          break;
        case kernels::PoolKind::average: {
          const int64_t count = p.count_include_pad ? pad_count : in_count;
          y[out_at] = count ? static_cast<float>(sum / count) : NAN;
          break;
        }
        case kernels::PoolKind::lp: y[out_at] = static_cast<float>(std::pow(sum, 1.0 / p.p)); break;
      }
    }
}

int64_t max_unpool(const float* x, const int64_t* indices, int64_t count, float* y, int64_t out_elements) {
  std::vector<float> out(out_elements, 0.0f);
  int64_t bad = 0;
  for (int64_t i = 0; i < count; ++i) {
    if (indices[i] >= 0 && indices[i] < out_elements) out[indices[i]] = x[i];
    else ++bad;
  }
  for (int64_t i = 0; i < out_elements; ++i) y[i] = out[i];
  return bad;
}

}  // namespace qgate::reference
