// The verdict, decided in one place: gates evaluated over a report's values (PASS / FAIL), then, after a
// selective search, SELECTIVE or NEEDS_QAT (docs/metrics.md#verdict). Writers in reports/ only render it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/metrics/gates.h"
#include "reports/model.h"

namespace qgate {

// The value map gates are evaluated against (model metrics + layer summaries).
std::map<std::string, double> gate_value_map(const reports::Report& report);
// Evaluates `gates` (the default gate that fits the data when empty) into report.gates and sets the verdict.
void apply_gates(reports::Report& report, const std::vector<metrics::Gate>& gates);
// After apply_gates() gave FAIL and report.sensitivity / report.selective were filled: SELECTIVE or NEEDS_QAT,
// keeping the failed gates of the fully quantized model as the first reasons.
void apply_selective(reports::Report& report);

}  // namespace qgate
