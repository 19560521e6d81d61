// The report model: everything an evaluation produced, independent of how it is rendered. Writers (JSON, console
// summary; CSV, JUnit and HTML later) render it; none of them computes metrics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/eval.h"
#include "harness/metrics/gates.h"
#include "harness/ptq.h"
#include "harness/selective.h"
#include "harness/sensitivity.h"

namespace qgate::reports {

// Version of the JSON report layout (reports/schema/report.schema.json). Bump on any incompatible change.
inline constexpr int kReportSchemaVersion = 1;

// What is needed to reproduce the numbers.
struct Manifest {
  std::string qgate_version;
  std::string command;          // "eval"
  std::string model_path, model_sha256;
  std::string quantized_path, quantized_sha256;  // --quantized, when given
  std::string scheme;           // canonical scheme string, or "file" for --quantized
  // Whose arithmetic the quantized (and, under litert-cpu, the float) run computed with: harness/ptq.h
  // arithmetic_name ("litert-cpu", "tflite-builtin", "xnnpack-qd8", "onnxruntime", "mixed", "float").
  std::string arithmetic;
  std::string data_spec, data_description, data_fingerprint;
  nlohmann::ordered_json preprocessing;
  int threads = 1;
  std::string cpu_features, kernel_path;
  uint64_t seed = 0;            // bootstrap seed
  int64_t limit = 0;
};

struct Verdict {
  // "PASS" every gate holds; "FAIL" a gate failed (no search run); after the search: "SELECTIVE" (every gate holds
  // with the listed layers kept float) or "NEEDS_QAT" (no set within the float budget passes).
  std::string status;
  std::vector<std::string> reasons;  // words and numbers
};

struct Report {
  Manifest manifest;
  std::vector<std::string> class_names;
  EvalResult result;
  std::vector<WeightQuantization> weights;
  std::vector<std::string> weight_tensor_names;  // parallel to weights
  std::vector<metrics::GateResult> gates;
  Verdict verdict;
  std::optional<SensitivityResult> sensitivity;  // when the gates failed and the search ran
  std::optional<SelectiveResult> selective;
  // Where the float model's outputs came from: "computed" (the float graph ran) or "cached" (read from the
  // on-disk float-output cache). Reported under timing: it may differ between two runs of the same evaluation.
  std::string float_outputs = "computed";
};

// The value map gates are evaluated against (model metrics + layer summaries).
std::map<std::string, double> gate_value_map(const Report& report);
// Evaluates `gates` (default gate when empty) into report.gates and sets the verdict.
void apply_gates(Report& report, const std::vector<metrics::Gate>& gates);
// After apply_gates() gave FAIL and report.sensitivity / report.selective were filled: SELECTIVE or NEEDS_QAT,
// keeping the failed gates of the fully quantized model as the first reasons.
void apply_selective(Report& report);

nlohmann::ordered_json to_json(const Report& report);
// Writes the JSON report atomically (temporary file + rename).
void write_json(const std::string& path, const Report& report);
// Byte counts in decimal units with one decimal: "950 B", "63.3 KB", "1.2 MB" (console tables, inspect).
std::string human_bytes(double bytes);
// The console summary: accuracy table, worst ten layers by SQNR, verdict line.
std::string console_summary(const Report& report);

}  // namespace qgate::reports
