#!/usr/bin/env bash
# End-to-end checks of `qgate compare` on the bundled Fashion-MNIST CNN and 300 real Fashion-MNIST test images:
#  - tflite-dynamic vs 4-bit per-tensor exits 1 (the 4-bit row fails the default gate, the other passes);
#  - the first run computes the float outputs, the second reads them from $QGATE_CACHE/float-outputs/ and gives
#    the same rows;
#  - the tflite-dynamic row's top-1 delta equals the one an independent `qgate eval --report` gives;
#  - the report is a qgate.compare object, schema_version 1, one row per scheme;
#  - an unknown scheme exits 2.
# Usage: cli_compare.sh QGATE_BINARY REPO_DIR
set -uo pipefail
qgate=$1
repo=$2
model=$repo/models/fmnist_cnn.tflite
fm=/usr/share/datasets/fashion-mnist
data="idx:$fm/t10k-images-idx3-ubyte.gz,$fm/t10k-labels-idx1-ubyte.gz"
n=300
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QGATE_CACHE=$work/cache
fails=0
passes=0
check() {
  if [[ $2 -eq 0 ]]; then echo "ok   $1"; passes=$((passes + 1)); else echo "FAIL $1"; fails=$((fails + 1)); fi
}
schemes="tflite-dynamic,per-tensor,bits=4,min-elements=0"

"$qgate" compare --model "$model" --schemes "$schemes" --data "$data" --limit $n --report "$work/c1.json" \
  >"$work/c1.txt" 2>&1
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

"$qgate" compare --model "$model" --schemes "tflite-dynamic,no-such-scheme" --data "$data" --limit 10 \
  >"$work/bad.txt" 2>&1
[[ $? -eq 2 ]]
check "unknown scheme exits 2" $?

echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]
