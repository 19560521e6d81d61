// The eval report's JSON and console writers. The report model itself (plain values the harness fills) is in
// reports/model.h; none of the writers computes a metric or decides a verdict.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/model.h"

namespace qgate::reports {

nlohmann::ordered_json to_json(const Report& report);
// One output's entry of the report's `outputs` array (shared by the compare report's rows).
nlohmann::ordered_json output_json(const OutputResult& output);
// Writes the JSON report atomically (temporary file + rename).
void write_json(const std::string& path, const Report& report);
// Byte counts in decimal units with one decimal: "950 B", "63.3 KB", "1.2 MB" (console tables, inspect).
std::string human_bytes(double bytes);
// The console summary: accuracy table, worst ten layers by SQNR, verdict line.
std::string console_summary(const Report& report);

}  // namespace qgate::reports
