#!/usr/bin/env bash
# The HTML reports rendered by headless Chromium, each checked in the file (every chart present with one mark per
# layer/class/scheme, no URL but the SVG namespace name, no script) and on the screenshot (the chart colors each
# cover pixels, the image is not blank):
#  - eval --html on the bundled Fashion-MNIST CNN (300 test images): accuracy table, SQNR along the network,
#    weight/activation split, per-class deltas;
#  - eval --html of a SELECTIVE run (fmnist_fragile_mlp under tflite-dynamic-legacy): the sensitivity bars, two
#    per quantizable layer (only that layer quantized, only that layer float), and the selective steps;
#  - eval --html on the Fashion-MNIST RNN (100 images): SQNR of the recurrent state per time step;
#  - compare --html (two schemes, --layers): the scheme table, the top-1 interval chart, each scheme's SQNR and
#    per-class charts.
# Chromium is required (scripts/setup installs it); without it the case fails, or is skipped (exit 77) under
# QGATE_ALLOW_SKIP=1 (tests/cli/require.sh).
# Usage: cli_html.sh QGATE_BINARY REPO_DIR [KEEP_PNG]
set -uo pipefail
source "$(dirname "$0")/lib.sh"
keep_png=${3:-}
chromium=$(command -v chromium || command -v chromium-browser || true)
[[ -n $chromium ]] || missing_asset "chromium (Debian package, scripts/setup)"

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

cat >"$work/png_colors.py" <<'PY'
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
# Filled shapes keep their exact color inside; edges are anti-aliased, so a few dozen pixels is plenty. Each
# expectation "name=hex[+hex...]" needs 40 pixels of those colors together.
missing = []
for item in sys.argv[2:]:
    name, colors = item.split("=")
    got = sum(n(h) for h in colors.split("+"))
    if got < 40:
        missing.append(f"{name} #{colors}: {got} px")
assert not missing, "not drawn: " + ", ".join(missing)
background = n("ffffff") / (w * h)
assert background < 0.97, f"{background:.1%} of the screenshot is white"
assert len(counts) >= 50, f"only {len(counts)} distinct colors"
print(f"{sys.argv[1].rsplit('/', 1)[-1]} {w}x{h}: {len(counts)} colors, {background:.1%} white")
PY

# render NAME: NAME.html -> NAME.png through headless Chromium. Chromium prints D-Bus complaints on stderr in a
# container: only its exit status and the PNG count.
render() {
  local profile rc
  profile=$(mktemp -d)
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$profile" --screenshot="$work/$1.png" --window-size=1280,${2:-2400} "file://$work/$1.html" \
    >"$work/chromium-$1.txt" 2>&1
  rc=$?
  rm -rf "$profile"
  check "chromium renders $1.html (exit $rc)" $rc
  [[ -s $work/$1.png ]]
  check "the screenshot $1.png exists" $?
}

render r
/usr/bin/python3 "$work/png_colors.py" "$work/r.png" "accumulated line/points=1f77b4" "isolated line/points=ff7f0e" \
  "int8 band=f1e6d6" "weight part bars=8c6bb1" "activation part bars=41b6c4" "per-class delta bars=d62728+2ca02c" \
  "verdict badge=2e7d32+c62828"
check "the CNN screenshot shows the charts (chart colors present, not blank)" $?

# A SELECTIVE run: sensitivity ran, so the report has both bars per quantizable layer. --no-layers keeps the
# SQNR chart out, so blue and orange pixels can only come from the sensitivity bars.
"$qgate" eval --model "$repo/models/fmnist_fragile_mlp.tflite" --data "$data" --labels "$work/classes.txt" \
  --limit 300 --scheme tflite-dynamic-legacy --sensitivity-samples 300 --no-layers \
  --report "$work/sel.json" --html "$work/sel.html" >"$work/sel.txt" 2>&1
[[ $? -eq 1 && $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"]["status"])' "$work/sel.json") == SELECTIVE ]]
check "fragile MLP eval --html exits 1 with verdict SELECTIVE" $?
/usr/bin/python3 - "$work/sel.html" "$work/sel.json" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
r = json.load(open(sys.argv[2]))
m = re.search(r'<svg id="chart-sensitivity"[^>]*>', html)
assert m, "no sensitivity chart"
t = m.group(0)
layers = r["sensitivity"]["layers"]
assert int(re.search(r' data-layers="(\d+)"', t).group(1)) == len(layers) >= 2, t
assert int(re.search(r' data-bars="(\d+)"', t).group(1)) == 2 * len(layers), t
chart = html[m.start():html.index("</svg>", m.start())]
for l in layers:
    for variant, key in (("only-quantized", "only_quantized"), ("only-float", "only_float")):
        v = re.search(r'data-node="%d" data-variant="%s" data-value="([^"]+)"' % (l["node"], variant), chart)
        assert v, (l["node"], variant)
        assert float(v.group(1)) == -l[key]["top1_delta"], (l["node"], variant, v.group(1))
kept = [k["name"] for k in r["selective"]["keep_float"]]
assert any(f"{n} (kept float)" in chart for n in kept), kept
assert '<table id="selective"' in html and 'class="verdict selective"' in html
assert "sensitivity-empty" not in html and "<script" not in html
PY
check "SELECTIVE HTML: two sensitivity bars per layer with the report's values, kept layers marked" $?
render sel 1700
/usr/bin/python3 "$work/png_colors.py" "$work/sel.png" "only-quantized bars=ff7f0e" "only-float bars=1f77b4" \
  "SELECTIVE badge=b26a00" "per-class delta bars=d62728+2ca02c"
check "the SELECTIVE screenshot shows the sensitivity bars" $?

# The RNN: error over time.
"$qgate" eval --model "$repo/models/fmnist_rnn.tflite" --data "$data" --limit 100 --report "$work/rnn.json" \
  --html "$work/rnn.html" >"$work/rnn.txt" 2>&1
check "fmnist_rnn eval --html exits 0" $?
/usr/bin/python3 - "$work/rnn.html" "$work/rnn.json" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
r = json.load(open(sys.argv[2]))
series = [l for l in r["layers"] if l["series"]]
assert series, "no recurrent layer in the report"
for k, l in enumerate(series[:8]):
    t = re.search(r'<svg id="chart-series-%d"[^>]*>' % k, html).group(0)
    assert int(re.search(r' data-node="(\d+)"', t).group(1)) == l["node"], t
    assert int(re.search(r' data-points="(\d+)"', t).group(1)) == sum(v is not None for v in l["series"]["sqnr_db_per_step"]) > 10, t
PY
check "RNN HTML: one SQNR-over-time chart per recurrent layer, one point per time step" $?
render rnn
/usr/bin/python3 "$work/png_colors.py" "$work/rnn.png" "SQNR lines and points=1f77b4+ff7f0e" "int8 band=f1e6d6"
check "the RNN screenshot shows the charts" $?

# compare --html: two schemes with --layers.
"$qgate" compare --model "$repo/models/fmnist_cnn.tflite" --data "$data" \
  --labels "$work/classes.txt" --limit 300 --layers --schemes "tflite-dynamic,per-tensor,bits=4,min-elements=0" \
  --report "$work/cmp.json" --html "$work/cmp.html" >"$work/cmp.txt" 2>&1
check "compare --html exits 1 (the 4-bit scheme fails)" $([[ $? -eq 1 ]]; echo $?)
/usr/bin/python3 - "$work/cmp.html" "$work/cmp.json" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
c = json.load(open(sys.argv[2]))
def tag(i):
    m = re.search(r'<svg id="%s"[^>]*>' % i, html)
    assert m, f"no <svg id={i}>"
    return m.group(0)
def attr(t, name):
    return int(re.search(r' %s="(\d+)"' % name, t).group(1))
rows = c["rows"]
assert attr(tag("chart-compare-top1"), "data-schemes") == len(rows) == 2
assert html.count('<g class="scheme"') == 2
table = html[html.index('<table id="compare"'):]
table = table[:table.index("</table>")]
assert table.count("<tr class=") == 2 and all(r["scheme"] in table for r in rows)
for k, r in enumerate(rows):
    assert attr(tag(f"chart-sqnr-s{k}"), "data-layers") == len(r["layers"]) > 0
    assert attr(tag(f"chart-classes-s{k}"), "data-bars") == len(r["classes"]) == 10
    assert f'<table id="accuracy-s{k}"' in html
ids = re.findall(r' id="([^"]+)"', html)
assert len(ids) == len(set(ids)), "duplicate ids"
rest = html.replace("http://www.w3.org/2000/svg", "")
assert "http" not in rest and "<script" not in rest and "url(" not in rest, "external reference in the HTML"
PY
check "compare HTML: scheme table, top-1 chart, per-scheme SQNR and class charts, unique ids" $?
render cmp 3600
/usr/bin/python3 "$work/png_colors.py" "$work/cmp.png" "top-1 intervals=2ca02c+d62728" "accumulated SQNR=1f77b4" \
  "int8 band=f1e6d6"
check "the compare screenshot shows the charts" $?

if [[ -n $keep_png ]]; then cp "$work/r.png" "$keep_png"; fi
finish
