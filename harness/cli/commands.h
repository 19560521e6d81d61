// Subcommands of the qgate CLI. Each takes the arguments after its name and returns the process exit status:
// 0 success / gate passed, 1 a gate failed, 2 bad input or usage, 3 internal error. Bad input is reported by
// throwing qgate::InputError; main() prints it as one line and exits 2.
#pragma once

#include <string>
#include <vector>

namespace qgate::cli {

int inspect(const std::vector<std::string>& args);
int run(const std::vector<std::string>& args);
int quantize(const std::vector<std::string>& args);
int eval(const std::vector<std::string>& args);
int diff(const std::vector<std::string>& args);
int compare(const std::vector<std::string>& args);

// Thrown for usage errors (unknown option, missing argument): exit 2 with the message and a --help hint.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace qgate::cli
