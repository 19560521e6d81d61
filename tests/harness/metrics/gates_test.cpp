#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/metrics/gates.h"

using namespace qgate::metrics;

namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_gate(text);
  } catch (const qgate::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_SUITE("harness.metrics") {
  TEST_CASE("gates parse PATH OP NUMBER") {
    Gate g = parse_gate("top1.delta.ci_low>=-1.0");
    CHECK(g.path == "top1.delta.ci_low");
    CHECK(g.op == ">=");
    CHECK(g.threshold == -1.0);
    CHECK(g.text == "top1.delta.ci_low>=-1.0");

    g = parse_gate("  agreement >= 0.99 ");
    CHECK(g.path == "agreement");
    CHECK(g.threshold == 0.99);
    CHECK(g.text == "agreement >= 0.99");

    g = parse_gate("top1-drop<=0.5");  // '-' belongs to the path
    CHECK(g.path == "top1-drop");
    CHECK(g.op == "<=");
    CHECK(g.threshold == 0.5);

    CHECK(parse_gate("layers.sqnr_min>15").op == ">");
    CHECK(parse_gate("kl.p99.9<1e-3").threshold == 1e-3);
    CHECK(parse_gate("kl.p99.9<1e-3").path == "kl.p99.9");
    CHECK(parse_gate("flips==0").op == "==");

    const Gate d = default_gate();
    CHECK(d.path == "top1.delta.ci_low");
    CHECK(d.op == ">=");
    CHECK(d.threshold == -1.0);
  }

  TEST_CASE("bad gates name the token and the rule") {
    CHECK(parse_error("").find("gate is empty") != std::string::npos);
    CHECK(parse_error("top1").find("gate 'top1': no comparison operator") != std::string::npos);
    CHECK(parse_error(">=1").find("no field name before the operator") != std::string::npos);
    CHECK(parse_error("top 1>=1").find("'top 1' is not a field name") != std::string::npos);
    CHECK(parse_error("agreement=0.9").find("'=' is not an operator, write '=='") != std::string::npos);
    CHECK(parse_error("flips!=0").find("'!' is not an operator") != std::string::npos);
    CHECK(parse_error("agreement>=").find("no number after '>='") != std::string::npos);
    CHECK(parse_error("agreement>=high").find("'high' is not a finite number") != std::string::npos);
    CHECK(parse_error("agreement>==1").find("'=1' is not a finite number") != std::string::npos);
    CHECK(parse_error("agreement>=inf").find("'inf' is not a finite number") != std::string::npos);
    CHECK(parse_error("top1-drop<=0.5%").find("already in percentage points (write 0.5)") != std::string::npos);
    // Every message shows the expected form.
    CHECK(parse_error("top1").find("expected PATH OP NUMBER") != std::string::npos);
  }

  TEST_CASE("gates evaluate against the value map") {
    const std::map<std::string, double> v = {
        {"top1.delta.ci_low", -0.42}, {"top1-drop", 0.3}, {"agreement", 0.985}, {"flips", 3},
        {"nan", std::numeric_limits<double>::quiet_NaN()}};
    GateResult r = evaluate(default_gate(), v);
    CHECK(r.passed);
    CHECK(r.actual == -0.42);
    CHECK(r.summary == "top1.delta.ci_low = -0.42 >= -1: pass");

    r = evaluate(parse_gate("agreement>=0.99"), v);
    CHECK_FALSE(r.passed);
    CHECK(r.summary == "agreement = 0.985 >= 0.99: FAIL");

    CHECK(evaluate(parse_gate("top1-drop<=0.5"), v).passed);
    CHECK_FALSE(evaluate(parse_gate("top1-drop<0.3"), v).passed);
    CHECK(evaluate(parse_gate("top1-drop<=0.3"), v).passed);
    CHECK(evaluate(parse_gate("top1-drop>0.29"), v).passed);
    CHECK(evaluate(parse_gate("flips==3"), v).passed);
    CHECK(evaluate(parse_gate("flips==3.000000000001"), v).passed);  // within 1e-9 relative
    CHECK_FALSE(evaluate(parse_gate("flips==3.01"), v).passed);
    CHECK_FALSE(evaluate(parse_gate("nan>=0"), v).passed);
    CHECK_FALSE(evaluate(parse_gate("nan<=0"), v).passed);

    try {
      evaluate(parse_gate("top5.delta>=-1"), v);
      FAIL("no error");
    } catch (const qgate::InputError& e) {
      const std::string m = e.what();
      CHECK(m.find("gate 'top5.delta>=-1': unknown field 'top5.delta'") != std::string::npos);
      CHECK(m.find("known fields: agreement, flips, nan, top1-drop, top1.delta.ci_low") != std::string::npos);
    }
  }

  TEST_CASE("gate values of model metrics: units, signs and the advertised names") {
    ModelMetricsAccumulator acc;
    // 4 labeled samples, 2 classes; float right on all, quant wrong on sample 3: top-1 75 % vs 100 %.
    for (int i = 0; i < 4; ++i) {
      const std::vector<float> f = {2, 0};
      const std::vector<float> q = i == 3 ? std::vector<float>{0, 2} : f;
      acc.add(i, f, q, 0);
    }
    const auto v = gate_values(acc.finalize());
    CHECK(v.at("top1.float") == 100);
    CHECK(v.at("top1.quant") == 75);
    CHECK(v.at("top1.delta") == -25);
    CHECK(v.at("top1-drop") == 25);
    CHECK(v.at("top1-drop.ci_high") == -v.at("top1.delta.ci_low"));
    CHECK(v.at("top1.delta.ci_high") <= 0);
    CHECK(v.at("top1.mcnemar.b") == 1);
    CHECK(v.at("top1.mcnemar.c") == 0);
    CHECK(v.at("agreement") == 0.75);
    CHECK(v.at("top5.delta") == 0);  // two classes: every sample is a top-5 hit
    CHECK(std::signbit(v.at("top5-drop")) == false);  // no "-0"
    CHECK(evaluate(parse_gate("top1-drop<=0.5"), v).passed == false);

    // Every key gate_values() fills is advertised by gate_value_names() (so gates can be checked up front).
    const auto names = gate_value_names({1, 5}, false);
    for (const auto& [k, x] : v) {
      CAPTURE(k);
      CHECK(std::find(names.begin(), names.end(), k) != names.end());
    }
    CHECK(names.size() == v.size());
  }

  TEST_CASE("layer gate values") {
    ErrorStats a, b;
    a.sqnr_db = 30;
    a.cosine = 0.999;
    a.nmse = 0.001;
    b.sqnr_db = 12;
    b.cosine = 0.95;
    b.nmse = 0.06;
    b.scale = 0.1;
    b.rmse_over_scale = 0.9;
    b.flagged = true;
    std::map<std::string, double> v;
    const std::vector<ErrorStats> layers = {a, b};
    add_layer_gate_values(layers, v);
    CHECK(v.at("layers.sqnr_min") == 12);
    CHECK(v.at("layers.cosine_min") == 0.95);
    CHECK(v.at("layers.nmse_max") == 0.06);
    CHECK(v.at("layers.flagged") == 1);
    CHECK(v.at("layers.rmse_over_scale_max") == 0.9);
    CHECK_FALSE(evaluate(parse_gate("layers.sqnr_min>=15"), v).passed);
    const auto names = gate_value_names({}, true);
    for (const auto& [k, x] : v) CHECK(std::find(names.begin(), names.end(), k) != names.end());

    std::map<std::string, double> none;
    add_layer_gate_values(std::vector<ErrorStats>{}, none);
    CHECK(none.empty());
  }
}
