// The eval report's HTML sections. The eval document (html_eval.cpp) is all of them in order; the compare document
// (html_compare.cpp) repeats the verdict, accuracy, gates, layers and classes sections once per scheme. Each
// returns markup; every text taken from the report is escaped.
#pragma once

#include <string>

#include "reports/report.h"

namespace qgate::reports::html {

// The verdict box (class pass, selective or fail) with id `id`: the status and the reasons.
std::string verdict_html(const Report& r, const std::string& id);
// Top-k accuracy float vs quantized with intervals and flips, agreement, KL and probability shift.
std::string accuracy_html(const Report& r);
// One row per gate: its text, the actual value, pass or FAIL.
std::string gates_html(const Report& r);
// SQNR along the network, the weight/activation split, recurrent layers over time, the worst layers.
std::string layers_html(const Report& r);
// Per-class top-1 delta bars; empty without labels.
std::string classes_html(const Report& r);

}  // namespace qgate::reports::html
