// Options shared by the commands that evaluate over a data set (eval, compare): the data set and its
// preprocessing, gates, threads and the sample limit. One definition, so the two commands accept and check them
// the same way.
#pragma once

#include <memory>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/spec.h"
#include "harness/cli/cli_util.h"
#include "harness/float_cache.h"
#include "harness/graph.h"
#include "harness/metrics/gates.h"
#include "reports/compare.h"
#include "reports/report.h"

namespace qgate::cli {

// Declares --data, --labels, --vocab, --preprocess and the preprocessing flags.
void add_data_options(po::options_description& options);
// Declares --limit, --threads, --gate, --no-cache and --input-shape.
void add_run_options(po::options_description& options);

// Declares --report, --html, --csv and --junit.
void add_export_options(po::options_description& options);
// Writes every export asked for, each atomically; called only when the run completed. One writer per format for
// both commands (reports/: JSON, HTML, CSV, JUnit).
void write_exports(const po::variables_map& vm, const reports::Report& report);
void write_exports(const po::variables_map& vm, const reports::CompareReport& report);

// The data options as given (flags override the --preprocess file field by field).
DataOptions read_data_options(const po::variables_map& vm);
// Opens the data set for the graph's inputs (checked against the pipeline before any sample), shaped as
// `input_shapes` (input_shapes_for: the declared shapes with --input-shape applied; the data sizes what stays
// symbolic).
std::unique_ptr<Dataset> open_data_for(const DataOptions& options, const Graph& graph,
                                       const std::vector<Shape>& input_shapes);

// Parses every --gate and refuses unknown fields before anything runs. `hint` is appended to the error.
std::vector<metrics::Gate> read_gates(const po::variables_map& vm, const std::vector<int>& top_k, bool with_layers,
                                      const std::string& hint = "");
// The gates a run applies: the given ones, or the default that fits the data (top-1 delta with labels, top-1
// agreement without). Refuses a gate on a label-based value when the data has no labels, before the run.
std::vector<metrics::Gate> fit_gates_to_data(std::vector<metrics::Gate> gates, const Dataset& data);
// Applies --threads (0: all cores) and returns --limit, both checked.
int64_t apply_threads_and_limit(const po::variables_map& vm);
// The float-output cache for this model, data set and output index; disabled by --no-cache.
// `float_graph`'s arithmetic (harness/ptq.h) is part of the key when it is litert-cpu.
FloatOutputCache float_cache_for(const po::variables_map& vm, const std::string& model_sha256, const Dataset& data,
                                 int output_index, const Graph& float_graph);

// --arithmetic (run, eval, compare): "" when absent, else "litert-cpu"; any other value is a usage error.
std::string read_arithmetic_option(const po::variables_map& vm);

}  // namespace qgate::cli
