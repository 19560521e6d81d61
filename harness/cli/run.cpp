// qgate run: one float inference of a model on .npy inputs.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "harness/cli/cli_util.h"
#include "harness/cli/commands.h"
#include "harness/cli/input_shapes.h"
#include "core/errors.h"
#include "harness/cli/run_options.h"
#include "harness/executor.h"
#include "harness/cli/model_loader.h"
#include "core/npy.h"
#include "harness/ptq.h"
#include "harness/scheme.h"
#include "harness/weight_rules.h"
#include "kernels/parallel.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "run", "qgate run MODEL --input X0.npy [--input X1.npy ...] --output-dir DIR [--scheme S] [--arithmetic litert-cpu]\n"
    "          [--dump-layers DIR] [--threads N] [--input-shape NAME:D0,D1,...]",
    "Runs the model once on the given inputs (in model input order; each .npy must have the input's dtype and a\n"
    "shape the input takes: its declared shape, any size where that has a symbolic dimension such as a dynamic\n"
    "batch) and writes DIR/out_0.npy, DIR/out_1.npy, ... in model output order as float32 arrays of each output's\n"
    "shape. Files appear only when every output was computed. --input-shape NAME:D0,D1,... states an input's size\n"
    "(the .npy must have it).\n"
    "A model with int8 weights (a dynamic-range .tflite) runs its hybrid kernels, each op with its own\n"
    "asymmetric_quantize_inputs option unless --activations overrides it. --scheme quantizes a float model\n"
    "first and runs the quantized twin. --arithmetic litert-cpu computes every op as LiteRT's CPU path does\n"
    "(docs/litert-cpu.md). --dump-layers DIR also writes every node's output (DIR/layers.tsv names each file's\n"
    "node, op and tensor)."};

template <typename T>
void widen(const Tensor& src, float* dst) {
  const T* s = src.as<T>();
  for (int64_t i = 0; i < src.elements(); ++i) dst[i] = static_cast<float>(s[i]);
}

Tensor as_float32(const Tensor& t) {
  Tensor out;
  out.name = t.name;
  out.shape = t.shape;
  out.allocate();
  float* d = out.as<float>();
  switch (t.dtype) {
    case DType::f32: std::memcpy(d, t.data.data(), t.bytes()); break;
    case DType::i8: widen<int8_t>(t, d); break;
    case DType::u8: widen<uint8_t>(t, d); break;
    case DType::boolean: widen<uint8_t>(t, d); break;
    case DType::i32: widen<int32_t>(t, d); break;
    case DType::i64: widen<int64_t>(t, d); break;
    case DType::f16:
      throw InputError(fmt::format("output '{}' is float16; run writes float32 outputs only", t.name));
  }
  return out;
}

// --dump-layers: every node output of one run as DIR/<node id>.npy (float32; float16 tensors are skipped) and
// DIR/layers.tsv (node, op, output slot, tensor name, file), so a tensor can be matched by name with what another
// runtime computes for it (reference/litert/bisect.mjs).
class LayerDumper : public Observer {
 public:
  explicit LayerDumper(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void on_node(const Node& node, const std::vector<Tensor*>& outputs) override {
    for (size_t k = 0; k < outputs.size(); ++k) {
      const Tensor& t = *outputs[k];
      std::string file = outputs.size() == 1 ? fmt::format("{}.npy", node.id) : fmt::format("{}_{}.npy", node.id, k);
      if (t.dtype == DType::f16) file = "-";
      else write_npy((dir_ / file).string(), as_float32(t));
      rows_ += fmt::format("{}\t{}\t{}\t{}\t{}\n", node.id, op_name(node.op), k, t.name, file);
    }
  }
  const std::string& rows() const { return rows_; }

 private:
  std::filesystem::path dir_;
  std::string rows_ = "node\top\toutput\ttensor\tfile\n";
};

}  // namespace

int run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("model", po::value<std::string>()->required(), "model file (.tflite)")(
      "input,i", po::value<std::vector<std::string>>()->composing(), "input .npy, once per model input, in order")(
      "output-dir,o", po::value<std::string>()->required(), "directory for out_<i>.npy (created if missing)")(
      "scheme", po::value<std::string>(), ("quantize the weights first: " + scheme_preset_names()).c_str())(
      "activations", po::value<std::string>(), "hybrid activation rows for every op: sym or asym")(
      "epilogue", po::value<std::string>(), "hybrid float epilogue order: tflite (builtin kernels) or xnnpack")(
      "arithmetic", po::value<std::string>(),
      "litert-cpu: every op computes as LiteRT's CPU path does (docs/litert-cpu.md)")(
      "threads,t", po::value<int>()->default_value(0), "kernel threads (0: all cores)")(
      "repeat", po::value<int>()->default_value(1), "run this many times and print the median time to stderr")(
      "dump-layers", po::value<std::string>(),
      "also write every node's output to DIR/<node>.npy with an index DIR/layers.tsv (node, op, tensor name)");
  add_input_shape_option(options);
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;

  const int threads = vm["threads"].as<int>();
  if (threads < 0) throw UsageError(fmt::format("--threads {} is negative", threads));
  if (threads > 0) kernels::set_num_threads(threads);
  const int repeat = vm["repeat"].as<int>();
  if (repeat < 1) throw UsageError(fmt::format("--repeat {} must be at least 1", repeat));

  const std::string model_path = vm["model"].as<std::string>();
  std::vector<std::string> input_paths;
  if (vm.count("input")) input_paths = vm["input"].as<std::vector<std::string>>();
  LoadedModel m = load_model(model_path);
  if (vm.count("scheme")) m.graph = quantize_graph(m.graph, Scheme::parse(vm["scheme"].as<std::string>())).graph;
  const bool litert_cpu = !read_arithmetic_option(vm).empty();
  // LiteRT decides rows and epilogues per op itself; an override would describe a run LiteRT never makes.
  if (litert_cpu && (vm.count("activations") || vm.count("epilogue")))
    throw UsageError("--arithmetic litert-cpu computes each op as LiteRT does; --activations and --epilogue "
                     "would override that, give one or the other");
  if (vm.count("activations")) {
    const std::string a = vm["activations"].as<std::string>();
    if (a != "sym" && a != "asym") throw UsageError(fmt::format("--activations {}: must be sym or asym", a));
    set_activation_mode(m.graph, a == "asym");
  }
  if (vm.count("epilogue")) {
    const std::string e = vm["epilogue"].as<std::string>();
    if (e != "tflite" && e != "xnnpack") throw UsageError(fmt::format("--epilogue {}: must be tflite or xnnpack", e));
    for (Node& n : m.graph.nodes)
      if (!weight_slots(n).empty()) n.attrs.set(kEpilogueAttr, e);
  }
  if (litert_cpu) set_litert_cpu_arithmetic(m.graph);
  const Graph& g = m.graph;
  const std::vector<Shape> requested = input_shapes_for(vm, g);
  if (input_paths.size() != g.inputs.size())
    throw InputError(fmt::format("{}: the model has {} input{}, {} --input given", model_path, g.inputs.size(),
                                 g.inputs.size() == 1 ? "" : "s", input_paths.size()));

  std::vector<Tensor> inputs;
  std::vector<Shape> shapes;
  for (size_t i = 0; i < input_paths.size(); ++i) {
    Tensor x = read_npy(input_paths[i]);
    const Tensor& want = g.tensors[g.inputs[i]];
    if (x.dtype != want.dtype)
      throw InputError(fmt::format("{}: array is {}, model input {} ('{}') is {}", input_paths[i],
                                   dtype_name(x.dtype), i, want.name, dtype_name(want.dtype)));
    if (vm.count("input-shape") && shape_is_concrete(requested[i]) && x.shape != requested[i])
      throw InputError(fmt::format("{}: array shape {} differs from the size asked for input {} ('{}') with "
                                   "--input-shape: {}", input_paths[i], shape_string(x.shape), i, want.name,
                                   shape_string(requested[i])));
    shapes.push_back(x.shape);
    inputs.push_back(std::move(x));
  }

  Executor exec(g);
  exec.prepare(shapes);
  std::vector<double> times;
  for (int r = 0; r < repeat; ++r) {
    for (size_t i = 0; i < inputs.size(); ++i)
      std::memcpy(exec.input(i).data.data(), inputs[i].data.data(), inputs[i].bytes());
    exec.reset_state();
    auto t0 = std::chrono::steady_clock::now();
    exec.run();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  if (repeat > 1) fmt::print(stderr, "qgate run: median {:.3f} ms over {} runs\n", times[times.size() / 2], repeat);

  namespace fs = std::filesystem;
  if (vm.count("dump-layers")) {
    // One more run, untimed, with the observer: the kernels are deterministic, so it computes what the timed
    // runs computed.
    const fs::path layer_dir = vm["dump-layers"].as<std::string>();
    std::error_code dir_ec;
    fs::create_directories(layer_dir, dir_ec);
    if (dir_ec)
      throw InputError(fmt::format("{}: cannot create layer directory: {}", layer_dir.string(), dir_ec.message()));
    for (size_t i = 0; i < inputs.size(); ++i)
      std::memcpy(exec.input(i).data.data(), inputs[i].data.data(), inputs[i].bytes());
    exec.reset_state();
    LayerDumper dumper(layer_dir);
    exec.run(&dumper);
    write_file_atomic((layer_dir / "layers.tsv").string(), dumper.rows());
  }
  const fs::path dir = vm["output-dir"].as<std::string>();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError(fmt::format("{}: cannot create output directory: {}", dir.string(), ec.message()));
  // Write every output to a temporary name first, then rename them all: no half-written set of outputs.
  std::vector<std::pair<fs::path, fs::path>> staged;
  try {
    for (size_t i = 0; i < exec.num_outputs(); ++i) {
      fs::path final_path = dir / fmt::format("out_{}.npy", i);
      fs::path tmp = dir / fmt::format(".out_{}.npy.partial", i);
      write_npy(tmp.string(), as_float32(exec.output(i)));
      staged.emplace_back(tmp, final_path);
    }
  } catch (...) {
    for (auto& [tmp, fin] : staged) fs::remove(tmp, ec);
    throw;
  }
  for (auto& [tmp, fin] : staged) {
    fs::rename(tmp, fin, ec);
    if (ec) throw InputError(fmt::format("{}: cannot rename into place: {}", fin.string(), ec.message()));
  }
  return 0;
}

}  // namespace qgate::cli
