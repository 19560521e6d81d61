// Whole-file reads and atomic writes: every file qgate writes (reports, exports, models, .npy outputs, caches) goes
// through write_file_atomic, so a reader (or a run killed half-way) never sees half a file.
#pragma once

#include <string>

namespace qgate {

// Writes `contents` to `path` atomically (temporary file in the same directory, then rename). Throws InputError
// naming the path when it cannot be written.
void write_file_atomic(const std::string& path, const std::string& contents);
// Reads a whole file; throws InputError("<path>: cannot open: <reason>").
std::string read_file(const std::string& path);

}  // namespace qgate
