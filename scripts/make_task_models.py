#!/usr/bin/python3
"""Trains qgate's small models of the non-classification output kinds on real data and writes them as .tflite.

    /usr/bin/python3 scripts/make_task_models.py [--out models] [--only NAME ...] [--threads T]
    /usr/bin/python3 scripts/make_task_models.py --test-data KIND N OUTDIR    (the CLI tests' data, see below)

Models (fixed seeds, CPU, a few minutes each on 2 shared cores; Fashion-MNIST from Debian's dataset-fashion-mnist):
  fmnist_landmarks  regression: three points of a Fashion-MNIST item in pixel units of the 28x28 image, the top-left
                    and bottom-right corners of its bounding box and its intensity centroid, as [1,6] =
                    (x0, y0, x1, y1, cx, cy); qgate reads them with --landmarks 3,2
  fmnist_segmenter  segmentation: per pixel one of 11 classes, 0 background and 1 + the item's class on its
                    foreground (pixels >= 10/255), logits [1,28,28,11]
  fmnist_embedder   embedding: a 32-dimensional embedding [1,32] trained with a cosine-softmax head over the ten
                    classes (the head is not exported), so cosine nearest neighbours share the item's class
  digits_ctc        sequence: digit strings of 3 to 6 digits rendered with the DejaVu fonts into 32x128 gray
                    images, per-column scores over 11 symbols [1,32,11] (0 the CTC blank, 1 + d the digit d),
                    trained with CTC; models/digits_vocab.txt lists the symbols

The targets come from the real images: bounding box and centroid of the foreground, foreground masks labelled
with the item's class, the class as the embedding's group, the rendered string as the transcript.

--test-data writes the data the end-to-end tests use (the first N test samples; nothing is written for training):
  landmarks    x.npy float32 [N,28,28,1] (pixels / 255), targets.npy float32 [N,6], labels.npy int64 [N]
  segmentation images/NNNN.png (each image upscaled 2x to 56x56), masks/NNNN.png (the 56x56 class mask,
               upscaled the same way), masks.npy uint8 [N,28,28] (the mask at the model's resolution), list.txt
  embedding    x.npy float32 [N,28,28,1], labels.npy int64 [N]
  sequence     x.npy float32 [N,32,128,1] (pixels / 255), transcripts.txt (one digit string per line)

Every exported file is run through the TFLite interpreter of npm @tensorflow/tfjs-tflite on test samples and the
largest difference from torch is printed and recorded in models/task_models.json and models/README.md.
Uses the TFLite writer of scripts/qgate_models (schema bindings generated with flatc at run time).
"""
import argparse
import hashlib
import importlib
import json
import sys
import tempfile
import time
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The pieces of qgate's model builder (scripts/qgate_models): the TFLite writer, the data readers, the interpreter
# check. Importing them trains nothing.
from qgate_models import REPO, SCHEMA, checks, data, exports, tflite_builder  # noqa: E402

mm = SimpleNamespace(
    REPO=REPO, SCHEMA=SCHEMA, load_fmnist=data.load_fmnist, run_reference=checks.run_reference,
    load_schema_bindings=tflite_builder.load_schema_bindings, TfliteBuilder=tflite_builder.TfliteBuilder,
    count_params=tflite_builder.count_params, list_ops=tflite_builder.list_ops, SAME=tflite_builder.SAME,
    VALID=tflite_builder.VALID, ACT_NONE=tflite_builder.ACT_NONE, ACT_RELU=tflite_builder.ACT_RELU,
    conv_filter_ohwi=exports.conv_filter_ohwi, np32=exports.np32)

MODEL_ORDER = ["fmnist_landmarks", "fmnist_segmenter", "fmnist_embedder", "digits_ctc"]
FOREGROUND = 10 / 255.0        # a pixel at least this bright belongs to the item
SEG_CLASSES = 11               # background + the ten Fashion-MNIST classes
DIGIT_H, DIGIT_W, DIGIT_STEPS = 32, 128, 32
DIGIT_SYMBOLS = 11             # blank + 10 digits
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSerif.ttf"]  # fonts-dejavu-core


# ---- Targets from the real images ------------------------------------------------------------------------------

def landmark_targets(x):
    """x float32 [N,28,28] in [0,1] -> float32 [N,6]: bounding box (x0, y0, x1, y1) of the foreground pixels, edges
    in pixel units (x1 = last column + 1), and the intensity-weighted centroid (cx, cy) of pixel centres."""
    n = len(x)
    out = np.zeros((n, 6), np.float32)
    cols = np.arange(28, dtype=np.float64) + 0.5
    for i in range(n):
        fg = x[i] >= FOREGROUND
        ys, xs = np.nonzero(fg)
        if len(xs) == 0:
            out[i] = [0, 0, 28, 28, 14, 14]
            continue
        w = x[i].astype(np.float64)
        total = w.sum()
        out[i, :4] = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
        out[i, 4] = (w.sum(0) * cols).sum() / total
        out[i, 5] = (w.sum(1) * cols).sum() / total
    return out


def segmentation_masks(x, y):
    """uint8 [N,28,28]: 0 for background, 1 + class on the foreground."""
    return np.where(x >= FOREGROUND, (y[:, None, None] + 1), 0).astype(np.uint8)


def render_digits(n, seed):
    """n gray 32x128 images (float32 in [0,1]) of digit strings (3-6 digits) rendered with the DejaVu fonts at a
    random size, position and intensity on a random background level, plus mild noise; and the strings."""
    from PIL import Image, ImageDraw, ImageFont
    rng = np.random.default_rng(seed)
    fonts = {}
    images = np.zeros((n, DIGIT_H, DIGIT_W), np.float32)
    texts = []
    for i in range(n):
        length = int(rng.integers(3, 7))
        text = "".join(str(int(d)) for d in rng.integers(0, 10, length))
        size = int(rng.integers(18, 25))
        name = FONTS[int(rng.integers(0, len(FONTS)))]
        if (name, size) not in fonts:
            fonts[(name, size)] = ImageFont.truetype(str(FONT_DIR / name), size)
        font = fonts[(name, size)]
        bg = int(rng.integers(0, 60))
        fg = int(rng.integers(170, 256))
        img = Image.new("L", (DIGIT_W, DIGIT_H), bg)
        draw = ImageDraw.Draw(img)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        w, h = right - left, bottom - top
        x0 = int(rng.integers(0, max(1, DIGIT_W - w))) - left
        y0 = int(rng.integers(0, max(1, DIGIT_H - h))) - top
        draw.text((x0, y0), text, fill=fg, font=font)
        a = np.asarray(img, np.float32) + rng.normal(0, 6, (DIGIT_H, DIGIT_W)).astype(np.float32)
        images[i] = np.clip(np.round(a), 0, 255) / np.float32(255)
        texts.append(text)
    return images, texts


# ---- Networks (torch) -------------------------------------------------------------------------------------------

class LandmarkNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(7 * 7 * 32, 64)
        self.fc2 = nn.Linear(64, 6)

    def forward(self, x):  # [N,28,28,1]
        h = F.max_pool2d(F.relu(self.conv1(x.permute(0, 3, 1, 2))), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = h.permute(0, 2, 3, 1).flatten(1)  # NHWC order, as TFLite's RESHAPE
        return self.fc2(F.relu(self.fc1(h)))


class SegmenterNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv4 = nn.Conv2d(80, 32, 3, padding=1)
        self.conv5 = nn.Conv2d(32, SEG_CLASSES, 1)

    def forward(self, x):  # [N,28,28,1] -> logits [N,28,28,11]
        h1 = F.relu(self.conv1(x.permute(0, 3, 1, 2)))
        h = F.max_pool2d(h1, 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = F.relu(self.conv3(h))
        h = F.interpolate(h, scale_factor=4, mode="nearest")  # TFLite RESIZE_NEAREST_NEIGHBOR, no corner flags
        h = F.relu(self.conv4(torch.cat([h, h1], 1)))
        return self.conv5(h).permute(0, 2, 3, 1)


class EmbedderNet(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(7 * 7 * 32, 64)
        self.fc2 = nn.Linear(64, dim)
        self.head = nn.Parameter(torch.randn(10, dim) * 0.1)  # cosine-softmax classes, training only

    def embed(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x.permute(0, 3, 1, 2))), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.fc2(F.relu(self.fc1(h.permute(0, 2, 3, 1).flatten(1))))

    def forward(self, x):
        return self.embed(x)

    def logits(self, x):
        return 10.0 * F.normalize(self.embed(x), dim=1) @ F.normalize(self.head, dim=1).t()


class DigitsCtcNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.column = nn.Conv2d(64, 64, (8, 1))   # the 8 rows left of each column -> one feature vector
        self.scores = nn.Conv2d(64, DIGIT_SYMBOLS, 1)

    def forward(self, x):  # [N,32,128,1] -> [N,32,11] per-column scores
        h = F.max_pool2d(F.relu(self.conv1(x.permute(0, 3, 1, 2))), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = F.relu(self.conv3(h))
        h = F.relu(self.column(h))
        return self.scores(h)[:, :, 0, :].permute(0, 2, 1)


def train_loop(model, batches, epochs, lr, seed, loss_fn, label):
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    steps = epochs * batches.count
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        total, seen = 0.0, 0
        for xb, yb in batches.epoch(gen):
            opt.zero_grad()
            loss = loss_fn(model, xb, yb)
            loss.backward()
            nn.utils.clip_grad_norm_(params, 5.0)
            opt.step()
            sched.step()
            total += loss.item() * len(xb)
            seen += len(xb)
        print(f"  {label} epoch {epoch + 1}/{epochs}: loss {total / seen:.4f} ({time.time() - t0:.0f} s)", flush=True)
    return time.time() - t0


class Batches:
    def __init__(self, x, y, batch):
        self.x, self.y, self.batch = x, y, batch
        self.count = (len(x) + batch - 1) // batch

    def epoch(self, gen):
        order = torch.randperm(len(self.x), generator=gen).numpy()
        for i in range(0, len(order), self.batch):
            idx = order[i:i + self.batch]
            targets = [self.y[i] for i in idx] if isinstance(self.y, list) else torch.from_numpy(self.y[idx])
            yield torch.from_numpy(self.x[idx]), targets


def ctc_targets(texts):
    return [[1 + int(c) for c in t] for t in texts]


def ctc_loss(model, xb, yb):
    logp = F.log_softmax(model(xb), dim=2).permute(1, 0, 2)  # [T, N, C]
    targets = torch.tensor([s for seq in yb for s in seq], dtype=torch.long)
    lengths = torch.tensor([len(seq) for seq in yb], dtype=torch.long)
    steps = torch.full((len(yb),), DIGIT_STEPS, dtype=torch.long)
    return F.ctc_loss(logp, targets, steps, lengths, blank=0, zero_infinity=True)


def ctc_greedy(scores):
    """[T, C] -> symbol ids: per-step argmax, repeats collapsed, blanks (0) dropped."""
    best = scores.argmax(1)
    out, prev = [], -1
    for s in best:
        if s != prev and s != 0:
            out.append(int(s))
        prev = s
    return out


# ---- Export ------------------------------------------------------------------------------------------------------

def fb_with_extras(tmp):
    fb = mm.load_schema_bindings(mm.SCHEMA, Path(tmp) / "gen")
    for name in ["ConcatenationOptions", "ResizeNearestNeighborOptions"]:
        fb[name] = importlib.import_module(f"tflite.{name}")
    return fb


class Writer:
    """The layers these networks use, over qgate_models' TfliteBuilder."""

    def __init__(self, fb, description):
        self.fb = fb
        self.b = mm.TfliteBuilder(fb, description)
        self.BO = fb["BuiltinOperator"].BuiltinOperator

    def conv(self, inp, layer, name, shape_out, relu=True, padding=mm.SAME):
        b = self.b
        w = b.const(f"{name}/weights", mm.conv_filter_ohwi(layer.weight))
        bias = b.const(f"{name}/bias", mm.np32(layer.bias))
        out = b.activation(name + ("/relu" if relu else ""), shape_out)
        b.op(self.BO.CONV_2D, [inp, w, bias], [out], "Conv2DOptions", padding=padding, strideW=1, strideH=1,
             fusedActivationFunction=mm.ACT_RELU if relu else mm.ACT_NONE, dilationWFactor=1, dilationHFactor=1)
        return out

    def maxpool(self, inp, name, shape_out):
        out = self.b.activation(name, shape_out)
        self.b.op(self.BO.MAX_POOL_2D, [inp], [out], "Pool2DOptions", padding=mm.VALID, strideW=2, strideH=2,
                  filterWidth=2, filterHeight=2, fusedActivationFunction=mm.ACT_NONE)
        return out

    def reshape(self, inp, name, shape):
        out = self.b.activation(name, shape)
        self.b.op(self.BO.RESHAPE, [inp, self.b.const(f"{name}/shape", np.array(shape, np.int32))], [out],
                  "ReshapeOptions", newShape=list(shape))
        return out

    def fc(self, inp, layer, name, relu):
        return exports.fully_connected(self.b, inp, layer, name, mm.ACT_RELU if relu else mm.ACT_NONE)


def image_input(w):
    return w.b.activation("image", [1, 28, 28, 1])


def export_landmarks(fb, m):
    w = Writer(fb, "qgate fmnist_landmarks: bounding box corners and centroid of a Fashion-MNIST item, float32, "
                   "made by scripts/make_task_models.py")
    x = image_input(w)
    h = w.maxpool(w.conv(x, m.conv1, "conv1", [1, 28, 28, 16]), "pool1", [1, 14, 14, 16])
    h = w.maxpool(w.conv(h, m.conv2, "conv2", [1, 14, 14, 32]), "pool2", [1, 7, 7, 32])
    h = w.reshape(h, "flatten", [1, 7 * 7 * 32])
    h = w.fc(h, m.fc1, "fc1", True)
    points = w.fc(h, m.fc2, "points", False)
    return w.b.serialize([x], [points])


def export_segmenter(fb, m):
    w = Writer(fb, "qgate fmnist_segmenter: Fashion-MNIST foreground masks labelled by class (11 classes), float32, "
                   "made by scripts/make_task_models.py")
    b, BO = w.b, w.BO
    x = image_input(w)
    h1 = w.conv(x, m.conv1, "conv1", [1, 28, 28, 16])
    h = w.maxpool(h1, "pool1", [1, 14, 14, 16])
    h = w.maxpool(w.conv(h, m.conv2, "conv2", [1, 14, 14, 32]), "pool2", [1, 7, 7, 32])
    h = w.conv(h, m.conv3, "conv3", [1, 7, 7, 64])
    up = b.activation("upsample", [1, 28, 28, 64])
    b.op(BO.RESIZE_NEAREST_NEIGHBOR, [h, b.const("upsample/size", np.array([28, 28], np.int32))], [up],
         "ResizeNearestNeighborOptions", alignCorners=False, halfPixelCenters=False)
    cat = b.activation("concat", [1, 28, 28, 80])
    b.op(BO.CONCATENATION, [up, h1], [cat], "ConcatenationOptions", axis=3, fusedActivationFunction=mm.ACT_NONE)
    h = w.conv(cat, m.conv4, "conv4", [1, 28, 28, 32])
    logits = w.conv(h, m.conv5, "class_logits", [1, 28, 28, SEG_CLASSES], relu=False)
    return b.serialize([x], [logits])


def export_embedder(fb, m):
    w = Writer(fb, "qgate fmnist_embedder: 32-dimensional Fashion-MNIST embedding (cosine), float32, made by "
                   "scripts/make_task_models.py")
    x = image_input(w)
    h = w.maxpool(w.conv(x, m.conv1, "conv1", [1, 28, 28, 16]), "pool1", [1, 14, 14, 16])
    h = w.maxpool(w.conv(h, m.conv2, "conv2", [1, 14, 14, 32]), "pool2", [1, 7, 7, 32])
    h = w.reshape(h, "flatten", [1, 7 * 7 * 32])
    h = w.fc(h, m.fc1, "fc1", True)
    emb = w.fc(h, m.fc2, "embedding", False)
    return w.b.serialize([x], [emb])


def export_digits_ctc(fb, m):
    w = Writer(fb, "qgate digits_ctc: rendered digit strings, per-column scores over blank + 10 digits (CTC), "
                   "float32, made by scripts/make_task_models.py")
    x = w.b.activation("image", [1, DIGIT_H, DIGIT_W, 1])
    h = w.maxpool(w.conv(x, m.conv1, "conv1", [1, 32, 128, 16]), "pool1", [1, 16, 64, 16])
    h = w.maxpool(w.conv(h, m.conv2, "conv2", [1, 16, 64, 32]), "pool2", [1, 8, 32, 32])
    h = w.conv(h, m.conv3, "conv3", [1, 8, 32, 64])
    h = w.conv(h, m.column, "column", [1, 1, 32, 64], padding=mm.VALID)
    h = w.conv(h, m.scores, "scores", [1, 1, DIGIT_STEPS, DIGIT_SYMBOLS], relu=False)
    out = w.reshape(h, "steps", [1, DIGIT_STEPS, DIGIT_SYMBOLS])
    return w.b.serialize([x], [out])


# ---- Test data ---------------------------------------------------------------------------------------------------

def write_png(path, a):
    """8-bit gray PNG (no filter), written with zlib: the tests need no imaging library to make their files."""
    a = np.ascontiguousarray(a, np.uint8)
    h, w = a.shape
    raw = b"".join(b"\x00" + a[r].tobytes() for r in range(h))

    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data +
                zlib.crc32(kind + data).to_bytes(4, "big"))
    header = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) +
                           chunk(b"IEND", b""))


def write_test_data(kind, n, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if kind == "sequence":
        x, texts = render_digits(n, seed=9001)
        np.save(out / "x.npy", x[:, :, :, None])
        (out / "transcripts.txt").write_text("".join(t + "\n" for t in texts))
        return
    _, _, x_test, y_test = mm.load_fmnist()
    x, y = x_test[:n], y_test[:n]
    if kind in ("landmarks", "embedding"):
        np.save(out / "x.npy", x[:, :, :, None].copy())
        np.save(out / "labels.npy", y)
        if kind == "landmarks":
            np.save(out / "targets.npy", landmark_targets(x))
        return
    if kind == "segmentation":
        masks = segmentation_masks(x, y)
        np.save(out / "masks.npy", masks)
        (out / "images").mkdir(exist_ok=True)
        (out / "masks").mkdir(exist_ok=True)
        lines = []
        for i in range(n):
            pixels = np.round(x[i] * 255).astype(np.uint8)
            write_png(out / "images" / f"{i:04d}.png", pixels.repeat(2, 0).repeat(2, 1))
            write_png(out / "masks" / f"{i:04d}.png", masks[i].repeat(2, 0).repeat(2, 1))
            lines.append(f"images/{i:04d}.png masks/{i:04d}.png\n")
        (out / "list.txt").write_text("".join(lines))
        return
    raise SystemExit(f"--test-data: unknown kind {kind}")


# ---- Main ----------------------------------------------------------------------------------------------------------

def reference_outputs(path, x, tmp):
    return mm.run_reference(path, x, tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(mm.REPO / "models"))
    ap.add_argument("--only", nargs="*", choices=MODEL_ORDER)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--train-scale", type=float, default=1.0, help="multiply every training set size (quick tests)")
    ap.add_argument("--epochs-scale", type=float, default=1.0)
    ap.add_argument("--ref-samples", type=int, default=500)
    ap.add_argument("--test-data", nargs=3, metavar=("KIND", "N", "OUTDIR"))
    args = ap.parse_args()
    if args.test_data:
        write_test_data(args.test_data[0], int(args.test_data[1]), args.test_data[2])
        return

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    out = Path(args.out)
    wanted = args.only or MODEL_ORDER
    epochs = lambda e: max(1, round(e * args.epochs_scale))  # noqa: E731
    count = lambda n: max(64, round(n * args.train_scale))  # noqa: E731
    records = []
    with tempfile.TemporaryDirectory(prefix="qgate_task_models_") as tmp:
        fb = fb_with_extras(tmp)
        if any(w.startswith("fmnist") for w in wanted):
            x_train, y_train, x_test, y_test = mm.load_fmnist()
            x_te4 = x_test[:, :, :, None].copy()
        n_ref = args.ref_samples

        def finish(name, kind, task, blob, model, x_ref, figures, secs):
            path = out / f"{name}.tflite"
            path.write_bytes(blob)
            with torch.no_grad():
                model.eval()
                torch_out = model(torch.from_numpy(x_ref)).numpy()
            ref = reference_outputs(path, x_ref, tmp).reshape(torch_out.shape)
            maxdiff = float(np.abs(ref - torch_out).max())
            sha = hashlib.sha256(blob).hexdigest()
            rec = dict(name=name, kind=kind, task=task, ops=mm.list_ops(blob, fb), params=mm.count_params(blob, fb),
                       size=len(blob), sha256=sha, n_ref=len(x_ref), maxdiff=maxdiff, seconds=round(secs, 1),
                       figures=figures, torch=torch.__version__, threads=args.threads)
            print(f"{name}: {figures}; interpreter vs torch on {len(x_ref)} test samples: max |diff| {maxdiff:.2e}; "
                  f"{len(blob)} bytes, sha256 {sha[:16]}", flush=True)
            records.append(rec)
            return ref

        if "fmnist_landmarks" in wanted:
            torch.manual_seed(21)
            m = LandmarkNet()
            n = count(20000)
            t = landmark_targets(x_train[:n])
            secs = train_loop(m, Batches(x_train[:n, :, :, None].copy(), t, 128), epochs(3), 2e-3, 21,
                              lambda mod, xb, yb: F.smooth_l1_loss(mod(xb), yb), "fmnist_landmarks")
            with torch.no_grad():
                m.eval()
                pred = m(torch.from_numpy(x_te4)).numpy()
            tt = landmark_targets(x_test)
            dist = np.sqrt(((pred - tt).reshape(-1, 3, 2) ** 2).sum(2)).mean()
            finish("fmnist_landmarks", "regression", "bounding box corners and centroid (pixels) of a Fashion-MNIST "
                   "item", export_landmarks(fb, m), m, x_te4[:n_ref],
                   f"mean point distance to the targets {dist:.3f} px on the 10000 test images", secs)

        if "fmnist_segmenter" in wanted:
            torch.manual_seed(22)
            m = SegmenterNet()
            n = count(10000)
            masks = segmentation_masks(x_train[:n], y_train[:n]).astype(np.int64)
            secs = train_loop(m, Batches(x_train[:n, :, :, None].copy(), masks, 64), epochs(3), 2e-3, 22,
                              lambda mod, xb, yb: F.cross_entropy(mod(xb).permute(0, 3, 1, 2), yb),
                              "fmnist_segmenter")
            with torch.no_grad():
                m.eval()
                pred = np.concatenate([m(torch.from_numpy(x_te4[i:i + 500])).numpy().argmax(3)
                                       for i in range(0, len(x_te4), 500)])
            gt = segmentation_masks(x_test, y_test)
            ious = []
            for k in range(SEG_CLASSES):
                inter = ((pred == k) & (gt == k)).sum()
                union = ((pred == k) | (gt == k)).sum()
                if union:
                    ious.append(inter / union)
            finish("fmnist_segmenter", "segmentation", "Fashion-MNIST foreground masks labelled with the item's class "
                   "(11 classes)", export_segmenter(fb, m), m, x_te4[:n_ref],
                   f"pixel accuracy {(pred == gt).mean() * 100:.2f}%, mIoU {np.mean(ious) * 100:.2f}% on the 10000 "
                   "test images", secs)

        if "fmnist_embedder" in wanted:
            torch.manual_seed(23)
            m = EmbedderNet()
            n = count(20000)
            secs = train_loop(m, Batches(x_train[:n, :, :, None].copy(), y_train[:n], 128), epochs(3), 2e-3, 23,
                              lambda mod, xb, yb: F.cross_entropy(mod.logits(xb), yb), "fmnist_embedder")
            with torch.no_grad():
                m.eval()
                e = F.normalize(m(torch.from_numpy(x_te4[:2000])), dim=1).numpy()
            sim = e @ e.T
            np.fill_diagonal(sim, -np.inf)
            nn_acc = (y_test[:2000][sim.argmax(1)] == y_test[:2000]).mean()
            finish("fmnist_embedder", "embedding", "32-dimensional Fashion-MNIST embedding (cosine-softmax training)",
                   export_embedder(fb, m), m, x_te4[:n_ref],
                   f"cosine 1-NN retrieval accuracy {nn_acc * 100:.2f}% on the first 2000 test images", secs)

        if "digits_ctc" in wanted:
            torch.manual_seed(24)
            xd, texts = render_digits(count(12000), seed=24)
            xt, ttexts = render_digits(1000, seed=9001)  # the tests' data (--test-data sequence)
            m = DigitsCtcNet()
            secs = train_loop(m, Batches(xd[:, :, :, None].copy(), ctc_targets(texts), 64), epochs(6), 2e-3, 24,
                              ctc_loss, "digits_ctc")
            with torch.no_grad():
                m.eval()
                scores = m(torch.from_numpy(xt[:, :, :, None].copy())).numpy()
            decoded = ["".join(str(s - 1) for s in ctc_greedy(s)) for s in scores]
            exact = np.mean([d == t for d, t in zip(decoded, ttexts)])
            finish("digits_ctc", "sequence", "rendered digit strings (3-6 digits), CTC over blank + 10 digits",
                   export_digits_ctc(fb, m), m, xt[:n_ref, :, :, None].copy(),
                   f"exact string match {exact * 100:.2f}% on 1000 rendered test strings", secs)
            (out / "digits_vocab.txt").write_text("<blank>\n" + "".join(f"{d}\n" for d in range(10)))

    path = out / "task_models.json"
    old = json.loads(path.read_text()) if path.exists() else {"models": []}
    by_name = {r["name"]: r for r in old["models"]}
    for r in records:
        by_name[r["name"]] = r
    path.write_text(json.dumps({"models": [by_name[n] for n in MODEL_ORDER if n in by_name]}, indent=1) + "\n")


if __name__ == "__main__":
    main()
