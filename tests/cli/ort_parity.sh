#!/bin/bash
# onnxruntime dynamic-quantization parity: `qgate quantize --scheme S` writes the quantized .onnx, onnxruntime-node
# runs it (graph optimization all: fused DynamicQuantizeMatMul / MatMulIntegerToFloat; disabled: the written
# DynamicQuantizeLinear + MatMulInteger / ConvInteger + Cast + Mul + Add), and both `qgate run --scheme S` on the
# float model and `qgate run` on the written file (ConvInteger and MatMulInteger patterns fused back into hybrid
# conv2d / fully_connected) must give the same bits (NMSE 0); so must `qgate run` on the optimized graph
# onnxruntime saves (com.microsoft DynamicQuantizeMatMul). The written file must hold the expected number of
# ConvInteger nodes (convnet: all 4 Convs, the depthwise one included). Fails when onnxruntime-node is absent
# (exit 77, skipped, under QGATE_ALLOW_SKIP=1).
# Usage: ort_parity.sh QGATE REPO_DIR
set -u
source "$(dirname "$0")/lib.sh"
cd "$repo" || exit 2
[ -d node_modules/onnxruntime-node ] || missing_asset "node_modules/onnxruntime-node (scripts/setup)"
fail=0
for scheme in ort-dynamic ort-dynamic,granularity=per-channel ort-dynamic,reduce-range=1; do
  for m in mlp cnn convnet; do
    x=tests/data/ort/${m}_x.npy
    tag=$(echo "$m-$scheme" | tr ',=' '__')
    "$qgate" quantize tests/data/ort/$m.onnx --scheme "$scheme" -o "$work/$tag.onnx" >/dev/null || { echo "FAIL quantize $tag"; fail=1; continue; }
    want=$(case $m in mlp) echo 0;; cnn) echo 1;; convnet) echo 4;; esac)
    "$qgate" inspect "$work/$tag.onnx" > "$work/$tag.inspect" || fail=1
    /usr/bin/python3 - "$work/$tag.onnx" "$want" "$tag" "$work/$tag.inspect" <<'PY' || fail=1
import sys
data = open(sys.argv[1], 'rb').read()
# NodeProto.op_type is field 4, a length-prefixed string: count without an onnx package.
got = data.count(b'"\x0bConvInteger')
# Imported, every ConvInteger pattern is one hybrid conv2d: no integer op is left.
left = [w for w in ('conv_integer', 'matmul_integer', 'dynamic_quantize_linear') if w in open(sys.argv[4]).read()]
ok = got == int(sys.argv[2]) and not left
print(f"{'ok  ' if ok else 'FAIL'} {sys.argv[3]}: {got} ConvInteger node(s) written, expected {sys.argv[2]}; "
      f"unfused integer ops after import: {left or 'none'}")
sys.exit(0 if ok else 1)
PY
    "$qgate" run tests/data/ort/$m.onnx --scheme "$scheme" -i "$x" -o "$work/$tag.scheme" >/dev/null || fail=1
    "$qgate" run "$work/$tag.onnx" -i "$x" -o "$work/$tag.file" >/dev/null || fail=1
    for opt in all disabled; do
      node reference/onnxruntime/run_ort.mjs "$work/$tag.onnx" "$work/$tag.ort_$opt" --runs 1 --threads 1 \
        --graph-optimization $opt --optimized-model "$work/$tag.opt_$opt.onnx" "$x" || { echo "FAIL onnxruntime $tag $opt"; fail=1; continue; }
      sides="scheme file"
      # The graph onnxruntime's optimizer made (DynamicQuantizeMatMul with optimization all) imported by qgate.
      # (mlp only: the CNN's optimized graph holds onnxruntime's NCHWc layout ops.)
      if [ $opt = all ] && [ $m = mlp ]; then
        "$qgate" run "$work/$tag.opt_$opt.onnx" -i "$x" -o "$work/$tag.fused" >/dev/null && sides="$sides fused" || fail=1
      fi
      for side in $sides; do
        /usr/bin/python3 - "$work/$tag.$side/out_0.npy" "$work/$tag.ort_$opt/out_0.npy" "$tag $side vs onnxruntime($opt)" <<'PY' || fail=1
import sys, numpy as np
q, o = np.load(sys.argv[1]), np.load(sys.argv[2])
nmse = float(((q.astype(np.float64) - o) ** 2).sum() / max((o.astype(np.float64) ** 2).sum(), 1e-300))
same = q.shape == o.shape and np.array_equal(q.view(np.uint32), o.view(np.uint32))
print(f"{'ok  ' if same else 'FAIL'} {sys.argv[3]}: max |diff| {float(np.abs(q - o).max()):.3g}, NMSE {nmse:.3g}")
sys.exit(0 if same else 1)
PY
      done
    done
  done
done
exit $fail
