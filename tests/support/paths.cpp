#include "tests/support/paths.h"

#include <cstdio>
#include <string>

#include "tests/support/assets.h"

namespace qgate::test {

namespace {

// The paths the running test case asked for (runnable_paths, runs); printed and cleared when it ends.
bool g_asked[std::size(kernels::kConcretePaths)] = {};

void ask(kernels::SimdPath path) {
  for (size_t i = 0; i < std::size(kernels::kConcretePaths); ++i)
    if (kernels::kConcretePaths[i] == path) g_asked[i] = true;
  // A path the CPU cannot run is a visible skip of the whole test binary (tests/support/assets.h); one a disable
  // switch turned off was asked for and is only logged.
  const kernels::PathAvailability& a = kernels::path_availability(path);
  if (!a.available && !a.switched_off)
    skip_optional(std::string("kernel path ") + kernels::path_name(path) + ": " + a.reason);
}

// "ran portable avx2" or "ran portable; skipped avx2 (reason)".
std::string ran_and_skipped() {
  std::string ran, skipped;
  for (size_t i = 0; i < std::size(kernels::kConcretePaths); ++i) {
    if (!g_asked[i]) continue;
    const kernels::SimdPath p = kernels::kConcretePaths[i];
    const kernels::PathAvailability& a = kernels::path_availability(p);
    if (a.available)
      ran += std::string(" ") + kernels::path_name(p);
    else
      skipped += std::string(skipped.empty() ? "skipped " : ", ") + kernels::path_name(p) + " (" + a.reason + ")";
  }
  if (ran.empty()) return skipped;
  return "ran" + ran + (skipped.empty() ? "" : "; " + skipped);
}

// A doctest listener: one line per test case that asked for kernel paths, after the case ends.
struct PathLog : doctest::IReporter {
  explicit PathLog(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData& tc) override {
    suite_ = tc.m_test_suite;
    name_ = tc.m_name;
    for (bool& a : g_asked) a = false;
  }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {
    bool any = false;
    for (bool a : g_asked) any = any || a;
    if (!any) return;
    std::printf("kernel paths | %s | %s: %s\n", suite_.c_str(), name_.c_str(), ran_and_skipped().c_str());
    std::fflush(stdout);
    for (bool& a : g_asked) a = false;
  }
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}

 private:
  std::string suite_, name_;
};

}  // namespace

REGISTER_LISTENER("kernel_paths", 1, PathLog);

std::vector<kernels::SimdPath> runnable_paths() {
  std::vector<kernels::SimdPath> paths;
  for (kernels::SimdPath p : kernels::kConcretePaths) {
    ask(p);
    if (kernels::path_availability(p).available) paths.push_back(p);
  }
  return paths;
}

bool runs(kernels::SimdPath path) {
  ask(path);
  return kernels::path_availability(path).available;
}

}  // namespace qgate::test
