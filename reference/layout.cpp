#include "reference/layout.h"

#include <cstring>
#include <vector>

namespace qgate::reference {

namespace {

int64_t count_of(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// Multi-index of flat row-major index `flat` in `dims`.
std::vector<int64_t> unflatten(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> idx(dims.size());
  for (size_t k = dims.size(); k-- > 0;) {
    idx[k] = flat % dims[k];
    flat /= dims[k];
  }
  return idx;
}

int64_t flatten(const std::vector<int64_t>& idx, Dims dims) {
  int64_t f = 0;
  for (size_t k = 0; k < dims.size(); ++k) f = f * dims[k] + idx[k];
  return f;
}

void copy_elem(void* out, int64_t o, const void* in, int64_t i, size_t elem) {
  std::memcpy(static_cast<std::byte*>(out) + o * static_cast<int64_t>(elem),
              static_cast<const std::byte*>(in) + i * static_cast<int64_t>(elem), elem);
}

// For every output index (dims out_dims), copies in[source(index)].
template <typename Source>
void for_each_out(const std::vector<int64_t>& out_dims, const void* in, void* out, size_t elem, Source source) {
  const int64_t n = count_of(out_dims);
  for (int64_t o = 0; o < n; ++o) copy_elem(out, o, in, source(unflatten(o, out_dims)), elem);
}

}  // namespace

void transpose(Dims in_shape, std::span<const int32_t> perm, const void* in, void* out, size_t elem_size) {
  std::vector<int64_t> out_dims;
  for (int32_t p : perm) out_dims.push_back(in_shape[p]);
  for_each_out(out_dims, in, out, elem_size, [&](const std::vector<int64_t>& o) {
    std::vector<int64_t> i(in_shape.size());
    for (size_t k = 0; k < perm.size(); ++k) i[perm[k]] = o[k];
    return flatten(i, in_shape);
  });
}

void slice(Dims in_shape, std::span<const int64_t> begin, std::span<const int64_t> size, const void* in, void* out,
           size_t elem_size) {
  for_each_out(std::vector<int64_t>(size.begin(), size.end()), in, out, elem_size, [&](std::vector<int64_t> o) {
    for (size_t k = 0; k < o.size(); ++k) o[k] += begin[k];
    return flatten(o, in_shape);
  });
}

void strided_slice(const kernels::StridedSlicePlan& plan, Dims in_shape, const void* in, void* out,
                   size_t elem_size) {
  for_each_out(plan.count, in, out, elem_size, [&](std::vector<int64_t> o) {
    for (size_t k = 0; k < o.size(); ++k) o[k] = plan.start[k] + o[k] * plan.step[k];
    return flatten(o, in_shape);
  });
}

void tile(Dims in_shape, std::span<const int64_t> multiples, const void* in, void* out, size_t elem_size) {
  std::vector<int64_t> out_dims;
  for (size_t k = 0; k < in_shape.size(); ++k) out_dims.push_back(in_shape[k] * multiples[k]);
  for_each_out(out_dims, in, out, elem_size, [&](std::vector<int64_t> o) {
    for (size_t k = 0; k < o.size(); ++k) o[k] %= in_shape[k];
    return flatten(o, in_shape);
  });
}

void space_to_depth(Dims in_shape, int32_t bs, const void* in, void* out, size_t elem_size) {
  const int64_t C = in_shape[3];
  std::vector<int64_t> out_dims = {in_shape[0], in_shape[1] / bs, in_shape[2] / bs, C * bs * bs};
  for_each_out(out_dims, in, out, elem_size, [&](const std::vector<int64_t>& o) {
    const int64_t block = o[3] / C, c = o[3] % C;
    return flatten({o[0], o[1] * bs + block / bs, o[2] * bs + block % bs, c}, in_shape);
  });
}

void depth_to_space(Dims in_shape, int32_t bs, const void* in, void* out, size_t elem_size) {
  const int64_t C = in_shape[3] / (int64_t{bs} * bs);
  std::vector<int64_t> out_dims = {in_shape[0], in_shape[1] * bs, in_shape[2] * bs, C};
  for_each_out(out_dims, in, out, elem_size, [&](const std::vector<int64_t>& o) {
    const int64_t dy = o[1] % bs, dx = o[2] % bs;
    return flatten({o[0], o[1] / bs, o[2] / bs, (dy * bs + dx) * C + o[3]}, in_shape);
  });
}

void pad(Dims in_shape, std::span<const int64_t> before, std::span<const int64_t> after, const void* in,
         const void* pad_value, void* out, size_t elem_size) {
  std::vector<int64_t> out_dims;
  for (size_t k = 0; k < in_shape.size(); ++k) out_dims.push_back(before[k] + in_shape[k] + after[k]);
  const int64_t n = count_of(out_dims);
  for (int64_t o = 0; o < n; ++o) {
    std::vector<int64_t> i = unflatten(o, out_dims);
    bool inside = true;
    for (size_t k = 0; k < i.size(); ++k) {
      i[k] -= before[k];
      inside = inside && i[k] >= 0 && i[k] < in_shape[k];
    }
    if (inside) copy_elem(out, o, in, flatten(i, in_shape), elem_size);
    else copy_elem(out, o, pad_value, 0, elem_size);
  }
}

void pad_mirror(kernels::MirrorMode mode, Dims in_shape, std::span<const int64_t> before,
                std::span<const int64_t> after, const void* in, void* out, size_t elem_size) {
  std::vector<int64_t> out_dims;
  for (size_t k = 0; k < in_shape.size(); ++k) out_dims.push_back(before[k] + in_shape[k] + after[k]);
  const int64_t n = count_of(out_dims);
  for (int64_t o = 0; o < n; ++o) {
    std::vector<int64_t> i = unflatten(o, out_dims);
    for (size_t k = 0; k < i.size(); ++k) {
      const int64_t d = in_shape[k];
      i[k] -= before[k];
      // Fold back into [0, d) a step at a time: a reflection about the edge cell (reflect), the edge (symmetric),
      // or a clamp (edge).
      while (i[k] < 0 || i[k] >= d) {
        // A dim of 1 reflects onto itself (reflect's period 2 (d - 1) is 0 there).
        if (mode == kernels::MirrorMode::edge || (mode == kernels::MirrorMode::reflect && d == 1))
          i[k] = i[k] < 0 ? 0 : d - 1;
        else if (mode == kernels::MirrorMode::reflect) i[k] = i[k] < 0 ? -i[k] : 2 * (d - 1) - i[k];
        else i[k] = i[k] < 0 ? -1 - i[k] : 2 * d - 1 - i[k];
      }
    }
    copy_elem(out, o, in, flatten(i, in_shape), elem_size);
  }
}

namespace {

// Calls f(which, whole, part) for every element of a concatenation along one axis: element `whole` of the joined
// tensor [outer, sum(axis_sizes), inner] is element `part` of part `which` [outer, axis_sizes[which], inner].
template <typename F>
void for_each_joined_element(std::span<const int64_t> axis_sizes, int64_t outer, int64_t inner, F f) {
  int64_t total = 0;
  for (int64_t s : axis_sizes) total += s;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < total; ++a)
      for (int64_t j = 0; j < inner; ++j) {
        int64_t which = 0, local = a;
        while (local >= axis_sizes[which]) local -= axis_sizes[which++];
        f(which, (o * total + a) * inner + j, (o * axis_sizes[which] + local) * inner + j);
      }
}

}  // namespace

void concatenation(std::span<const void* const> inputs, std::span<const int64_t> axis_sizes, int64_t outer,
                   int64_t inner, void* out, size_t elem_size) {
  for_each_joined_element(axis_sizes, outer, inner, [&](int64_t which, int64_t whole, int64_t part) {
    copy_elem(out, whole, inputs[which], part, elem_size);
  });
}

void split(const void* in, std::span<const int64_t> axis_sizes, int64_t outer, int64_t inner,
           std::span<void* const> outputs, size_t elem_size) {
  for_each_joined_element(axis_sizes, outer, inner, [&](int64_t which, int64_t whole, int64_t part) {
    copy_elem(outputs[which], part, in, whole, elem_size);
  });
}

int64_t gather(const void* params, const int32_t* idx32, const int64_t* idx64, int64_t batch, int64_t outer,
               int64_t axis_size, int64_t coords, int64_t inner, void* out, size_t elem_size,
               bool wrap_negative) {
  int64_t bad = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < coords; ++i) {
        int64_t idx = idx32 ? idx32[b * coords + i] : idx64[b * coords + i];
        if (wrap_negative && idx < 0) idx += axis_size;
        const bool ok = idx >= 0 && idx < axis_size;
        bad += ok ? 0 : 1;
        for (int64_t j = 0; j < inner; ++j) {
          const int64_t dst = ((b * outer + o) * coords + i) * inner + j;
          if (ok) {
            copy_elem(out, dst, params, ((b * outer + o) * axis_size + idx) * inner + j, elem_size);
          } else {
            std::memset(static_cast<std::byte*>(out) + dst * static_cast<int64_t>(elem_size), 0, elem_size);
          }
        }
      }
  return bad;
}

}  // namespace qgate::reference
