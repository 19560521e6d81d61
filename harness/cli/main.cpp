// qgate: does a neural network survive post-training quantization?
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <boost/program_options/errors.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "harness/cli/commands.h"
#include "core/errors.h"
#include "kernels/cpu_features.h"

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

// stdout for a reader that may leave early (`qgate inspect M | head`): once a write meets a closed pipe, the rest
// of the output is discarded and the command goes on to its end, so the exit status still says what the command
// found (a failed gate stays 1) and the reports it writes to files are complete. Without this, SIGPIPE would kill
// the process mid-way (status 141) or, with SIGPIPE ignored, the next print would throw.
bool g_stdout_closed = false;

ssize_t write_stdout(void*, const char* data, size_t size) {
  size_t done = 0;
  while (!g_stdout_closed && done < size) {
    const ssize_t n = ::write(STDOUT_FILENO, data + done, size - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno == EPIPE) {
      g_stdout_closed = true;
    } else if (errno != EINTR) {
      return -1;  // a real write error (disk full on a redirect): stdio reports it
    }
  }
  return static_cast<ssize_t>(size);
}

void tolerate_closed_stdout() {
  std::signal(SIGPIPE, SIG_IGN);
  cookie_io_functions_t io{};
  io.write = write_stdout;
  if (FILE* f = fopencookie(nullptr, "w", io)) {
    std::setvbuf(f, nullptr, ::isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
    stdout = f;
  }
}

void print_version() {
  fmt::print("qgate {}\n", QGATE_VERSION);
  fmt::print("cpu features: {}\n", qgate::kernels::cpu_feature_list());
  fmt::print("kernel path: {} (set QGATE_DISABLE_AVX2=1 for the portable kernels)\n", qgate::kernels::kernel_path());
}

int dispatch(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (name == "--version" || name == "version") {
    print_version();
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

}  // namespace

int main(int argc, char** argv) {
  tolerate_closed_stdout();
  const int status = dispatch(argc, argv);
  // A reader that left early is not an error (above); a stdout that cannot be written (a full disk) is.
  if (std::fflush(stdout) != 0 && !g_stdout_closed) {
    fmt::print(stderr, "qgate: error: cannot write to standard output: {}\n", std::strerror(errno));
    return status == 0 ? 2 : status;
  }
  return status;
}
