#include "reports/junit.h"

#include <fmt/format.h>

namespace qgate::reports {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
          out += '?';
        else
          out += ch;
    }
  }
  return out;
}

std::string to_junit(const Report& r) {
  int failures = 0;
  for (const auto& g : r.gates) failures += g.passed ? 0 : 1;
  const size_t tests = r.gates.size();
  const std::string time = fmt::format("{:.3f}", r.result.seconds);
  std::string reasons;
  for (size_t i = 0; i < r.verdict.reasons.size(); ++i) reasons += (i ? "; " : "") + r.verdict.reasons[i];

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"qgate\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n", tests,
                     failures, time);
  out += fmt::format("  <testsuite name=\"qgate.eval\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
                     "time=\"{}\">\n", tests, failures, time);
  out += "    <properties>\n";
  auto property = [&](std::string_view name, std::string_view value) {
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(name), xml_escape(value));
  };
  const Manifest& mf = r.manifest;
  property("model", mf.model_path);
  property("model.sha256", mf.model_sha256);
  if (!mf.quantized_path.empty()) property("quantized", mf.quantized_path);
  property("scheme", mf.scheme);
  property("data", mf.data_description.empty() ? mf.data_spec : mf.data_description);
  property("data.fingerprint", mf.data_fingerprint);
  property("samples", std::to_string(r.result.model.samples));
  property("verdict", r.verdict.status);
  property("verdict.reasons", reasons);
  out += "    </properties>\n";
  for (const auto& g : r.gates) {
    out += fmt::format("    <testcase classname=\"qgate.gates\" name=\"{}\" time=\"0\"", xml_escape(g.gate.text));
    if (g.passed) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(">\n      <failure type=\"gate\" message=\"{}\">{}</failure>\n    </testcase>\n",
                       xml_escape(g.summary), xml_escape(g.summary + "\nverdict: " + r.verdict.status + " - " + reasons));
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace qgate::reports
