// The compare document (to_html(const CompareReport&)): the per-scheme table and top-1 chart, then each scheme's
// eval sections (reports/html_eval.h) under its own heading, in the shared page frame (reports/html_page.h).
#include <algorithm>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "core/files.h"
#include "reports/html.h"
#include "reports/html_eval.h"
#include "reports/html_page.h"
#include "reports/svg.h"
#include "reports/text.h"

namespace qgate::reports {

namespace html {

namespace {

using svg::coord;
using svg::kChartWidth;

constexpr const char* kPassColor = svg::kGreen;
constexpr const char* kFailColor = svg::kRed;

// A per-scheme fragment of the compare document: every id gets the scheme's suffix (ids stay unique; nothing
// links to them by id) and section titles step down a level under the scheme's heading.
std::string scoped(const std::string& fragment, const std::string& suffix) {
  static const std::regex id(R"re( id="([^"]+)")re");
  std::string out = std::regex_replace(fragment, id, " id=\"$1" + suffix + "\"");
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"<h2>", "<h3>"}, {"</h2>", "</h3>"}})
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
      out.replace(at, from.size(), to);
  return out;
}

// Top-1 delta of each scheme with its 95% interval on one axis (0 marked): which schemes differ, and by how much
// more than noise.
std::string compare_top1_chart(const CompareReport& cr) {
  const double row = 26, top = 40, label_w = 330, value_w = 200;
  const double x0 = label_w + 14, x1 = kChartWidth - value_w;
  double lo = 0, hi = 0;
  for (const CompareRow& row_ : cr.rows)
    if (const auto* t = row_.report.result.model.find_k(1); t && row_.report.result.model.labeled > 0)
      for (double v : {t->delta_ci_low_pct, t->delta_ci_high_pct, t->delta_pct})
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  const double step = svg::nice_step(std::max(hi - lo, 0.5), 6);
  lo = std::floor(lo / step) * step;
  hi = std::max(std::ceil(hi / step) * step, lo + step);
  const svg::XAxis axis{lo, hi, x0, x1};
  auto x = [&](double v) { return axis.x(v); };
  const double height = top + row * cr.rows.size() + 12;
  std::string out =
      svg::open("chart-compare-top1", "chart", height, fmt::format(R"(data-schemes="{}")", cr.rows.size()));
  out += "\n";
  out += svg::x_grid(axis, lo, step, top - 6, height - 8, top - 10);
  out += svg::label(x0 - 8, top - 10, "axis", "end", "top-1 delta (points)");
  for (size_t i = 0; i < cr.rows.size(); ++i) {
    const Report& r = cr.rows[i].report;
    const auto* t = r.result.model.labeled > 0 ? r.result.model.find_k(1) : nullptr;
    const double y = top + row * i;
    const bool pass = r.verdict.status == VerdictStatus::pass;
    out += fmt::format(R"(<g class="scheme" data-scheme="{}" data-verdict="{}">)", escape(r.manifest.scheme),
                       escape(verdict_name(r.verdict.status)));
    if (i % 2 == 0) out += svg::stripe(y, row);
    out += svg::label(label_w, y + 17, "label", "end", shorten_tail(r.manifest.scheme, 46));
    if (t && std::isfinite(t->delta_pct)) {
      const char* color = pass ? kPassColor : kFailColor;
      out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5" class="ci"/>)",
                         coord(x(t->delta_ci_low_pct)), coord(y + 13), coord(x(t->delta_ci_high_pct)),
                         coord(y + 13), color);
      out += fmt::format(R"(<circle cx="{}" cy="{}" r="5" fill="{}" class="pt"><title>{}: {} [{}, {}] points</title></circle>)",
                         coord(x(t->delta_pct)), coord(y + 13), color, escape(r.manifest.scheme),
                         signed_fixed(t->delta_pct, 2), signed_fixed(t->delta_ci_low_pct, 2),
                         signed_fixed(t->delta_ci_high_pct, 2));
      out += svg::label(x1 + 10, y + 17, "value", "",
                        fmt::format("{} [{}, {}] {}", signed_fixed(t->delta_pct, 2),
                                    signed_fixed(t->delta_ci_low_pct, 2), signed_fixed(t->delta_ci_high_pct, 2),
                                    verdict_name(r.verdict.status)));
    }
    out += "</g>\n";
  }
  out += svg::line(x(0), top - 4, x(0), height - 8, "zero");
  out += svg::kClose;
  return out;
}

std::string compare_table(const CompareReport& cr) {
  std::string out = "<table id=\"compare\" class=\"numbers\">\n<tr><th>scheme</th><th>weight bytes float &rarr; "
                    "quantized</th><th>top-1 float</th><th>top-1 quantized</th><th>top-1 delta [95%]</th>"
                    "<th>top-5 delta [95%]</th><th>agreement</th><th>KL p99</th><th>SQNR min dB</th>"
                    "<th>verdict</th></tr>\n";
  auto delta = [](const TopKResult* t) {
    return t ? fmt::format("{} [{}, {}]", signed_fixed(t->delta_pct, 2), signed_fixed(t->delta_ci_low_pct, 2),
                           signed_fixed(t->delta_ci_high_pct, 2))
             : std::string("-");
  };
  for (size_t i = 0; i < cr.rows.size(); ++i) {
    const CompareRow& row = cr.rows[i];
    const Report& r = row.report;
    const auto& m = r.result.model;
    const auto* t1 = m.labeled > 0 ? m.find_k(1) : nullptr;
    const auto* t5 = m.labeled > 0 ? m.find_k(5) : nullptr;
    double sqnr = NAN;
    for (const auto& l : r.result.layers)
      if (std::isfinite(l.accumulated.sqnr_db)) sqnr = std::isfinite(sqnr) ? std::min(sqnr, l.accumulated.sqnr_db)
                                                                            : l.accumulated.sqnr_db;
    out += fmt::format(
        "<tr class=\"{}\"><td><code>{}</code></td><td>{} &rarr; {}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        r.verdict.status == VerdictStatus::pass ? "pass" : "fail", escape(r.manifest.scheme), row.float_bytes, row.quant_bytes,
        t1 ? fixed(t1->float_pct, 2) + "%" : "-", t1 ? fixed(t1->quant_pct, 2) + "%" : "-",
        t1 && t1->delta_pct < 0 ? "neg" : "pos", delta(t1), delta(t5), fixed(m.agreement, 4),
        fmt::format("{:.3g}", m.kl.p99), std::isfinite(sqnr) ? fixed(sqnr, 1) : "-", escape(verdict_name(r.verdict.status)));
  }
  out += "</table>\n";
  return out;
}

std::string compare_manifest_html(const CompareReport& cr) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"model", cr.model_path},
      {"model sha256", cr.model_sha256},
      {"data", cr.data_spec},
      {"data description", cr.data_description},
      {"data fingerprint", cr.data_fingerprint},
      {"samples", fmt::format("{}{}", cr.samples, cr.limit > 0 ? fmt::format(" (--limit {})", cr.limit) : "")},
      {"float outputs", cr.float_outputs == "cached" ? "read from the on-disk cache" : "computed"},
      {"threads", fmt::format("{} ({:.1f} s)", cr.threads, cr.seconds)},
      {"qgate version", cr.qgate_version}};
  return manifest_section(rows);
}

}  // namespace

}  // namespace html

std::string to_html(const CompareReport& cr) {
  using namespace html;
  size_t passed = 0;
  for (const CompareRow& row : cr.rows) passed += row.report.verdict.status == VerdictStatus::pass;
  std::string out = page_open({"qgate compare", cr.model_path});
  out += fmt::format("<header>\n<h1>qgate compare report</h1>\n<div class=\"verdict {}\" id=\"verdict\"><span "
                     "class=\"badge\">{} of {} pass</span><ul><li>{}</li><li>{} samples of {}</li></ul></div>\n"
                     "</header>\n",
                     passed == cr.rows.size() ? "pass" : "fail", passed, cr.rows.size(), escape(cr.model_path),
                     cr.samples, escape(cr.data_description.empty() ? cr.data_spec : cr.data_description));
  out += section("compare-section", "Schemes",
                 "One row per scheme, each evaluated against the same float outputs. Weight bytes: the weights the "
                 "scheme quantizes, as float32 and quantized (4-bit values count one byte each).",
                 compare_table(cr) + compare_top1_chart(cr));
  for (size_t i = 0; i < cr.rows.size(); ++i) {
    const Report& r = cr.rows[i].report;
    std::string body = verdict_html(r, "verdict") + accuracy_html(r) + gates_html(r);
    body += cr.layers ? layers_html(r)
                     : section("layers", "SQNR along the network", "",
                               "<p>Per-layer metrics were not computed (they need <code>--layers</code>).</p>\n");
    body += classes_html(r);
    out += fmt::format("<section id=\"scheme-{}\" class=\"scheme\" data-scheme=\"{}\">\n"
                       "<h2>Scheme <code>{}</code></h2>\n{}</section>\n",
                       i, escape(r.manifest.scheme), escape(r.manifest.scheme),
                       scoped(body, fmt::format("-s{}", i)));
  }
  out += compare_manifest_html(cr);
  out += kPageClose;
  return out;
}

void write_html(const std::string& path, const CompareReport& report) { write_file_atomic(path, to_html(report)); }

}  // namespace qgate::reports
