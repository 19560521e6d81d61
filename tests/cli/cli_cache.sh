#!/usr/bin/env bash
# The on-disk float-output cache shared by `qgate eval` and `qgate compare` (harness/float_cache.h), on the bundled
# Fashion-MNIST CNN and 300 real test images:
#  - eval --no-layers computes the float outputs and stores them; a second eval reads them (the console says so,
#    timing.float_outputs is "cached") and its report equals the first outside `timing`;
#  - a run over fewer samples (--limit 100) reads the prefix; --no-cache neither reads nor writes;
#  - compare reads what eval stored, and its tflite-dynamic row equals eval's numbers;
#  - eval with per-layer metrics runs the float graph (its activations are needed) and gives the same model
#    metrics;
#  - a truncated cache file is a miss, not an error; a SELECTIVE search over cached outputs gives the same report.
# Usage: cli_cache.sh QGATE_BINARY REPO_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
model=$repo/models/fmnist_cnn.tflite
# same A.json B.json [PYTHON_EXPR over a, b]: the reports are equal outside timing (and the expression holds).
same() {
  /usr/bin/python3 - "$1" "$2" "${3:-True}" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ta, tb = a.pop("timing"), b.pop("timing")
assert a == b, "reports differ outside timing"
assert eval(sys.argv[3]), sys.argv[3]
PY
}
src() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["timing"]["float_outputs"])' "$1"; }

run_eval() {  # NAME ARGS...: eval of the CNN on 300 images, report NAME.json, console NAME.txt
  local name=$1
  shift
  "$qgate" eval --model "$model" --data "$data" --limit 300 --no-search --report "$work/$name.json" "$@" \
    >"$work/$name.txt" 2>&1
}

run_eval e1 --no-layers
check "first eval --no-layers exits 0" $?
[[ $(src "$work/e1.json") == computed ]] && ls "$QGATE_CACHE"/float-outputs/*.bin >/dev/null 2>&1
check "first eval computes the float outputs and stores them under \$QGATE_CACHE/float-outputs" $?

run_eval e2 --no-layers
check "second eval --no-layers exits 0" $?
[[ $(src "$work/e2.json") == cached ]] && grep -q "float outputs read from the cache" "$work/e2.txt"
check "second eval reads the cache (report and console say so)" $?
same "$work/e1.json" "$work/e2.json" 'b["model"]["top_k"][0]["delta"] == a["model"]["top_k"][0]["delta"]'
check "reports from computed and cached float outputs are identical outside timing" $?

run_eval e3 --no-layers --no-cache
[[ $? -eq 0 && $(src "$work/e3.json") == computed ]]
check "--no-cache computes the float outputs" $?
same "$work/e1.json" "$work/e3.json"
check "--no-cache gives the same report" $?

"$qgate" eval --model "$model" --data "$data" --limit 100 --no-layers --no-search --report "$work/p1.json" \
  >/dev/null 2>&1
"$qgate" eval --model "$model" --data "$data" --limit 100 --no-layers --no-search --no-cache \
  --report "$work/p2.json" >/dev/null 2>&1
[[ $(src "$work/p1.json") == cached && $(src "$work/p2.json") == computed ]] && same "$work/p1.json" "$work/p2.json"
check "--limit 100 reads the first 100 of the 300 cached outputs, same report as computed" $?

"$qgate" compare --model "$model" --schemes tflite-dynamic --data "$data" --limit 300 --report "$work/c.json" \
  >"$work/c.txt" 2>&1
check "compare exits 0" $?
/usr/bin/python3 - "$work/c.json" "$work/e1.json" <<'PY'
import json, sys
c, e = (json.load(open(p)) for p in sys.argv[1:3])
assert c["float_outputs"] == "cached", c["float_outputs"]
t = [x for x in e["model"]["top_k"] if x["k"] == 1][0]
assert c["rows"][0]["top1"]["delta"] == t["delta"] and c["rows"][0]["agreement"] == e["model"]["agreement"]
PY
check "compare reads the float outputs eval stored and gives eval's numbers" $?

run_eval l1
[[ $? -eq 0 && $(src "$work/l1.json") == computed ]]
check "eval with per-layer metrics runs the float graph" $?
/usr/bin/python3 - "$work/l1.json" "$work/e2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["model"] == b["model"] and a["verdict"] == b["verdict"]
PY
check "with layers: the same model metrics and verdict as from the cache" $?

cached=("$QGATE_CACHE"/float-outputs/*.bin)
[[ -f ${cached[0]} ]] && truncate -c -s -100 "${cached[@]}"
truncated=$?
run_eval t1 --no-layers
rc=$?
[[ $truncated -eq 0 && $rc -eq 0 && $(src "$work/t1.json") == computed ]] && same "$work/e1.json" "$work/t1.json"
check "a truncated cache file is a miss: computed again, same report" $?

fragile=(--model "$repo/models/fmnist_fragile_mlp.tflite" --data "$data" --limit 300 --no-layers
  --scheme tflite-dynamic-legacy --sensitivity-samples 300)
"$qgate" eval "${fragile[@]}" --report "$work/s1.json" >/dev/null 2>&1
rc1=$?
"$qgate" eval "${fragile[@]}" --report "$work/s2.json" >/dev/null 2>&1
rc2=$?
[[ $rc1 -eq 1 && $rc2 -eq 1 && $(src "$work/s2.json") == cached ]] &&
  same "$work/s1.json" "$work/s2.json" 'a["verdict"]["status"] == "SELECTIVE"'
check "SELECTIVE search over cached float outputs: the same report" $?

validate_reports "$repo/reports/schema/report.schema.json" "$work"/e1.json "$work"/e2.json "$work"/s2.json
check "reports validate against the schema" $?

finish e1.txt e2.txt c.txt
