// Comparison of two JSON reports (reports/schema): what got worse beyond noise, what got better, and how the two
// runs differ in what they evaluated. Works on the JSON (not the Report struct) so it reads reports written by
// any qgate of the same schema_version.
//
// Rules (each finding carries its reason in words and numbers):
//   top-k  For each k in both reports, drop = BASE.delta - NEW.delta (points; positive: NEW lost more accuracy).
//          The 95% intervals give each delta's noise: half-width h = (ci_high - ci_low) / 2, standard error
//          ~ h / 1.96. The drop is *real* when the intervals do not overlap (NEW.ci_high < BASE.ci_low) or when
//          drop > 1.96 * sqrt(se_base^2 + se_new^2) (a z-test treating the two runs as independent; runs on the
//          same samples are positively correlated, so this overstates the noise and errs toward no alarm).
//          Regression: the drop is real AND larger than --tolerance-points (practical significance; 0 makes it
//          purely statistical). A drop beyond the tolerance that the intervals cannot tell from noise is listed
//          as "noise", not a regression. Improvements mirror this.
//   agreement  top-1 agreement fell by more than agreement_drop_points (0.5 points = 0.005 as a fraction).
//   verdict    BASE PASS and NEW anything else; the reverse is an improvement.
//   gates      matched by gate text: passed in BASE, failed in NEW; the reverse is an improvement.
//   layers     matched by node id and name: accumulated SQNR fell by more than --layer-sqnr-drop dB.
//   outputs    matched by output and metric name: each headline metric with an interval, by the top-k rule on its
//              point (delta against targets, else value) in the metric's direction; tolerance --tolerance-points
//              for points, --agreement-drop-points / 100 for fractions, relative_tolerance of the base otherwise.
// Manifest differences (model sha256, quantized file, scheme, data fingerprint, sample limit) are notes, not
// errors: comparing two schemes or two models is a legitimate use.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qgate::reports {

struct DiffOptions {
  double tolerance_points = 0.5;       // top-k delta drop that matters (percentage points)
  double agreement_drop_points = 0.5;  // top-1 agreement drop that matters (percentage points)
  double layer_sqnr_drop_db = 3.0;     // accumulated SQNR drop per layer that matters (dB)
  // An output metric in units other than points and fractions: the change that matters, relative to the base value.
  double relative_tolerance = 0.05;
  double z = 1.96;                     // two-sided 95% normal quantile for the noise test
};

enum class DiffStatus { regression, improvement, noise, same };
const char* diff_status_name(DiffStatus s);  // "REGRESSION", "improved", "noise", "same"

struct DiffFinding {
  DiffStatus status = DiffStatus::same;
  std::string what;     // "top1.delta", "agreement", "verdict", "gate top1.delta.ci_low>=-1.0", "layer 3 conv1"
  std::string base, now;  // values as shown
  std::string reason;   // the rule and its numbers
};

struct DiffResult {
  std::vector<std::string> notes;  // manifest differences, unmatched layers/gates/k
  std::vector<DiffFinding> findings;  // model rows first (always listed), then gates and layers that changed
  int regressions = 0, improvements = 0;
};

// Throws InputError naming `base_name`/`new_name` and the field when a report is not a qgate.eval report of
// this schema_version or lacks a field the rules read.
DiffResult diff_reports(const nlohmann::ordered_json& base, const nlohmann::ordered_json& now,
                        const DiffOptions& options = {}, const std::string& base_name = "BASE",
                        const std::string& new_name = "NEW");

// The table printed by `qgate diff`: notes, one line per finding, and a count line.
std::string diff_table(const DiffResult& result);
nlohmann::ordered_json diff_json(const DiffResult& result);

}  // namespace qgate::reports
