#!/usr/bin/env bash
# End-to-end check that real runtimes run what `qgate quantize` writes: quantize MODEL with tflite-dynamic, run
# the float and the quantized file in LiteRT (reference/litert/run_litert.mjs, XNNPACK qd8 path) and in the older
# TFLite interpreter of tfjs-tflite (reference/tflite_interpreter/run_tflite.mjs) on the same seeded input, and require each runtime's
# quantized outputs to stay near its own float outputs. Exit 0 passed, 1 failed (also when the model or the npm
# packages are absent), 77 skipped (absent under QGATE_ALLOW_SKIP=1, tests/cli/require.sh).
# Usage: quantize_litert.sh QGATE_BINARY MODEL.tflite [MAX_NMSE]
#
# MAX_NMSE (default 5e-2) bounds sum((q - f)^2) / sum(f^2) per output. Measured with seed 1 on
# face_detection_short_range: LiteRT 1.3e-3 / 4.9e-3, tfjs-tflite 3.0e-3 / 1.3e-2; a wrong scale, axis or layout
# gives NMSE near 1 or more, so the bound separates "quantization noise" from "misread weights".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
model=$2
max_nmse=${3:-5e-2}
here=$(cd "$(dirname "$0")/../.." && pwd)
rt=$here/reference/litert
[[ -f $model ]] || missing_asset "$model (scripts/fetch_models fills .cache/models)"
node -e "import('$rt/litert_node.mjs').then(m => m.findNodeModules())" >/dev/null 2>&1 ||
  missing_asset "npm package @litertjs/core (scripts/setup; or set QGATE_NODE_MODULES)"

"$qgate" quantize "$model" -o "$work/q.tflite"
check "qgate quantize exits 0" $?
[[ -s $work/q.tflite ]] || { echo "FAIL no quantized model written"; exit 1; }
node "$rt/inputs.mjs" --seed 1 "$model" "$work/in" >/dev/null
check "seeded inputs written" $?

for runner in litert interpreter; do
  if [[ $runner == litert ]]; then cmd=(node "$rt/run_litert.mjs" --runs 1)
  else cmd=(node "$here/reference/tflite_interpreter/run_tflite.mjs"); fi  # one Infer() per fresh runner
  "${cmd[@]}" "$model" "$work/f_$runner" "$work"/in/in_*.npy 2>"$work/log"
  check "$runner runs the float model" $?
  "${cmd[@]}" "$work/q.tflite" "$work/q_$runner" "$work"/in/in_*.npy 2>"$work/log"
  rc=$?
  [[ $rc -ne 0 ]] && cat "$work/log"
  check "$runner loads, prepares and runs the quantized model" $rc
  [[ $rc -ne 0 ]] && continue
  /usr/bin/python3 - "$work/f_$runner" "$work/q_$runner" "$max_nmse" "$runner" <<'PY'
import glob, os, sys
import numpy as np
fdir, qdir, bound, name = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
bad = 0
outputs = sorted(glob.glob(os.path.join(fdir, "out_*.npy")))
if not outputs:
    print(f"     {name}: no outputs in {fdir}")
    sys.exit(1)
for fpath in outputs:
    f = np.load(fpath).astype(np.float64)
    q = np.load(os.path.join(qdir, os.path.basename(fpath))).astype(np.float64)
    if f.shape != q.shape or not np.all(np.isfinite(q)):
        print(f"     {name} {os.path.basename(fpath)}: shape {q.shape} vs {f.shape} or non-finite values")
        bad += 1
        continue
    nmse = ((q - f) ** 2).sum() / max((f ** 2).sum(), 1e-30)
    print(f"     {name} {os.path.basename(fpath)}: NMSE quantized vs float {nmse:.3e} (bound {bound:g})")
    bad += not nmse < bound
sys.exit(1 if bad else 0)
PY
  check "$runner quantized outputs stay near its float outputs" $?
done

finish
