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
//   chart-sensitivity  one bar per sensitivity item. data-bars; one <g class="bar"> per item.
// All text taken from the report (names, paths, reasons) is escaped.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/report.h"

namespace qgate::reports {

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

// The "sensitivity" section: one horizontal bar per (label, value), diverging from 0, in the given order, with
// `unit` after each value (e.g. "points"). Renders a short placeholder paragraph (no chart) when `items` is
// empty. Takes plain pairs so any analysis can feed it.
std::string html_sensitivity_section(const std::vector<std::pair<std::string, double>>& items,
                                     std::string_view unit = "points");

// The whole document. `sensitivity`: items for the sensitivity section (empty: placeholder).
std::string to_html(const Report& report, const std::vector<std::pair<std::string, double>>& sensitivity = {});

// Writes to_html() atomically (temporary file + rename).
void write_html(const std::string& path, const Report& report,
                const std::vector<std::pair<std::string, double>>& sensitivity = {});

}  // namespace qgate::reports
