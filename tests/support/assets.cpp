#include "tests/support/assets.h"

#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

namespace qgate::test {

namespace {

std::vector<std::string>& skips() {
  static std::vector<std::string> list;
  return list;
}

bool skips_allowed() {
  const char* v = std::getenv("QGATE_ALLOW_SKIP");
  return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

}  // namespace

std::filesystem::path model_cache() {
  if (const char* env = std::getenv("QGATE_MODEL_CACHE"); env != nullptr && *env != '\0') return env;
  return QGATE_TEST_MODEL_CACHE;
}

std::filesystem::path source_dir() { return QGATE_TEST_SOURCE_DIR; }

bool have_asset(const std::filesystem::path& path, std::string_view installed_by) {
  if (std::filesystem::exists(path)) return true;
  const std::string what = path.string() + " (" + std::string(installed_by) + ")";
  if (skips_allowed()) {
    skips().push_back(what);
    MESSAGE("SKIPPED under QGATE_ALLOW_SKIP: missing " << what);
  } else {
    FAIL_CHECK("missing required asset " << what << "; set QGATE_ALLOW_SKIP=1 to skip instead");
  }
  return false;
}

void skip_optional(std::string_view what) {
  const std::string entry = std::string(what) + " (optional, absent on this machine)";
  for (const auto& s : skips())
    if (s == entry) return;
  skips().push_back(entry);
  MESSAGE("SKIPPED: " << entry);
}

const std::vector<std::string>& skipped_assets() { return skips(); }

}  // namespace qgate::test
