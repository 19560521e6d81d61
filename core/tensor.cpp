#include "core/tensor.h"

#include <new>

namespace qgate {

bool shape_is_concrete(const Shape& s) {
  for (int32_t d : s)
    if (d < 0) return false;
  return true;
}

int64_t shape_elements(const Shape& s) {
  int64_t n = 1;
  for (int32_t d : s) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

std::string shape_string(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ',';
    out += s[i] < 0 ? std::string("?") : std::to_string(s[i]);
  }
  return out + "]";
}

void Buffer::resize(size_t bytes) {
  if (bytes <= capacity_) {
    size_ = bytes;
    return;
  }
  size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded);
  if (!p) throw std::bad_alloc();
  ptr_.reset(static_cast<std::byte*>(p));
  size_ = bytes;
  capacity_ = rounded;
}

}  // namespace qgate
