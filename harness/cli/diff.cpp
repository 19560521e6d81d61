// qgate diff: what got worse between two eval reports, beyond noise. The rules live in reports/diff.h.
#include <fmt/format.h>

#include "harness/cli/cli_util.h"
#include "harness/cli/commands.h"
#include "core/errors.h"
#include "core/files.h"
#include "reports/diff.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "diff",
    "qgate diff BASE.json NEW.json [--tolerance-points X] [--layer-sqnr-drop DB] [--agreement-drop-points X] "
    "[--json]",
    "Compares two `qgate eval --report` files and flags what got worse beyond noise. Exit status: 0 no regression,\n"
    "1 a regression, 2 bad input. Regressions:\n"
    "  top-k delta: NEW lost more accuracy than BASE by more than --tolerance-points AND the 95% intervals say the\n"
    "    drop is real (they do not overlap, or the drop exceeds 1.96 x the combined standard error read off the\n"
    "    interval widths); a drop beyond the tolerance but within noise is shown as 'noise';\n"
    "  agreement: top-1 agreement fell by more than --agreement-drop-points;\n"
    "  verdict: PASS before, anything else now;  gates: a gate (same text) that passed now fails;\n"
    "  layers (matched by node id and name): accumulated SQNR fell by more than --layer-sqnr-drop dB.\n"
    "The mirror images are listed as improvements. Different model, scheme or data are stated as notes."};

nlohmann::ordered_json read_report(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(fmt::format("{}: not JSON: {}", path, e.what()));
  }
}

}  // namespace

int diff(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("base", po::value<std::string>()->required(), "the reference report (BASE.json)")(
      "new", po::value<std::string>()->required(), "the report under test (NEW.json)")(
      "tolerance-points", po::value<double>()->default_value(0.5),
      "top-k delta drop (percentage points) that counts, when real")(
      "layer-sqnr-drop", po::value<double>()->default_value(3.0), "per-layer accumulated SQNR drop (dB) that counts")(
      "agreement-drop-points", po::value<double>()->default_value(0.5),
      "top-1 agreement drop (percentage points) that counts")(
      "json", po::bool_switch(), "print the findings as JSON instead of a table");
  po::positional_options_description positional;
  positional.add("base", 1).add("new", 1);
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;
  reports::DiffOptions o;
  o.tolerance_points = vm["tolerance-points"].as<double>();
  o.layer_sqnr_drop_db = vm["layer-sqnr-drop"].as<double>();
  o.agreement_drop_points = vm["agreement-drop-points"].as<double>();
  for (const auto& [name, v] : {std::pair<const char*, double>{"--tolerance-points", o.tolerance_points},
                                {"--layer-sqnr-drop", o.layer_sqnr_drop_db},
                                {"--agreement-drop-points", o.agreement_drop_points}})
    if (!(v >= 0)) throw UsageError(fmt::format("{} {}: must be a number >= 0", name, v));

  const std::string base_path = vm["base"].as<std::string>(), new_path = vm["new"].as<std::string>();
  const auto result =
      reports::diff_reports(read_report(base_path), read_report(new_path), o, base_path, new_path);
  if (vm["json"].as<bool>())
    fmt::print("{}\n", reports::diff_json(result).dump(2));
  else
    fmt::print("qgate diff {} -> {}\n\n{}", base_path, new_path, reports::diff_table(result));
  return result.regressions > 0 ? 1 : 0;
}

}  // namespace qgate::cli
