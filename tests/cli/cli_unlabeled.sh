#!/usr/bin/env bash
# `qgate eval` on data without labels: the default gate fits the data (top-1 agreement, the lower end of its 95%
# interval >= 0.99), the agreement equals the one counted from per-sample `qgate run` outputs of the float model and
# of the file `qgate quantize` writes, a model that changes its predictions fails that gate, and a gate on a
# label-based value is refused before the run (exit 2, nothing written).
# Usage: cli_unlabeled.sh QGATE_BINARY REPO_TOP
set -uo pipefail
source "$(dirname "$0")/lib.sh"
[[ -f $fm/t10k-images-idx3-ubyte.gz ]] || { echo "FAIL required data missing: $fm (Debian dataset-fashion-mnist)"; exit 1; }
n=60
/usr/bin/python3 - "$work" "$fm" $n <<'PY'
import gzip, sys, numpy as np
work, fm, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = gzip.open(f"{fm}/t10k-images-idx3-ubyte.gz").read()
x = (np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 1, 28, 28, 1)[:n] / np.float32(255)).astype(np.float32)
np.save(f"{work}/x.npy", x)                      # the stacked, unlabeled data set
for i in range(n):
    np.save(f"{work}/x_{i}.npy", x[i])            # one [1,28,28,1] input per sample for `qgate run`
PY
cnn=$repo/models/fmnist_cnn.tflite

"$qgate" eval --model "$cnn" --data "npy:$work/x.npy" --report "$work/r.json" >"$work/out.txt" 2>&1
check "eval on unlabeled data with the default gate exits 0" $?
field() { /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
[[ $(field "$work/r.json" 'r["gates"][0]["gate"]') == 'agreement.ci_low>=0.99' && $(field "$work/r.json" 'len(r["gates"])') == 1 ]]
check "the report names the default gate agreement.ci_low>=0.99" $?
grep -q 'gate agreement.ci_low = .* >= 0.99: pass' "$work/out.txt"
check "the console shows the agreement gate" $?
[[ $(field "$work/r.json" 'r["model"]["labeled"]') == 0 && $(field "$work/r.json" 'r["model"]["top_k"]') == '[]' ]]
check "no accuracy is claimed without labels" $?

# Independent count: argmax of each sample's float and quantized outputs from `qgate run` (the float model and the
# file `qgate quantize` writes), for the CNN (which keeps its predictions) and the fragile MLP under per-tensor int8
# (models/README.md: its fc2 outliers change most predictions), which must fail the default gate.
"$qgate" eval --model "$repo/models/fmnist_fragile_mlp.tflite" --data "npy:$work/x.npy" \
  --scheme tflite-dynamic-legacy --no-search --no-layers --report "$work/fragile.json" >"$work/fragile.txt" 2>&1
status=$?
[[ $status -eq 1 && $(field "$work/fragile.json" 'r["verdict"]["status"]') == FAIL ]] &&
  [[ $(field "$work/fragile.json" 'r["gates"][0]["gate"]') == 'agreement.ci_low>=0.99' ]] &&
  [[ $(field "$work/fragile.json" 'r["gates"][0]["passed"]') == False ]]
check "fragile MLP on unlabeled data: the default agreement gate fails, exit 1 (got $status)" $?

count_agreement() {  # MODEL SCHEME REPORT
  local tag; tag=$(basename "$1" .tflite)
  "$qgate" quantize "$1" --scheme "$2" -o "$work/$tag.q.tflite" >/dev/null || return 1
  for i in $(seq 0 $((n - 1))); do
    "$qgate" run "$1" --input "$work/x_$i.npy" --output-dir "$work/$tag.f_$i" >/dev/null &&
      "$qgate" run "$work/$tag.q.tflite" --input "$work/x_$i.npy" --output-dir "$work/$tag.q_$i" >/dev/null || return 1
  done
  /usr/bin/python3 - "$work" "$tag" $n "$3" <<'PY'
import json, sys, numpy as np
work, tag, n, report = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
agree = sum(int(np.argmax(np.load(f"{work}/{tag}.f_{i}/out_0.npy")) == np.argmax(np.load(f"{work}/{tag}.q_{i}/out_0.npy")))
            for i in range(n))
m = json.load(open(report))["model"]
lo, hi = m["agreement_interval"]["low"], m["agreement_interval"]["high"]
print(f"{tag}: agreement from per-sample runs {agree}/{n}, report {m['agreement']} [{lo}, {hi}]")
assert n > 0 and abs(m["agreement"] - agree / n) < 1e-12, "agreement differs from the per-sample count"
assert 0 <= lo <= m["agreement"] <= hi <= 1, "interval does not hold the estimate"
PY
}
count_agreement "$cnn" tflite-dynamic "$work/r.json"
check "CNN: report agreement equals the count from per-sample qgate run, inside its interval" $?
count_agreement "$repo/models/fmnist_fragile_mlp.tflite" tflite-dynamic-legacy "$work/fragile.json"
check "fragile MLP: report agreement equals the count from per-sample qgate run, inside its interval" $?

# A label-based gate without labels: refused before the run, one line naming the gate and the rule.
"$qgate" eval --model "$cnn" --data "npy:$work/x.npy" --gate 'top1-drop<=0.5' --report "$work/no.json" \
  >"$work/no.txt" 2>"$work/no.err"
status=$?
[[ $status -eq 2 && ! -e $work/no.json && $(wc -l <"$work/no.err") -eq 1 ]] &&
  grep -q "top1-drop<=0.5: 'top1-drop' needs labels" "$work/no.err"
check "a label gate on unlabeled data: exit 2 (got $status), one line naming the gate, nothing written" $?

finish
