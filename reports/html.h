// The HTML report: one self-contained document (inline CSS, inline SVG charts drawn here; no scripts, no fonts
// or images fetched from anywhere), readable offline and printable.
//
// Every chart is an <svg> with a stable id and data-* attributes giving what it draws, so tests (and scripts)
// can find it without parsing geometry:
//   chart-sqnr         SQNR along the network: accumulated and isolated SQNR (dB) per layer in node order,
//                      quantized layers marked. data-layers, data-quantized, data-points-accumulated,
//                      data-points-isolated; one <circle class="pt-acc"> / "pt-iso" per drawn point, one
//                      <rect class="qmark"> per quantized layer.
//   chart-split        weight vs activation part of each quantized layer's isolated error. data-bars; one
//                      <g class="bar"> per layer.
//   chart-classes      per-class top-1 delta (points). data-bars; one <g class="bar"> per class.
//   chart-series-K     K-th recurrent layer: SQNR (dB) per time step. data-node, data-points; one
//                      <circle class="pt"> per step with a finite SQNR.
//   chart-sensitivity  per quantizable layer, the top-1 drop with only that layer quantized and with only that
//                      layer float. data-layers, data-bars (2 per layer); one <g class="bar" data-variant=
//                      "only-quantized"|"only-float"> per bar.
// All text taken from the report (names, paths, reasons) is escaped (escape_markup, reports/text.h).
//
// The code: the page frame and style sheet in html_page.*, the SVG chart kit in svg.*, the eval document and its
// sections in html_eval.*, the compare document in html_compare.cpp.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "reports/compare.h"
#include "reports/report.h"

namespace qgate::reports {

// The "sensitivity" section: the chart above and the selective search's steps when the report has them, else a
// short placeholder paragraph (id sensitivity-empty).
std::string html_sensitivity_section(const Report& report);

// The whole document.
std::string to_html(const Report& report);

// Writes to_html() atomically (temporary file + rename).
void write_html(const std::string& path, const Report& report);

// qgate compare: the per-scheme table and chart-compare-top1 (top-1 delta with its 95% interval per scheme:
// data-schemes; one <g class="scheme"> per scheme), then one <section id="scheme-K"> per scheme with that
// scheme's verdict, accuracy table, gates and charts as in the eval report, every id suffixed "-sK" (e.g.
// chart-sqnr-s0, chart-classes-s1; the SQNR chart only with --layers).
std::string to_html(const CompareReport& report);
void write_html(const std::string& path, const CompareReport& report);

}  // namespace qgate::reports
