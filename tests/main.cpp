#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/support/assets.h"

// doctest's own main, plus exit 77 (ctest: skipped) when every test that ran passed but some skipped a missing
// asset under QGATE_ALLOW_SKIP (tests/support/assets.h): such a run did not test everything and must not read as
// passed.
int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int status = context.run();
  if (context.shouldExit() || status != 0) return status;
  const auto& skipped = qgate::test::skipped_assets();
  if (skipped.empty()) return 0;
  std::printf("SKIPPED: %zu test(s) found an asset missing (QGATE_ALLOW_SKIP is set):\n", skipped.size());
  for (const auto& s : skipped) std::printf("  %s\n", s.c_str());
  return 77;
}
