#include "reports/model.h"

#include <utility>

namespace qgate::reports {

const char* score_kind_name(ScoreKind kind) {
  switch (kind) {
    case ScoreKind::probabilities: return "probabilities";
    case ScoreKind::logits: return "logits";
    case ScoreKind::mixed: return "mixed";
  }
  return "?";
}

const char* verdict_name(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::pass: return "PASS";
    case VerdictStatus::fail: return "FAIL";
    case VerdictStatus::selective: return "SELECTIVE";
    case VerdictStatus::needs_qat: return "NEEDS_QAT";
  }
  return "?";
}

namespace {
constexpr std::pair<OutputKind, const char*> kKindNames[] = {
    {OutputKind::classes, "classes"},       {OutputKind::multilabel, "multilabel"},
    {OutputKind::regression, "regression"}, {OutputKind::segmentation, "segmentation"},
    {OutputKind::embedding, "embedding"},   {OutputKind::sequence, "sequence"},
    {OutputKind::raw, "raw"}};
}  // namespace

const char* output_kind_name(OutputKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "?";
}

bool parse_output_kind(std::string_view name, OutputKind& kind) {
  for (const auto& [k, n] : kKindNames)
    if (name == n) {
      kind = k;
      return true;
    }
  return false;
}

const OutputMetric* OutputResult::find(std::string_view metric) const {
  for (const OutputMetric& m : metrics)
    if (m.name == metric) return &m;
  return nullptr;
}

const TopKResult* ModelMetrics::find_k(int k) const {
  for (const TopKResult& t : top_k)
    if (t.k == k) return &t;
  return nullptr;
}

}  // namespace qgate::reports
