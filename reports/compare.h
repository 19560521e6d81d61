// The comparison report: one float model under several quantization schemes over one data set (qgate compare).
// Each scheme's evaluation is a full Report (model metrics, gates, verdict, per-layer error when measured), so the
// eval writers render each row with the same code; this adds what is shared and the per-scheme weight bytes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/report.h"

namespace qgate::reports {

// Version of the comparison JSON layout (reports/schema/compare.schema.json). Bump on any incompatible change.
inline constexpr int kCompareSchemaVersion = 1;

struct CompareRow {
  Report report;             // manifest.scheme is the canonical scheme string
  int64_t float_bytes = 0;   // the weights the scheme quantizes, as float32
  int64_t quant_bytes = 0;   // the same weights quantized (4-bit values count one byte each)
};

struct CompareReport {
  std::string qgate_version;
  std::string model_path, model_sha256;
  std::string data_spec, data_description, data_fingerprint;
  std::vector<std::string> class_names;
  int64_t samples = 0, limit = 0;
  bool layers = false;                    // per-layer error measured (--layers)
  std::string float_outputs = "computed";  // or "cached": read from the on-disk float-output cache
  int threads = 1;
  double seconds = 0;
  std::vector<CompareRow> rows;           // in --schemes order
};

// Every scheme passes its gates.
bool all_pass(const CompareReport& report);

nlohmann::ordered_json to_json(const CompareReport& report);
// The console table: one row per scheme, then the reasons of the schemes that did not pass.
std::string console_summary(const CompareReport& report);

}  // namespace qgate::reports
