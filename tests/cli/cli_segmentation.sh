#!/usr/bin/env bash
# A segmentation output scored as such: models/fmnist_segmenter.tflite (scripts/make_task_models.py: per pixel one
# of 11 classes, 0 background and 1 + the item's class on its foreground) on the first Fashion-MNIST test images,
# with the foreground masks as targets:
#  - as NPY (`--targets 0=npy:masks.npy`, integer maps): the kind is inferred, pixel agreement, mIoU of the
#    quantized map against the float map, and mIoU and pixel accuracy of both against the masks equal numpy's over
#    the per-sample outputs of `qgate run` (the float model and the file `qgate quantize` writes);
#  - as PNG masks (`--targets 0=png:LIST`) of the images stored 2x upscaled (56x56) and read with --resize 28x28:
#    the masks follow the image through the resize with nearest neighbour, so every sample is scored against the
#    same mask and the mIoU matches the NPY run.
# Usage: cli_segmentation.sh QGATE_BINARY REPO_TOP
set -uo pipefail
qgate=$1
repo=$2
source "$(dirname "$0")/lib.sh"
fm=/usr/share/datasets/fashion-mnist
[[ -f $fm/t10k-images-idx3-ubyte.gz ]] || missing_asset "$fm (Debian dataset-fashion-mnist)"
model=$repo/models/fmnist_segmenter.tflite
n=40
/usr/bin/python3 "$repo/scripts/make_task_models.py" --test-data segmentation $n "$work/seg" >/dev/null
check "test data: masks, 2x PNG images and masks (make_task_models.py --test-data)" $?
/usr/bin/python3 - "$work" "$fm" $n <<'PY'
import gzip, sys, numpy as np
work, fm, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = gzip.open(f"{fm}/t10k-images-idx3-ubyte.gz").read()
x = (np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 1, 28, 28, 1)[:n] / np.float32(255)).astype(np.float32)
np.save(f"{work}/x.npy", x.reshape(n, 28, 28, 1))
for i in range(n):
    np.save(f"{work}/x_{i}.npy", x[i])
with open(f"{work}/seg/images.txt", "w") as f:
    f.writelines(f"images/{i:04d}.png\n" for i in range(n))
PY

"$qgate" eval --model "$model" --data "npy:$work/x.npy" --targets "0=npy:$work/seg/masks.npy" --no-layers \
  --no-search --report "$work/n.json" >"$work/n.txt" 2>&1
status=$?
[[ $status -eq 0 || $status -eq 1 ]]
check "eval with NPY masks (exit $status)" $?
has_all "$work/n.txt" "output 0 'class_logits' [1,28,28,11]: segmentation (inferred: integer maps, one id per pixel (--targets))" \
  "pixel_agreement" "miou_vs_float" "miou" "gate outputs.class_logits.miou.delta.ci_low"
check "console: the segmentation kind, why, its metrics and its default gate" $?

"$qgate" quantize "$model" -o "$work/q.tflite" >/dev/null
ran=$?
for i in $(seq 0 $((n - 1))); do
  "$qgate" run "$model" --input "$work/x_$i.npy" --output-dir "$work/f_$i" >/dev/null &&
    "$qgate" run "$work/q.tflite" --input "$work/x_$i.npy" --output-dir "$work/q_$i" >/dev/null || ran=1
done
check "qgate run: float and quantized outputs of every sample" $ran
/usr/bin/python3 - "$work" $n <<'PY'
import json, math, sys, numpy as np
work, n = sys.argv[1], int(sys.argv[2])
r = json.load(open(f"{work}/n.json"))
o = r["outputs"][0]
m = {x["name"]: x for x in o["metrics"]}
fmap = np.stack([np.load(f"{work}/f_{i}/out_0.npy")[0].argmax(-1) for i in range(n)])
qmap = np.stack([np.load(f"{work}/q_{i}/out_0.npy")[0].argmax(-1) for i in range(n)])
mask = np.load(f"{work}/seg/masks.npy").astype(np.int64)
def miou(a, b):
    ious = [((a == k) & (b == k)).sum() / ((a == k) | (b == k)).sum() for k in range(11) if ((a == k) | (b == k)).any()]
    return float(np.mean(ious))
want = {
    ("pixel_agreement", "value"): (fmap == qmap).reshape(n, -1).mean(1).mean(),
    ("miou_vs_float", "value"): miou(qmap, fmap),
    ("miou", "float"): 100 * miou(fmap, mask),
    ("miou", "quantized"): 100 * miou(qmap, mask),
    ("pixel_accuracy", "float"): 100 * (fmap == mask).mean(),
    ("pixel_accuracy", "quantized"): 100 * (qmap == mask).mean(),
}
ok = o["kind"] == "segmentation" and o["targeted"] == n
for (name, field), w in want.items():
    got = m[name][field]
    good = math.isclose(got, w, rel_tol=1e-9, abs_tol=1e-12)
    print(f"     {name}.{field}: report {got!r}, numpy {w!r}" + ("" if good else "  <-- differs"))
    ok &= good
sys.exit(0 if ok else 1)
PY
check "segmentation metrics equal numpy's over per-sample qgate run outputs and the masks" $?

# The same masks as PNG files next to 2x images: resized with the image (nearest neighbour) to the 28x28 map.
"$qgate" eval --model "$model" --data "list:$work/seg/images.txt" --resize 28x28 \
  --targets "0=png:$work/seg/list.txt" --no-layers --no-search --report "$work/p.json" >"$work/p.txt" 2>&1
status=$?
[[ $status -eq 0 || $status -eq 1 ]]
check "eval of 2x PNG images with PNG masks (exit $status)" $?
/usr/bin/python3 - "$work" $n <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
p, q = (json.load(open(f"{work}/{k}.json"))["outputs"][0] for k in ("p", "n"))
mp, mn = ({x["name"]: x for x in o["metrics"]} for o in (p, q))
print(f"     PNG run: targets {p['targets']}, {p['targeted']} samples; mIoU float {mp['miou']['float']:.4f} "
      f"(NPY run {mn['miou']['float']:.4f})")
assert p["kind"] == "segmentation" and p["targeted"] == n and p["targets"].startswith("png masks")
# The images go through a linear resize, so the inputs may differ from x.npy in the last bits: the maps, and so the
# mIoU against the masks, agree within a few pixels.
assert abs(mp["miou"]["float"] - mn["miou"]["float"]) < 0.5, (mp["miou"], mn["miou"])
PY
check "PNG masks through the image geometry: every sample scored, mIoU as with the NPY masks" $?
finish
