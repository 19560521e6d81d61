// qgate: does a neural network survive post-training quantization?
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <boost/program_options/errors.hpp>
#include <fmt/format.h>

#include "harness/cli/commands.h"
#include "harness/errors.h"

namespace {

constexpr const char* kUsage = R"(qgate: tells whether a neural network survives post-training quantization.

Usage: qgate <command> [options]

Commands:
  inspect   show a model's inputs, outputs, ops and weights, and how each weight would be quantized
  run       run a model on .npy inputs and write its outputs as .npy files
  quantize  write the dynamic-range (int8 weights) .tflite of a float model under a scheme
  eval      float vs quantized over a labeled data set: accuracy deltas, per-layer error, gates, report
  diff      compare two eval reports: regressions beyond noise (exit 1), improvements
  compare   one model under several schemes over one data set: a table row and a verdict per scheme

Run 'qgate <command> --help' for a command's options.
Exit status: 0 success, 1 a gate failed, 2 bad input or usage, 3 internal error.
)";

struct Command {
  const char* name;
  int (*fn)(const std::vector<std::string>&);
};
constexpr Command kCommands[] = {{"inspect", qgate::cli::inspect},
                                  {"run", qgate::cli::run},
                                  {"quantize", qgate::cli::quantize},
                                  {"eval", qgate::cli::eval},
                                  {"diff", qgate::cli::diff},
                                  {"compare", qgate::cli::compare}};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (name == "--version") {
    fmt::print("qgate {}\n", QGATE_VERSION);
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.fn(args);
    } catch (const qgate::cli::UsageError& e) {
      fmt::print(stderr, "qgate {}: {} (see 'qgate {} --help')\n", name, e.what(), name);
      return 2;
    } catch (const boost::program_options::error& e) {
      fmt::print(stderr, "qgate {}: {} (see 'qgate {} --help')\n", name, e.what(), name);
      return 2;
    } catch (const qgate::InputError& e) {
      fmt::print(stderr, "qgate: error: {}\n", e.what());
      return 2;
    } catch (const std::bad_alloc&) {
      fmt::print(stderr, "qgate: internal error: out of memory\n");
      return 3;
    } catch (const std::exception& e) {
      fmt::print(stderr, "qgate: internal error: {}\n", e.what());
      return 3;
    }
  }
  fmt::print(stderr, "qgate: unknown command '{}' (commands: inspect, run, quantize, eval, diff, compare; see 'qgate --help')\n", name);
  return 2;
}
