// SHA-256 (FIPS 180-4) for content hashes in reports and caches.
#pragma once

#include <string>
#include <string_view>

namespace qgate {

// Lowercase hex digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace qgate
