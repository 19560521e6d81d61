#include "reports/diff.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "core/errors.h"
#include "reports/report.h"

namespace qgate::reports {

namespace {

using json = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Field access that names the file and the field path on failure.
class Reader {
 public:
  Reader(const json& root, std::string name) : root_(root), name_(std::move(name)) {}

  const json& at(const json& obj, const char* key, const std::string& path) const {
    if (!obj.is_object() || !obj.contains(key))
      throw InputError(fmt::format("{}: field '{}' is missing (not a qgate eval report?)", name_, path));
    return obj[key];
  }
  const json& at(const char* key) const { return at(root_, key, key); }
  // A number, or NaN for null (the report writes non-finite numbers as null).
  double number(const json& obj, const char* key, const std::string& path) const {
    const json& v = at(obj, key, path);
    if (v.is_null()) return kNaN;
    if (!v.is_number()) throw InputError(fmt::format("{}: field '{}' is {}, expected a number", name_, path, v.dump()));
    return v.get<double>();
  }
  std::string string(const json& obj, const char* key, const std::string& path) const {
    const json& v = at(obj, key, path);
    if (v.is_null()) return "";
    if (!v.is_string()) throw InputError(fmt::format("{}: field '{}' is {}, expected a string", name_, path, v.dump()));
    return v.get<std::string>();
  }
  bool boolean(const json& obj, const char* key, const std::string& path) const {
    const json& v = at(obj, key, path);
    if (!v.is_boolean()) throw InputError(fmt::format("{}: field '{}' is {}, expected true or false", name_, path, v.dump()));
    return v.get<bool>();
  }
  const json& array(const json& obj, const char* key, const std::string& path) const {
    const json& v = at(obj, key, path);
    if (!v.is_array()) throw InputError(fmt::format("{}: field '{}' is not an array", name_, path));
    return v;
  }
  const std::string& name() const { return name_; }

 private:
  const json& root_;
  std::string name_;
};

void check_kind(const Reader& r) {
  const json& version = r.at("schema_version");
  if (!version.is_number_integer() || version.get<int64_t>() != kReportSchemaVersion)
    throw InputError(fmt::format("{}: schema_version is {}, this qgate reads schema_version {}", r.name(),
                                 version.dump(), kReportSchemaVersion));
  const json& kind = r.at("kind");
  if (!kind.is_string() || kind.get<std::string>() != "qgate.eval")
    throw InputError(fmt::format("{}: kind is {}, qgate diff compares \"qgate.eval\" reports", r.name(), kind.dump()));
}

std::string fixed(double v, int digits) { return std::isnan(v) ? "n/a" : fmt::format("{:.{}f}", v, digits); }
std::string signed_fixed(double v) { return std::isnan(v) ? "n/a" : fmt::format("{:+.2f}", v); }

struct TopK {
  double quant = kNaN, delta = kNaN, lo = kNaN, hi = kNaN;
};

std::map<int64_t, TopK> read_top_k(const Reader& r, const json& model) {
  std::map<int64_t, TopK> out;
  for (const json& t : r.array(model, "top_k", "model.top_k")) {
    const double k = r.number(t, "k", "model.top_k[].k");
    if (!(k >= 1 && k <= 1000 && k == std::floor(k)))
      throw InputError(fmt::format("{}: field 'model.top_k[].k' is {}, expected an integer in [1, 1000]", r.name(),
                                   t.at("k").dump()));
    out[static_cast<int64_t>(k)] = {r.number(t, "quantized", "model.top_k[].quantized"),
                                    r.number(t, "delta", "model.top_k[].delta"),
                                    r.number(t, "ci_low", "model.top_k[].ci_low"),
                                    r.number(t, "ci_high", "model.top_k[].ci_high")};
  }
  return out;
}

DiffFinding compare_top_k(int64_t k, const TopK& b, const TopK& n, const DiffOptions& o) {
  DiffFinding f;
  f.what = fmt::format("top{}.delta", k);
  f.base = fmt::format("{} [{}, {}]", signed_fixed(b.delta), signed_fixed(b.lo), signed_fixed(b.hi));
  f.now = fmt::format("{} [{}, {}]", signed_fixed(n.delta), signed_fixed(n.lo), signed_fixed(n.hi));
  if (std::isnan(b.delta) || std::isnan(n.delta)) {
    f.reason = "no labeled samples in one report: not compared";
    return f;
  }
  const double change = n.delta - b.delta;  // negative: NEW lost more accuracy
  const double se_b = std::isnan(b.lo) ? 0 : (b.hi - b.lo) / 2 / o.z;
  const double se_n = std::isnan(n.lo) ? 0 : (n.hi - n.lo) / 2 / o.z;
  const double noise = o.z * std::sqrt(se_b * se_b + se_n * se_n);
  const bool disjoint = n.hi < b.lo || n.lo > b.hi;
  const bool real = disjoint || std::abs(change) > noise;
  const bool large = std::abs(change) > o.tolerance_points;
  std::string why = fmt::format("{:+.2f} points; noise bound {:.2f} (intervals {}), tolerance {:.2f}", change, noise,
                                disjoint ? "disjoint" : "overlap", o.tolerance_points);
  if (change == 0) {
    f.status = DiffStatus::same;
    f.reason = "unchanged";
  } else if (real && large) {
    f.status = change < 0 ? DiffStatus::regression : DiffStatus::improvement;
    f.reason = why + (change < 0 ? ": worse beyond noise and tolerance" : ": better beyond noise and tolerance");
  } else if (large) {
    f.status = DiffStatus::noise;
    f.reason = why + ": beyond tolerance but within noise";
  } else {
    f.status = DiffStatus::same;
    f.reason = why + (real ? ": real but within tolerance" : ": within noise");
  }
  return f;
}

struct Layer {
  std::string op;
  double sqnr = kNaN;
};

struct OutputPoint {
  double point = kNaN, lo = kNaN, hi = kNaN;
  bool higher_is_better = true, vs_targets = false;
  std::string unit;
};

// The top-k rule on any headline metric: a change in the worse direction is a regression when it is beyond the
// intervals' noise and beyond the unit's tolerance (points: --tolerance-points; fractions and cosines:
// --agreement-drop-points / 100; other units: relative_tolerance of the base value's magnitude).
DiffFinding compare_output_metric(const std::string& what, const OutputPoint& b, const OutputPoint& n,
                                  const DiffOptions& o) {
  DiffFinding f;
  f.what = what;
  f.base = fmt::format("{:.4g} [{:.4g}, {:.4g}]", b.point, b.lo, b.hi);
  f.now = fmt::format("{:.4g} [{:.4g}, {:.4g}]", n.point, n.lo, n.hi);
  if (std::isnan(b.point) || std::isnan(n.point)) {
    f.reason = "not finite in one report: not compared";
    return f;
  }
  const double change = n.point - b.point;
  const double gain = b.higher_is_better ? change : -change;  // positive: better
  const double se_b = std::isnan(b.lo) ? 0 : (b.hi - b.lo) / 2 / o.z;
  const double se_n = std::isnan(n.lo) ? 0 : (n.hi - n.lo) / 2 / o.z;
  const double noise = o.z * std::sqrt(se_b * se_b + se_n * se_n);
  const bool disjoint = n.hi < b.lo || n.lo > b.hi;
  const double tolerance = b.unit == "points"                              ? o.tolerance_points
                           : b.unit == "fraction" || b.unit == "cosine" ? o.agreement_drop_points / 100
                                                                          : o.relative_tolerance * std::abs(b.point);
  const bool real = disjoint || std::abs(change) > noise;
  const bool large = std::abs(change) > tolerance;
  const std::string why = fmt::format("{:+.4g} {}; noise bound {:.4g} (intervals {}), tolerance {:.4g}", change,
                                      b.unit, noise, disjoint ? "disjoint" : "overlap", tolerance);
  if (change == 0) {
    f.reason = "unchanged";
  } else if (real && large) {
    f.status = gain < 0 ? DiffStatus::regression : DiffStatus::improvement;
    f.reason = why + (gain < 0 ? ": worse beyond noise and tolerance" : ": better beyond noise and tolerance");
  } else if (large) {
    f.status = DiffStatus::noise;
    f.reason = why + ": beyond tolerance but within noise";
  } else {
    f.reason = why + (real ? ": real but within tolerance" : ": within noise");
  }
  return f;
}

}  // namespace

const char* diff_status_name(DiffStatus s) {
  switch (s) {
    case DiffStatus::regression: return "REGRESSION";
    case DiffStatus::improvement: return "improved";
    case DiffStatus::noise: return "noise";
    case DiffStatus::same: return "same";
  }
  return "?";
}

DiffResult diff_reports(const json& base, const json& now, const DiffOptions& o, const std::string& base_name,
                        const std::string& new_name) {
  const Reader rb(base, base_name), rn(now, new_name);
  check_kind(rb);
  check_kind(rn);
  DiffResult out;

  // What was evaluated: differences are stated, not errors.
  {
    const json& mb = rb.at("manifest");
    const json& mn = rn.at("manifest");
    auto note = [&](const std::string& what, const std::string& a, const std::string& b) {
      if (a != b) out.notes.push_back(fmt::format("{} differs: {} vs {}", what, a.empty() ? "-" : a, b.empty() ? "-" : b));
    };
    note("model sha256", rb.string(rb.at(mb, "model", "manifest.model"), "sha256", "manifest.model.sha256"),
         rn.string(rn.at(mn, "model", "manifest.model"), "sha256", "manifest.model.sha256"));
    const json& qb = rb.at(mb, "quantized", "manifest.quantized");
    const json& qn = rn.at(mn, "quantized", "manifest.quantized");
    note("quantized file sha256", qb.is_object() ? rb.string(qb, "sha256", "manifest.quantized.sha256") : "",
         qn.is_object() ? rn.string(qn, "sha256", "manifest.quantized.sha256") : "");
    note("scheme", rb.string(mb, "scheme", "manifest.scheme"), rn.string(mn, "scheme", "manifest.scheme"));
    note("data fingerprint",
         rb.string(rb.at(mb, "data", "manifest.data"), "fingerprint", "manifest.data.fingerprint"),
         rn.string(rn.at(mn, "data", "manifest.data"), "fingerprint", "manifest.data.fingerprint"));
    note("sample limit", rb.at(mb, "limit", "manifest.limit").dump(), rn.at(mn, "limit", "manifest.limit").dump());
  }

  // Model metrics: always listed, so the table shows the headline numbers even when nothing changed. A report
  // without a classes output has `model` null; then only the outputs below are compared.
  const json& model_b = rb.at("model");
  const json& model_n = rn.at("model");
  if (model_b.is_null() != model_n.is_null())
    out.notes.push_back(fmt::format("model metrics (a classes output) only in {}",
                                    model_b.is_null() ? new_name : base_name));
  if (!model_b.is_null() && !model_n.is_null()) {
    const auto tb = read_top_k(rb, model_b), tn = read_top_k(rn, model_n);
    for (const auto& [k, b] : tb) {
      auto it = tn.find(k);
      if (it == tn.end()) {
        out.notes.push_back(fmt::format("top{} only in {}", k, base_name));
        continue;
      }
      out.findings.push_back(compare_top_k(k, b, it->second, o));
    }
    for (const auto& [k, n] : tn)
      if (!tb.count(k)) out.notes.push_back(fmt::format("top{} only in {}", k, new_name));

    {
      const double ab = rb.number(model_b, "agreement", "model.agreement");
      const double an = rn.number(model_n, "agreement", "model.agreement");
      DiffFinding f;
      f.what = "agreement";
      f.base = fixed(ab, 4);
      f.now = fixed(an, 4);
      const double change = 100 * (an - ab);
      if (std::isnan(change)) {
        f.reason = "not finite in one report: not compared";
      } else {
        const std::string why = fmt::format("{:+.2f} points, limit {:.2f}", change, o.agreement_drop_points);
        f.status = change < -o.agreement_drop_points ? DiffStatus::regression
                   : change > o.agreement_drop_points ? DiffStatus::improvement
                                                      : DiffStatus::same;
        f.reason = why + (f.status == DiffStatus::regression ? ": top-1 agreement fell"
                          : f.status == DiffStatus::improvement ? ": top-1 agreement rose" : "");
      }
      out.findings.push_back(f);
    }
  }

  // Outputs, matched by name: each headline metric with an interval, by the top-k rule on its point (the delta
  // against targets, else the value) in its own direction.
  if (base.contains("outputs") && now.contains("outputs")) {
    auto read = [](const Reader& r, const json& root) {
      std::map<std::string, std::map<std::string, OutputPoint>> m;
      for (const json& out_j : r.array(root, "outputs", "outputs")) {
        const std::string name = r.string(out_j, "name", "outputs[].name");
        // The classes output's numbers are the model rows above.
        if (!r.at("model").is_null() && r.string(out_j, "kind", "outputs[].kind") == "classes") continue;
        for (const json& mj : r.array(out_j, "metrics", "outputs[].metrics")) {
          if (!r.boolean(mj, "headline", "outputs[].metrics[].headline")) continue;
          const json& interval = r.at(mj, "interval", "outputs[].metrics[].interval");
          if (!interval.is_object()) continue;
          const bool vs_targets = r.string(mj, "against", "outputs[].metrics[].against") == "targets";
          OutputPoint p;
          p.point = r.number(mj, vs_targets ? "delta" : "value", "outputs[].metrics[].value");
          p.lo = r.number(interval, "low", "outputs[].metrics[].interval.low");
          p.hi = r.number(interval, "high", "outputs[].metrics[].interval.high");
          p.higher_is_better = r.boolean(mj, "higher_is_better", "outputs[].metrics[].higher_is_better");
          p.unit = r.string(mj, "unit", "outputs[].metrics[].unit");
          p.vs_targets = vs_targets;
          m[name][r.string(mj, "name", "outputs[].metrics[].name")] = p;
        }
      }
      return m;
    };
    const auto ob = read(rb, base), on = read(rn, now);
    for (const auto& [name, metrics] : ob) {
      const auto it = on.find(name);
      if (it == on.end()) {
        out.notes.push_back(fmt::format("output {} only in {}", name, base_name));
        continue;
      }
      for (const auto& [metric, b] : metrics) {
        const auto jt = it->second.find(metric);
        if (jt == it->second.end()) continue;
        out.findings.push_back(compare_output_metric(fmt::format("outputs.{}.{}{}", name, metric,
                                                                 b.vs_targets ? ".delta" : ""),
                                                     b, jt->second, o));
      }
    }
    for (const auto& [name, metrics] : on)
      if (!ob.count(name)) out.notes.push_back(fmt::format("output {} only in {}", name, new_name));
  }

  {
    const json& vb = rb.at("verdict");
    const json& vn = rn.at("verdict");
    DiffFinding f;
    f.what = "verdict";
    f.base = rb.string(vb, "status", "verdict.status");
    f.now = rn.string(vn, "status", "verdict.status");
    if (f.base == "PASS" && f.now != "PASS") {
      f.status = DiffStatus::regression;
      f.reason = "was PASS";
    } else if (f.base != "PASS" && f.now == "PASS") {
      f.status = DiffStatus::improvement;
      f.reason = "now PASS";
    } else {
      f.reason = f.base == f.now ? "unchanged" : "changed, neither PASS";
    }
    out.findings.push_back(f);
  }

  // Gates, matched by their text.
  {
    std::map<std::string, bool> gb;
    for (const json& g : rb.array(base, "gates", "gates"))
      gb[rb.string(g, "gate", "gates[].gate")] = rb.boolean(g, "passed", "gates[].passed");
    std::map<std::string, bool> seen;
    for (const json& g : rn.array(now, "gates", "gates")) {
      const std::string text = rn.string(g, "gate", "gates[].gate");
      const bool passed = rn.boolean(g, "passed", "gates[].passed");
      seen[text] = true;
      auto it = gb.find(text);
      if (it == gb.end()) {
        out.notes.push_back(fmt::format("gate {} only in {} ({})", text, new_name, passed ? "passes" : "fails"));
        continue;
      }
      if (it->second == passed) continue;
      DiffFinding f;
      f.what = "gate " + text;
      f.base = it->second ? "pass" : "fail";
      f.now = passed ? "pass" : "fail";
      f.status = passed ? DiffStatus::improvement : DiffStatus::regression;
      f.reason = fmt::format("{}, now {} (actual {:.6g}, threshold {:.6g})", passed ? "failed" : "passed",
                             passed ? "passes" : "fails", rn.number(g, "actual", "gates[].actual"),
                             rn.number(g, "threshold", "gates[].threshold"));
      out.findings.push_back(f);
    }
    for (const auto& [text, passed] : gb)
      if (!seen.count(text)) out.notes.push_back(fmt::format("gate {} only in {}", text, base_name));
  }

  // Layers, matched by node id and name (both: a node id alone could name a different layer after a graph change).
  {
    auto read = [](const Reader& r, const json& root) {
      std::map<std::pair<int64_t, std::string>, Layer> m;
      for (const json& l : r.array(root, "layers", "layers")) {
        const int64_t node = static_cast<int64_t>(r.number(l, "node", "layers[].node"));
        const json& acc = r.at(l, "accumulated", "layers[].accumulated");
        m[{node, r.string(l, "name", "layers[].name")}] = {r.string(l, "op", "layers[].op"),
                                                          r.number(acc, "sqnr_db", "layers[].accumulated.sqnr_db")};
      }
      return m;
    };
    const auto lb = read(rb, base), ln = read(rn, now);
    int unmatched_b = 0, unmatched_n = 0;
    for (const auto& [key, b] : lb) {
      auto it = ln.find(key);
      if (it == ln.end()) {
        ++unmatched_b;
        continue;
      }
      const double change = it->second.sqnr - b.sqnr;
      if (std::isnan(change) || std::abs(change) <= o.layer_sqnr_drop_db) continue;
      DiffFinding f;
      f.what = fmt::format("layer {} {} ({})", key.first, key.second, b.op);
      f.base = fmt::format("{:.1f} dB", b.sqnr);
      f.now = fmt::format("{:.1f} dB", it->second.sqnr);
      f.status = change < 0 ? DiffStatus::regression : DiffStatus::improvement;
      f.reason = fmt::format("accumulated SQNR {:+.1f} dB, limit {:.1f}", change, o.layer_sqnr_drop_db);
      out.findings.push_back(f);
    }
    for (const auto& [key, n] : ln) unmatched_n += lb.count(key) ? 0 : 1;
    if (unmatched_b || unmatched_n)
      out.notes.push_back(fmt::format("layers not matched by node and name: {} only in {}, {} only in {}", unmatched_b,
                                      base_name, unmatched_n, new_name));
  }

  for (const auto& f : out.findings) {
    out.regressions += f.status == DiffStatus::regression;
    out.improvements += f.status == DiffStatus::improvement;
  }
  return out;
}

std::string diff_table(const DiffResult& r) {
  std::string out;
  for (const auto& n : r.notes) out += "note: " + n + "\n";
  if (!r.notes.empty()) out += "\n";
  size_t what_w = 10, base_w = 4, now_w = 3;
  for (const auto& f : r.findings) {
    what_w = std::max(what_w, f.what.size());
    base_w = std::max(base_w, f.base.size());
    now_w = std::max(now_w, f.now.size());
  }
  out += fmt::format("{:<11}{:<{}}  {:<{}}  {:<{}}  {}\n", "status", "what", what_w, "base", base_w, "new", now_w, "why");
  for (const auto& f : r.findings)
    out += fmt::format("{:<11}{:<{}}  {:<{}}  {:<{}}  {}\n", diff_status_name(f.status), f.what, what_w, f.base,
                       base_w, f.now, now_w, f.reason);
  out += fmt::format("\n{} regression{}, {} improvement{}\n", r.regressions, r.regressions == 1 ? "" : "s",
                     r.improvements, r.improvements == 1 ? "" : "s");
  return out;
}

json diff_json(const DiffResult& r) {
  json findings = json::array();
  for (const auto& f : r.findings)
    findings.push_back({{"status", diff_status_name(f.status)}, {"what", f.what}, {"base", f.base}, {"new", f.now},
                        {"reason", f.reason}});
  return json{{"kind", "qgate.diff"},
              {"regressions", r.regressions},
              {"improvements", r.improvements},
              {"notes", r.notes},
              {"findings", findings}};
}

}  // namespace qgate::reports
