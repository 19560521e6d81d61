// IDX files (the MNIST format): a 4-byte magic (0, 0, element type, number of dimensions), big-endian uint32
// dimensions, then the elements in row-major order. Plain or gzip-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qgate {

struct IdxArray {
  uint8_t type = 0;  // 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
  std::vector<int64_t> dims;
  std::string bytes;       // the whole (decompressed) file: header then elements
  size_t data_offset = 0;  // where the elements start in `bytes`

  uint32_t magic() const { return (uint32_t{type} << 8) | static_cast<uint32_t>(dims.size()); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(bytes.data()) + data_offset; }
};

// The file's bytes, gunzipped when they start with the gzip magic (1f 8b), whatever the file's name.
// Throws InputError naming the file for an unreadable file or a corrupt or truncated gzip stream.
std::string read_file_maybe_gzip(const std::string& path);

// Parses IDX bytes; `source` names them in errors. Throws InputError for a bad magic, an unknown element type
// or a size that does not match the dimensions ("truncated: ..." / "... bytes after the data").
IdxArray parse_idx(std::string bytes, const std::string& source);
IdxArray read_idx(const std::string& path);

}  // namespace qgate
