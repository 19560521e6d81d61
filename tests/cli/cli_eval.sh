#!/usr/bin/env bash
# End-to-end checks of `qgate eval` on the bundled Fashion-MNIST CNN and real Fashion-MNIST test images, with
# independent oracles:
#  - float top-1 of a subset equals the accuracy recomputed from the TFLite interpreter's outputs (a real
#    runtime, not qgate) on the same images;
#  - the flip count equals the one recomputed from per-sample predictions of `qgate run` (float) and
#    `qgate run --scheme` (quantized), sample by sample;
#  - --threads 1 and --threads 2 give identical reports (timings aside);
#  - the report validates against reports/schema/report.schema.json;
#  - under LiteRT's CPU arithmetic (--scheme litert-cpu), float and quantized top-1 and the flips equal those
#    recomputed from LiteRT.js's own outputs on the float model and on the file `qgate quantize` writes, and the
#    manifest names the arithmetic (--arithmetic litert-cpu on tflite-dynamic is the same run);
#  - bad input (truncated model, unknown gate field) exits 2 and leaves no report; a failing gate exits 1 (FAIL with
#    --no-search, NEEDS_QAT after the search when no float layers can help).
# Usage: cli_eval.sh QGATE_BINARY REPO_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
model=$repo/models/fmnist_cnn.tflite
n=200

"$qgate" eval --model "$model" --data "$data" --limit $n --threads 1 --report "$work/t1.json" >"$work/t1.txt" 2>&1
rc=$?
check "eval --threads 1 exits 0 (gate holds)" $rc
"$qgate" eval --model "$model" --data "$data" --limit $n --threads 2 --report "$work/t2.json" >"$work/t2.txt" 2>&1
check "eval --threads 2 exits 0" $?
/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a, b = (json.load(open(f"{w}/{n}.json")) for n in ("t1", "t2"))
for r in (a, b):
    r.pop("timing")
assert a == b, "reports differ between 1 and 2 threads"
PY
check "reports for 1 and 2 threads are identical (timing aside)" $?

validate_reports "$repo/reports/schema/report.schema.json" "$work/t1.json"
check "report validates against the JSON schema" $?

# Oracle 1: the first n images through the TFLite interpreter (npm @tensorflow/tfjs-tflite), one fresh run each.
/usr/bin/python3 - "$work" "$fm" $n <<'PY'
import gzip, sys, numpy as np
w, fm, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with gzip.open(f"{fm}/t10k-images-idx3-ubyte.gz") as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)[:n]
with gzip.open(f"{fm}/t10k-labels-idx1-ubyte.gz") as f:
    y = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
np.save(f"{w}/x.npy", (x.astype(np.float32) / 255.0))
np.save(f"{w}/y.npy", y.astype(np.int64))
for i in range(n):
    np.save(f"{w}/x_{i}.npy", (x[i:i+1].astype(np.float32) / 255.0))
PY
node "$repo/reference/tflite_interpreter/run_tflite.mjs" --samples "$model" "$work/interp" "$work/x.npy" >/dev/null 2>"$work/interp.err"
check "TFLite interpreter ran the $n images" $?
/usr/bin/python3 - "$work" <<'PY'
import json, sys, numpy as np
w = sys.argv[1]
p = np.load(f"{w}/interp/out_0.npy").reshape(-1, 10)
y = np.load(f"{w}/y.npy")
acc = 100.0 * np.mean(p.argmax(1) == y)
r = json.load(open(f"{w}/t1.json"))
top1 = [t for t in r["model"]["top_k"] if t["k"] == 1][0]
print(f"     float top-1: qgate {top1['float']:.2f}%, interpreter {acc:.2f}%")
assert abs(top1["float"] - acc) < 1e-9, (top1["float"], acc)
PY
check "float top-1 equals the interpreter's on the same images" $?

# Oracle 2: flips recomputed from per-sample `qgate run` predictions, float and quantized, on the first nf
# images under a 4-bit scheme (damaging enough that predictions flip).
nf=40
scheme="per-tensor,bits=4,min-elements=0"
"$qgate" eval --model "$model" --data "$data" --limit $nf --scheme "$scheme" --no-layers --report "$work/flips.json" \
  >/dev/null 2>&1
[[ $? -le 1 ]] || { echo "FAIL eval under $scheme"; exit 1; }
for ((i = 0; i < nf; i++)); do
  "$qgate" run "$model" --input "$work/x_$i.npy" --output-dir "$work/f$i" --threads 1 || exit 1
  "$qgate" run "$model" --scheme "$scheme" --input "$work/x_$i.npy" --output-dir "$work/q$i" --threads 1 || exit 1
done
/usr/bin/python3 - "$work" $nf <<'PY'
import json, sys, numpy as np
w, n = sys.argv[1], int(sys.argv[2])
y = np.load(f"{w}/y.npy")[:n]
f = np.array([np.load(f"{w}/f{i}/out_0.npy").argmax() for i in range(n)])
q = np.array([np.load(f"{w}/q{i}/out_0.npy").argmax() for i in range(n)])
b = int(np.sum((f == y) & (q != y)))
c = int(np.sum((f != y) & (q == y)))
agree = float(np.mean(f == q))
r = json.load(open(f"{w}/flips.json"))
top1 = [t for t in r["model"]["top_k"] if t["k"] == 1][0]
assert b + c > 0 or agree < 1, "the scheme flipped nothing: the oracle would be vacuous"
print(f"     flips b/c: qgate {top1['mcnemar']['b']}/{top1['mcnemar']['c']}, recomputed {b}/{c}; agreement {agree}")
assert (top1["mcnemar"]["b"], top1["mcnemar"]["c"]) == (b, c)
assert r["model"]["flips"]["count"] == b + c
assert abs(r["model"]["agreement"] - agree) < 1e-12
PY
check "flip counts and agreement equal those recomputed from per-sample qgate run" $?

# The dynamic-range file `qgate quantize` writes, evaluated with --quantized, gives the same model metrics and
# layer errors as the in-memory scheme: the file holds exactly the quantized graph.
"$qgate" quantize "$model" --scheme tflite-dynamic -o "$work/q.tflite" >/dev/null
"$qgate" eval --model "$model" --quantized "$work/q.tflite" --data "$data" --limit $n --threads 1 --report "$work/tq.json" >/dev/null 2>&1
check "eval --quantized exits 0" $?
/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a, b = json.load(open(f"{w}/t1.json")), json.load(open(f"{w}/tq.json"))
assert a["model"] == b["model"], "model metrics differ between --scheme and the written file"
assert [l["accumulated"] for l in a["layers"]] == [l["accumulated"] for l in b["layers"]], "layer errors differ"
PY
check "eval of the written dynamic-range file equals eval under the scheme" $?

# Bad input: exit 2, one line, no report.
head -c 5000 "$model" >"$work/truncated.tflite"
"$qgate" eval --model "$work/truncated.tflite" --data "$data" --limit 10 --report "$work/bad.json" >/dev/null 2>"$work/err"
rc=$?
[[ $rc -eq 2 && ! -e $work/bad.json && $(wc -l <"$work/err") -eq 1 ]] &&
  has_all "$work/err" "$work/truncated.tflite: file: FlatBuffer verification failed on 5000 bytes" "truncated or corrupt"
check "truncated model: exit 2, one line naming file and rule ($(head -c 120 "$work/err")), no report" $?
# Oracle 3: LiteRT.js (reference/litert/run_litert.mjs --samples) on the first n images, float model and the
# dynamic-range file, against `qgate eval --scheme litert-cpu`: top-1 of both runs and the flips, exactly.
"$qgate" eval --model "$model" --data "$data" --limit $n --scheme litert-cpu --no-layers --no-search \
  --report "$work/lc.json" >/dev/null 2>&1
[[ $? -le 1 ]]
check "eval --scheme litert-cpu runs" $?
"$qgate" eval --model "$model" --data "$data" --limit $n --scheme tflite-dynamic --arithmetic litert-cpu --no-layers \
  --no-search --report "$work/lc2.json" >/dev/null 2>&1
[[ $? -le 1 ]]
check "eval --arithmetic litert-cpu runs" $?
"$qgate" quantize "$model" --scheme litert-cpu -o "$work/lq.tflite" >/dev/null
node "$repo/reference/litert/run_litert.mjs" --samples "$model" "$work/lf" "$work/x.npy" >/dev/null 2>"$work/lf.err" &&
  node "$repo/reference/litert/run_litert.mjs" --samples "$work/lq.tflite" "$work/lq" "$work/x.npy" >/dev/null 2>"$work/lq.err"
check "LiteRT ran the $n images, float and quantized" $?
/usr/bin/python3 - "$work" "$repo/reports/schema/report.schema.json" <<'PY'
import json, sys, numpy as np, jsonschema
w = sys.argv[1]
y = np.load(f"{w}/y.npy")
f = np.load(f"{w}/lf/out_0.npy").reshape(len(y), -1).argmax(1)
q = np.load(f"{w}/lq/out_0.npy").reshape(len(y), -1).argmax(1)
r, r2, base = (json.load(open(f"{w}/{n}.json")) for n in ("lc", "lc2", "t1"))
jsonschema.validate(r, json.load(open(sys.argv[2])))
top1 = [t for t in r["model"]["top_k"] if t["k"] == 1][0]
want = (100.0 * np.mean(f == y), 100.0 * np.mean(q == y), int(np.sum((f == y) & (q != y))), int(np.sum((f != y) & (q == y))))
got = (top1["float"], top1["quantized"], top1["mcnemar"]["b"], top1["mcnemar"]["c"])
print(f"     litert-cpu: qgate top-1 {got[0]:.2f}% -> {got[1]:.2f}%, flips {got[2]}/{got[3]}; LiteRT {want[0]:.2f}% -> {want[1]:.2f}%, flips {want[2]}/{want[3]}")
assert all(abs(a - b) < 1e-9 for a, b in zip(got, want)), (got, want)
assert r["manifest"]["arithmetic"] == "litert-cpu" and r["manifest"]["scheme"] == "litert-cpu", r["manifest"]
assert r2["manifest"]["arithmetic"] == "litert-cpu" and r2["manifest"]["scheme"] == "tflite-dynamic,arithmetic=litert-cpu"
assert r["model"] == r2["model"], "--scheme litert-cpu and --arithmetic litert-cpu differ"
assert base["manifest"]["arithmetic"] == "tflite-builtin", base["manifest"]["arithmetic"]
PY
check "litert-cpu eval equals LiteRT's own predictions; the manifest names the arithmetic" $?
grep -q "arithmetic litert-cpu" <("$qgate" eval --model "$model" --data "$data" --limit 5 --scheme litert-cpu --no-layers --no-search 2>&1)
check "console names the arithmetic" $?

"$qgate" eval --model "$model" --data "$data" --limit 10 --gate "colour>=1" --report "$work/bad2.json" >/dev/null 2>"$work/err"
rc=$?
[[ $rc -eq 2 && ! -e $work/bad2.json ]] && has_all "$work/err" "--gate colour>=1: unknown field 'colour'" "(known: agreement,"
check "unknown gate field: exit 2 before running, names the field and the known ones, no report" $?
"$qgate" eval --model "$model" --data "idx:$work/absent.gz" --limit 10 --report "$work/bad3.json" >/dev/null 2>"$work/err"
rc=$?
[[ $rc -eq 2 && ! -e $work/bad3.json ]] && has_all "$work/err" "$work/absent.gz: cannot open: No such file or directory"
check "missing data file: exit 2, names the file, no report ($(head -c 120 "$work/err"))" $?
# A gate that cannot hold: exit 1, report written with verdict FAIL (--no-search), or NEEDS_QAT after the search
# (no set of float layers can make agreement exceed 1).
"$qgate" eval --model "$model" --data "$data" --limit 50 --gate "agreement>=1.01" --no-search --report "$work/fail.json" >/dev/null 2>&1
rc=$?
[[ $rc -eq 1 ]] && grep -q '"status": "FAIL"' "$work/fail.json"
check "failing gate with --no-search: exit 1, report says FAIL" $?
"$qgate" eval --model "$model" --data "$data" --limit 50 --gate "agreement>=1.01" --sensitivity-samples 20 --report "$work/qat.json" >/dev/null 2>&1
rc=$?
[[ $rc -eq 1 ]] && grep -q '"status": "NEEDS_QAT"' "$work/qat.json"
check "failing gate with the search: exit 1, report says NEEDS_QAT" $?

finish
