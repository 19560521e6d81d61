#include "reports/junit.h"

#include <fmt/format.h>

#include "reports/text.h"

namespace qgate::reports {

namespace {

std::string escape(std::string_view text) { return escape_markup(text, Markup::xml); }

// One <testsuite>: a testcase per gate (class `classname`), a failure for each failed gate, the manifest and the
// verdict as properties.
std::string suite(const Report& r, std::string_view name, std::string_view classname) {
  int failures = 0;
  for (const auto& g : r.gates) failures += g.passed ? 0 : 1;
  const std::string time = fmt::format("{:.3f}", r.result.seconds);
  std::string reasons;
  for (size_t i = 0; i < r.verdict.reasons.size(); ++i) reasons += (i ? "; " : "") + r.verdict.reasons[i];
  std::string out = fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
                                "time=\"{}\">\n", escape(name), r.gates.size(), failures, time);
  out += "    <properties>\n";
  auto property = [&](std::string_view key, std::string_view value) {
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", escape(key), escape(value));
  };
  const Manifest& mf = r.manifest;
  property("model", mf.model_path);
  property("model.sha256", mf.model_sha256);
  if (!mf.quantized_path.empty()) property("quantized", mf.quantized_path);
  property("scheme", mf.scheme);
  property("data", mf.data_description.empty() ? mf.data_spec : mf.data_description);
  property("data.fingerprint", mf.data_fingerprint);
  property("samples", std::to_string(r.result.model.samples));
  property("verdict", verdict_name(r.verdict.status));
  property("verdict.reasons", reasons);
  out += "    </properties>\n";
  for (const auto& g : r.gates) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"", escape(classname),
                       escape(g.gate.text));
    if (g.passed) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(">\n      <failure type=\"gate\" message=\"{}\">{}</failure>\n    </testcase>\n",
                       escape(g.summary), escape(g.summary + "\nverdict: " + std::string(verdict_name(r.verdict.status)) + " - " + reasons));
  }
  out += "  </testsuite>\n";
  return out;
}

std::string document(const std::vector<std::string>& suites, size_t tests, int failures, double seconds) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"qgate\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n",
                     tests, failures, seconds);
  for (const auto& s : suites) out += s;
  out += "</testsuites>\n";
  return out;
}

int failed_gates(const Report& r) {
  int n = 0;
  for (const auto& g : r.gates) n += g.passed ? 0 : 1;
  return n;
}

}  // namespace

std::string to_junit(const Report& r) {
  return document({suite(r, "qgate.eval", "qgate.gates")}, r.gates.size(), failed_gates(r), r.result.seconds);
}

std::string to_junit(const CompareReport& c) {
  std::vector<std::string> suites;
  size_t tests = 0;
  int failures = 0;
  for (const CompareRow& row : c.rows) {
    const std::string& scheme = row.report.manifest.scheme;
    suites.push_back(suite(row.report, "qgate.compare." + scheme, "qgate.gates." + scheme));
    tests += row.report.gates.size();
    failures += failed_gates(row.report);
  }
  return document(suites, tests, failures, c.seconds);
}

}  // namespace qgate::reports
