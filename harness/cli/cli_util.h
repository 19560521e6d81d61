// Shared plumbing for subcommands: option parsing with --help, and small formatting helpers.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "reports/report.h"

namespace qgate::cli {

namespace po = boost::program_options;

struct CommandSpec {
  const char* name;     // "run"
  const char* usage;    // "qgate run MODEL --input X0.npy [...] --output-dir DIR"
  const char* summary;  // one paragraph
};

// Parses `args` into `vm`. Returns false when --help was asked for (usage already printed to stdout).
// Throws UsageError for unknown options or missing positionals.
bool parse_options(const CommandSpec& spec, po::options_description& options,
                   const po::positional_options_description& positional, const std::vector<std::string>& args,
                   po::variables_map& vm);

using reports::human_bytes;

}  // namespace qgate::cli
