#include <doctest/doctest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "reports/html.h"

using namespace qgate;
using namespace qgate::reports;

namespace {

ErrorStats stats(double sqnr_db, double mse = 1e-3) {
  ErrorStats s;
  s.n = 100;
  s.sqnr_db = sqnr_db;
  s.mse = mse;
  s.cosine = 0.999;
  return s;
}

// A report with 5 layers (3 quantized, 2 with the weight/activation split, 1 recurrent with 7 steps of which one
// is empty), 3 classes, 2 gates; names carry characters HTML must escape.
Report sample_report() {
  Report r;
  r.manifest.model_path = "models/a<b>&\"c\".tflite";
  r.manifest.model_sha256 = "abc123";
  r.manifest.scheme = "tflite-dynamic";
  r.manifest.data_spec = "idx:x,y";
  r.manifest.threads = 2;
  r.manifest.kernel_path = "avx2";
  r.class_names = {"T-shirt/top", "<script>alert(1)</script>", "Bag & \"Co\""};
  auto& m = r.result.model;
  m.samples = 300;
  m.labeled = 300;
  m.confidence = 0.95;
  TopKResult t1;
  t1.k = 1, t1.float_pct = 90.0, t1.quant_pct = 89.5, t1.delta_pct = -0.5, t1.delta_ci_low_pct = -1.2;
  t1.delta_ci_high_pct = 0.1, t1.b = 3, t1.c = 1, t1.mcnemar_p = 0.625;
  TopKResult t5 = t1;
  t5.k = 5, t5.float_pct = 99.0, t5.quant_pct = 99.0, t5.delta_pct = 0;
  m.top_k = {t1, t5};
  for (int64_t label = 0; label < 3; ++label) {
    ClassAccuracy cl;
    cl.label = label;
    cl.samples = 100;
    cl.delta_pct = label == 0 ? -2.0 : label == 1 ? 1.0 : 0.0;
    m.classes.push_back(cl);
  }
  const char* ops[] = {"CONV_2D", "RELU", "FULLY_CONNECTED", "UNIDIRECTIONAL_SEQUENCE_LSTM", "SOFTMAX"};
  for (int i = 0; i < 5; ++i) {
    LayerResult l;
    l.node = i;
    l.name = i == 2 ? "dense/<kernel>&\"x\"" : "layer_" + std::to_string(i);
    l.op = ops[i];
    l.quantized = i == 0 || i == 2 || i == 3;
    l.accumulated = stats(40.0 - 5 * i);
    l.isolated = stats(45.0 - 3 * i);
    if (i == 0 || i == 2) {
      l.weight_part = stats(50.0, 1e-4);
      l.activation_part = stats(35.0, 3e-4);
    }
    if (i == 3) {
      SeriesErrorStats series;
      for (int t = 0; t < 7; ++t) {
        ErrorStats s = stats(30.0 - t);
        if (t == 4) s.n = 0;  // an empty step (no sample that long): no point
        series.steps.push_back(s);
      }
      series.sqnr_slope_db_per_step = -1.0;
      l.series = series;
    }
    r.result.layers.push_back(l);
  }
  GateResult g;
  g.gate.text = "top1.delta.ci_low>=-1.0";
  g.actual = -1.2;
  g.passed = false;
  r.gates.push_back(g);
  g.gate.text = "layers.sqnr_min>=15";
  g.actual = 20;
  g.passed = true;
  r.gates.push_back(g);
  r.verdict.status = qgate::reports::VerdictStatus::fail;
  r.verdict.reasons = {"gate failed: top1.delta.ci_low = -1.2 >= -1: fail"};
  return r;
}

// The opening tag of the element with this id ("" when absent).
std::string open_tag(const std::string& html, const std::string& id) {
  const size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return {};
  const size_t begin = html.rfind('<', at);
  return html.substr(begin, html.find('>', at) - begin + 1);
}

// The whole <svg ...>...</svg> element with this id.
std::string svg_element(const std::string& html, const std::string& id) {
  const size_t at = html.find("<svg id=\"" + id + "\"");
  if (at == std::string::npos) return {};
  return html.substr(at, html.find("</svg>", at) + 6 - at);
}

std::string attribute(const std::string& tag, const std::string& name) {
  const size_t at = tag.find(" " + name + "=\"");
  if (at == std::string::npos) return {};
  const size_t begin = at + name.size() + 3;
  return tag.substr(begin, tag.find('"', begin) - begin);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

TEST_SUITE("harness.reports.html") {
  TEST_CASE("each chart is drawn with one mark per data point") {
    const std::string html = to_html(sample_report());
    REQUIRE(html.rfind("<!DOCTYPE html>", 0) == 0);

    const std::string sqnr = svg_element(html, "chart-sqnr");
    REQUIRE(!sqnr.empty());
    CHECK(attribute(open_tag(html, "chart-sqnr"), "data-layers") == "5");
    CHECK(attribute(open_tag(html, "chart-sqnr"), "data-quantized") == "3");
    CHECK(count(sqnr, "class=\"pt-acc\"") == 5);
    CHECK(count(sqnr, "class=\"pt-iso\"") == 5);
    CHECK(count(sqnr, "class=\"qmark\"><title>") == 3);

    const std::string split = svg_element(html, "chart-split");
    REQUIRE(!split.empty());
    CHECK(attribute(open_tag(html, "chart-split"), "data-bars") == "2");
    CHECK(count(split, "<g class=\"bar\"") == 2);
    // weight mse 1e-4 of 4e-4 total: a quarter.
    CHECK(split.find("data-weight-share=\"0.2500\"") != std::string::npos);

    const std::string classes = svg_element(html, "chart-classes");
    REQUIRE(!classes.empty());
    CHECK(attribute(open_tag(html, "chart-classes"), "data-bars") == "3");
    CHECK(count(classes, "<g class=\"bar\"") == 3);
    CHECK(classes.find("T-shirt/top (100)") != std::string::npos);

    const std::string series = svg_element(html, "chart-series-0");
    REQUIRE(!series.empty());
    CHECK(attribute(open_tag(html, "chart-series-0"), "data-node") == "3");
    CHECK(attribute(open_tag(html, "chart-series-0"), "data-points") == "6");
    CHECK(count(series, "class=\"pt\"") == 6);
    CHECK(html.find("chart-series-1") == std::string::npos);

    CHECK(html.find("id=\"accuracy\"") != std::string::npos);
    CHECK(html.find("id=\"worst-layers\"") != std::string::npos);
    CHECK(html.find("id=\"gates\"") != std::string::npos);
    CHECK(count(html, "<tr class=\"fail\">") == 1);
    CHECK(count(html, "<tr class=\"pass\">") == 1);
    CHECK(html.find("<div class=\"verdict fail\"") != std::string::npos);
    // No sensitivity data: the placeholder, no chart.
    CHECK(html.find("id=\"sensitivity-empty\"") != std::string::npos);
    CHECK(html.find("chart-sensitivity") == std::string::npos);
  }

  TEST_CASE("names from the report are escaped") {
    const std::string html = to_html(sample_report());
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(html.find("dense/&lt;kernel&gt;&amp;&quot;x&quot;") != std::string::npos);
    CHECK(html.find("dense/<kernel>") == std::string::npos);
    CHECK(html.find("models/a&lt;b&gt;&amp;&quot;c&quot;.tflite") != std::string::npos);
    CHECK(html.find("Bag &amp; &quot;Co&quot;") != std::string::npos);
  }

  TEST_CASE("the document references nothing outside itself") {
    const std::string html = to_html(sample_report());
    // The only URL allowed is the SVG namespace name (an identifier, never fetched).
    std::string rest = html;
    const std::string ns = "http://www.w3.org/2000/svg";
    for (size_t at = rest.find(ns); at != std::string::npos; at = rest.find(ns)) rest.erase(at, ns.size());
    CHECK(rest.find("http") == std::string::npos);
    CHECK(rest.find("//") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(html.find("url(") == std::string::npos);
  }

  TEST_CASE("a passing report shows a PASS badge") {
    Report r = sample_report();
    r.verdict.status = qgate::reports::VerdictStatus::pass;
    r.verdict.reasons = {"every gate holds"};
    const std::string html = to_html(r);
    CHECK(html.find("<div class=\"verdict pass\"") != std::string::npos);
    CHECK(html.find("<span class=\"badge\">PASS</span>") != std::string::npos);
  }

  TEST_CASE("sensitivity: two bars per layer, kept-float layers marked, selective steps listed") {
    Report r = sample_report();
    SensitivityResult s;
    s.samples = 300;
    s.all_quantized.top1_delta = -4.0;
    s.seconds = 3.0;
    s.double_run_seconds = 1.0;
    const char* names[] = {"conv<1>", "dense", "lstm"};
    for (int i = 0; i < 3; ++i) {
      LayerSensitivity l;
      l.node = i * 2;
      l.name = names[i];
      l.float_bytes = 4096;
      l.only_quantized.top1_delta = i == 1 ? -3.5 : -0.2;
      l.only_float.top1_delta = i == 1 ? -0.3 : -3.9;
      s.layers.push_back(l);
    }
    r.sensitivity = s;
    SelectiveResult sel;
    sel.found = true;
    sel.keep_float = {2};
    sel.keep_float_names = {"dense"};
    SelectiveStep step;
    step.keep_float = {2};
    step.passed = true;
    sel.steps.push_back(step);
    r.selective = sel;
    r.verdict.status = qgate::reports::VerdictStatus::selective;
    const std::string html = to_html(r);
    const std::string chart = svg_element(html, "chart-sensitivity");
    REQUIRE(!chart.empty());
    CHECK(attribute(open_tag(html, "chart-sensitivity"), "data-layers") == "3");
    CHECK(attribute(open_tag(html, "chart-sensitivity"), "data-bars") == "6");
    CHECK(count(chart, "data-variant=\"only-quantized\"") == 3);
    CHECK(count(chart, "data-variant=\"only-float\"") == 3);
    // Drops are positive: node 2 alone quantized costs 3.5 points.
    CHECK(chart.find("data-node=\"2\" data-variant=\"only-quantized\" data-value=\"3.5\"") != std::string::npos);
    CHECK(chart.find("conv&lt;1&gt;") != std::string::npos);
    CHECK(chart.find("2 dense (kept float)") != std::string::npos);
    CHECK(chart.find("nan") == std::string::npos);
    CHECK(html.find("<table id=\"selective\"") != std::string::npos);
    CHECK(html.find("sensitivity-empty") == std::string::npos);
    CHECK(html.find("<div class=\"verdict selective\"") != std::string::npos);
  }

  TEST_CASE("without sensitivity analysis the section says so") {
    const std::string html = to_html(sample_report());
    CHECK(html.find("chart-sensitivity") == std::string::npos);
    CHECK(html.find("sensitivity-empty") != std::string::npos);
  }

  TEST_CASE("a report without layers or labels still renders") {
    Report r;
    r.verdict.status = qgate::reports::VerdictStatus::pass;
    const std::string html = to_html(r);
    CHECK(html.find("</html>") != std::string::npos);
    CHECK(html.find("chart-sqnr") == std::string::npos);
    CHECK(html.find("chart-classes") == std::string::npos);
    CHECK(html.find("accuracy is not defined") != std::string::npos);
  }

  TEST_CASE("non-finite SQNR values leave gaps, not NaN coordinates") {
    Report r = sample_report();
    r.result.layers[1].accumulated.sqnr_db = std::nan("");
    r.result.layers[1].isolated.reset();
    const std::string html = to_html(r);
    const std::string sqnr = svg_element(html, "chart-sqnr");
    CHECK(count(sqnr, "class=\"pt-acc\"") == 4);
    CHECK(count(sqnr, "class=\"pt-iso\"") == 4);
    CHECK(sqnr.find("nan") == std::string::npos);
    CHECK(sqnr.find("inf") == std::string::npos);
  }
}
