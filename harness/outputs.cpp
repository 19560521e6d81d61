#include "harness/outputs.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/errors.h"
#include "harness/metrics/gates.h"

namespace qgate {

namespace {

using reports::OutputKind;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

double number(const std::string& text, const std::string& option, const std::string& what) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    throw InputError(fmt::format("{}: {} '{}' is not a number", option, what, text));
  return v;
}

int integer(const std::string& text, const std::string& option, const std::string& what, int min) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min || v > 1000000)
    throw InputError(fmt::format("{}: {} '{}' is not an integer >= {}", option, what, text, min));
  return static_cast<int>(v);
}

// Letters, digits, '_' and '-' stay; anything else becomes '_' (gate paths are dotted).
std::string path_safe(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return out.empty() ? "output" : out;
}

const Node* producer(const Graph& g, int tensor) {
  for (const Node& n : g.nodes)
    if (std::find(n.outputs.begin(), n.outputs.end(), tensor) != n.outputs.end()) return &n;
  return nullptr;
}

const char* form_name(TargetForm f) {
  switch (f) {
    case TargetForm::values: return "value";
    case TargetForm::integers: return "integer";
    case TargetForm::mask: return "mask";
    case TargetForm::transcript: return "transcript";
  }
  return "?";
}

// The kind the targets of an output say, with the reason; nullopt when they say nothing definite.
std::optional<std::pair<OutputKind, std::string>> kind_from_targets(const TargetInfo& t, const Shape& shape) {
  const int64_t elements = shape_elements(shape);
  switch (t.form) {
    case TargetForm::mask: return std::pair{OutputKind::segmentation, std::string("mask targets (--targets)")};
    case TargetForm::transcript:
      return std::pair{OutputKind::sequence, std::string("transcript targets (--targets)")};
    default: break;
  }
  if (t.form == TargetForm::integers && t.values_per_sample == 1 && elements > 1)
    return std::pair{OutputKind::embedding, std::string("one integer group per sample (--targets)")};
  if (t.values_per_sample == elements)
    return t.binary ? std::pair{OutputKind::multilabel, std::string("0/1 targets, one per value (--targets)")}
                    : std::pair{OutputKind::regression, std::string("value targets, one per value (--targets)")};
  if (t.form == TargetForm::integers && shape.size() >= 3 && t.values_per_sample > 1 &&
      elements % t.values_per_sample == 0)
    return std::pair{OutputKind::segmentation, std::string("integer maps, one id per pixel (--targets)")};
  return std::nullopt;
}

// The kind the model says, with the reason; `s` is the output's shape at the data's sizes.
std::pair<OutputKind, std::string> kind_from_model(const Graph& g, int tensor, const Shape& s) {
  const Tensor& t = g.tensors[tensor];
  const Node* p = producer(g, tensor);
  const OpType op = p ? p->op : OpType::count_;
  const bool map = s.size() == 4 && s[1] > 1 && s[2] > 1;
  if (op == OpType::softmax || op == OpType::log_softmax) {
    if (map) return {OutputKind::segmentation, fmt::format("SOFTMAX over a {} map", shape_string(s))};
    if (s.size() == 3 && s[1] > 1)
      return {OutputKind::sequence, fmt::format("SOFTMAX per step of {}", shape_string(s))};
    return {OutputKind::classes, "SOFTMAX output"};
  }
  if (op == OpType::logistic) {
    if ((map && s[3] == 1) || (s.size() == 3 && s[1] > 1 && s[2] > 1))
      return {OutputKind::segmentation, fmt::format("LOGISTIC over a {} map", shape_string(s))};
    return {OutputKind::multilabel, "LOGISTIC output (independent sigmoids)"};
  }
  if (t.dtype != DType::f32) return {OutputKind::raw, fmt::format("{} output", dtype_name(t.dtype))};
  if (map && s[3] >= 2 && s[3] <= 1024)
    return {OutputKind::segmentation, fmt::format("a {} map of class scores", shape_string(s))};
  return {OutputKind::regression, fmt::format("float values {}", shape_string(s))};
}

void apply_landmarks(metrics::OutputSpec& spec, int points, int dims, double tolerance, const std::string& option) {
  const int64_t elements = spec.elements();
  if (points <= 0 || dims <= 0 || elements % points != 0 || elements / points < dims)
    throw InputError(fmt::format("{}: output {} '{}' has {} values: not {} points of at least {} coordinates", option,
                                 spec.index, spec.tensor, elements, points, dims));
  spec.landmarks.points = points;
  spec.landmarks.dims = dims;
  spec.landmarks.stride = static_cast<int>(elements / points);
  spec.landmarks.tolerance = tolerance;
}

}  // namespace

OutputRequest parse_output_request(const std::string& text) {
  const std::string option = "--output " + text;
  OutputRequest r;
  r.text = text;
  const size_t colon = text.find(':');
  std::string head = text.substr(0, colon);
  const size_t eq = head.find('=');
  r.selector = head.substr(0, eq);
  if (eq != std::string::npos) {
    r.name = head.substr(eq + 1);
    if (r.name.empty() || path_safe(r.name) != r.name)
      throw InputError(fmt::format("{}: name '{}' must be letters, digits, '_' or '-'", option, r.name));
  }
  if (r.selector.empty()) throw InputError(fmt::format("{}: expected SEL[=NAME][:KIND[,OPTION=VALUE...]]", option));
  if (colon == std::string::npos) return r;
  const std::vector<std::string> parts = split(text.substr(colon + 1), ',');
  OutputKind kind;
  if (!reports::parse_output_kind(parts[0], kind))
    throw InputError(fmt::format("{}: '{}' is not a kind (classes, multilabel, regression, segmentation, embedding, "
                                 "sequence, raw)",
                                 option, parts[0]));
  r.kind = kind;
  for (size_t i = 1; i < parts.size(); ++i) {
    const size_t e = parts[i].find('=');
    const std::string key = parts[i].substr(0, e), value = e == std::string::npos ? "" : parts[i].substr(e + 1);
    if (key == "threshold") r.threshold = number(value, option, "threshold");
    else if (key == "tolerance") r.tolerance = number(value, option, "tolerance");
    else if (key == "blank") r.blank = value == "none" ? -1 : integer(value, option, "blank", 0);
    else if (key == "layout" && (value == "nhwc" || value == "nchw")) r.channels_first = value == "nchw";
    else if (key == "landmarks") {
      const size_t x = value.find('x');
      if (x == std::string::npos) throw InputError(fmt::format("{}: landmarks '{}': expected KxD", option, value));
      r.landmark_points = integer(value.substr(0, x), option, "landmark points", 1);
      r.landmark_dims = integer(value.substr(x + 1), option, "landmark coordinates", 1);
    } else {
      throw InputError(fmt::format("{}: unknown option '{}' (threshold=F, blank=N|none, layout=nhwc|nchw, "
                                   "landmarks=KxD, tolerance=F)",
                                   option, parts[i]));
    }
  }
  return r;
}

LandmarksRequest parse_landmarks_request(const std::string& text) {
  const std::string option = "--landmarks " + text;
  LandmarksRequest r;
  r.text = text;
  std::string rest = text;
  if (const size_t eq = text.find('='); eq != std::string::npos) {
    r.selector = text.substr(0, eq);
    rest = text.substr(eq + 1);
  }
  const std::vector<std::string> parts = split(rest, ',');
  if (parts.size() < 2 || parts.size() > 3) throw InputError(fmt::format("{}: expected [OUTPUT=]K,D[,TOL]", option));
  r.points = integer(parts[0], option, "K (points)", 1);
  r.dims = integer(parts[1], option, "D (coordinates)", 1);
  if (parts.size() == 3) {
    r.tolerance = number(parts[2], option, "tolerance");
    if (r.tolerance <= 0) throw InputError(fmt::format("{}: tolerance must be > 0", option));
  }
  return r;
}

TargetsRequest parse_targets_request(const std::string& text) {
  TargetsRequest r;
  r.text = text;
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw InputError(fmt::format("--targets {}: expected OUTPUT=npy:FILE.npy, OUTPUT=png:DIR|LIST or "
                                 "OUTPUT=text:FILE[,VOCAB]",
                                 text));
  r.selector = text.substr(0, eq);
  r.spec = text.substr(eq + 1);
  return r;
}

int resolve_output(const Graph& graph, const std::vector<OutputRequest>& requests, const std::string& selector,
                   const std::string& option) {
  const int count = static_cast<int>(graph.outputs.size());
  char* end = nullptr;
  const long v = std::strtol(selector.c_str(), &end, 10);
  if (!selector.empty() && *end == '\0') {
    if (v < 0 || v >= count)
      throw InputError(fmt::format("{}: output {} does not exist (the model has {} outputs)", option, v, count));
    return static_cast<int>(v);
  }
  for (int i = 0; i < count; ++i)
    if (graph.tensors[graph.outputs[i]].name == selector) return i;
  for (const OutputRequest& r : requests)
    if (!r.name.empty() && r.name == selector && r.selector != selector)
      return resolve_output(graph, {}, r.selector, option);
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(fmt::format("{} '{}'", i, graph.tensors[graph.outputs[i]].name));
  throw InputError(fmt::format("{}: no output '{}' (outputs: {})", option, selector, fmt::join(names, ", ")));
}

std::pair<int, int> output_map_size(const Graph& graph, const std::vector<OutputRequest>& requests, int index,
                                    const Shape& s) {
  bool channels_first = false;
  for (const OutputRequest& r : requests)
    if (r.channels_first && resolve_output(graph, requests, r.selector, "--output " + r.text) == index)
      channels_first = *r.channels_first;
  if (s.size() == 4) return channels_first ? std::pair{s[2], s[3]} : std::pair{s[1], s[2]};
  if (s.size() == 3) return {s[1], s[2]};
  return {0, 0};
}

std::vector<metrics::OutputSpec> plan_outputs(const OutputPlanInput& in) {
  const Graph& g = *in.graph;
  const int count = static_cast<int>(g.outputs.size());
  std::vector<metrics::OutputSpec> specs(static_cast<size_t>(count));
  std::vector<const OutputRequest*> request(static_cast<size_t>(count), nullptr);
  for (const OutputRequest& r : in.requests) {
    const int i = resolve_output(g, in.requests, r.selector, "--output " + r.text);
    if (request[static_cast<size_t>(i)])
      throw InputError(fmt::format("--output {}: output {} was already given (--output {})", r.text, i,
                                   request[static_cast<size_t>(i)]->text));
    request[static_cast<size_t>(i)] = &r;
  }
  // Outputs --landmarks names: scored as regression unless --output says otherwise.
  std::vector<const LandmarksRequest*> named_landmarks(static_cast<size_t>(count), nullptr);
  for (const LandmarksRequest& l : in.landmarks)
    if (!l.selector.empty())
      named_landmarks[static_cast<size_t>(resolve_output(g, in.requests, l.selector, "--landmarks " + l.text))] = &l;

  for (int i = 0; i < count; ++i) {
    metrics::OutputSpec& s = specs[static_cast<size_t>(i)];
    const OutputRequest* r = request[static_cast<size_t>(i)];
    const int tensor = g.outputs[static_cast<size_t>(i)];
    s.index = i;
    s.tensor = g.tensors[tensor].name;
    s.shape = i < static_cast<int>(in.output_shapes.size()) ? in.output_shapes[static_cast<size_t>(i)]
                                                           : g.tensors[tensor].shape;
    const std::optional<TargetInfo>* target =
        i < static_cast<int>(in.targets.size()) ? &in.targets[static_cast<size_t>(i)] : nullptr;
    const bool has_target = target && target->has_value();
    if (has_target) {
      s.has_targets = true;
      s.targets = (*target)->description;
    }
    if (r && r->kind) {
      s.kind = *r->kind;
      s.kind_source = "--output " + r->text;
    } else if (auto from_targets = has_target ? kind_from_targets(**target, s.shape) : std::nullopt) {
      s.kind = from_targets->first;
      s.kind_source = "inferred: " + from_targets->second;
    } else if (has_target) {
      throw InputError(fmt::format("--targets for output {} '{}': {} targets with {} values per sample do not say how "
                                   "to score a {} output; give --output {}:KIND",
                                   i, s.tensor, form_name((*target)->form), (*target)->values_per_sample,
                                   shape_string(s.shape), i));
    } else if (i == in.label_output && in.labeled) {
      s.kind = OutputKind::classes;
      s.kind_source = fmt::format("inferred: the data's class labels (--output-index {})", i);
    } else if (named_landmarks[static_cast<size_t>(i)] || (r && r->landmark_points > 0)) {
      s.kind = OutputKind::regression;
      s.kind_source = "inferred: --landmarks";
    } else {
      const auto [kind, why] = kind_from_model(g, tensor, s.shape);
      s.kind = kind;
      s.kind_source = "inferred: " + why;
    }
    s.takes_labels = i == in.label_output && in.labeled &&
                     (s.kind == OutputKind::classes || (s.kind == OutputKind::embedding && !has_target));
    if (i == in.label_output && in.labeled && !s.takes_labels)
      s.kind_source += "; the data's class labels are not used";
    if (s.kind == OutputKind::sequence && s.shape.size() == 3 &&
        s.kind_source.find("SOFTMAX per step") != std::string::npos)
      s.blank = -1;
    if (r) {
      if (r->threshold) s.threshold = *r->threshold;
      if (r->blank) s.blank = *r->blank;
      if (r->channels_first) s.channels_first = *r->channels_first;
      if (r->landmark_points > 0)
        apply_landmarks(s, r->landmark_points, r->landmark_dims, r->tolerance.value_or(0.0), "--output " + r->text);
    }
    s.name = r && !r->name.empty() ? r->name : path_safe(s.tensor);
    if (s.kind == OutputKind::segmentation) {
      if (s.shape.size() < 3)
        throw InputError(fmt::format("output {} '{}' is {}: a segmentation output is a [1,H,W,C], [1,C,H,W] or "
                                     "[1,H,W] map",
                                     i, s.tensor, shape_string(s.shape)));
    }
    if (s.kind == OutputKind::sequence && s.sequence_symbols() < 2)
      throw InputError(fmt::format("output {} '{}' is {}: a sequence output has its symbols on the last axis "
                                   "([1,T,C])",
                                   i, s.tensor, shape_string(s.shape)));
  }

  for (const LandmarksRequest& l : in.landmarks) {
    const std::string option = "--landmarks " + l.text;
    if (!l.selector.empty()) {
      metrics::OutputSpec& s = specs[static_cast<size_t>(resolve_output(g, in.requests, l.selector, option))];
      if (s.kind != OutputKind::regression)
        throw InputError(fmt::format("{}: output {} '{}' is scored as {} ({}); landmarks are regression values",
                                     option, s.index, s.tensor, reports::output_kind_name(s.kind), s.kind_source));
      apply_landmarks(s, l.points, l.dims, l.tolerance, option);
      continue;
    }
    int applied = 0;
    for (metrics::OutputSpec& s : specs) {
      if (s.kind != OutputKind::regression || s.landmarks.points > 0) continue;
      if (s.elements() % l.points != 0 || s.elements() / l.points < l.dims) continue;
      apply_landmarks(s, l.points, l.dims, l.tolerance, option);
      ++applied;
    }
    if (applied == 0)
      throw InputError(fmt::format("{}: no regression output holds {} points of {} coordinates", option, l.points,
                                   l.dims));
  }

  std::set<std::string> names;
  for (metrics::OutputSpec& s : specs) {
    if (names.count(s.name)) s.name = fmt::format("{}_{}", s.name, s.index);
    names.insert(s.name);
  }
  return specs;
}

metrics::OutputSpec classes_spec(const Graph& graph, int index) {
  metrics::OutputSpec s;
  s.index = index;
  s.tensor = graph.tensors[graph.outputs[static_cast<size_t>(index)]].name;
  s.name = path_safe(s.tensor);
  s.shape = graph.tensors[graph.outputs[static_cast<size_t>(index)]].shape;
  s.kind = OutputKind::classes;
  s.kind_source = fmt::format("--output-index {}", index);
  s.takes_labels = true;
  return s;
}

int model_output(const std::vector<metrics::OutputSpec>& specs, int label_output) {
  for (const auto& s : specs)
    if (s.index == label_output && s.kind == OutputKind::classes) return s.index;
  return -1;
}

std::vector<std::string> default_gate_texts(const std::vector<metrics::OutputSpec>& specs, int label_output,
                                            bool labeled) {
  std::vector<std::string> out;
  for (const metrics::OutputSpec& s : specs) {
    const std::string p = "outputs." + s.name + ".";
    if (s.index == model_output(specs, label_output)) {
      out.push_back(labeled ? metrics::kDefaultGate : metrics::kDefaultUnlabeledGate);
      continue;
    }
    const bool t = s.has_targets;
    switch (s.kind) {
      case OutputKind::classes: out.push_back(p + "agreement.ci_low>=0.99"); break;
      case OutputKind::multilabel:
        out.push_back(t ? p + "map.delta.ci_low>=-1.0" : p + "agreement.ci_low>=0.99");
        break;
      case OutputKind::regression:
        out.push_back(s.landmarks.points > 0 ? p + "within_tolerance.ci_low>=0.95" : p + "sqnr_db.ci_low>=20");
        break;
      case OutputKind::segmentation:
        out.push_back(t ? p + "miou.delta.ci_low>=-1.0" : p + "pixel_agreement.ci_low>=0.99");
        break;
      case OutputKind::embedding:
        out.push_back(t || s.takes_labels ? p + "retrieval_top1.delta.ci_low>=-1.0" : p + "cosine.ci_low>=0.99");
        break;
      case OutputKind::sequence:
        out.push_back(t ? p + "cer.delta.ci_high<=1.0" : p + "sequence_agreement.ci_low>=0.99");
        break;
      case OutputKind::raw: out.push_back(p + "sqnr_db>=20"); break;
    }
  }
  return out;
}

}  // namespace qgate
