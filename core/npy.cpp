#include "core/npy.h"

#include <cstdio>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "core/errors.h"
#include "core/files.h"

namespace qgate {

namespace {

struct DescrEntry {
  const char* descr;
  DType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"<f4", DType::f32}, {"<f2", DType::f16}, {"|i1", DType::i8}, {"<i1", DType::i8}, {"|u1", DType::u8},
    {"<u1", DType::u8},  {"<i4", DType::i32}, {"<i8", DType::i64}, {"|b1", DType::boolean},
};

const char* descr_of(DType t) {
  switch (t) {
    case DType::f32: return "<f4";
    case DType::f16: return "<f2";
    case DType::i8: return "|i1";
    case DType::u8: return "|u1";
    case DType::i32: return "<i4";
    case DType::i64: return "<i8";
    case DType::boolean: return "|b1";
  }
  return "?";
}

// Finds the value text after 'key': in the header dict.
std::string dict_value(const std::string& header, const std::string& key, const std::string& source) {
  auto k = header.find("'" + key + "'");
  if (k == std::string::npos) throw InputError(fmt::format("{}: npy header has no '{}' field", source, key));
  auto colon = header.find(':', k);
  if (colon == std::string::npos) throw InputError(fmt::format("{}: npy header field '{}' has no value", source, key));
  size_t i = colon + 1;
  while (i < header.size() && header[i] == ' ') ++i;
  if (i >= header.size()) throw InputError(fmt::format("{}: npy header field '{}' has no value", source, key));
  if (header[i] == '\'') {
    auto end = header.find('\'', i + 1);
    if (end == std::string::npos) throw InputError(fmt::format("{}: npy header field '{}' is unterminated", source, key));
    return header.substr(i + 1, end - i - 1);
  }
  if (header[i] == '(') {
    auto end = header.find(')', i);
    if (end == std::string::npos) throw InputError(fmt::format("{}: npy header field '{}' is unterminated", source, key));
    return header.substr(i, end - i + 1);
  }
  size_t end = i;
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  return header.substr(i, end - i);
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& source) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    throw InputError(fmt::format("{}: not an npy file (magic bytes \\x93NUMPY missing)", source));
  const auto major = static_cast<uint8_t>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw InputError(fmt::format("{}: npy header truncated", source));
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw InputError(fmt::format("{}: npy format version {} is not supported (1, 2 or 3)", source, major));
  }
  if (offset + header_len > bytes.size())
    throw InputError(fmt::format("{}: npy header length {} runs past the end of the file ({} bytes)", source,
                                 header_len, bytes.size()));
  const std::string header = bytes.substr(offset, header_len);
  const std::string descr = dict_value(header, "descr", source);
  const std::string order = dict_value(header, "fortran_order", source);
  const std::string shape_text = dict_value(header, "shape", source);

  Tensor t;
  t.name = source;
  bool found = false;
  for (const auto& e : kDescrs)
    if (descr == e.descr) {
      t.dtype = e.dtype;
      found = true;
    }
  if (!found)
    throw InputError(fmt::format("{}: npy descr '{}' is not supported (float32, float16, int8, uint8, int32, int64, "
                                 "little-endian)", source, descr));
  if (order.find("False") == std::string::npos)
    throw InputError(fmt::format("{}: npy fortran_order is {}; only C order (False) is supported", source, order));
  if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')')
    throw InputError(fmt::format("{}: npy shape '{}' is not a tuple", source, shape_text));
  std::string inner = shape_text.substr(1, shape_text.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  int64_t elements = 1;
  while (std::getline(ss, item, ',')) {
    auto b = item.find_first_not_of(' ');
    if (b == std::string::npos) continue;
    auto e = item.find_last_not_of(' ');
    std::string num = item.substr(b, e - b + 1);
    if (!num.empty() && num.back() == 'L') num.pop_back();
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(num.c_str(), &end, 10);
    if (errno || end == num.c_str() || *end != '\0' || v < 0 || v > (1LL << 31) - 1)
      throw InputError(fmt::format("{}: npy shape entry '{}' is not a dimension (0 .. 2^31-1)", source, num));
    elements *= v;
    if (elements > (int64_t{1} << 36))
      throw InputError(fmt::format("{}: npy shape {} is too large", source, shape_text));
    t.shape.push_back(static_cast<int32_t>(v));
  }
  const size_t data_offset = offset + header_len;
  const size_t need = static_cast<size_t>(elements) * dtype_size(t.dtype);
  if (bytes.size() - data_offset < need)
    throw InputError(fmt::format("{}: npy data holds {} bytes, shape {} of {} needs {}", source,
                                 bytes.size() - data_offset, shape_string(t.shape), dtype_name(t.dtype), need));
  t.allocate();
  if (need) std::memcpy(t.data.data(), bytes.data() + data_offset, need);
  return t;
}

Tensor read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

std::string format_npy(const Tensor& t) {
  // NumPy's tuple spelling: "()", "(3,)", "(2, 3)".
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  shape += t.shape.size() == 1 ? ",)" : ")";
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr_of(t.dtype), shape);
  // Pad so data starts at a multiple of 64 bytes, header ends with a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(t.data.data()), t.bytes());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) { write_file_atomic(path, format_npy(t)); }

}  // namespace qgate
