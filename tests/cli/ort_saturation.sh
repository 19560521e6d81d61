#!/bin/bash
# onnxruntime's uint8 x int8 GEMM on AVX2 CPUs without VNNI saturates adjacent-k pair sums to int16 (vpmaddubsw).
# valgrind reports such a CPU, so onnxruntime under valgrind takes that path even on a VNNI machine. This case runs
# the quantized tests/data/ort/saturate.onnx (weights and activations chosen so pairs overflow) under valgrind and
# asserts: qgate with saturate=avx2-u8s8 reproduces onnxruntime bit for bit, qgate without it differs.
# Exit 77 when valgrind or onnxruntime-node is absent. Usage: ort_saturation.sh QGATE REPO_DIR
set -u
qgate=$1
repo=$2
cd "$repo" || exit 2
command -v valgrind >/dev/null || { echo "skipped: valgrind not installed"; exit 77; }
[ -d node_modules/onnxruntime-node ] || { echo "skipped: node_modules/onnxruntime-node absent"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
x=tests/data/ort/saturate_x.npy
"$qgate" quantize tests/data/ort/saturate.onnx --scheme ort-dynamic -o "$tmp/q.onnx" >/dev/null || exit 1
valgrind -q --smc-check=all node reference/onnxruntime/run_ort.mjs "$tmp/q.onnx" "$tmp/ort" --runs 1 --threads 1 \
  --graph-optimization disabled "$x" 2>"$tmp/valgrind.log" || { echo "FAIL: onnxruntime under valgrind"; cat "$tmp/valgrind.log"; exit 1; }
"$qgate" run tests/data/ort/saturate.onnx --scheme ort-dynamic,ops=fully_connected,saturate=avx2-u8s8 -i "$x" -o "$tmp/sat" >/dev/null || exit 1
"$qgate" run tests/data/ort/saturate.onnx --scheme ort-dynamic -i "$x" -o "$tmp/exact" >/dev/null || exit 1
/usr/bin/python3 - "$tmp/ort/out_0.npy" "$tmp/sat/out_0.npy" "$tmp/exact/out_0.npy" <<'PY'
import sys, numpy as np
o, s, e = (np.load(p) for p in sys.argv[1:4])
same = np.array_equal(o.view(np.uint32), s.view(np.uint32))
differs = not np.array_equal(o.view(np.uint32), e.view(np.uint32))
print(f"{'ok  ' if same else 'FAIL'} saturate=avx2-u8s8 vs onnxruntime under valgrind: max |diff| {float(np.abs(s - o).max()):.3g}")
print(f"{'ok  ' if differs else 'FAIL'} exact product differs from it: max |diff| {float(np.abs(e - o).max()):.3g}")
sys.exit(0 if same and differs else 1)
PY
