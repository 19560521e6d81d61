#!/usr/bin/env bash
# End-to-end checks of `qgate compare` on the bundled Fashion-MNIST CNN and 300 real Fashion-MNIST test images:
#  - tflite-dynamic vs 4-bit per-tensor exits 1 (the 4-bit row fails the default gate, the other passes);
#  - the first run computes the float outputs, the second reads them from $QGATE_CACHE/float-outputs/ and gives
#    the same rows;
#  - the tflite-dynamic row's top-1 delta equals the one an independent `qgate eval --report` gives;
#  - the report is a qgate.compare object, schema_version 1, one row per scheme, valid against
#    reports/schema/compare.schema.json (with and without --layers);
#  - --csv has one row per scheme x layer x metric (a leading scheme column), --junit one test case per scheme x
#    gate with the failing scheme's gate failed;
#  - an unknown scheme exits 2.
# Usage: cli_compare.sh QGATE_BINARY REPO_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
model=$repo/models/fmnist_cnn.tflite
n=300
schemes="tflite-dynamic,per-tensor,bits=4,min-elements=0"

"$qgate" compare --model "$model" --schemes "$schemes" --data "$data" --limit $n --report "$work/c1.json" \
  --csv "$work/c1.csv" --junit "$work/c1.xml" >"$work/c1.txt" 2>&1
rc=$?
cat "$work/c1.txt"
[[ $rc -eq 1 ]]
check "compare exits 1 (the 4-bit row fails)" $?
grep -q "float outputs: computed" "$work/c1.txt"
check "first run computes the float outputs" $?
ls "$QGATE_CACHE"/float-outputs/*.bin >/dev/null 2>&1
check "float outputs cached under \$QGATE_CACHE/float-outputs" $?

"$qgate" compare --model "$model" --schemes "$schemes" --data "$data" --limit $n --report "$work/c2.json" \
  >"$work/c2.txt" 2>&1
rc=$?
[[ $rc -eq 1 ]] && grep -q "float outputs: cached" "$work/c2.txt"
check "second run exits 1 and reads the cached float outputs" $?

"$qgate" eval --model "$model" --scheme tflite-dynamic --data "$data" --limit $n --no-layers --no-search \
  --report "$work/eval.json" >"$work/eval.txt" 2>&1
check "independent eval --scheme tflite-dynamic exits 0" $?

/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
c1, c2, ev = (json.load(open(f"{w}/{n}.json")) for n in ("c1", "c2", "eval"))
assert c1["kind"] == "qgate.compare" and c1["schema_version"] == 1, c1["kind"]
assert [r["scheme"] for r in c1["rows"]] == ["tflite-dynamic", "per-tensor,bits=4,min-elements=0"], c1["rows"]
assert [r["verdict"] for r in c1["rows"]] == ["PASS", "FAIL"], [r["verdict"] for r in c1["rows"]]
assert c1["float_outputs"] == "computed" and c2["float_outputs"] == "cached"
assert c1["rows"] == c2["rows"], "cached float outputs changed the rows"
PY
check "report layout, verdicts, cached rows identical" $?

/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
c1 = json.load(open(f"{w}/c1.json"))
ev = json.load(open(f"{w}/eval.json"))
def find_delta(node):
    # the eval report's top-1 entry: an object with k == 1 and a delta field
    if isinstance(node, dict):
        if node.get("k") == 1 and any(k.startswith("delta") for k in node):
            return node
        for v in node.values():
            r = find_delta(v)
            if r is not None: return r
    elif isinstance(node, list):
        for v in node:
            r = find_delta(v)
            if r is not None: return r
    return None
t = find_delta(ev)
assert t is not None, "no top-1 entry in the eval report"
d = t.get("delta_pct", t.get("delta"))
mine = c1["rows"][0]["top1"]["delta"]
assert abs(mine - d) < 1e-9, (mine, d)
print("top-1 delta", mine, "== eval", d)
PY
check "tflite-dynamic top-1 delta equals eval's" $?

gates=(--gate "top1.delta.ci_low>=-1.0" --gate "layers.sqnr_min>=15")
"$qgate" compare --model "$model" --schemes "$schemes" --data "$data" --limit $n --layers "${gates[@]}" \
  --report "$work/l.json" --csv "$work/l.csv" --junit "$work/l.xml" >"$work/l.txt" 2>&1
check "compare --layers with two gates exits 1" $([[ $? -eq 1 ]]; echo $?)

/usr/bin/python3 - "$repo/reports/schema/compare.schema.json" "$work"/c1.json "$work"/c2.json "$work"/l.json <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
for p in sys.argv[2:]:
    jsonschema.validate(json.load(open(p)), schema)
# And the schema rejects what it should: a missing field, an unknown one, a wrong kind.
c = json.load(open(sys.argv[2]))
for bad in ({k: v for k, v in c.items() if k != "rows"}, dict(c, extra=1), dict(c, kind="qgate.eval")):
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError:
        continue
    raise AssertionError("schema accepted a bad report")
PY
check "compare reports validate against reports/schema/compare.schema.json (which rejects bad ones)" $?

/usr/bin/python3 - "$work/l.json" "$work/l.csv" "$work/c1.csv" <<'PY'
import csv, json, sys
c = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2], newline="")))
assert rows[0] == ["scheme", "section", "node", "name", "op", "metric", "value"], rows[0]
assert all(len(x) == 7 for x in rows), "ragged rows"
metrics = ("sqnr_db", "cosine", "nmse", "mse", "max_abs_error", "mean_error", "rmse_over_scale")
expected = {(r["scheme"], str(l["node"]), f"accumulated.{m}") for r in c["rows"] for l in r["layers"] for m in metrics}
got = [(x[0], x[2], x[5]) for x in rows[1:] if x[1] == "layer" and not x[5].startswith("series.")]
assert len(got) == len(set(got)) == len(expected) > 0 and set(got) == expected, (len(got), len(expected))
for r in c["rows"]:
    model = {x[5]: x[6] for x in rows[1:] if x[0] == r["scheme"] and x[1] == "model"}
    assert float(model["top1.delta"]) == r["top1"]["delta"], r["scheme"]
    assert int(model["weight_bytes.quantized"]) == r["weight_bytes_quantized"], r["scheme"]
    sq = min(float(x[6]) for x in rows[1:] if x[0] == r["scheme"] and x[1] == "layer" and x[5] == "accumulated.sqnr_db")
    assert sq == r["worst_layer_sqnr_db"], (sq, r["worst_layer_sqnr_db"])
plain = list(csv.reader(open(sys.argv[3], newline="")))
assert not [x for x in plain[1:] if x[1] == "layer"], "layer rows without --layers"
assert {x[0] for x in plain[1:]} == {r["scheme"] for r in c["rows"]}
PY
check "compare --csv: one row per scheme x layer x metric, values equal the JSON's" $?

/usr/bin/python3 - "$work/l.json" "$work/l.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
c = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
cases = root.findall("./testsuite/testcase")
assert len(cases) == sum(len(r["gates"]) for r in c["rows"]) == 4, len(cases)
assert int(root.get("tests")) == 4
want = {(f"qgate.gates.{r['scheme']}", g["gate"], g["passed"]) for r in c["rows"] for g in r["gates"]}
got = {(t.get("classname"), t.get("name"), t.find("failure") is None) for t in cases}
assert got == want, (got, want)
assert int(root.get("failures")) == sum(not g["passed"] for r in c["rows"] for g in r["gates"]) >= 1
assert [s.get("name") for s in root.findall("testsuite")] == [f"qgate.compare.{r['scheme']}" for r in c["rows"]]
PY
check "compare --junit: one test case per scheme x gate, the failing ones failed" $?

"$qgate" compare --model "$model" --schemes "tflite-dynamic,no-such-scheme" --data "$data" --limit 10 \
  >"$work/bad.txt" 2>&1
[[ $? -eq 2 ]] && has_all "$work/bad.txt" "scheme 'no-such-scheme': 'no-such-scheme' is not a preset or granularity" \
  "expected one of tflite-dynamic,"
check "unknown scheme exits 2 naming the scheme and the presets" $?

finish
