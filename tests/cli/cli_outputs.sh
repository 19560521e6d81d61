#!/usr/bin/env bash
# Every output scored for what it is, on MediaPipe's hand-landmark model (4 outputs: 21x3 landmarks, presence,
# handedness, 21x3 world landmarks) over seeded smooth images (no hand photographs ship with Debian: the inputs are
# a fixed-seed 7x7 colour grid upsampled and blurred to 224x224; the landmarks are what the model makes of them):
#  - each output's kind is inferred and stated (regression for the [1,63] outputs, multilabel for the sigmoids),
#    --landmarks 21,3,TOL reads both [1,63] outputs as points, and the default gate of each kind is applied;
#  - the landmark metrics equal numpy's over the per-sample outputs of `qgate run` (float model and the file
#    `qgate quantize` writes): SQNR, max abs error, mean point distance, fraction within the tolerance, and the
#    presence output's decision agreement;
#  - the report validates against reports/schema/report.schema.json, the CSV and JUnit carry the outputs;
#  - a failing gate on a landmark metric makes the sensitivity analysis and the search follow that metric: the
#    steps are stated in it, and the report names the followed gate.
# Usage: cli_outputs.sh QGATE_BINARY REPO_TOP
set -uo pipefail
qgate=$1
repo=$2
source "$(dirname "$0")/lib.sh"
model=$repo/.cache/models/hands__hand_landmark_lite.tflite
[[ -f $model ]] || missing_asset "$model (scripts/fetch_models)"
n=8
tol=5
/usr/bin/python3 - "$work" $n <<'PY'
import sys, numpy as np
work, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(14)
grid = rng.uniform(0, 1, (n, 7, 7, 3)).astype(np.float32)
x = np.repeat(np.repeat(grid, 32, axis=1), 32, axis=2)
box = np.ones(15, np.float32) / 15
for axis in (1, 2):
    x = np.apply_along_axis(lambda v: np.convolve(np.pad(v, 7, mode="edge"), box, mode="valid"), axis, x)
x = x.astype(np.float32)
np.save(f"{work}/x.npy", x)
for i in range(n):
    np.save(f"{work}/x_{i}.npy", x[i:i + 1])
PY

"$qgate" eval --model "$model" --data "npy:$work/x.npy" --landmarks 21,3,$tol --no-layers --no-search \
  --report "$work/r.json" --csv "$work/r.csv" --junit "$work/r.xml" >"$work/out.txt" 2>&1
status=$?
[[ $status -eq 0 || $status -eq 1 ]]
check "eval of the 4-output model runs (exit $status)" $?
has_all "$work/out.txt" \
  "output 0 'Identity' [1,63]: regression (inferred: float values [1,63]); 21 landmarks x 3 coordinates (stride 3), tolerance 5 units" \
  "output 1 'Identity_1' [1,1]: multilabel (inferred: LOGISTIC output (independent sigmoids))" \
  "output 3 'Identity_3' [1,63]: regression" \
  "mean_distance" "within_tolerance"
check "console: each output's kind, why, its settings and its metrics" $?
/usr/bin/python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["model"] is None, "no output takes class labels: the model section is null"
kinds = [o["kind"] for o in r["outputs"]]
assert kinds == ["regression", "multilabel", "multilabel", "regression"], kinds
gates = [g["gate"] for g in r["gates"]]
assert gates == ["outputs.Identity.within_tolerance.ci_low>=0.95", "outputs.Identity_1.agreement.ci_low>=0.99",
                 "outputs.Identity_2.agreement.ci_low>=0.99", "outputs.Identity_3.within_tolerance.ci_low>=0.95"], gates
PY
check "report: kinds per output, no classes section, one default gate per output kind" $?
/usr/bin/python3 - "$repo/reports/schema/report.schema.json" "$work/r.json" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
check "report validates against the JSON schema" $?
has_all "$work/r.csv" "output,0,Identity,regression,mean_distance.value," "output,1,Identity_1,multilabel,agreement.value,"
check "CSV: per-output metric rows" $?
has_all "$work/r.xml" 'name="output.Identity" value="regression (inferred: float values [1,63])"'
check "JUnit: per-output kind properties" $?

# The independent computation: numpy over per-sample `qgate run` outputs of the float model and of the quantized
# file (`qgate quantize`, the default scheme tflite-dynamic).
"$qgate" quantize "$model" -o "$work/q.tflite" >/dev/null
ran=$?
for i in $(seq 0 $((n - 1))); do
  "$qgate" run "$model" --input "$work/x_$i.npy" --output-dir "$work/f_$i" >/dev/null &&
    "$qgate" run "$work/q.tflite" --input "$work/x_$i.npy" --output-dir "$work/q_$i" >/dev/null || ran=1
done
check "qgate run: float and quantized outputs of every sample" $ran
/usr/bin/python3 - "$work" $n $tol <<'PY'
import json, math, sys, numpy as np
work, n, tol = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
r = json.load(open(f"{work}/r.json"))
def out(kind, i, k):
    return np.load(f"{work}/{kind}_{i}/out_{k}.npy").astype(np.float64).reshape(-1)
def metric(o, name):
    return next(m for m in r["outputs"][o]["metrics"] if m["name"] == name)
def close(name, got, want):
    ok = math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-9)
    print(f"     {name}: report {got!r}, numpy {want!r}" + ("" if ok else "  <-- differs"))
    return ok
ok = True
for o in (0, 3):
    f = np.stack([out("f", i, o) for i in range(n)])
    q = np.stack([out("q", i, o) for i in range(n)])
    e = f - q
    d = np.linalg.norm(e.reshape(n, 21, 3), axis=2)           # [n, 21] point distances
    ok &= close(f"output {o} sqnr_db", metric(o, "sqnr_db")["value"], 10 * math.log10((f * f).sum() / (e * e).sum()))
    ok &= close(f"output {o} max_abs_error", metric(o, "max_abs_error")["value"], np.abs(e).max())
    ok &= close(f"output {o} mean_distance", metric(o, "mean_distance")["value"], d.mean(axis=1).mean())
    ok &= close(f"output {o} within_tolerance", metric(o, "within_tolerance")["value"], (d <= tol).mean())
    ok &= close(f"output {o} max_distance", metric(o, "max_distance")["value"], d.max())
for o in (1, 2):
    f = np.array([out("f", i, o)[0] for i in range(n)])
    q = np.array([out("q", i, o)[0] for i in range(n)])
    ok &= close(f"output {o} agreement", metric(o, "agreement")["value"], ((f > 0.5) == (q > 0.5)).mean())
sys.exit(0 if ok else 1)
PY
check "landmark and decision metrics equal numpy's over per-sample qgate run outputs" $?

# NPY targets: the float landmarks shifted by a seeded offset, so both models have an error against them.
/usr/bin/python3 - "$work" $n <<'PY'
import sys, numpy as np
work, n = sys.argv[1], int(sys.argv[2])
f = np.stack([np.load(f"{work}/f_{i}/out_0.npy").reshape(-1) for i in range(n)])
np.save(f"{work}/t.npy", (f + np.random.default_rng(5).normal(0, 2, f.shape)).astype(np.float32))
PY
"$qgate" eval --model "$model" --data "npy:$work/x.npy" --landmarks Identity=21,3,$tol --targets "Identity=npy:$work/t.npy" \
  --no-layers --no-search --report "$work/t.json" >"$work/t.txt" 2>&1
status=$?
[[ $status -eq 0 || $status -eq 1 ]]
check "eval with NPY targets for the landmarks (exit $status)" $?
/usr/bin/python3 - "$work" $n <<'PY'
import json, math, sys, numpy as np
work, n = sys.argv[1], int(sys.argv[2])
r = json.load(open(f"{work}/t.json"))
o = r["outputs"][0]
assert o["targeted"] == n and o["targets"], o["targets"]
t = np.load(f"{work}/t.npy").astype(np.float64)
f = np.stack([np.load(f"{work}/f_{i}/out_0.npy").astype(np.float64).reshape(-1) for i in range(n)])
q = np.stack([np.load(f"{work}/q_{i}/out_0.npy").astype(np.float64).reshape(-1) for i in range(n)])
m = {x["name"]: x for x in o["metrics"]}
dist = lambda a: np.linalg.norm((a - t).reshape(n, 21, 3), axis=2).mean()
want = {"mae": (np.abs(f - t).mean(), np.abs(q - t).mean()),
        "rmse": (math.sqrt(((f - t) ** 2).mean()), math.sqrt(((q - t) ** 2).mean())),
        "target_distance": (dist(f), dist(q))}
ok = True
for name, (wf, wq) in want.items():
    got = (m[name]["float"], m[name]["quantized"])
    good = all(math.isclose(g, w, rel_tol=1e-5) for g, w in zip(got, (wf, wq)))
    print(f"     {name}: report {got}, numpy {(wf, wq)}" + ("" if good else "  <-- differs"))
    ok &= good and m[name]["against"] == "targets"
sys.exit(0 if ok else 1)
PY
check "metrics against NPY targets equal numpy's (mae, rmse, target_distance, float and quantized)" $?

# A gate on a landmark metric that fails: the analysis and the search follow it.
limit=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); m=next(m for m in r["outputs"][0]["metrics"] if m["name"]=="mean_distance"); print(m["value"] / 4)' "$work/r.json")
gate="outputs.Identity.mean_distance<=$limit"
"$qgate" eval --model "$model" --data "npy:$work/x.npy" --landmarks 21,3,$tol --no-layers --gate "$gate" \
  --sensitivity-samples $n --report "$work/s.json" >"$work/s.txt" 2>&1
status=$?
[[ $status -eq 0 || $status -eq 1 ]]
check "eval with a failing landmark gate runs the search (exit $status)" $?
has_all "$work/s.txt" "followed gate $gate: outputs.Identity.mean_distance = 0 with nothing quantized" \
  "(layers ordered and steps judged by the failed gate $gate)" "keep float [" \
  ": outputs.Identity.mean_distance "
check "console: sensitivity and search steps stated in the landmark metric" $?
/usr/bin/python3 - "$work/s.json" "$gate" "$repo/reports/schema/report.schema.json" <<'PY'
import json, math, sys, jsonschema
r, gate = json.load(open(sys.argv[1])), sys.argv[2]
jsonschema.validate(r, json.load(open(sys.argv[3])))
assert r["sensitivity"]["guide"]["gate"] == gate, r["sensitivity"]["guide"]
assert r["sensitivity"]["guide"]["float"] == 0, r["sensitivity"]["guide"]
assert r["selective"]["guide"]["path"] == "outputs.Identity.mean_distance"
steps = r["selective"]["steps"]
assert steps and all(s["guide"] is not None and s["guide"] >= 0 for s in steps), steps
# Each step's followed value is its gate's actual value.
for s in steps:
    g = next(g for g in s["gates"] if g["gate"] == gate)
    assert math.isclose(g["actual"], s["guide"], rel_tol=1e-12), (g, s["guide"])
assert any("outputs.Identity.mean_distance" in reason for reason in r["verdict"]["reasons"]), r["verdict"]["reasons"]
PY
check "report: the followed gate, each step's value of it, reasons in that metric" $?
finish
