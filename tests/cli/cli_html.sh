#!/usr/bin/env bash
# `qgate eval --html` on the bundled Fashion-MNIST CNN (300 test images), rendered by headless Chromium:
#  - the HTML holds every chart (SQNR along the network, weight/activation split, per-class deltas) with one
#    point/bar per layer/class, and no URL but the SVG namespace name;
#  - the screenshot is not blank: the chart colors (accumulated line blue, isolated orange, int8 band, weight
#    and activation bars, class delta bars, verdict badge) each cover pixels, and the image has many colors.
# Exit 77 (skipped) only when chromium is not installed.
# Usage: cli_html.sh QGATE_BINARY REPO_DIR [KEEP_PNG]
set -uo pipefail
qgate=$1
repo=$2
keep_png=${3:-}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
  echo "skip: chromium not installed (scripts/setup installs it)"
  exit 77
fi
fm=/usr/share/datasets/fashion-mnist
data="idx:$fm/t10k-images-idx3-ubyte.gz,$fm/t10k-labels-idx1-ubyte.gz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
check() {
  if [[ $2 -eq 0 ]]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

# The Fashion-MNIST class names, in label order, so the per-class chart shows names.
printf '%s\n' "T-shirt/top" Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag "Ankle boot" >"$work/classes.txt"
"$qgate" eval --model "$repo/models/fmnist_cnn.tflite" --data "$data" --labels "$work/classes.txt" --limit 300 \
  --report "$work/r.json" --html "$work/r.html" >"$work/eval.txt" 2>&1
check "eval --html exits 0" $?
[[ -s $work/r.html ]]
check "the HTML report is written" $?

/usr/bin/python3 - "$work/r.html" "$work/r.json" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
report = json.load(open(sys.argv[2]))
def tag(i):
    m = re.search(r'<svg id="%s"[^>]*>' % i, html)
    assert m, f"no <svg id={i}>"
    return m.group(0)
def attr(t, name):
    return int(re.search(r' %s="(\d+)"' % name, t).group(1))
layers = report["layers"]
t = tag("chart-sqnr")
assert attr(t, "data-layers") == len(layers), t
assert attr(t, "data-quantized") == sum(l["quantized"] for l in layers), t
assert attr(t, "data-points-accumulated") == sum(l["accumulated"]["sqnr_db"] is not None for l in layers), t
split = [l for l in layers if l["quantized"] and l["weight_part"] and l["activation_part"]]
assert split and attr(tag("chart-split"), "data-bars") == len(split)
assert attr(tag("chart-classes"), "data-bars") == len(report["model"]["classes"]) == 10
assert "T-shirt/top" in html and "Ankle boot" in html
rest = html.replace("http://www.w3.org/2000/svg", "")
assert "http" not in rest and "<script" not in rest and "url(" not in rest, "external reference in the HTML"
PY
check "HTML holds every chart with one mark per layer/class, and no external reference" $?

# Chromium prints D-Bus complaints on stderr in a container: only its exit status and the PNG count.
profile=$(mktemp -d)
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --screenshot="$work/r.png" --window-size=1280,2400 "file://$work/r.html" \
  >"$work/chromium.txt" 2>&1
rc=$?
rm -rf "$profile"
check "chromium renders the report (exit $rc)" $rc
[[ -s $work/r.png ]]
check "the screenshot exists" $?

/usr/bin/python3 - "$work/r.png" <<'PY'
import struct, sys, zlib

def pixel_counts_pil(path):
    from PIL import Image
    img = Image.open(path).convert("RGB")
    w, h = img.size
    return w, h, {bytes(rgb): k for k, rgb in img.getcolors(maxcolors=1 << 24)}

def pixel_counts_png(path):
    """A minimal 8-bit RGB/RGBA PNG decoder (chunks, zlib, scanline filters) for machines without PIL."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6), f"unexpected PNG format depth {depth} color type {ctype}"
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    counts, prev, at = {}, bytearray(stride), 0
    for _ in range(h):
        f, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        if f == 2:
            line = bytearray((x + y) & 255 for x, y in zip(line, prev))
        elif f != 0:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                if f == 1: line[i] = (line[i] + a) & 255
                elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                else:
                    c = prev[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for i in range(0, stride, bpp):
            px = bytes(line[i:i + 3])
            counts[px] = counts.get(px, 0) + 1
        prev = line
    return w, h, counts

try:
    w, h, counts = pixel_counts_pil(sys.argv[1])
except ImportError:
    w, h, counts = pixel_counts_png(sys.argv[1])
def n(hex_color):
    return counts.get(bytes.fromhex(hex_color), 0)
# Filled shapes keep their exact color inside; edges are anti-aliased, so a few dozen pixels is plenty.
expect = {"accumulated line/points": "1f77b4", "isolated line/points": "ff7f0e", "int8 band": "f1e6d6",
          "weight part bars": "8c6bb1", "activation part bars": "41b6c4"}
missing = [f"{k} #{v}: {n(v)} px" for k, v in expect.items() if n(v) < 40]
assert not missing, "not drawn: " + ", ".join(missing)
assert n("d62728") + n("2ca02c") >= 40, "no per-class delta bars"
assert n("2e7d32") + n("c62828") >= 40, "no verdict badge"
background = n("ffffff") / (w * h)
assert background < 0.97, f"{background:.1%} of the screenshot is white"
assert len(counts) >= 50, f"only {len(counts)} distinct colors"
print(f"png {w}x{h}: {len(counts)} colors, {background:.1%} white")
PY
check "the screenshot shows the charts (chart colors present, not blank)" $?

if [[ -n $keep_png ]]; then cp "$work/r.png" "$keep_png"; fi
exit $((fails > 0))
