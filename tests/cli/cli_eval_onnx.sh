#!/usr/bin/env bash
# `qgate eval` on an ONNX image classifier fed NCHW from NHWC image data: models/fmnist_cnn.onnx (the .tflite CNN's
# weights exported by scripts/make_onnx_models.py, input [1,1,28,28]) against models/fmnist_cnn.tflite
# ([1,28,28,1]) on the same Fashion-MNIST test images:
#  - the ONNX model's input is found to be NCHW without flags, and the data line says so;
#  - float and quantized (--scheme tflite-dynamic) model metrics are identical to the .tflite's: top-1 and top-5,
#    flips, agreement, KL, per-class figures (the two graphs run the same ops in the same order after import, so
#    the quantizer makes the same choices: conv1 and the last FC stay float, under 1024 weights);
#  - the float top-1 equals the TFLite interpreter's on those images (models/README.md, first 2000: 92.20%);
#  - a 3-channel NCHW ONNX model on color images sees each color plane unmixed and in RGB order;
#  - an explicit --layout nhwc contradicting the ONNX input exits 2 with one line naming the layout, no report.
# Usage: cli_eval_onnx.sh QGATE_BINARY REPO_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
n=2000

for fmt in onnx tflite; do
  "$qgate" eval --model "$repo/models/fmnist_cnn.$fmt" --data "$data" --limit $n --scheme tflite-dynamic \
    --no-layers --no-isolated --report "$work/$fmt.json" >"$work/$fmt.txt" 2>&1
  check "eval fmnist_cnn.$fmt on $n images exits 0" $?
done
grep -q "NCHW -> 'image' \[1,1,28,28\]" "$work/onnx.txt"
check "the ONNX input is fed NCHW without --layout ($(grep -m 1 -o 'float32 (pixel.*' "$work/onnx.txt"))" $?

/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a, b = (json.load(open(f"{w}/{fmt}.json"))["model"] for fmt in ("onnx", "tflite"))
top1 = {fmt: [t for t in r["top_k"] if t["k"] == 1][0] for fmt, r in (("onnx", a), ("tflite", b))}
for fmt, t in top1.items():
    print(f"     {fmt:6}: top-1 float {t['float']:.2f}%, quantized {t['quantized']:.2f}%")
assert abs(top1["onnx"]["float"] - 92.20) < 1e-9, top1["onnx"]["float"]
diffs = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
assert not diffs, f"model metrics differ between the formats in: {sorted(diffs)}"
PY
check "model metrics (float and tflite-dynamic) identical for .onnx and .tflite; float top-1 = the interpreter's 92.20%" $?

# One gray channel reads the same in NCHW and NHWC, so the CNN cannot tell the layouts apart: a color check.
# A 3-channel ONNX classifier (1x1 Conv with a diagonal weight, GlobalAveragePool, Flatten: class c scores the
# mean of channel c) on 8x8 PPM images whose dominant channel is the label (red, green, blue): 100% top-1 only
# when the planes reach the model unmixed and in RGB order. NHWC pixels read as NCHW planes would give each
# "channel" a third of the image's rows with all three colors mixed.
/usr/bin/python3 - "$work" <<'PY'
import os, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
w = sys.argv[1]
rng = np.random.default_rng(3)
for label, name in enumerate(["0_red", "1_green", "2_blue"]):
    os.makedirs(f"{w}/rgb/{name}")
    for i in range(4):
        img = rng.integers(0, 100, size=(8, 8, 3), dtype=np.uint8)  # H, W, RGB
        img[:, :, label] += 120
        with open(f"{w}/rgb/{name}/{i}.ppm", "wb") as f:
            f.write(b"P6\n8 8\n255\n" + img.tobytes())
weight = numpy_helper.from_array((2.0 * np.eye(3, dtype=np.float32)).reshape(3, 3, 1, 1), "w")
graph = helper.make_graph(
    [helper.make_node("Conv", ["image", "w"], ["conv"], kernel_shape=[1, 1]),
     helper.make_node("GlobalAveragePool", ["conv"], ["pooled"]),
     helper.make_node("Flatten", ["pooled"], ["scores"])],
    "rgb_means", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 8, 8])],
    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 3])], [weight])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), f"{w}/rgb_means.onnx")
PY
"$qgate" eval --model "$work/rgb_means.onnx" --data "folder:$work/rgb" --no-layers --no-isolated \
  --report "$work/rgb.json" >"$work/rgb.txt" 2>&1
check "eval of a 3-channel NCHW ONNX model on color images exits 0" $?
/usr/bin/python3 - "$work" <<'PY'
import json, sys
r = json.load(open(f"{sys.argv[1]}/rgb.json"))["model"]
t = [t for t in r["top_k"] if t["k"] == 1][0]
print(f"     rgb_means: {r['samples']} images, top-1 float {t['float']:.2f}%")
assert r["samples"] == 12 and t["float"] == 100.0, (r["samples"], t["float"])
PY
check "color planes reach the NCHW model unmixed, in RGB order: top-1 100% ($(grep -m 1 -o 'rgb.*NCHW[^)]*' "$work/rgb.txt"))" $?

"$qgate" eval --model "$repo/models/fmnist_cnn.onnx" --data "$data" --limit 10 --layout nhwc \
  --report "$work/bad.json" >/dev/null 2>"$work/err"
rc=$?
[[ $rc -eq 2 && ! -e $work/bad.json && $(wc -l <"$work/err") -eq 1 ]] && grep -q "by --layout nhwc (the shape fits --layout nchw)" "$work/err"
check "--layout nhwc on the NCHW model: exit 2, one line ($(head -c 160 "$work/err")...), no report" $?

finish
