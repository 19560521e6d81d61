// --input-shape NAME:D0,D1,... (repeatable, on every command that runs a model): the size of a model input whose
// declared shape has symbolic dimensions (a detector declared [1,3,height,width]).
#pragma once

#include <string>
#include <vector>

#include "harness/cli/cli_util.h"
#include "harness/graph.h"

namespace qgate::cli {

void add_input_shape_option(po::options_description& options);

// The model inputs' shapes for this run, in input order: each declared shape with its --input-shape applied, and
// symbols another option sized filled with that size; dimensions nothing fills stay symbolic. Throws UsageError for
// a malformed option or an unknown input name, InputError (naming the input, the dimension, the declared and the
// given value) for a shape the input does not take.
std::vector<Shape> input_shapes_for(const po::variables_map& vm, const Graph& graph);

}  // namespace qgate::cli
