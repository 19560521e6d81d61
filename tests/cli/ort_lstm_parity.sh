#!/bin/bash
# onnxruntime's com.microsoft DynamicQuantizeLSTM imported by qgate: the node must become hybrid LSTMs on the
# model's own int8 weights (`qgate inspect`: every gate matrix "already int8 in the file"), and `qgate run` must
# match onnxruntime-node (one intra-op thread; graph optimization disabled and all) on Y, Y_h and Y_c within
# NMSE 1e-13 and max |diff| 3e-7. Measured: NMSE <= 1.5e-14, max |diff| <= 9e-8; the rest is onnxruntime's
# approximated sigmoid and tanh (MLAS) against qgate's (the float LSTM differs the same way). Quantizing x per
# step instead of once per sequence gives NMSE 4e-5 to 7e-5 (a numpy emulation), so the bound pins the
# activation quantization.
# Fails when onnxruntime-node is absent (exit 77, skipped, under QGATE_ALLOW_SKIP=1). Usage: ort_lstm_parity.sh QGATE REPO_DIR
set -u
source "$(dirname "$0")/lib.sh"
cd "$repo" || exit 2
[ -d node_modules/onnxruntime-node ] || missing_asset "node_modules/onnxruntime-node (scripts/setup)"
fail=0
x=tests/data/ort/dqlstm_x.npy
# model:number of int8 gate matrices (4 input-to and 4 recurrent-to per direction)
for spec in dqlstm:8 dqlstm_bidi:16; do
  m=${spec%%:*}
  want=${spec##*:}
  got=$("$qgate" inspect tests/data/ort/$m.onnx | grep -cE '(input|recurrent)_to_[a-z]+ +int8 .*already int8 in the file')
  if [ "$got" != "$want" ]; then echo "FAIL $m: $got int8 gate matrices in qgate inspect, expected $want"; fail=1; fi
  "$qgate" run tests/data/ort/$m.onnx -i "$x" -o "$work/$m.qgate" >/dev/null || { echo "FAIL qgate run $m"; fail=1; continue; }
  for opt in disabled all; do
    node reference/onnxruntime/run_ort.mjs tests/data/ort/$m.onnx "$work/$m.ort_$opt" --runs 1 --threads 1 \
      --graph-optimization $opt "$x" >/dev/null 2>&1 || { echo "FAIL onnxruntime $m $opt"; fail=1; continue; }
    /usr/bin/python3 - "$work/$m.qgate" "$work/$m.ort_$opt" "$m vs onnxruntime($opt)" <<'PY' || fail=1
import sys, numpy as np
ok = True
for j, name in enumerate(['Y', 'Y_h', 'Y_c']):
    q, o = np.load(f'{sys.argv[1]}/out_{j}.npy'), np.load(f'{sys.argv[2]}/out_{j}.npy')
    if q.shape != o.shape:
        print(f'FAIL {sys.argv[3]} {name}: shape {q.shape} vs {o.shape}')
        ok = False
        continue
    d = q.astype(np.float64) - o
    nmse = float((d ** 2).sum() / max((o.astype(np.float64) ** 2).sum(), 1e-300))
    good = nmse <= 1e-13 and float(np.abs(d).max()) <= 3e-7
    ok = ok and good
    print(f"{'ok  ' if good else 'FAIL'} {sys.argv[3]} {name}: max |diff| {float(np.abs(d).max()):.3g}, "
          f"NMSE {nmse:.3g}, {float((q == o).mean()) * 100:.0f}% identical")
sys.exit(0 if ok else 1)
PY
  done
done
# A non-zero weight zero point is refused with a one-line error (exit 2) naming the input.
/usr/bin/python3 - tests/data/ort/dqlstm.onnx "$work/zp.onnx" <<'PY' || fail=1
import sys, numpy as np, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
for t in m.graph.initializer:
    if t.name == 'R_zero_point':
        t.CopyFrom(numpy_helper.from_array(np.array([3], np.int8), 'R_zero_point'))
onnx.save(m, sys.argv[2])
PY
"$qgate" run "$work/zp.onnx" -i "$x" -o "$work/zp.out" >/dev/null 2>"$work/zp.err"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "R_zero_point 3 at element 0" "$work/zp.err" || [ -e "$work/zp.out" ]; then
  echo "FAIL non-zero R_zero_point: exit $rc, $(cat "$work/zp.err")"
  fail=1
else
  echo "ok   non-zero R_zero_point refused: $(cat "$work/zp.err")"
fi
exit $fail
