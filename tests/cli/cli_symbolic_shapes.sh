#!/usr/bin/env bash
# Models declared with symbolic input dimensions (tests/data/dynamic, scripts/make_dynamic_models.py): `qgate run`
# against onnxruntime-node at two spatial sizes of one detector declared [1,3,height,width] and at batch 3 of a
# classifier declared [batch,3,16,16] (whose flatten is torch's Shape/Gather/Concat/Reshape chain), the detector
# quantized by `qgate quantize --scheme ort-dynamic` and run by both; the batch-3 run against three batch-1 runs;
# `inspect` naming the symbols and sizing the outputs under --input-shape; `eval` and `compare` on a .npy data set
# whose rows size the batch; and the refusals (exit 2, one line naming input, dimension, declared and
# given value): a fixed dimension given another size, a model that reshapes to a fixed batch run at batch 3, and
# --input-shape mistakes. Fails when onnxruntime-node is absent (exit 77, skipped, under QGATE_ALLOW_SKIP=1).
# Usage: cli_symbolic_shapes.sh QGATE REPO_DIR
set -uo pipefail
qgate=$1
repo=$2
cd "$repo" || exit 2
source tests/cli/lib.sh
[[ -d node_modules/onnxruntime-node ]] || missing_asset "node_modules/onnxruntime-node (scripts/setup)"
d=tests/data/dynamic

# nmse NAME OURS.npy THEIRS.npy LIMIT: shapes equal and NMSE <= LIMIT
nmse() {
  /usr/bin/python3 - "$@" <<'PY'
import sys, numpy as np
name, a, b, limit = sys.argv[1], np.load(sys.argv[2]), np.load(sys.argv[3]), float(sys.argv[4])
if a.shape != b.shape:
    print(f"     {name}: shape {a.shape} vs {b.shape}"); sys.exit(1)
a64, b64 = a.astype(np.float64), b.astype(np.float64)
e = float(((a64 - b64) ** 2).sum() / max((b64 ** 2).sum(), 1e-300))
print(f"     {name}: shape {list(a.shape)}, NMSE {e:.3g}, max |diff| {float(np.abs(a64 - b64).max()):.3g}")
sys.exit(0 if e <= limit else 1)
PY
}

# expect_error NAME FRAGMENT... -- command...   (exit 2, one stderr line holding every FRAGMENT, no output files)
expect_error() {
  local name=$1 want=() rc lines
  shift
  while [[ $1 != -- ]]; do want+=("$1"); shift; done
  shift
  rm -rf "$work/out"
  "$@" >"$work/stdout" 2>"$work/stderr"
  rc=$?
  lines=$(wc -l <"$work/stderr")
  if [[ $rc -ne 2 || $lines -ne 1 ]]; then
    echo "     exit $rc, $lines stderr lines: $(head -c 400 "$work/stderr")"; check "$name" 1; return
  fi
  if [[ -e $work/out ]] && [[ -n $(ls -A "$work/out") ]]; then
    echo "     left files: $(ls -A "$work/out")"; check "$name" 1; return
  fi
  echo "     $(cat "$work/stderr")"
  has_all "$work/stderr" "${want[@]}"
  check "$name" $?
}

# One dynamic detector at two sizes, each against onnxruntime.
for hw in 64x96 96x128; do
  x=$d/detector_x_$hw.npy
  node reference/onnxruntime/run_ort.mjs --runs 1 $d/detector.onnx "$work/ort_$hw" "$x" >/dev/null 2>&1
  check "onnxruntime runs the detector at $hw" $?
  "$qgate" run $d/detector.onnx -i "$x" -o "$work/q_$hw" >/dev/null
  check "qgate run: detector at $hw" $?
  nmse "detector $hw" "$work/q_$hw/out_0.npy" "$work/ort_$hw/out_0.npy" 1e-6
  check "detector at $hw matches onnxruntime (NMSE <= 1e-6)" $?
done
"$qgate" run $d/detector.onnx -i $d/detector_x_64x96.npy -o "$work/q_sized" --input-shape x:1,3,64,96 >/dev/null &&
  cmp -s "$work/q_sized/out_0.npy" "$work/q_64x96/out_0.npy"
check "--input-shape x:1,3,64,96 stating the array's size gives the same bits" $?

# Quantized: `qgate quantize --scheme ort-dynamic` writes 5 ConvInteger nodes, the input still [1,3,height,width];
# onnxruntime runs the written file at 96x128, and qgate runs it (and the float model under --scheme) at that size.
"$qgate" quantize $d/detector.onnx --scheme ort-dynamic -o "$work/detector_q.onnx" >/dev/null &&
  node reference/onnxruntime/run_ort.mjs --runs 1 "$work/detector_q.onnx" "$work/ort_q" $d/detector_x_96x128.npy \
    >/dev/null 2>&1 &&
  "$qgate" run "$work/detector_q.onnx" -i $d/detector_x_96x128.npy -o "$work/q_file" >/dev/null &&
  "$qgate" run $d/detector.onnx --scheme ort-dynamic -i $d/detector_x_96x128.npy -o "$work/q_scheme" >/dev/null &&
  nmse "quantized file" "$work/q_file/out_0.npy" "$work/ort_q/out_0.npy" 1e-6 &&
  nmse "--scheme ort-dynamic" "$work/q_scheme/out_0.npy" "$work/ort_q/out_0.npy" 1e-6
check "ort-dynamic detector at 96x128 matches onnxruntime on the written file (NMSE <= 1e-6)" $?

# A dynamic batch: batch 3 against onnxruntime and against three batch-1 runs.
node reference/onnxruntime/run_ort.mjs --runs 1 $d/classifier.onnx "$work/ort_cls" $d/classifier_x_3.npy >/dev/null 2>&1
check "onnxruntime runs the classifier at batch 3" $?
"$qgate" run $d/classifier.onnx -i $d/classifier_x_3.npy -o "$work/q_cls" >/dev/null
check "qgate run: classifier at batch 3" $?
nmse "classifier batch 3" "$work/q_cls/out_0.npy" "$work/ort_cls/out_0.npy" 1e-6
check "classifier at batch 3 matches onnxruntime (NMSE <= 1e-6)" $?
/usr/bin/python3 - "$d/classifier_x_3.npy" "$work" <<'PY'
import sys, numpy as np
x = np.load(sys.argv[1])
for i in range(x.shape[0]):
    np.save(f"{sys.argv[2]}/row_{i}.npy", x[i:i + 1])
PY
ok=0
for i in 0 1 2; do
  "$qgate" run $d/classifier.onnx -i "$work/row_$i.npy" -o "$work/q_row_$i" >/dev/null || ok=1
done
/usr/bin/python3 - "$work" <<'PY' || ok=1
import sys, numpy as np
w = sys.argv[1]
batch = np.load(f"{w}/q_cls/out_0.npy")
rows = np.concatenate([np.load(f"{w}/q_row_{i}/out_0.npy") for i in range(3)])
same = batch.shape == rows.shape and np.array_equal(batch.view(np.uint32), rows.view(np.uint32))
print(f"     batch 3 {list(batch.shape)} vs three batch-1 runs {list(rows.shape)}: "
      f"{'bit-identical' if same else 'max |diff| %.3g' % float(np.abs(batch - rows).max())}")
sys.exit(0 if same else 1)
PY
check "classifier batch 3 equals three batch-1 runs, bit for bit" $ok

# A model declared [batch,3,8,8] that reshapes to [1,-1]: right at batch 1, refused at batch 3.
node reference/onnxruntime/run_ort.mjs --runs 1 $d/fixed_batch.onnx "$work/ort_fixed" $d/fixed_batch_x_1.npy \
  >/dev/null 2>&1
"$qgate" run $d/fixed_batch.onnx -i $d/fixed_batch_x_1.npy -o "$work/q_fixed" >/dev/null &&
  nmse "fixed_batch batch 1" "$work/q_fixed/out_0.npy" "$work/ort_fixed/out_0.npy" 1e-6
check "fixed-batch model at batch 1 matches onnxruntime" $?
/usr/bin/python3 -c "import numpy as np; np.save('$work/fixed_3.npy', np.zeros((3, 3, 8, 8), np.float32))"
expect_error "fixed-batch model at batch 3 is refused" "reshapes to a fixed batch" "new shape [1,-1]" "batch = 3" \
  "runs batch 1 only" -- "$qgate" run $d/fixed_batch.onnx -i "$work/fixed_3.npy" -o "$work/out"

# Inputs that fit no declared shape.
/usr/bin/python3 -c "import numpy as np; np.save('$work/c4.npy', np.zeros((1, 4, 16, 16), np.float32))"
expect_error "a fixed dimension given another size" "input 'x' dim 1: declared 3, given 4" \
  "declared [batch,3,16,16], given [1,4,16,16]" -- "$qgate" run $d/classifier.onnx -i "$work/c4.npy" -o "$work/out"
expect_error "--input-shape differing from the array" "differs from the size asked for input 0 ('x')" \
  "--input-shape: [2,3,16,16]" -- \
  "$qgate" run $d/classifier.onnx -i $d/classifier_x_3.npy -o "$work/out" --input-shape x:2,3,16,16
expect_error "--input-shape against a fixed dimension" "input 'x' dim 1: declared 3, given 5" -- \
  "$qgate" run $d/classifier.onnx -i $d/classifier_x_3.npy -o "$work/out" --input-shape x:3,5,16,16
expect_error "--input-shape naming no input" "--input-shape y:1,3,16,16" "the model has no input 'y'" "'x'" -- \
  "$qgate" run $d/classifier.onnx -i $d/classifier_x_3.npy -o "$work/out" --input-shape y:1,3,16,16
expect_error "--input-shape malformed" "--input-shape x:1,3,a,16" "'a' is not a size" -- \
  "$qgate" run $d/classifier.onnx -i $d/classifier_x_3.npy -o "$work/out" --input-shape x:1,3,a,16

# inspect: symbols by name, sizes computed from them as '?' (the detector's output passes through Resize by a
# size computed at prepare; the classifier's batch through torch's Shape->Reshape chain); with --input-shape, the
# outputs' sizes at that input size.
"$qgate" inspect $d/detector.onnx >"$work/inspect.txt"
has_all "$work/inspect.txt" "[1,3,height,width]" "[1,1,?,?]"
check "inspect names the symbolic dimensions" $?
"$qgate" inspect $d/detector.onnx --input-shape x:1,3,96,128 >"$work/inspect_sized.txt"
has_all "$work/inspect_sized.txt" "[1,3,height,width]  sized [1,3,96,128]" "[1,1,?,?]  sized [1,1,96,128]"
check "inspect --input-shape sizes the outputs" $?
"$qgate" inspect $d/classifier.onnx --json >"$work/inspect.json"
/usr/bin/python3 -c "
import json, sys
j = json.load(open('$work/inspect.json'))
ok = j['inputs'][0]['shape'] == ['batch', 3, 16, 16] and j['outputs'][0]['shape'] == ['?', 10]
print('     json inputs', j['inputs'][0]['shape'], 'outputs', j['outputs'][0]['shape']); sys.exit(0 if ok else 1)"
check "inspect --json gives symbols as names" $?

# eval: the data's rows size the batch symbol (batch 1 per sample).
"$qgate" eval --model $d/classifier.onnx --data npy:$d/classifier_x_3.npy --scheme ort-dynamic \
  --report "$work/eval.json" >"$work/eval.txt" 2>&1
rc=$?
[[ $rc -eq 0 || $rc -eq 1 ]] && /usr/bin/python3 -c "
import json, sys
j = json.load(open('$work/eval.json'))
n = j['model']['samples']
print('     eval samples:', n); sys.exit(0 if n == 3 else 1)"
check "eval of the dynamic-batch classifier on 3 .npy rows completes" $?
"$qgate" compare --model $d/classifier.onnx --data npy:$d/classifier_x_3.npy --schemes ort-dynamic,tflite-dynamic \
  --layers --report "$work/compare.json" >"$work/compare.txt" 2>&1
rc=$?
[[ $rc -eq 0 || $rc -eq 1 ]] && /usr/bin/python3 -c "
import json, sys
j = json.load(open('$work/compare.json'))
rows = [r['scheme'] for r in j['rows']]
print('     compare samples:', j['samples'], 'rows:', rows); sys.exit(0 if j['samples'] == 3 and len(rows) == 2 else 1)"
check "compare of the dynamic-batch classifier (two schemes, layer metrics) completes" $?

finish
