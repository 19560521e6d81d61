#!/bin/bash
# onnxruntime's uint8 x int8 GEMM on AVX2 CPUs without VNNI saturates adjacent-k pair sums to int16 (vpmaddubsw).
# valgrind reports such a CPU, so onnxruntime under valgrind takes that path even on a VNNI machine. This case runs
# the quantized tests/data/ort/saturate.onnx (weights and activations chosen so pairs overflow) under valgrind and
# asserts: qgate with saturate=avx2-u8s8 reproduces onnxruntime bit for bit, qgate without it differs.
# Then tests/data/ort/saturate_conv.onnx (one Conv whose uint8 x int8 pairs reach 61999 in either K order): the
# written ConvInteger under valgrind equals qgate's exact product, with or without saturate=avx2-u8s8 (onnxruntime's
# ConvInteger with int8 weights does not take the saturating path; qgate's conv2d never saturates).
# Fails when valgrind or onnxruntime-node is absent (exit 77, skipped, under QGATE_ALLOW_SKIP=1). Usage: ort_saturation.sh QGATE REPO_DIR
set -u
source "$(dirname "$0")/lib.sh"
cd "$repo" || exit 2
command -v valgrind >/dev/null || missing_asset "valgrind (Debian package, scripts/setup)"
[ -d node_modules/onnxruntime-node ] || missing_asset "node_modules/onnxruntime-node (scripts/setup)"
fail=0
for m in saturate saturate_conv; do
  x=tests/data/ort/${m}_x.npy
  "$qgate" quantize tests/data/ort/$m.onnx --scheme ort-dynamic -o "$work/$m.onnx" >/dev/null || exit 1
  valgrind -q --smc-check=all node reference/onnxruntime/run_ort.mjs "$work/$m.onnx" "$work/$m.ort" --runs 1 --threads 1 \
    --graph-optimization disabled "$x" 2>"$work/valgrind.log" || { echo "FAIL: onnxruntime under valgrind"; cat "$work/valgrind.log"; exit 1; }
  "$qgate" run tests/data/ort/$m.onnx --scheme ort-dynamic,saturate=avx2-u8s8 -i "$x" -o "$work/$m.sat" >/dev/null || exit 1
  "$qgate" run tests/data/ort/$m.onnx --scheme ort-dynamic -i "$x" -o "$work/$m.exact" >/dev/null || exit 1
  /usr/bin/python3 - "$work/$m.ort/out_0.npy" "$work/$m.sat/out_0.npy" "$work/$m.exact/out_0.npy" "$m" <<'PY' || fail=1
import sys, numpy as np
o, s, e = (np.load(p) for p in sys.argv[1:4])
m = sys.argv[4]
same = np.array_equal(o.view(np.uint32), s.view(np.uint32))
exact_same = np.array_equal(o.view(np.uint32), e.view(np.uint32))
print(f"{'ok  ' if same else 'FAIL'} {m}: saturate=avx2-u8s8 vs onnxruntime under valgrind: max |diff| {float(np.abs(s - o).max()):.3g}")
if m == 'saturate':  # MatMulInteger saturates: the exact product must differ
    print(f"{'ok  ' if not exact_same else 'FAIL'} {m}: exact product differs from it: max |diff| {float(np.abs(e - o).max()):.3g}")
    sys.exit(0 if same and not exact_same else 1)
# ConvInteger does not saturate: the exact product equals it too
print(f"{'ok  ' if exact_same else 'FAIL'} {m}: exact product equals it: max |diff| {float(np.abs(e - o).max()):.3g}")
sys.exit(0 if same and exact_same else 1)
PY
done
exit $fail
