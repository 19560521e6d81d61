#!/usr/bin/env bash
# End-to-end checks of the report exports and `qgate diff` on the bundled Fashion-MNIST CNN:
#  - eval writes --report, --csv and --junit; the CSV parses with Python's csv module and has one row per layer
#    and metric (counted from the JSON report), the JUnit XML parses with xml.etree and has one testcase per gate;
#  - diff of tflite-dynamic (good) -> 4-bit per-tensor (bad) exits 1 and names the top-1 regression;
#    good -> good exits 0; bad -> good exits 0 and lists improvements;
#  - diff on a file that is not a report, or of another schema_version, exits 2 with one line.
# Usage: cli_diff.sh QGATE_BINARY REPO_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
model=$repo/models/fmnist_cnn.tflite
n=300

gates=(--gate "top1.delta.ci_low>=-1.0" --gate "agreement>=0.98" --gate "layers.sqnr_min>=10")
"$qgate" eval --model "$model" --data "$data" --limit $n "${gates[@]}" \
  --report "$work/good.json" --csv "$work/good.csv" --junit "$work/good.xml" >"$work/good.txt" 2>&1
check "eval tflite-dynamic exits 0" $?
"$qgate" eval --model "$model" --data "$data" --limit $n "${gates[@]}" --scheme "per-tensor,bits=4,min-elements=0" \
  --report "$work/bad.json" --csv "$work/bad.csv" --junit "$work/bad.xml" >"$work/bad.txt" 2>&1
rc=$?
[[ $rc -eq 1 && -s $work/bad.json && -s $work/bad.csv && -s $work/bad.xml ]]
check "eval 4-bit per-tensor exits 1 (a gate fails) and writes all three files" $?

for v in good bad; do
  /usr/bin/python3 - "$work/$v.json" "$work/$v.csv" <<'PY'
import csv, json, sys
r = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2], newline="")))
assert rows[0] == ["section", "node", "name", "op", "metric", "value"], rows[0]
assert all(len(x) == 6 for x in rows), "ragged rows"
parts = ("accumulated", "isolated", "weight_part", "activation_part")
metrics = ("sqnr_db", "cosine", "nmse", "mse", "max_abs_error", "mean_error", "rmse_over_scale")
expected = {(str(l["node"]), l["name"], l["op"], f"{p}.{m}") for l in r["layers"] for p in parts if l[p] for m in metrics}
layer_rows = [x for x in rows[1:] if x[0] == "layer" and not x[4].startswith("series.")]
got = {(x[1], x[2], x[3], x[4]) for x in layer_rows}
assert len(layer_rows) == len(got) == len(expected) > 0 and got == expected, (len(layer_rows), len(expected))
# Values equal the JSON's exactly (shortest round-trip digits; empty = null).
by_key = {(x[1], x[4]): x[5] for x in layer_rows}
for l in r["layers"]:
    for p in parts:
        if not l[p]:
            continue
        for m in metrics:
            s, v = by_key[(str(l["node"]), f"{p}.{m}")], l[p][m]
            assert (s == "" and v is None) or float(s) == v, (l["name"], p, m, s, v)
model = {x[4]: x[5] for x in rows[1:] if x[0] == "model"}
t1 = [t for t in r["model"]["top_k"] if t["k"] == 1][0]
for key, field in (("delta", "delta"), ("ci_low", "ci_low"), ("ci_high", "ci_high"), ("quantized", "quantized")):
    assert float(model["top1." + key]) == t1[field], key
assert float(model["agreement"]) == r["model"]["agreement"]
print(f"     {sys.argv[2].split('/')[-1]}: {len(rows) - 1} rows, {len(layer_rows)} layer rows for {len(r['layers'])} layers")
PY
  check "$v.csv parses (python csv) with one row per layer x metric, values equal the JSON's" $?
  /usr/bin/python3 - "$work/$v.json" "$work/$v.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
assert root.tag == "testsuites"
suites = root.findall("testsuite")
assert len(suites) == 1 and suites[0].get("name") == "qgate.eval"
cases = suites[0].findall("testcase")
assert [c.get("name") for c in cases] == [g["gate"] for g in r["gates"]] and cases, "no gate test cases"
assert all(c.get("classname") == "qgate.gates" for c in cases)
failed = [c.get("name") for c in cases if c.find("failure") is not None]
assert failed == [g["gate"] for g in r["gates"] if not g["passed"]], failed
assert int(suites[0].get("tests")) == len(cases) and int(suites[0].get("failures")) == len(failed)
print(f"     {sys.argv[2].split('/')[-1]}: {len(cases)} testcases, {len(failed)} failed")
PY
  check "$v.xml parses (xml.etree) with one testcase per gate, failures match the report" $?
done

"$qgate" diff "$work/good.json" "$work/bad.json" >"$work/d1.txt" 2>&1
rc=$?
sed 's/^/     | /' "$work/d1.txt"
[[ $rc -eq 1 ]] && grep -q '^REGRESSION *top1.delta' "$work/d1.txt" && grep -q '^note: scheme differs' "$work/d1.txt"
check "diff good -> bad exits 1, flags top1.delta, notes the scheme change" $?
"$qgate" diff "$work/good.json" "$work/good.json" >"$work/d2.txt" 2>&1
rc=$?
[[ $rc -eq 0 ]] && grep -q '^0 regressions, 0 improvements' "$work/d2.txt"
check "diff good -> good exits 0 with nothing changed" $?
"$qgate" diff "$work/bad.json" "$work/good.json" --json >"$work/d3.json" 2>&1
rc=$?
[[ $rc -eq 0 ]] && /usr/bin/python3 -c "
import json, sys; d = json.load(open(sys.argv[1])); assert d['regressions'] == 0 and d['improvements'] > 0, d" "$work/d3.json"
check "diff bad -> good --json exits 0 and lists improvements" $?

echo "not json" >"$work/junk.json"
"$qgate" diff "$work/good.json" "$work/junk.json" >/dev/null 2>"$work/err"
rc=$?
[[ $rc -eq 2 && $(wc -l <"$work/err") -eq 1 ]] && has_all "$work/err" "$work/junk.json: not JSON: " "parse error at line 1"
check "diff on a non-JSON file: exit 2, one line naming the file ($(head -c 100 "$work/err"))" $?
/usr/bin/python3 -c "
import json, sys; r = json.load(open(sys.argv[1])); r['schema_version'] = 99; json.dump(r, open(sys.argv[2], 'w'))" \
  "$work/good.json" "$work/v99.json"
"$qgate" diff "$work/good.json" "$work/v99.json" >/dev/null 2>"$work/err"
rc=$?
[[ $rc -eq 2 ]] && has_all "$work/err" "$work/v99.json: schema_version is 99, this qgate reads schema_version 1"
check "diff on schema_version 99: exit 2 ($(head -c 100 "$work/err"))" $?
"$qgate" diff "$work/good.json" >/dev/null 2>"$work/err"
[[ $? -eq 2 ]] && has_all "$work/err" "qgate diff: the option '--new' is required but missing"
check "diff with one file: usage error naming --new, exit 2" $?

finish
