#!/usr/bin/env bash
# The three verdicts of `qgate eval` on models made to prove them (scripts/make_models.py), on the first few
# hundred Fashion-MNIST test images:
#  - fmnist_cnn under tflite-dynamic: PASS, exit 0, no search;
#  - fmnist_fragile_mlp under tflite-dynamic-legacy (per-tensor int8): fc2's outlier weights crush the rest of
#    that layer, the gate fails, sensitivity points at fc2 and keeping it float passes: SELECTIVE, exit 1, and the
#    model written by `qgate quantize --keep-float` with that list passes the gate when evaluated as a file;
#  - fmnist_deep_mlp under per-tensor 4-bit weights: every layer loses a little, no set within the 10% float
#    budget passes: NEEDS_QAT, exit 1, with the reasons in words;
#  - every report validates against reports/schema/report.schema.json.
# Usage: cli_verdicts.sh QGATE_BINARY REPO_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
n=300
# field REPORT PYTHON_EXPR: prints the expression evaluated over the report `r`.
field() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

"$qgate" eval --model "$repo/models/fmnist_cnn.tflite" --data "$data" --limit $n --scheme tflite-dynamic \
  --no-layers --report "$work/cnn.json" >"$work/cnn.txt" 2>&1
check "fmnist_cnn tflite-dynamic exits 0" $?
[[ $(field "$work/cnn.json" 'r["verdict"]["status"], r["sensitivity"], r["selective"]') == "PASS None None" ]]
check "fmnist_cnn: verdict PASS, no sensitivity, no search" $?

"$qgate" eval --model "$repo/models/fmnist_fragile_mlp.tflite" --data "$data" --limit $n \
  --scheme tflite-dynamic-legacy --sensitivity-samples $n --no-layers --report "$work/fragile.json" \
  >"$work/fragile.txt" 2>&1
check "fmnist_fragile_mlp tflite-dynamic-legacy exits 1" $([[ $? -eq 1 ]]; echo $?)
[[ $(field "$work/fragile.json" 'r["verdict"]["status"]') == SELECTIVE ]]
check "fmnist_fragile_mlp: verdict SELECTIVE" $?
[[ $(field "$work/fragile.json" '",".join(k["name"] for k in r["selective"]["keep_float"])') == fc2* ]]
check "fmnist_fragile_mlp: fc2 alone kept float" $?
[[ $(field "$work/fragile.json" 'r["selective"]["float_bytes"] <= r["selective"]["budget_bytes"] and r["selective"]["top1"]["ci_low"] >= -1.0 and r["model"]["top_k"][0]["ci_low"] < -1.0') == True ]]
check "fmnist_fragile_mlp: within budget, gate holds with it, failed without" $?
grep -q '^verdict: SELECTIVE' "$work/fragile.txt" && grep -q 'only quantized' "$work/fragile.txt"
check "fmnist_fragile_mlp: console shows the sensitivity table and the verdict" $?
keep=$(field "$work/fragile.json" '",".join(str(k["node"]) for k in r["selective"]["keep_float"])')
"$qgate" quantize "$repo/models/fmnist_fragile_mlp.tflite" --scheme tflite-dynamic-legacy --keep-float "$keep" \
  -o "$work/fragile_selective.tflite" >/dev/null 2>&1 &&
  "$qgate" eval --model "$repo/models/fmnist_fragile_mlp.tflite" --quantized "$work/fragile_selective.tflite" \
    --data "$data" --limit $n --no-layers >"$work/selective_file.txt" 2>&1
check "quantize --keep-float $keep writes a model that passes the gate" $?
# The written file itself (read with Python bindings flatc generates from the TFLite schema): the kept layers'
# weights are FLOAT32 with the original bytes, every other FULLY_CONNECTED weight of 1024 elements or more is INT8.
flatc --python -o "$work/fb" "$repo/harness/tflite/schema.fbs" &&
  /usr/bin/python3 - "$work/fb" "$repo/models/fmnist_fragile_mlp.tflite" "$work/fragile_selective.tflite" \
    "$(field "$work/fragile.json" '",".join(k["name"] for k in r["selective"]["keep_float"])')" <<'PY'
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from tflite.Model import Model
FULLY_CONNECTED, FLOAT32, INT8 = 9, 0, 9
kept_names = set(sys.argv[4].split(","))

def weights(path):
    """{FC output name: (weight type, weight bytes, element count)}."""
    buf = open(path, "rb").read()
    m = Model.GetRootAs(buf, 0)
    g = m.Subgraphs(0)
    out = {}
    for i in range(g.OperatorsLength()):
        op = g.Operators(i)
        oc = m.OperatorCodes(op.OpcodeIndex())
        if max(oc.DeprecatedBuiltinCode(), oc.BuiltinCode()) != FULLY_CONNECTED:
            continue
        w = g.Tensors(op.Inputs(1))
        data = m.Buffers(w.Buffer()).DataAsNumpy().tobytes()
        out[g.Tensors(op.Outputs(0)).Name().decode()] = (w.Type(), data, int(np.prod(w.ShapeAsNumpy())))
    return out

original, written = weights(sys.argv[2]), weights(sys.argv[3])
assert kept_names and kept_names <= set(written), (kept_names, sorted(written))
int8 = 0
for name, (ty, data, n) in written.items():
    if name in kept_names:
        assert ty == FLOAT32 and data == original[name][1], f"{name}: kept float, written as type {ty}"
    elif n >= 1024:
        assert ty == INT8, f"{name}: {n} weights not kept float, written as type {ty}"
        int8 += 1
assert int8 > 0, "no INT8 weight in the written file"
print(f"     kept float: {sorted(kept_names)}; {int8} other FC weights INT8")
PY
check "the written file holds the kept layers' weights as FLOAT32 (original bytes) and the others as INT8" $?

"$qgate" eval --model "$repo/models/fmnist_deep_mlp.tflite" --data "$data" --limit $n \
  --scheme per-tensor,bits=4 --sensitivity-samples $n --no-layers --report "$work/deep.json" \
  >"$work/deep.txt" 2>&1
check "fmnist_deep_mlp per-tensor,bits=4 exits 1" $([[ $? -eq 1 ]]; echo $?)
[[ $(field "$work/deep.json" 'r["verdict"]["status"]') == NEEDS_QAT ]]
check "fmnist_deep_mlp: verdict NEEDS_QAT" $?
[[ $(field "$work/deep.json" 'any("spread over" in s for s in r["verdict"]["reasons"]) and any("fallback" in s or "budget" in s for s in r["verdict"]["reasons"])') == True ]]
check "fmnist_deep_mlp: reasons name the spread and the best fallback" $?

validate_reports "$repo/reports/schema/report.schema.json" "$work"/cnn.json "$work"/fragile.json "$work"/deep.json
check "the three reports validate against the JSON schema" $?

finish cnn.txt fragile.txt deep.txt
