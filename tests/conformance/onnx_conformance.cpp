// ONNX backend node tests (Debian's libonnx-testdata) run through qgate's ONNX importer and executor.
//
// Usage: onnx_conformance DIR [DIR...]   (each DIR holds test_*/model.onnx + test_data_set_0/{input,output}_N.pb)
// Every case whose model uses only importable op types is loaded, run and compared with its expected outputs
// (|qgate - expected| <= atol + rtol * |expected|, rtol 1e-3, atol 1e-7, the ONNX backend test tolerances).
// Prints per op "op: ran N, passed M", then every case not run, by name with the reason (an op type qgate does
// not import, or an attribute variant the importer refuses). Exit 1 if a case that ran failed, 77 if no data.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
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

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> cases;
  for (int a = 1; a < argc; ++a) {
    if (!fs::is_directory(argv[a])) continue;
    for (const auto& e : fs::directory_iterator(argv[a]))
      if (fs::exists(e.path() / "model.onnx") && fs::exists(e.path() / "test_data_set_0")) cases.push_back(e.path());
  }
  if (cases.empty()) {
    std::fprintf(stderr, "onnx_conformance: no test cases found (is libonnx-testdata installed?)\n");
    return 77;
  }
  std::sort(cases.begin(), cases.end());
  std::map<std::string, Counts> per_op;
  std::map<std::string, std::vector<std::string>> unsupported_ops;  // op type -> case names
  std::vector<std::string> refused, failed;
  std::map<std::string, int> bound_cases;  // case -> inputs bound as initializers
  int ran = 0, passed = 0;
  for (const fs::path& dir : cases) {
    const std::string name = dir.filename().string();
    onnx::ModelProto mp;
    if (!mp.ParseFromString(slurp(dir / "model.onnx"))) {
      failed.push_back(fmt::format("{}: model.onnx does not parse", name));
      continue;
    }
    std::set<std::string> ops, missing;
    for (const auto& n : mp.graph().node()) {
      const std::string op = n.domain().empty() || n.domain() == "ai.onnx" ? n.op_type() : n.domain() + "." + n.op_type();
      ops.insert(op);
      if (!onnx_op_supported(op)) missing.insert(op);
    }
    if (!missing.empty()) {
      for (const auto& op : missing) unsupported_ops[op].push_back(name);
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
          {"Slice", {1, 2, 3, 4}}, {"Split", {1}}, {"Resize", {1, 2, 3}},
          // Recurrent weights, biases, sequence_lens and peepholes; initial_h / initial_c stay run-time inputs.
          {"RNN", {1, 2, 3, 4}}, {"GRU", {1, 2, 3, 4}}, {"LSTM", {1, 2, 3, 4, 7}}};
      std::set<std::string> load_time;
      for (const auto& n : mp.graph().node())
        if (auto it = kLoadTime.find(n.op_type()); it != kLoadTime.end())
          for (int i : it->second)
            if (i < n.input_size() && !n.input(i).empty()) load_time.insert(n.input(i));
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
        continue;
      }
      error = what;
    }
    ++ran;
    for (const auto& op : counted) ++per_op[op].ran;
    if (error.empty()) {
      ++passed;
      for (const auto& op : counted) ++per_op[op].passed;
    } else {
      failed.push_back(fmt::format("{}: {}", name, error));
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
  return failed.empty() ? 0 : 1;
}
