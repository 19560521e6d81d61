// Options shared by the commands that evaluate over a data set (eval, compare): the data set and its
// preprocessing, gates, threads and the sample limit. One definition, so the two commands accept and check them
// the same way.
#pragma once

#include <memory>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/spec.h"
#include "harness/cli/cli_util.h"
#include "harness/graph.h"
#include "harness/metrics/gates.h"

namespace qgate::cli {

// Declares --data, --labels, --vocab, --preprocess and the preprocessing flags.
void add_data_options(po::options_description& options);
// Declares --limit, --threads and --gate.
void add_run_options(po::options_description& options);

// The data options as given (flags override the --preprocess file field by field).
DataOptions read_data_options(const po::variables_map& vm);
// Opens the data set for the graph's inputs (checked against the pipeline before any sample).
std::unique_ptr<Dataset> open_data_for(const DataOptions& options, const Graph& graph);

// Parses every --gate and refuses unknown fields before anything runs. `hint` is appended to the error.
std::vector<metrics::Gate> read_gates(const po::variables_map& vm, const std::vector<int>& top_k, bool with_layers,
                                      const std::string& hint = "");
// Applies --threads (0: all cores) and returns --limit, both checked.
int64_t apply_threads_and_limit(const po::variables_map& vm);

}  // namespace qgate::cli
