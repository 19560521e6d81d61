#include "harness/cli/cli_util.h"

#include <fmt/format.h>

#include "harness/cli/commands.h"

namespace qgate::cli {

bool parse_options(const CommandSpec& spec, po::options_description& options,
                   const po::positional_options_description& positional, const std::vector<std::string>& args,
                   po::variables_map& vm) {
  options.add_options()("help,h", "show this help");
  auto parsed = po::command_line_parser(args).options(options).positional(positional).run();
  po::store(parsed, vm);
  if (vm.count("help")) {
    fmt::print("Usage: {}\n\n{}\n\n", spec.usage, spec.summary);
    std::ostringstream ss;
    ss << options;
    fmt::print("{}", ss.str());
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace qgate::cli
