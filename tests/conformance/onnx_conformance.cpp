// ONNX backend node tests (Debian's libonnx-testdata) run through qgate's ONNX importer and executor.
//
// Usage: onnx_conformance --expected FILE [--update] DIR [DIR...]
//        (each DIR holds test_*/model.onnx + test_data_set_0/{input,output}_N.pb)
// Every case whose model uses only importable op types is loaded, run and compared with its expected outputs
// (|qgate - expected| <= atol + rtol * |expected|, rtol 1e-3, atol 1e-7, the ONNX backend test tolerances).
// Prints per op "op: ran N, passed M", then every case not run, by name with the reason (an op type qgate does
// not import, or an attribute variant the importer refuses).
// Each case's outcome ("DIRNAME/CASE pass", "... refused: MESSAGE", "... not-imported: OPS") must equal its line
// in FILE (tests/conformance/expected.txt): a regression that makes the importer refuse a case it ran, a case
// that starts to run, or a case added or gone all fail, with the differing lines printed. When qgate learns an op
// or an attribute variant, rerun with --update to rewrite FILE from this run, and review its diff:
//   build/onnx_conformance --expected tests/conformance/expected.txt --update
//       /usr/share/libonnx-testdata/data/node /usr/share/libonnx-testdata/data/pytorch-converted   (one line)
// --markdown FILE writes the coverage table of docs/onnx-coverage.md from this run: cases run and passed per op,
// and every case not run with its reason, from a short list (classify() below); --check-markdown FILE fails
// when FILE differs from what --markdown would write, so the document stays current (ctest onnx.conformance).
// Exit 0 when every case that ran passed and every outcome is the expected one, 1 otherwise (also when the data
// is absent: scripts/setup installs libonnx-testdata), 77 when the data is absent and QGATE_ALLOW_SKIP=1 is set
// (ctest: skipped), 2 on bad usage.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/fold_constants.h"
#include "harness/onnx/import.h"

namespace fs = std::filesystem;
using namespace qgate;

namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

double value_at(const Tensor& t, int64_t i) {
  switch (t.dtype) {
    case DType::f32: return t.as<float>()[i];
    case DType::i32: return t.as<int32_t>()[i];
    case DType::i64: return static_cast<double>(t.as<int64_t>()[i]);
    case DType::i8: return t.as<int8_t>()[i];
    case DType::u8: case DType::boolean: return t.as<uint8_t>()[i];
    default: return NAN;
  }
}

// "" when equal within tolerance, else what differs.
std::string compare(const Tensor& got, const Tensor& want) {
  if (got.elements() != want.elements() || shape_elements(got.shape) != shape_elements(want.shape))
    return fmt::format("shape {} expected {}", shape_string(got.shape), shape_string(want.shape));
  if (got.shape != want.shape && !(got.shape.empty() && want.elements() == 1))
    return fmt::format("shape {} expected {}", shape_string(got.shape), shape_string(want.shape));
  for (int64_t i = 0; i < want.elements(); ++i) {
    const double g = value_at(got, i), w = value_at(want, i);
    if (std::isnan(w) && std::isnan(g)) continue;
    if (std::isinf(w) && g == w) continue;
    if (!(std::fabs(g - w) <= kAtol + kRtol * std::fabs(w)))
      return fmt::format("element {}: {} expected {}", i, g, w);
  }
  return "";
}

struct Counts {
  int ran = 0, passed = 0;
};


// "DIRNAME/CASE" -> outcome, from the lines of an expected-outcomes file ('#' lines are comments).
std::map<std::string, std::string> read_expected(const fs::path& file) {
  std::map<std::string, std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    out[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  return out;
}

bool skips_allowed() {
  const char* v = std::getenv("QGATE_ALLOW_SKIP");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

// What a case's model holds, for the reasons of the cases that do not run.
struct CaseInfo {
  std::set<std::string> ops;    // op types, "domain.Op" outside the default domain
  std::set<int> element_types;  // TensorProto.DataType of the graph's tensor inputs and outputs
  bool non_tensor = false;      // a sequence, optional or map input or output
};

bool has_any(const std::set<std::string>& ops, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (ops.count(n)) return true;
  return false;
}

// The reason a case does not run and pass, from a short list; the first that applies wins.
std::string classify(const CaseInfo& c, const std::string& outcome) {
  for (const std::string& op : c.ops)
    if (op.rfind("ai.onnx.preview.training.", 0) == 0) return "training-only op (ai.onnx.preview.training)";
  if (outcome.find("training mode") != std::string::npos || outcome.find("training_mode") != std::string::npos)
    return "training mode (BatchNormalization's running statistics, Dropout's random mask)";
  if (c.non_tensor || c.element_types.count(8) ||
      has_any(c.ops, {"SequenceEmpty", "SequenceInsert", "SequenceLength", "SequenceMap", "SequenceAt",
                      "SequenceConstruct", "SequenceErase", "SplitToSequence", "ConcatFromSequence",
                      "OptionalHasElement", "OptionalGetElement", "Optional", "StringNormalizer"}))
    return "string, sequence, optional or map values";
  if (has_any(c.ops, {"Bernoulli", "RandomUniform", "RandomUniformLike", "RandomNormal", "RandomNormalLike",
                      "Multinomial"}))
    return "random generator";
  if (has_any(c.ops, {"If", "Loop", "Scan"})) return "control flow (If, Loop, Scan): subgraphs are not imported yet";
  if (has_any(c.ops, {"NonZero", "Unique", "Compress", "NonMaxSuppression"}) ||
      outcome.find("would depend on the data") != std::string::npos)
    return "output shape that depends on the data (qgate fixes every shape at load)";
  for (int t : {4, 5, 12, 13})  // uint16, int16, uint32, uint64
    if (c.element_types.count(t)) return "integer types qgate does not compute with (16-bit, unsigned 32/64-bit)";
  if (outcome.find("8-bit model inputs") != std::string::npos || has_any(c.ops, {"BitShift"}))
    return "8-bit and unsigned integer arithmetic (8-bit values feed only the integer matrix ops)";
  if (has_any(c.ops, {"QLinearConv", "QLinearMatMul"}))
    return "quantized integer ops beyond onnxruntime's dynamic quantization (QLinear*)";
  if (outcome.find("bfloat16") != std::string::npos) return "Cast to bfloat16 (ONNX 1.12's test data truncates, ONNX now rounds)";
  if (has_any(c.ops, {"TfIdfVectorizer"})) return "text vectorization (TfIdfVectorizer)";
  if (has_any(c.ops, {"DFT", "STFT", "MelWeightMatrix", "HannWindow", "HammingWindow", "BlackmanWindow"}))
    return "signal processing ops (DFT, STFT, MelWeightMatrix, windows)";
  if (outcome.rfind("not-imported: ", 0) == 0) return "op not imported yet: " + outcome.substr(14);
  if (outcome.rfind("refused: ", 0) == 0) return "attribute or input variant not supported";
  return "fails";
}

std::string md_escape(std::string s) {
  for (size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
  return s;
}

// The coverage document: totals, the table per op, and every case not run or failing with its reason.
std::string coverage_markdown(const std::map<std::string, std::string>& outcome,
                              const std::map<std::string, CaseInfo>& info,
                              const std::map<std::string, std::pair<int, int>>& per_op, int ran, int passed) {
  std::string md;
  md += "<!-- Generated by `build/onnx_conformance --expected tests/conformance/expected.txt --markdown "
        "docs/onnx-coverage.md /usr/share/libonnx-testdata/data/node "
        "/usr/share/libonnx-testdata/data/pytorch-converted`; ctest onnx.conformance fails when it is stale. -->\n";
  md += "# ONNX operator coverage\n\n";
  md += fmt::format("The ONNX backend node tests of Debian's libonnx-testdata (ONNX 1.12): {} cases, {} run, {} pass "
                    "(|qgate - expected| <= 1e-7 + 1e-3 |expected|, the backend tests' tolerance). A case runs when "
                    "qgate imports every op of its model; inputs qgate needs at load time (weights, shapes, axes, "
                    "pads, sizes, counts) are bound from the test data as constants, as real models carry them. "
                    "float64, float16 and bfloat16 values are computed in float32 (a Cast to float16 rounds to "
                    "float16 values).\n\n",
                    outcome.size(), ran, passed);
  md += "How each op is imported: [architecture.md](architecture.md#the-importers); the refusal messages: "
        "[cli.md](cli.md#exit-status).\n\n";
  md += "## Cases per op\n\n| op | run | pass |\n|---|---:|---:|\n";
  for (const auto& [op, c] : per_op) md += fmt::format("| {} | {} | {} |\n", op, c.first, c.second);
  std::map<std::string, std::vector<std::string>> by_reason;
  for (const auto& [key, what] : outcome) {
    if (what == "pass") continue;
    const auto it = info.find(key);
    const std::string reason = classify(it == info.end() ? CaseInfo{} : it->second, what);
    std::string detail = what.rfind("refused: ", 0) == 0 ? what.substr(9) : "";
    if (detail.rfind("model.onnx: ", 0) == 0) detail.erase(0, 12);
    by_reason[reason].push_back(detail.empty() ? key : fmt::format("{} ({})", key, md_escape(detail)));
  }
  size_t not_run = 0;
  for (const auto& [reason, cases] : by_reason) not_run += cases.size();
  md += fmt::format("\n## Cases not run, by reason ({})\n\n| reason | cases |\n|---|---:|\n", not_run);
  for (const auto& [reason, cases] : by_reason) md += fmt::format("| {} | {} |\n", md_escape(reason), cases.size());
  for (const auto& [reason, cases] : by_reason) {
    md += fmt::format("\n### {}\n\n", reason);
    for (const std::string& c : cases) md += "- " + c + "\n";
  }
  return md;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path expected_file, markdown_file, check_markdown_file;
  bool update = false;
  std::vector<fs::path> dirs;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--expected" && a + 1 < argc) {
      expected_file = argv[++a];
    } else if (arg == "--update") {
      update = true;
    } else if (arg == "--markdown" && a + 1 < argc) {
      markdown_file = argv[++a];
    } else if (arg == "--check-markdown" && a + 1 < argc) {
      check_markdown_file = argv[++a];
    } else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "onnx_conformance: unknown option %s\n", arg.c_str());
      return 2;
    } else {
      dirs.push_back(arg);
    }
  }
  if (expected_file.empty() || dirs.empty()) {
    std::fprintf(stderr, "usage: onnx_conformance --expected FILE [--update] [--markdown OUT.md] "
                         "[--check-markdown DOC.md] DIR [DIR...]\n");
    return 2;
  }
  std::vector<fs::path> cases;
  for (const fs::path& d : dirs) {
    if (!fs::is_directory(d)) continue;
    for (const auto& e : fs::directory_iterator(d))
      if (fs::exists(e.path() / "model.onnx") && fs::exists(e.path() / "test_data_set_0")) cases.push_back(e.path());
  }
  if (cases.empty()) {
    if (skips_allowed()) {
      std::printf("SKIPPED: no ONNX node test cases in the given folders (libonnx-testdata; QGATE_ALLOW_SKIP is set)\n");
      return 77;
    }
    std::printf("FAIL: missing required ONNX node test cases (Debian package libonnx-testdata, scripts/setup); "
                "set QGATE_ALLOW_SKIP=1 to skip instead\n");
    return 1;
  }
  std::sort(cases.begin(), cases.end());
  // The outcome of every case, keyed like the expected file: "pass", "refused: ...", "not-imported: ...",
  // "fail: ...".
  std::map<std::string, std::string> outcome;
  const auto key_of = [](const fs::path& dir) { return dir.parent_path().filename().string() + "/" + dir.filename().string(); };
  std::map<std::string, Counts> per_op;
  std::map<std::string, std::vector<std::string>> unsupported_ops;  // op type -> case names
  std::vector<std::string> refused, failed;
  std::map<std::string, int> bound_cases;  // case -> inputs bound as initializers
  std::map<std::string, CaseInfo> info;     // key -> what its model holds
  int ran = 0, passed = 0;
  for (const fs::path& dir : cases) {
    const std::string name = dir.filename().string();
    onnx::ModelProto mp;
    if (!mp.ParseFromString(slurp(dir / "model.onnx"))) {
      failed.push_back(fmt::format("{}: model.onnx does not parse", name));
      outcome[key_of(dir)] = "fail: model.onnx does not parse";
      continue;
    }
    std::set<std::string> ops, missing;
    for (const auto& n : mp.graph().node()) {
      const std::string op = n.domain().empty() || n.domain() == "ai.onnx" ? n.op_type() : n.domain() + "." + n.op_type();
      ops.insert(op);
      if (!onnx_op_supported(op)) missing.insert(op);
    }
    CaseInfo& ci = info[key_of(dir)];
    ci.ops = ops;
    for (const auto* list : {&mp.graph().input(), &mp.graph().output()})
      for (const auto& vi : *list) {
        if (vi.type().has_tensor_type()) ci.element_types.insert(vi.type().tensor_type().elem_type());
        else ci.non_tensor = true;
      }
    if (!missing.empty()) {
      std::string list;
      for (const auto& op : missing) {
        unsupported_ops[op].push_back(name);
        list += (list.empty() ? "" : ",") + op;
      }
      outcome[key_of(dir)] = "not-imported: " + list;
      continue;
    }
    // Attribute the case to its ops other than the plumbing ones (unless that is all it has).
    std::set<std::string> counted;
    for (const auto& op : ops)
      if (op != "Constant" && op != "Identity" && op != "Shape") counted.insert(op);
    if (counted.empty()) counted = ops;
    std::string error;
    try {
      // Inputs qgate needs at load time (weights, shapes, axes, pads) are graph inputs in these tests; real
      // models carry them as initializers. Bind them from the test data as initializers, and say so.
      static const std::map<std::string, std::set<int>> kLoadTime = {
          {"Conv", {1, 2}}, {"ConvTranspose", {1, 2}}, {"Gemm", {1, 2}}, {"BatchNormalization", {1, 2, 3, 4}}, {"Reshape", {1}}, {"Expand", {1}},
          {"Squeeze", {1}}, {"Unsqueeze", {1}}, {"Pad", {1, 2}}, {"ReduceSum", {1}}, {"Clip", {1, 2}},
          {"Slice", {1, 2, 3, 4}}, {"Split", {1}}, {"Resize", {1, 2, 3}}, {"Upsample", {1}},
          // Shapes, sizes, counts and axes of generators and whole-axis ops; normalization scales and biases;
          // quantization parameters; Dropout's ratio and training_mode.
          {"ConstantOfShape", {0}}, {"Range", {0, 1, 2}}, {"Tile", {1}}, {"OneHot", {1}}, {"TopK", {1}},
          {"Trilu", {1}}, {"CumSum", {1}}, {"LayerNormalization", {1, 2}}, {"InstanceNormalization", {1, 2}},
          {"QuantizeLinear", {1, 2}}, {"DequantizeLinear", {1, 2}}, {"Dropout", {1, 2}}, {"MaxUnpool", {2}},
          {"DFT", {1}}, {"STFT", {1, 2, 3}}, {"HannWindow", {0}}, {"HammingWindow", {0}}, {"BlackmanWindow", {0}},
          {"MelWeightMatrix", {0, 1, 2, 3, 4}},
          // Recurrent weights, biases, sequence_lens and peepholes; initial_h / initial_c stay run-time inputs.
          {"RNN", {1, 2, 3, 4}}, {"GRU", {1, 2, 3, 4}}, {"LSTM", {1, 2, 3, 4, 7}}};
      std::set<std::string> load_time;
      for (const auto& n : mp.graph().node())
        if (auto it = kLoadTime.find(n.op_type()); it != kLoadTime.end())
          for (int i : it->second)
            if (i < n.input_size() && !n.input(i).empty()) load_time.insert(n.input(i));
      // What those are computed from is needed at load time too, through the shape arithmetic that computes them
      // (a Range's limit cast from a size input): walk back through such nodes, last first.
      static const std::set<std::string> kShapeArithmetic = {"Cast", "Add", "Sub", "Mul", "Div", "Ceil", "Floor",
                                                             "Relu", "Neg", "Abs", "Max", "Min", "Identity",
                                                             "Reshape", "Squeeze", "Unsqueeze", "Concat"};
      for (int k = mp.graph().node_size() - 1; k >= 0; --k) {
        const auto& n = mp.graph().node(k);
        if (!kShapeArithmetic.count(n.op_type())) continue;
        bool needed = false;
        for (const auto& o : n.output()) needed |= load_time.count(o) != 0;
        if (needed)
          for (const auto& i : n.input())
            if (!i.empty()) load_time.insert(i);
      }
      std::set<std::string> initialized;
      for (const auto& t : mp.graph().initializer()) initialized.insert(t.name());
      std::vector<Tensor> inputs, expected;
      onnx::GraphProto* g = mp.mutable_graph();
      google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> kept;
      int file_index = 0;
      for (const auto& vi : g->input()) {
        if (initialized.count(vi.name())) continue;
        if (!vi.type().has_tensor_type())
          throw InputError(fmt::format("input '{}' of a non-tensor type (sequence, optional) is not supported", vi.name()));
        const fs::path p = dir / "test_data_set_0" / fmt::format("input_{}.pb", file_index++);
        const std::string bytes = slurp(p);
        if (load_time.count(vi.name())) {
          onnx::TensorProto* tp = g->add_initializer();
          if (!tp->ParseFromString(bytes)) throw InputError(fmt::format("{} does not parse", p.string()));
          tp->set_name(vi.name());
          ++bound_cases[name];
        } else {
          *kept.Add() = vi;
          inputs.push_back(parse_onnx_tensor(bytes, p.string()));
        }
      }
      g->mutable_input()->Swap(&kept);
      // As load_model does, from bytes: import, fold, validate, check ops.
      Graph graph = import_onnx(mp.SerializeAsString(), (dir / "model.onnx").string());
      fold_constants(graph);
      graph.validate();
      Executor ex(graph);
      for (size_t i = 0;; ++i) {
        const fs::path p = dir / "test_data_set_0" / fmt::format("output_{}.pb", i);
        if (!fs::exists(p)) break;
        expected.push_back(parse_onnx_tensor(slurp(p), p.string()));
      }
      if (inputs.size() != ex.num_inputs())
        throw InputError(fmt::format("{} input files, model has {} inputs", inputs.size(), ex.num_inputs()));
      ex.prepare();  // the importer resolved shapes from the model's declared input shapes
      for (size_t i = 0; i < inputs.size(); ++i) {
        Tensor& dst = ex.input(i);
        if (dst.dtype != inputs[i].dtype || dst.bytes() != inputs[i].bytes())
          throw InputError(fmt::format("input {} is {} {}, model wants {} {}", i, dtype_name(inputs[i].dtype),
                                       shape_string(inputs[i].shape), dtype_name(dst.dtype), shape_string(dst.shape)));
        std::memcpy(dst.data.data(), inputs[i].data.data(), inputs[i].bytes());
      }
      ex.run();
      if (expected.size() != ex.num_outputs())
        throw InputError(fmt::format("{} output files, model has {} outputs", expected.size(), ex.num_outputs()));
      for (size_t i = 0; i < expected.size() && error.empty(); ++i) {
        const std::string d = compare(ex.output(i), expected[i]);
        if (!d.empty()) error = fmt::format("output {}: {}", i, d);
      }
    } catch (const std::exception& e) {
      const std::string what = e.what();
      if (what.find("not supported") != std::string::npos) {
        refused.push_back(fmt::format("{}: {}", name, what));
        // The message without the machine's path to the case, so the file holds on any machine.
        std::string reason = what;
        const std::string prefix = dir.string() + "/";
        for (size_t p; (p = reason.find(prefix)) != std::string::npos;) reason.erase(p, prefix.size());
        outcome[key_of(dir)] = "refused: " + reason;
        continue;
      }
      error = what;
    }
    ++ran;
    for (const auto& op : counted) ++per_op[op].ran;
    if (error.empty()) {
      ++passed;
      for (const auto& op : counted) ++per_op[op].passed;
      outcome[key_of(dir)] = "pass";
    } else {
      failed.push_back(fmt::format("{}: {}", name, error));
      outcome[key_of(dir)] = "fail: " + error;
    }
  }
  std::printf("ONNX node tests: %zu cases, %d ran, %d passed (rtol %g, atol %g)\n", cases.size(), ran, passed, kRtol,
              kAtol);
  for (const auto& [op, c] : per_op) std::printf("  %s: ran %d, passed %d\n", op.c_str(), c.ran, c.passed);
  std::printf("Cases with load-time inputs (weights, shapes, axes, pads) bound from the test data as initializers: %zu\n",
              bound_cases.size());
  std::printf("Cases refused by the importer (an attribute variant qgate does not support): %zu\n", refused.size());
  for (const auto& r : refused) std::printf("  %s\n", r.c_str());
  size_t n_unsupported = 0;
  for (const auto& [op, names] : unsupported_ops) n_unsupported += names.size();
  std::printf("Cases not run, op type not imported: %zu cases, %zu op types\n", n_unsupported, unsupported_ops.size());
  for (const auto& [op, names] : unsupported_ops) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : " ") + n;
    std::printf("  %s (%zu): %s\n", op.c_str(), names.size(), list.c_str());
  }
  std::printf("FAILED: %zu\n", failed.size());
  for (const auto& f : failed) std::printf("  %s\n", f.c_str());

  if (!markdown_file.empty() || !check_markdown_file.empty()) {
    std::map<std::string, std::pair<int, int>> table;
    for (const auto& [op, c] : per_op) table[op] = {c.ran, c.passed};
    const std::string md = coverage_markdown(outcome, info, table, ran, passed);
    if (!markdown_file.empty()) {
      std::ofstream out(markdown_file);
      out << md;
      if (!out) {
        std::printf("FAIL: cannot write %s\n", markdown_file.string().c_str());
        return 1;
      }
      std::printf("wrote the coverage document %s\n", markdown_file.string().c_str());
    }
    if (!check_markdown_file.empty() && slurp(check_markdown_file) != md) {
      std::printf("FAIL: %s is not what this run gives; rewrite it with --markdown %s\n",
                  check_markdown_file.string().c_str(), check_markdown_file.string().c_str());
      failed.push_back("coverage document stale");
    }
  }

  if (update) {
    std::ofstream out(expected_file);
    out << "# Expected outcome of every ONNX node test case of libonnx-testdata under qgate: pass, refused (the\n"
           "# importer's message) or not-imported (op types qgate does not import). Checked by ctest case\n"
           "# onnx.conformance; rewritten by `onnx_conformance --update` (tests/conformance/onnx_conformance.cpp).\n";
    for (const auto& [key, what] : outcome) out << key << ' ' << what << '\n';
    if (!out) {
      std::printf("FAIL: cannot write %s\n", expected_file.string().c_str());
      return 1;
    }
    std::printf("wrote %zu outcomes to %s\n", outcome.size(), expected_file.string().c_str());
    return failed.empty() && ran > 0 ? 0 : 1;
  }
  if (!fs::exists(expected_file)) {
    std::printf("FAIL: %s is absent (write it with --update)\n", expected_file.string().c_str());
    return 1;
  }
  const auto expected = read_expected(expected_file);
  std::vector<std::string> diff;
  for (const auto& [key, what] : expected) {
    const auto it = outcome.find(key);
    if (it == outcome.end()) diff.push_back(fmt::format("- {} {}\n+ {} (no such case in the data)", key, what, key));
    else if (it->second != what) diff.push_back(fmt::format("- {} {}\n+ {} {}", key, what, key, it->second));
  }
  for (const auto& [key, what] : outcome)
    if (!expected.count(key)) diff.push_back(fmt::format("- {} (not in {})\n+ {} {}", key, expected_file.filename().string(), key, what));
  std::printf("Outcomes against %s: %zu cases expected, %zu differ\n", expected_file.string().c_str(), expected.size(),
              diff.size());
  for (const auto& d : diff) std::printf("%s\n", d.c_str());
  if (ran == 0) std::printf("FAIL: no case ran\n");
  return failed.empty() && diff.empty() && ran > 0 ? 0 : 1;
}
