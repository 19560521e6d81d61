// Where the unit tests find the assets scripts/setup installs (real models, data sets), and what a missing one
// means. Every such asset is required: a test that needs one fails when it is absent, so no test can pass with
// nothing tested. A developer without them may set QGATE_ALLOW_SKIP=1: a missing asset is then recorded as a
// skip, and the test binary exits 77 (ctest's SKIP_RETURN_CODE) when nothing failed, so ctest reports the case
// as skipped rather than passed. A CPU without AVX2 skips the AVX2 kernel paths the same visible way.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace qgate::test {

// The real-model cache of scripts/fetch_models: $QGATE_MODEL_CACHE, else the folder CMake passes at build time
// (<source>/.cache/models).
std::filesystem::path model_cache();

// The source tree, as CMake passes it at build time (for checked-in lists such as tests/parity/models.txt).
std::filesystem::path source_dir();

// True when `path` exists. Otherwise a failure of the current test naming the path and `installed_by`, or under
// QGATE_ALLOW_SKIP a recorded skip; either way the caller returns without testing.
bool have_asset(const std::filesystem::path& path, std::string_view installed_by);

// Records that a test could not run part of itself because the machine lacks something optional (a CPU
// feature): always a skip, never a failure, and never silent.
void skip_optional(std::string_view what);

// What the tests skipped: "path (installed_by)" of every asset missing under QGATE_ALLOW_SKIP, and every
// optional feature reported to skip_optional (once each), in the order met.
const std::vector<std::string>& skipped_assets();

}  // namespace qgate::test
