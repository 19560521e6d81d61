// CSV and JUnit exports of a hand-built report, and the regression rules of `qgate diff` on hand-made report
// pairs. The CSV is read back with a small RFC 4180 parser written here, so quoting is checked by parsing, not by
// string compare.
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/errors.h"
#include "harness/verdict.h"
#include "reports/csv.h"
#include "reports/diff.h"
#include "reports/junit.h"
#include "reports/report.h"
#include "reports/text.h"

namespace {

using qgate::reports::Report;
using json = nlohmann::ordered_json;

// RFC 4180 reader: records end with CRLF; quoted fields may hold commas, CRLF and doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  REQUIRE_MESSAGE(row.empty(), "CSV does not end with CRLF");
  REQUIRE(field.empty());
  return rows;
}

qgate::metrics::ErrorStats stats(double sqnr) {
  qgate::metrics::ErrorStats s;
  s.n = 10;
  s.sqnr_db = sqnr;
  s.cosine = 0.999;
  s.nmse = std::pow(10.0, -sqnr / 10);
  s.mse = 1.0 / 3.0;  // no short decimal: checks round-trip digits
  s.max_abs_error = 0.1;
  return s;
}

// A report with two k, two layers (one with every part, one with a name that needs quoting) and two gates.
Report make_report() {
  Report r;
  r.manifest.model_path = "m.tflite";
  r.manifest.model_sha256 = "aa";
  r.manifest.scheme = "tflite-dynamic";
  r.manifest.data_fingerprint = "ff";
  r.manifest.data_description = "data <set> & \"friends\"";
  auto& m = r.result.model;
  m.samples = m.labeled = 100;
  m.num_classes = 10;
  qgate::metrics::TopKResult t1;
  t1.k = 1;
  t1.float_pct = 90;
  t1.quant_pct = 89.5;
  t1.delta_pct = -0.5;
  t1.delta_ci_low_pct = -0.9;
  t1.delta_ci_high_pct = 0.5;
  qgate::metrics::TopKResult t5 = t1;
  t5.k = 5;
  t5.delta_pct = 0;
  t5.delta_ci_low_pct = t5.delta_ci_high_pct = 0;
  m.top_k = {t1, t5};
  m.agreement = 0.99;
  m.kl.p99 = std::numeric_limits<double>::quiet_NaN();  // written as an empty CSV value
  qgate::reports::LayerResult a;
  a.node = 0;
  a.name = "conv1";
  a.op = "CONV_2D";
  a.accumulated = stats(40);
  a.isolated = stats(42);
  a.weight_part = stats(45);
  a.activation_part = stats(std::numeric_limits<double>::infinity());
  qgate::reports::LayerResult b;
  b.node = 3;
  b.name = "dense,\"logits\"";
  b.op = "FULLY_CONNECTED";
  b.accumulated = stats(25);
  r.result.layers = {a, b};
  qgate::apply_gates(r, {qgate::metrics::parse_gate("top1.delta.ci_low>=-1.0"),
                                   qgate::metrics::parse_gate("agreement>=0.5")});
  return r;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
  return n;
}

}  // namespace

TEST_SUITE("harness.reports") {
  TEST_CASE("csv_field quotes per RFC 4180") {
    CHECK(qgate::reports::csv_field("plain") == "plain");
    CHECK(qgate::reports::csv_field("a,b") == "\"a,b\"");
    CHECK(qgate::reports::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(qgate::reports::csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(qgate::reports::csv_field("") == "");
  }

  TEST_CASE("to_csv: header, model rows, one row per layer and metric, round-trip numbers") {
    const Report r = make_report();
    const auto rows = parse_csv(qgate::reports::to_csv(r));
    REQUIRE(!rows.empty());
    CHECK(rows[0] == std::vector<std::string>{"section", "node", "name", "op", "metric", "value"});
    std::map<std::string, std::string> model;
    size_t layer_rows = 0, layer3_rows = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      REQUIRE_MESSAGE(rows[i].size() == 6, "row ", i);
      if (rows[i][0] == "model") model[rows[i][4]] = rows[i][5];
      if (rows[i][0] == "layer") {
        ++layer_rows;
        if (rows[i][1] == "3") {
          ++layer3_rows;
          CHECK(rows[i][2] == "dense,\"logits\"");  // survived quoting
          CHECK(rows[i][3] == "FULLY_CONNECTED");
        }
      }
    }
    // 7 metrics per error part: layer 0 has 4 parts, layer 3 only the accumulated one.
    CHECK(layer_rows == 7 * 4 + 7);
    CHECK(layer3_rows == 7);
    CHECK(model.at("top1.delta") == "-0.5");
    CHECK(model.at("top1.ci_low") == "-0.9");
    CHECK(model.at("top5.ci_high") == "0");
    CHECK(model.at("agreement") == "0.99");
    CHECK(model.at("kl.p99") == "");  // NaN
    for (const auto& row : rows)
      if (row[0] == "layer" && row[4] == "accumulated.mse") CHECK(std::strtod(row[5].c_str(), nullptr) == 1.0 / 3.0);
    bool inf_seen = false;
    for (const auto& row : rows) inf_seen |= row[4] == "activation_part.sqnr_db" && row[5] == "inf";
    CHECK(inf_seen);
  }

  TEST_CASE("to_junit: one testcase per gate, failures counted, text escaped") {
    Report r = make_report();
    r.gates[1].passed = false;  // hand-set: one failure
    r.gates[1].summary = "agreement = 0.99 >= 0.5 <forced> & \"failed\"";
    r.verdict.status = qgate::reports::VerdictStatus::fail;
    const std::string xml = qgate::reports::to_junit(r);
    CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0) == 0);
    CHECK(count(xml, "<testsuite ") == 1);
    CHECK(xml.find("<testsuite name=\"qgate.eval\" tests=\"2\" failures=\"1\"") != std::string::npos);
    CHECK(count(xml, "<testcase ") == 2);
    CHECK(count(xml, "classname=\"qgate.gates\"") == 2);
    CHECK(xml.find("name=\"top1.delta.ci_low&gt;=-1.0\"") != std::string::npos);
    CHECK(count(xml, "<failure ") == 1);
    CHECK(xml.find("&lt;forced&gt; &amp; &quot;failed&quot;") != std::string::npos);
    CHECK(xml.find("data &lt;set&gt; &amp; &quot;friends&quot;") != std::string::npos);
    CHECK(xml.find("<forced>") == std::string::npos);
    CHECK(qgate::reports::escape_markup(std::string("a\x01" "b'"), qgate::reports::Markup::xml) ==
          "a\xEF\xBF\xBD" "b&apos;");
  }

  TEST_CASE("diff: identical reports have no regression") {
    const json base = qgate::reports::to_json(make_report());
    const auto d = qgate::reports::diff_reports(base, base);
    CHECK(d.regressions == 0);
    CHECK(d.improvements == 0);
    CHECK(d.notes.empty());
    CHECK(d.findings.size() == 4);  // top1, top5, agreement, verdict
  }

  TEST_CASE("diff: top-k rule uses the intervals and the tolerance") {
    const json base = qgate::reports::to_json(make_report());  // top1 -0.5 [-0.9, +0.5], gates pass
    auto with_top1 = [&](double delta, double lo, double hi) {
      json j = base;
      j["model"]["top_k"][0]["delta"] = delta;
      j["model"]["top_k"][0]["ci_low"] = lo;
      j["model"]["top_k"][0]["ci_high"] = hi;
      return j;
    };
    using qgate::reports::DiffStatus;
    SUBCASE("disjoint intervals, large drop: regression") {
      const auto d = qgate::reports::diff_reports(base, with_top1(-5, -6, -4));
      CHECK(d.regressions == 1);
      CHECK(d.findings[0].status == DiffStatus::regression);
      CHECK(d.findings[0].reason.find("disjoint") != std::string::npos);
    }
    SUBCASE("overlapping but beyond the combined noise: regression") {
      // half-widths 0.7 and 1.1: noise bound sqrt(0.7^2 + 1.1^2) = 1.30 points; drop 1.4 points.
      const auto d = qgate::reports::diff_reports(base, with_top1(-1.9, -3.0, -0.8));
      CHECK(d.findings[0].status == DiffStatus::regression);
    }
    SUBCASE("beyond the tolerance but within noise: noise, exit 0") {
      // noise bound sqrt(0.7^2 + 1.0^2) = 1.22 points; drop 1.0 point.
      const auto d = qgate::reports::diff_reports(base, with_top1(-1.5, -2.5, -0.5));
      CHECK(d.findings[0].status == DiffStatus::noise);
      CHECK(d.regressions == 0);
    }
    SUBCASE("real but within the tolerance; tolerance 0 makes it a regression") {
      json b = with_top1(-0.5, -0.55, -0.45), n = with_top1(-0.8, -0.85, -0.75);
      CHECK(qgate::reports::diff_reports(b, n).findings[0].status == DiffStatus::same);
      qgate::reports::DiffOptions o;
      o.tolerance_points = 0;
      CHECK(qgate::reports::diff_reports(b, n, o).findings[0].status == DiffStatus::regression);
    }
    SUBCASE("improvement mirrors the rule") {
      const auto d = qgate::reports::diff_reports(with_top1(-5, -6, -4), base);
      CHECK(d.findings[0].status == DiffStatus::improvement);
      CHECK(d.improvements == 1);
      CHECK(d.regressions == 0);
    }
  }

  TEST_CASE("diff: agreement, verdict, gates, layers, manifest notes") {
    const json base = qgate::reports::to_json(make_report());
    using qgate::reports::DiffStatus;
    SUBCASE("agreement fell by more than 0.5 points") {
      json n = base;
      n["model"]["agreement"] = 0.98;
      CHECK(qgate::reports::diff_reports(base, n).regressions == 1);
      n["model"]["agreement"] = 0.988;
      CHECK(qgate::reports::diff_reports(base, n).regressions == 0);
    }
    SUBCASE("verdict PASS -> FAIL and a gate that now fails") {
      json n = base;
      n["verdict"]["status"] = "FAIL";
      n["gates"][1]["passed"] = false;
      const auto d = qgate::reports::diff_reports(base, n);
      CHECK(d.regressions == 2);
      const auto back = qgate::reports::diff_reports(n, base);
      CHECK(back.regressions == 0);
      CHECK(back.improvements == 2);
    }
    SUBCASE("layer SQNR drop beyond 3 dB; renamed layer is a note") {
      json n = base;
      n["layers"][0]["accumulated"]["sqnr_db"] = 36.5;  // -3.5 dB
      n["layers"][1]["accumulated"]["sqnr_db"] = 23.0;  // -2 dB: within the limit
      auto d = qgate::reports::diff_reports(base, n);
      CHECK(d.regressions == 1);
      REQUIRE(d.findings.size() == 5);
      CHECK(d.findings[4].what.find("conv1") != std::string::npos);
      n["layers"][0]["accumulated"]["sqnr_db"] = 50.0;
      n["layers"][1]["name"] = "renamed";
      d = qgate::reports::diff_reports(base, n);
      CHECK(d.regressions == 0);
      CHECK(d.improvements == 1);
      REQUIRE(d.notes.size() == 1);
      CHECK(d.notes[0].find("not matched") != std::string::npos);
    }
    SUBCASE("different scheme and model are stated, not errors") {
      json n = base;
      n["manifest"]["scheme"] = "per-tensor,bits=4";
      n["manifest"]["model"]["sha256"] = "bb";
      const auto d = qgate::reports::diff_reports(base, n);
      CHECK(d.notes.size() == 2);
      CHECK(d.regressions == 0);
    }
    SUBCASE("wrong schema_version, kind or a missing field: InputError naming the file") {
      json n = base;
      n["schema_version"] = 99;
      CHECK_THROWS_WITH_AS(qgate::reports::diff_reports(base, n, {}, "a.json", "b.json"),
                           doctest::Contains("b.json: schema_version is 99"), qgate::InputError);
      n = base;
      n["kind"] = "something";
      CHECK_THROWS_AS(qgate::reports::diff_reports(n, base), qgate::InputError);
      n = base;
      n["model"].erase("agreement");
      CHECK_THROWS_WITH_AS(qgate::reports::diff_reports(base, n), doctest::Contains("model.agreement"),
                           qgate::InputError);
    }
  }
}
