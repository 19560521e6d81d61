// The report model: plain values that the harness fills and reports/ renders (JSON, console, CSV, JUnit, HTML) and
// diffs. Nothing here computes a metric or decides a verdict: accumulators live in harness/metrics/, the verdict in
// harness/verdict.h. Units follow docs/metrics.md: accuracies, deltas and intervals in percentage points (0..100),
// agreement a fraction, KL in nats, SQNR in dB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qgate::reports {

// ---- Layer error ------------------------------------------------------------------------------------------------

// SQNR is reported within [-kSqnrCapDb, kSqnrCapDb]: +cap when the error is zero (or tiny beside the signal), -cap
// when the reference is zero and the error is not. Keeps reports finite.
inline constexpr double kSqnrCapDb = 100.0;
// rmse / step of pure uniform rounding noise is 1/sqrt(12) ~ 0.289; above this a layer is flagged.
inline constexpr double kRmseOverScaleFlag = 0.7;

// Error of a tensor x (float run) vs xq (quantized run), e = x - xq (docs/metrics.md#layer-metrics).
struct ErrorStats {
  int64_t n = 0;
  int64_t nonfinite = 0;
  double mse = 0;             // sum e^2 / n
  double rmse = 0;
  double max_abs_error = 0;
  double mean_error = 0;      // sum e / n: the bias of x - xq (positive: the quantized output is low)
  double sqnr_db = kSqnrCapDb;  // 10 log10(sum x^2 / sum e^2), capped to +-kSqnrCapDb
  double cosine = 1;          // sum x xq / sqrt(sum x^2 sum xq^2); 1 when both are all zero, 0 when one is
  double nmse = 0;            // sum e^2 / sum x^2; 0 when there is no error, infinity when x is all zero and e not
  double rms_x = 0, mean_abs_x = 0, max_abs_x = 0;
  double scale = 0;           // the step rmse is divided by (0: none given)
  double rmse_over_scale = 0; // rmse / scale, 0 when no scale; ~0.289 for pure rounding noise of that step
  bool flagged = false;       // rmse_over_scale > kRmseOverScaleFlag
};

struct SeriesErrorStats {
  std::vector<ErrorStats> steps;  // one per time step t = 0, 1, ...
  ErrorStats total;               // over all steps
  // Least-squares slope of steps[t].sqnr_db over t, in dB per step (negative: error grows along the sequence).
  // Steps without elements are left out; capped SQNRs enter as the cap. 0 with fewer than 2 steps.
  double sqnr_slope_db_per_step = 0;
};

// ---- Model metrics ----------------------------------------------------------------------------------------------

// How a sample's output scores were read. `probabilities`: non-negative and summing to 1 within 1e-3 (then
// renormalised to sum to 1 in double); otherwise `logits` (softmax in double). `mixed` in a summary: both kinds
// occurred (a logit vector that happened to look like probabilities, or a model that changes).
enum class ScoreKind : uint8_t { probabilities, logits, mixed };
const char* score_kind_name(ScoreKind kind);

// Top-k accuracy of both variants over the labeled samples, their paired difference and McNemar's test.
struct TopKResult {
  int k = 1;
  int64_t float_correct = 0, quant_correct = 0;
  double float_pct = 0, quant_pct = 0;  // 100 * correct / labeled
  double delta_pct = 0;                 // quant_pct - float_pct (negative: quantization lost accuracy)
  double delta_ci_low_pct = 0, delta_ci_high_pct = 0;  // paired bootstrap percentile interval of delta_pct
  int64_t b = 0;                        // float right, quant wrong
  int64_t c = 0;                        // float wrong, quant right
  double mcnemar_p = 1;                 // exact two-sided binomial p-value on (b, c)
  double mcnemar_chi2 = 0;              // continuity-corrected statistic, for reference only
};

// Top-1 accuracy of one true class.
struct ClassAccuracy {
  int64_t label = 0;
  int64_t samples = 0;
  int64_t float_correct = 0, quant_correct = 0;
  double float_pct = 0, quant_pct = 0, delta_pct = 0;
};

// A labeled sample whose top-1 correctness changed between the variants.
struct Flip {
  int64_t sample_index = 0;
  int64_t label = 0;
  int32_t float_top1 = -1, quant_top1 = -1;
  bool quant_correct = false;  // true: float wrong, quant right (a "c" flip); false: a "b" flip
};

// Nearest-rank percentiles of the per-sample KL(pF || pQ), in nats.
struct KlSummary {
  double mean = 0, median = 0, p99 = 0, p99_9 = 0, max = 0;
};

struct ModelMetrics {
  int64_t samples = 0;    // every sample fed
  int64_t labeled = 0;    // samples with label >= 0: the only ones in accuracies, flips, dp and per-class tables
  int32_t num_classes = 0;
  ScoreKind float_kind = ScoreKind::logits, quant_kind = ScoreKind::logits;
  // Samples whose output held NaN or infinity: that variant predicts nothing for the sample (all its
  // probabilities are 0, top-1 is -1, no top-k hit; KL then uses the floor for pQ, or is 0 when pF is absent).
  int64_t float_nonfinite = 0, quant_nonfinite = 0;

  std::vector<TopKResult> top_k;  // one per configured k, ascending; empty of meaning when labeled == 0
  int64_t agree = 0;              // samples with equal top-1 (both defined)
  double agreement = 0;           // agree / samples, a fraction
  // Bootstrap percentile interval of the agreement over all samples (labels not needed), same resample count,
  // seed and level as the accuracy intervals: what the default gate on unlabeled data reads.
  double agreement_ci_low = 0, agreement_ci_high = 0;
  KlSummary kl;
  double dp_mean = 0, dp_rms = 0;  // true-class shift pQ(y) - pF(y) over labeled samples
  std::vector<ClassAccuracy> classes;  // labels that occur, ascending
  int64_t flip_count = 0;              // b + c of top-1
  std::vector<Flip> flips;             // the first max_listed_flips, in sample order

  // Settings that produced the numbers (for the report).
  int bootstrap_resamples = 0;
  uint64_t bootstrap_seed = 0;
  double confidence = 0;
  double kl_floor = 0;

  // The entry for k, or nullptr.
  const TopKResult* find_k(int k) const;
};

// ---- Gates and verdict --------------------------------------------------------------------------------------------

// A release gate "PATH OP NUMBER" as parsed (harness/metrics/gates.h parses and evaluates it).
struct Gate {
  std::string text;       // as given
  std::string path;       // e.g. "top1.delta.ci_low"
  std::string op;         // ">=", "<=", ">", "<", "=="
  double threshold = 0;
};

struct GateResult {
  Gate gate;
  double actual = 0;
  bool passed = false;
  std::string summary;    // "top1.delta.ci_low = -0.42 >= -1: pass"
};

// PASS every gate holds; FAIL a gate failed (no search run); after the search: SELECTIVE (every gate holds with
// the listed layers kept float) or NEEDS_QAT (no set within the float budget passes).
enum class VerdictStatus : uint8_t { pass, fail, selective, needs_qat };
// "PASS", "FAIL", "SELECTIVE", "NEEDS_QAT": the words of the JSON report and the console.
const char* verdict_name(VerdictStatus status);

struct Verdict {
  VerdictStatus status = VerdictStatus::fail;
  std::vector<std::string> reasons;  // words and numbers
};

// ---- Layers, weights, sensitivity, selective search ---------------------------------------------------------------

struct LayerResult {
  int node = 0;
  std::string name;
  std::string op;
  bool quantized = false;             // its weights are int8 (or dequantized int8 under weight-only)
  ErrorStats accumulated;             // quantized graph end to end vs float
  std::optional<ErrorStats> isolated;         // the one quantized node on float inputs
  std::optional<ErrorStats> weight_part;      // f(x, W^) - f(x, W), isolated
  std::optional<ErrorStats> activation_part;  // f(x^, W^) - f(x, W^), isolated
  std::optional<SeriesErrorStats> series;     // recurrent outputs: SQNR of h per time step
};

struct EvalResult {
  ModelMetrics model;
  std::vector<LayerResult> layers;  // node order; nodes with float outputs only
  int64_t samples = 0;
  double seconds = 0;
  double float_seconds = 0, quant_seconds = 0;  // summed over threads: time inside each graph's run()
  int threads = 1;
};

// What the quantization scheme did with one weight tensor.
struct WeightQuantization {
  int node = -1;
  int tensor = -1;           // tensor id (same in both graphs)
  bool quantized = false;
  bool per_channel = false;
  int axis = -1;
  int bits = 8;
  std::string reason;        // "int8 per-channel axis 0", "stays float: 576 elements < 1024", "kept float"
  int64_t elements = 0;
  int64_t float_bytes = 0;   // as float32
  int64_t quantized_bytes = 0;  // int8 values + float32 scales (float_bytes when not quantized)
  // Quantization error of the weights themselves: sum of squared error, sum of squares, max |error|, and the
  // fraction of non-zero weights that became 0.
  double sum_sq_error = 0, sum_sq = 0, max_abs_error = 0;
  double zeroed_fraction = 0;
};

// One variant measured against the float model on the sensitivity samples.
struct VariantMeasure {
  double top1_delta = 0;   // points (quantized - float); 0 when the data has no labels
  double kl_mean = 0, kl_p99 = 0;  // KL(pF || pQ), nats
  double agreement = 1;    // top-1 agreement, a fraction
  // Cost: the summed time of its suffix runs (the variants of one kind share one sample-major pass and one base
  // run per sample).
  double seconds = 0;
};

struct LayerSensitivity {
  int node = 0;
  std::string name, op;
  int64_t float_bytes = 0;      // its quantized weights as float32 (what keeping it float costs)
  int64_t quantized_bytes = 0;  // the same weights quantized
  VariantMeasure only_quantized, only_float;
};

struct SensitivityResult {
  int64_t samples = 0;
  VariantMeasure all_quantized;   // the fully quantized model on the same samples
  double double_run_seconds = 0;  // the baseline pass: float and quantized graph both run (the cost reference)
  double only_quantized_seconds = 0;  // the whole sample-major pass of every only_quantized variant
  double only_float_seconds = 0;      // the whole sample-major pass of every only_float variant
  double seconds = 0;             // everything
  std::vector<LayerSensitivity> layers;  // node order
};

// One re-validated candidate set of the selective search.
struct SelectiveStep {
  std::vector<int> keep_float;       // node ids, in the order added
  int64_t float_bytes = 0;
  ModelMetrics model;                // on the full data
  std::vector<GateResult> gates;
  bool passed = false;
  double seconds = 0;
};

struct SelectiveResult {
  bool found = false;                // SELECTIVE when true, NEEDS_QAT otherwise
  std::vector<int> keep_float;       // the passing set (empty when none)
  std::vector<std::string> keep_float_names;
  int64_t float_bytes = 0;           // float32 bytes of the kept layers' weights
  int64_t total_weight_bytes = 0;    // every weight tensor as float32
  int64_t budget_bytes = 0;
  double float_budget = 0;
  std::vector<int> order;            // the greedy order (node ids), most damaging first
  std::vector<SelectiveStep> steps;
  int best_step = -1;                // the passing step, or the one with the highest top-1 delta interval low end
  int error_carriers = 0;            // layers carrying 80% of the single-layer damage (KL when quantized alone)
  std::vector<std::string> reasons;  // words and numbers
  double seconds = 0;
};

// ---- The eval report ----------------------------------------------------------------------------------------------

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

struct Report {
  Manifest manifest;
  std::vector<std::string> class_names;
  EvalResult result;
  std::vector<WeightQuantization> weights;
  std::vector<std::string> weight_tensor_names;  // parallel to weights
  std::vector<GateResult> gates;
  Verdict verdict;
  std::optional<SensitivityResult> sensitivity;  // when the gates failed and the search ran
  std::optional<SelectiveResult> selective;
  // Where the float model's outputs came from: "computed" (the float graph ran) or "cached" (read from the
  // on-disk float-output cache). Reported under timing: it may differ between two runs of the same evaluation.
  std::string float_outputs = "computed";
};

}  // namespace qgate::reports
