#!/usr/bin/env bash
# End-to-end checks of `qgate run` and the help texts: every command answers --help with exit 0; the outputs match
# LiteRT's on the same input (reference/litert/run_litert.mjs), so an executor that writes zeros or garbage fails:
# NMSE <= 1e-10 and every |q - r| <= 5e-5 max |r| (measured on face_detection_short_range with this input: NMSE
# 1.2e-12, 1.8e-6 on the classificators); and the outputs are byte-identical for 1 and 2 threads (each output
# element is computed by one thread in a fixed order).
# --dump-layers writes one file per node output, indexed by layers.tsv, and the model output's dump is the output.
# Usage: cli_run.sh QGATE_BINARY MODEL.tflite
set -uo pipefail
qgate=$1
model=$2
source "$(dirname "$0")/lib.sh"
[[ -f $model ]] || missing_asset "$model (scripts/fetch_models fills .cache/models)"

for cmd in "" inspect run quantize; do
  "$qgate" $cmd --help >"$work/help" 2>&1
  rc=$?
  grep -q "Usage" "$work/help"
  check "qgate $cmd --help exits 0 and prints usage" $((rc + $?))
done

shape=$("$qgate" inspect "$model" --json | /usr/bin/python3 -c 'import json,sys; print(",".join(map(str, json.load(sys.stdin)["inputs"][0]["shape"])))')
/usr/bin/python3 - "$work" "$shape" <<'PY'
import sys, numpy as np
w, shape = sys.argv[1], tuple(int(d) for d in sys.argv[2].split(","))
rng = np.random.default_rng(7)
np.save(f"{w}/x.npy", rng.uniform(-1, 1, size=shape).astype(np.float32))
PY
"$qgate" run "$model" --input "$work/x.npy" --output-dir "$work/t1" --threads 1
check "run --threads 1 exits 0" $?
"$qgate" run "$model" --input "$work/x.npy" --output-dir "$work/t2" --threads 2
check "run --threads 2 exits 0" $?
diff -r "$work/t1" "$work/t2" >/dev/null
check "outputs are byte-identical for 1 and 2 threads" $?
node "$(dirname "$0")/../../reference/litert/run_litert.mjs" --runs 1 "$model" "$work/litert" "$work/x.npy" 2>"$work/litert.log"
check "LiteRT runs the model on the same input" $?
/usr/bin/python3 - "$work/t1" "$work/litert" <<'PY'
import glob, os, sys
import numpy as np
qdir, rdir = sys.argv[1], sys.argv[2]
golden = sorted(glob.glob(os.path.join(rdir, "out_*.npy")))
assert golden, f"LiteRT wrote no outputs in {rdir}"
assert len(golden) == len(glob.glob(os.path.join(qdir, "out_*.npy"))), "output counts differ"
for g in golden:
    r = np.load(g).astype(np.float64)
    q = np.load(os.path.join(qdir, os.path.basename(g))).astype(np.float64)
    assert q.shape == r.shape, (g, q.shape, r.shape)
    nmse = ((q - r) ** 2).sum() / max((r ** 2).sum(), 1e-30)
    rel = np.abs(q - r).max() / np.abs(r).max()
    print(f"     {os.path.basename(g)} {r.shape}: NMSE {nmse:.2e}, max |q - r| / max |r| {rel:.2e}")
    assert nmse <= 1e-10 and rel <= 5e-5, "qgate run differs from LiteRT"
PY
check "qgate run outputs equal LiteRT's within the float parity bounds" $?
[[ -z $(ls -A "$work/t1" | grep -v '^out_[0-9]*\.npy$') ]]
check "output directory holds only out_<i>.npy" $?

# --dump-layers: one row per node output (the node count inspect reports), every listed file present, and the
# dump of the node producing the model's first output equal to out_0.npy.
"$qgate" run "$model" --input "$work/x.npy" --output-dir "$work/t3" --dump-layers "$work/layers"
check "run --dump-layers exits 0" $?
nodes=$("$qgate" inspect "$model" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"])')
out0=$("$qgate" inspect "$model" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["outputs"][0]["name"])')
/usr/bin/python3 - "$work" "$nodes" "$out0" <<'PY'
import sys, numpy as np
w, nodes, out0 = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in open(f"{w}/layers/layers.tsv")][1:]
assert len({r[0] for r in rows}) == nodes, f"{len(rows)} rows, {nodes} nodes"
for r in rows:
    if r[4] != "-":
        np.load(f"{w}/layers/{r[4]}")
last = [r for r in rows if r[3] == out0]
assert len(last) == 1, f"output {out0} appears {len(last)} times"
assert np.array_equal(np.load(f"{w}/layers/{last[0][4]}"), np.load(f"{w}/t3/out_0.npy")), "dump differs from out_0"
PY
check "layers.tsv lists every node; the output's dump equals out_0.npy" $?
cmp -s "$work/t3/out_0.npy" "$work/t1/out_0.npy"
check "outputs with --dump-layers equal those without" $?

finish
