// Release gates: "PATH OP NUMBER" expressions over a flat map of report values, e.g.
// "top1.delta.ci_low>=-1.0", "agreement>=0.99", "layers.sqnr_min>=15", "top1-drop<=0.5".
//
// Units in the value map (what a gate's number is compared with):
//   top{k}.float, top{k}.quant, top{k}.delta, top{k}.delta.ci_low, top{k}.delta.ci_high: percentage points
//     (accuracy 76.5 means 76.5 %; delta -0.4 means 0.4 points lost);
//   top{k}-drop = -top{k}.delta and top{k}-drop.ci_high = -top{k}.delta.ci_low (the pessimistic end): points;
//   agreement: a fraction in [0, 1]; kl.*: nats; dp.*: probability; layers.sqnr_*: dB.
// Accuracy keys exist only when some sample had a label.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "harness/metrics/layer_metrics.h"
#include "harness/metrics/model_metrics.h"
#include "harness/metrics/output_metrics.h"
#include "reports/model.h"

namespace qgate::metrics {

// Gates and their results are rows of the report model (reports/model.h).
using reports::Gate;
using reports::GateResult;

// The default gate fits the data. With labels: the lower end of the top-1 delta's 95% interval loses at most
// 1.0 point. Without labels: the lower end of the top-1 agreement's 95% interval is at least 0.99, i.e. at most
// 1% of the predictions change, the least change that a 1-point accuracy loss needs (docs/metrics.md#gates).
inline constexpr const char* kDefaultGate = "top1.delta.ci_low>=-1.0";
inline constexpr const char* kDefaultUnlabeledGate = "agreement.ci_low>=0.99";

// Parses "PATH OP NUMBER" (spaces around the parts allowed). PATH: letters, digits, '_', '.', '-'.
// Throws InputError naming the gate, the offending token and the rule.
Gate parse_gate(const std::string& text);
Gate default_gate(bool labeled = true);

// Compares the value at gate.path. "==" holds within 1e-9 relative (values are computed in floating point);
// a NaN value fails every comparison. Throws InputError when the path is not in `values`, listing the known
// paths.
GateResult evaluate(const Gate& gate, const std::map<std::string, double>& values);

// The gate values of the model metrics (keys listed at the top of this file, plus samples, labeled,
// top{k}.mcnemar.p, top{k}.mcnemar.b, top{k}.mcnemar.c, flips, kl.mean, kl.median, kl.p99, kl.p99.9, kl.max,
// dp.mean, dp.rms).
std::map<std::string, double> gate_values(const ModelMetrics& metrics);
// Every key gate_values() (for these k; the label-based ones only when `labeled`) and, with `with_layers`,
// add_layer_gate_values() can fill: to check gates' paths before a long run.
std::vector<std::string> gate_value_names(const std::vector<int>& top_k, bool with_layers, bool labeled = true);
// Names of the gate values that exist only with labels (top{k}.*, flips, dp.*), for the error that refuses them
// on unlabeled data.
bool gate_needs_labels(const std::string& path);

// Adds outputs.<name>.<metric> for every metric of every output (docs/metrics.md#gates). A metric against targets
// gives <metric> (the quantized model's value), .float, .quant, .delta and, with an interval, .delta.ci_low and
// .delta.ci_high; a float-vs-quantized metric gives <metric> (its value) and, with an interval, .ci_low and
// .ci_high.
void add_output_gate_values(std::span<const reports::OutputResult> outputs, std::map<std::string, double>& values);
// Every key add_output_gate_values() can fill for outputs of these specs: to check gates' paths before the run.
std::vector<std::string> output_gate_value_names(std::span<const OutputSpec> specs, const std::vector<int>& top_k);
// Whether a gate holds above its threshold (>=, >): then a higher value is better.
bool gate_prefers_higher(const Gate& gate);

// Adds layers.sqnr_min (dB), layers.cosine_min, layers.nmse_max, layers.flagged (count of layers with
// rmse/scale above kRmseOverScaleFlag) and, when any layer had a scale, layers.rmse_over_scale_max. Adds
// nothing when `layers` is empty.
void add_layer_gate_values(std::span<const ErrorStats> layers, std::map<std::string, double>& values);

}  // namespace qgate::metrics
