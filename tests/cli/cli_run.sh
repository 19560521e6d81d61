#!/usr/bin/env bash
# End-to-end checks of `qgate run` and the help texts: every command answers --help with exit 0, and outputs are
# byte-identical for 1 and 2 threads (each output element is computed by one thread in a fixed order).
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
[[ -z $(ls -A "$work/t1" | grep -v '^out_[0-9]*\.npy$') ]]
check "output directory holds only out_<i>.npy" $?

finish
