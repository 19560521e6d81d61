#!/usr/bin/python3
"""Exports qgate's own trained models to ONNX (no retraining), plus seeded random-weight models.

    /usr/bin/python3 scripts/make_onnx_models.py [--out models] [--only NAME ...] [--check]
    /usr/bin/python3 scripts/make_onnx_models.py --random [--out .cache/models] [--only NAME ...]
    /usr/bin/python3 scripts/make_onnx_models.py --dynamic [--out .cache/models] [--only NAME ...]

Trained models (written to models/, small): each torch module of scripts/make_models.py (scripts/qgate_models/) is
rebuilt from the weights stored in models/NAME.tflite (read with the same flatc-generated schema bindings), so
NAME.onnx computes the same function as NAME.tflite:
  fmnist_cnn      input "image" float32 [1,1,28,28] (NCHW, pixels / 255); batch norm is already folded into the
                  .tflite weights, so the rebuilt module has plain convolutions. The flatten before fc1 keeps the
                  .tflite's (H, W, C) order with a Transpose, so fc1's weights are used as stored.
  fmnist_rnn      input "rows" float32 [1,28,28]; ONNX RNN (tanh). TFLite's single RNN bias is the ONNX W bias,
                  the R bias is zero.
  langid_lstm     input "chars" int64 [1,16] (torch's embedding index type); Gather + ONNX LSTM (gate order
                  i, f, g, o in torch = i, o, f, c in ONNX: the exporter reorders), one bias per gate as in the
                  .tflite (recurrent bias zero).
  fmnist_gru_random  seeded random GRU classifier ([1,28,28] rows -> GRU(64) -> last step -> FC(10) -> softmax):
                  no trained GRU exists here; it is for GRU parity against onnxruntime, not for accuracy.
Every output is the softmax over the classes, as in the .tflite files. --check runs each torch module next to
its .tflite through the TFLite interpreter (reference/tflite_interpreter/run_tflite.mjs) on test samples and
prints the largest output difference (the two must compute the same function).

Random-weight ImageNet architectures (--random, written to .cache/models/, never committed: 14 and 45 MB):
  mobilenet_v2_random, resnet18_random   torchvision's architectures after torch.manual_seed(SEED), eval mode
                  (batch norm with its initial statistics, folded by the exporter; mobilenet_v2's convolutions
                  redrawn with kaiming fan_in so its activations do not vanish), input "image" float32
                  [1,3,224,224], output "logits" [1,1000]. The bytes are deterministic for a given torch and
                  torchvision build (checked: Debian's torch 1.13.1 + torchvision 0.14.1), so scripts/fetch_models
                  pins their sha256 and skips files that already match.

Export: torch.onnx.export, opset 13, constant folding on, fixed input shapes (batch 1).

Random-weight torchvision architectures with dynamic axes (--dynamic, written to .cache/models/, never committed),
the shapes exporters emit for models users resize: input "image" float32 [batch, 3, height, width] (the vision
transformers: [batch, 3, 224, 224], their position embedding fixes the size), output "logits" [batch, 1000]. Each
is built after torch.manual_seed(SEED) in eval mode (batch norm at its initial statistics), convolutions redrawn
with kaiming fan_in and linear layers with std 1/sqrt(fan_in) so the logits stay O(1) (torchvision's own init
leaves them ~1e-3 on these networks, and zero for the vision transformers' head, which is redrawn the same way).
Exported at different opsets, as exporters in the field emit them:
  squeezenet1_1_random_dyn        opset 11   MaxPool with ceil_mode, Concat of fire modules
  mobilenet_v3_small_random_dyn   opset 13   HardSigmoid / HardSwish, squeeze-and-excitation
  shufflenet_v2_x0_5_random_dyn   opset 15   channel shuffle: Reshape / Transpose with shapes computed from Shape
  efficientnet_b0_random_dyn      opset 16   SiLU (Sigmoid * x), squeeze-and-excitation
  vit_ti16_random_dyn             opset 17   torchvision's VisionTransformer at the ViT-Ti/16 size (12 layers, 192
                                             wide, 3 heads: 5.7 M parameters): LayerNormalization, attention
                                             (MatMul, Softmax), Erf GELU
  vit_b_16_random_dyn             opset 17   torchvision's vit_b_16 (86 M parameters, 330 MB; only with --only)
The vision transformers are traced with gradients on: under no_grad torch's fused attention kernel is chosen,
which has no ONNX form.
"""

import argparse
import hashlib
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qgate_models import REPO, SCHEMA  # noqa: E402
from qgate_models.checks import run_reference  # noqa: E402
from qgate_models.data import LANGID_LEN, encode_words, load_fmnist  # noqa: E402
from qgate_models.nets import FmnistRnn, LangIdLstm  # noqa: E402
from qgate_models.readme import ONNX_SECTION, write_readme_part  # noqa: E402
from qgate_models.tflite_builder import constants, load_schema_bindings  # noqa: E402

OPSET = 13
TRAINED = ["fmnist_cnn", "fmnist_rnn", "langid_lstm", "fmnist_gru_random"]
RANDOM = ["mobilenet_v2_random", "resnet18_random"]
# name: (torchvision architecture, opset, dynamic height and width)
DYNAMIC = {
    "squeezenet1_1_random_dyn": ("squeezenet1_1", 11, True),
    "mobilenet_v3_small_random_dyn": ("mobilenet_v3_small", 13, True),
    "shufflenet_v2_x0_5_random_dyn": ("shufflenet_v2_x0_5", 15, True),
    "efficientnet_b0_random_dyn": ("efficientnet_b0", 16, True),
    "vit_ti16_random_dyn": ("vit_ti16", 17, False),
    "vit_b_16_random_dyn": ("vit_b_16", 17, False),
}
DYNAMIC_ON_REQUEST = ["vit_b_16_random_dyn"]  # made only when named with --only (330 MB)
SEED = 7  # the random-weight models' torch.manual_seed


# ---- Reading the .tflite weights ---------------------------------------------------------------------------

def take(consts, name, shape, path):
    """The named constant, checked for shape, as a torch tensor."""
    if name not in consts:
        raise SystemExit(f"{path}: no constant tensor '{name}' (was the file written by scripts/make_models.py?)")
    a = consts[name]
    if list(a.shape) != list(shape):
        raise SystemExit(f"{path}: tensor '{name}' has shape {list(a.shape)}, expected {list(shape)}")
    return torch.from_numpy(a.copy())


# ---- Torch modules in inference form -----------------------------------------------------------------------

class CnnNchw(nn.Module):
    """nets.FmnistCnn with batch norm folded (as stored in the .tflite), taking NCHW images."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.dw = nn.Conv2d(32, 64, 5, padding=2, groups=32)
        self.pw = nn.Conv2d(64, 32, 1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(3 * 3 * 64, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):  # x [N, 1, 28, 28]
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.dw(x))
        x = F.max_pool2d(F.relu(self.pw(x)), 2)
        x = F.avg_pool2d(F.relu(self.conv3(x)), 2)
        x = x.permute(0, 2, 3, 1).flatten(1)  # (H, W, C) order, as the .tflite's RESHAPE of NHWC
        return F.softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


@torch.no_grad()
def load_cnn(path, fb):
    c = constants(path, fb)
    m = CnnNchw()
    for layer, name in [(m.conv1, "conv1"), (m.pw, "conv2_1x1"), (m.conv3, "conv3")]:
        o, i, kh, kw = layer.weight.shape
        layer.weight.copy_(take(c, f"{name}/weights", [o, kh, kw, i], path).permute(0, 3, 1, 2))  # OHWI -> OIHW
        layer.bias.copy_(take(c, f"{name}/bias", [o], path))
    o, _, kh, kw = m.dw.weight.shape
    m.dw.weight.copy_(take(c, "dwconv2/weights", [1, kh, kw, o], path).permute(3, 0, 1, 2))  # 1HWO -> O1HW
    m.dw.bias.copy_(take(c, "dwconv2/bias", [o], path))
    for layer, name in [(m.fc1, "fc1"), (m.fc2, "logits")]:
        layer.weight.copy_(take(c, f"{name}/weights", list(layer.weight.shape), path))
        layer.bias.copy_(take(c, f"{name}/bias", list(layer.bias.shape), path))
    return m.eval()


class RnnSoftmax(nn.Module):
    """nets.FmnistRnn with the softmax of the .tflite."""

    def __init__(self, units):
        super().__init__()
        self.m = FmnistRnn(units)

    def forward(self, x):  # x [N, 28, 28]
        return F.softmax(self.m(x), dim=1)


@torch.no_grad()
def load_rnn(path, fb):
    c = constants(path, fb)
    units = c["rnn/recurrent_weights"].shape[0]
    m = RnnSoftmax(units)
    rnn = m.m.rnn
    rnn.weight_ih_l0.copy_(take(c, "rnn/input_weights", [units, 28], path))
    rnn.weight_hh_l0.copy_(take(c, "rnn/recurrent_weights", [units, units], path))
    rnn.bias_ih_l0.copy_(take(c, "rnn/bias", [units], path))  # TFLite keeps b_ih + b_hh as one bias
    rnn.bias_hh_l0.zero_()
    m.m.fc.weight.copy_(take(c, "logits/weights", [10, units], path))
    m.m.fc.bias.copy_(take(c, "logits/bias", [10], path))
    return m.eval()


class LstmSoftmax(nn.Module):
    """nets.LangIdLstm with the softmax of the .tflite."""

    def __init__(self, vocab, langs, embed, units):
        super().__init__()
        self.m = LangIdLstm(vocab, langs, embed, units)

    def forward(self, x):  # x int64 [N, 16]
        return F.softmax(self.m(x), dim=1)


@torch.no_grad()
def load_lstm(path, fb):
    c = constants(path, fb)
    vocab, embed = c["embedding/table"].shape
    units = c["lstm/recurrent_to_input_weights"].shape[0]
    langs = c["logits/bias"].shape[0]
    m = LstmSoftmax(vocab, langs, embed, units)
    m.m.embed.weight.copy_(take(c, "embedding/table", [vocab, embed], path))
    gates = ["input", "forget", "cell", "output"]  # torch's row-block order of weight_ih / weight_hh
    lstm = m.m.lstm
    lstm.weight_ih_l0.copy_(torch.cat([take(c, f"lstm/input_to_{g}_weights", [units, embed], path) for g in gates]))
    lstm.weight_hh_l0.copy_(torch.cat([take(c, f"lstm/recurrent_to_{g}_weights", [units, units], path)
                                       for g in gates]))
    lstm.bias_ih_l0.copy_(torch.cat([take(c, f"lstm/{g}_gate_bias", [units], path) for g in gates]))
    lstm.bias_hh_l0.zero_()
    m.m.fc.weight.copy_(take(c, "logits/weights", [langs, units], path))
    m.m.fc.bias.copy_(take(c, "logits/bias", [langs], path))
    return m.eval()


class GruClassifier(nn.Module):
    """[N, 28, 28] rows -> GRU -> last step -> FC(10) -> softmax."""

    def __init__(self, units=64):
        super().__init__()
        self.gru = nn.GRU(28, units, batch_first=True)
        self.fc = nn.Linear(units, 10)

    def forward(self, x):
        out, _ = self.gru(x)
        return F.softmax(self.fc(out[:, -1]), dim=1)


def make_gru():
    torch.manual_seed(SEED)
    return GruClassifier(64).eval()


def make_torchvision(name):
    import torchvision
    torch.manual_seed(SEED)
    ctor = {"mobilenet_v2_random": torchvision.models.mobilenet_v2,
            "resnet18_random": torchvision.models.resnet18}[name]
    m = ctor(weights=None)
    if name == "mobilenet_v2_random":
        # torchvision's init (kaiming fan_out) with batch norm at its initial statistics (identity in eval mode)
        # shrinks the signal ~10x at every channel-reducing projection: the logits would be ~1e-9. Redrawn with
        # kaiming fan_in, activations stay O(1) through all 17 blocks and the last ReLU6 clips ~8% of its values.
        for mod in m.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, mode="fan_in", nonlinearity="relu")
    return m.eval()


def make_torchvision_dynamic(arch):
    import torchvision
    from torchvision.models.vision_transformer import VisionTransformer
    torch.manual_seed(SEED)
    if arch == "vit_ti16":
        m = VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=3, hidden_dim=192, mlp_dim=768)
    else:
        m = getattr(torchvision.models, arch)(weights=None)
    if arch.startswith("vit"):
        nn.init.normal_(m.heads.head.weight, std=m.hidden_dim ** -0.5)
    else:
        for mod in m.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, mode="fan_in", nonlinearity="relu")
            elif isinstance(mod, nn.Linear):
                nn.init.normal_(mod.weight, std=mod.in_features ** -0.5)
    return m.eval()


# ---- Export --------------------------------------------------------------------------------------------------

def export(model, example, in_name, out_name, path):
    """torch.onnx.export at OPSET with fixed shapes; writes through a temporary name so a failed export leaves
    no file behind."""
    tmp = path.with_suffix(".onnx.tmp")
    # The exporter warns about RNN batch sizes and missing shape inference of constants: neither applies to a
    # fixed batch-1 export, and the warnings would bury the summary lines.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(model, (example,), str(tmp), opset_version=OPSET, input_names=[in_name],
                          output_names=[out_name], do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
    tmp.replace(path)
    blob = path.read_bytes()
    ops = []
    import onnx
    for n in onnx.load_from_string(blob).graph.node:
        if n.op_type not in ops:
            ops.append(n.op_type)
    return blob, ops


def export_dynamic(model, opset, spatial, path):
    """torch.onnx.export with a dynamic batch (and height and width when `spatial`); gradients stay on (see the
    top: the fused attention kernel of no_grad mode cannot be exported)."""
    tmp = path.with_suffix(".onnx.tmp")
    axes = {"image": {0: "batch", **({2: "height", 3: "width"} if spatial else {})}, "logits": {0: "batch"}}
    # The tracer warns that the vision transformers' image-size assertion becomes a constant: it is, by design.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, 3, 224, 224),), str(tmp), opset_version=opset,
                          input_names=["image"], output_names=["logits"], dynamic_axes=axes,
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    tmp.replace(path)
    return path.read_bytes()


def fmnist_test():
    _, _, x_test, y_test = load_fmnist()
    return x_test, y_test


@torch.no_grad()
def check_against_tflite(name, module, tflite, x_torch, x_tflite, tmp):
    """Max |p_torch - p_tflite| over the samples and the argmax agreement, as README text: the rebuilt module
    must compute the .tflite's function (differences are float summation order only)."""
    p_torch = torch.cat([module(torch.from_numpy(x_torch[i:i + 500])) for i in range(0, len(x_torch), 500)]).numpy()
    p_ref = run_reference(tflite, x_tflite, tmp)
    agree = float((p_torch.argmax(1) == p_ref.argmax(1)).mean())
    print(f"{name}: rebuilt torch module vs {tflite.name} in the TFLite interpreter on {len(x_torch)} test "
          f"samples: max |dp| {np.abs(p_torch - p_ref).max():.2e}, argmax agreement {agree:.4f}", flush=True)
    return f"max \\|dp\\| {np.abs(p_torch - p_ref).max():.1e}, agreement {agree:.4f} ({len(x_torch)} samples)"


def write_readme_section(out, checks):
    """Writes the ONNX section of out/README.md (everything from ONNX_SECTION on; scripts/make_models.py keeps
    it when it rewrites the rest), one row per trained model's .onnx found in out."""
    import onnx
    rows = []
    for name in TRAINED:
        path = out / f"{name}.onnx"
        if not path.exists():
            continue
        blob = path.read_bytes()
        g = onnx.load_from_string(blob).graph
        ops = []
        for n in g.node:
            if n.op_type not in ops:
                ops.append(n.op_type)
        inp = g.input[0]
        dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
        dtype = {"FLOAT": "float32"}.get(onnx.TensorProto.DataType.Name(inp.type.tensor_type.elem_type),
                                         onnx.TensorProto.DataType.Name(inp.type.tensor_type.elem_type).lower())
        source = "seeded random weights" if name.endswith("_random") else f"{name}.tflite"
        rows.append(f"| {name}.onnx | {source} | {inp.name} {dtype}[{','.join(map(str, dims))}] | {', '.join(ops)} | {len(blob)} | "
                    f"{hashlib.sha256(blob).hexdigest()[:16]} | {checks.get(name, '-')} |")
    text = [
        ONNX_SECTION,
        "",
        "`scripts/make_onnx_models.py` exports the models above to ONNX without retraining: each torch module is",
        "rebuilt from the weights stored in its .tflite (batch norm already folded) and written by torch.onnx.export",
        f"(opset {OPSET}, batch 1, Debian's torch {torch.__version__}), so `NAME.onnx` computes the function of",
        "`NAME.tflite`. Rebuild with `/usr/bin/python3 scripts/make_onnx_models.py --check 2000` (seconds; the check",
        "runs each rebuilt module and its .tflite, in the TFLite interpreter, on the first 2000 test samples: max |dp|",
        "is the largest probability difference, agreement the fraction of equal argmax). Inputs: `fmnist_cnn.onnx` takes",
        "NCHW [1,1,28,28] (pixels / 255); the RNNs [1,28,28] rows; `langid_lstm.onnx` int64 ids [1,16] (torch's",
        "embedding index type; same ids as the .tflite). `fmnist_gru_random.onnx` has seeded random weights (no GRU is",
        "trained here): it is for GRU parity, not for accuracy. Every output is the softmax over the classes.",
        "`qgate eval` on `fmnist_cnn.onnx` gives the .tflite's top-1 exactly (91.35% float on the 10k test images).",
        "Two more exports, torchvision's mobilenet_v2 and resnet18 with seeded random weights (`--random`, 14 and 47",
        "MB), are made into `.cache/models` by `scripts/fetch_models` and not kept here.",
        "",
        "| file | weights from | input | ops | size (bytes) | sha256 (first 16) | check vs .tflite |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    write_readme_part(out / "README.md", "\n".join(text), "onnx")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="output folder (default: <repo>/models, with --random <repo>/.cache/models)")
    ap.add_argument("--random", action="store_true", help="write the random-weight torchvision models")
    ap.add_argument("--dynamic", action="store_true",
                    help="write the random-weight torchvision models with dynamic axes")
    ap.add_argument("--only", nargs="*", help="export only these models")
    ap.add_argument("--models", default=str(REPO / "models"), help="folder holding the .tflite files")
    ap.add_argument("--check", type=int, default=0, metavar="N",
                    help="compare each rebuilt module with its .tflite on the first N test samples")
    args = ap.parse_args()

    torch.set_num_threads(1)
    if args.dynamic:
        wanted = args.only or [n for n in DYNAMIC if n not in DYNAMIC_ON_REQUEST]
        for w in wanted:
            if w not in DYNAMIC:
                raise SystemExit(f"--only {w}: not one of {', '.join(DYNAMIC)} (with --dynamic)")
        out = Path(args.out) if args.out else REPO / ".cache" / "models"
        out.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            arch, opset, spatial = DYNAMIC[name]
            path = out / f"{name}.onnx"
            blob = export_dynamic(make_torchvision_dynamic(arch), opset, spatial, path)
            print(f"{path}: {len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()}, opset {opset}", flush=True)
        return
    names = RANDOM if args.random else TRAINED
    wanted = args.only or names
    for w in wanted:
        if w not in names:
            raise SystemExit(f"--only {w}: not one of {', '.join(names)}{' (with --random)' if not args.random else ''}")
    out = Path(args.out) if args.out else (REPO / ".cache" / "models" if args.random else REPO / "models")
    out.mkdir(parents=True, exist_ok=True)
    models = Path(args.models)

    checks = {}
    with tempfile.TemporaryDirectory(prefix="qgate_onnx_") as tmp:
        fb = None if args.random else load_schema_bindings(SCHEMA, Path(tmp) / "gen")
        for name in wanted:
            tflite = models / f"{name}.tflite"
            check = None
            if name == "fmnist_cnn":
                m = load_cnn(tflite, fb)
                example, io = torch.zeros(1, 1, 28, 28), ("image", "probs")
                if args.check:
                    x, _ = fmnist_test()
                    x = x[:args.check]
                    check = (x[:, None], x[:, :, :, None].copy())
            elif name == "fmnist_rnn":
                m = load_rnn(tflite, fb)
                example, io = torch.zeros(1, 28, 28), ("rows", "probs")
                if args.check:
                    x, _ = fmnist_test()
                    check = (x[:args.check], x[:args.check])
            elif name == "langid_lstm":
                m = load_lstm(tflite, fb)
                example, io = torch.zeros(1, LANGID_LEN, dtype=torch.int64), ("chars", "probs")
                if args.check:
                    vocab = (models / "langid_vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
                    pairs = [(int(l), w) for l, w in (line.split("\t") for line in
                             (models / "langid_test.tsv").read_text(encoding="utf-8").splitlines())]
                    x, _ = encode_words(pairs[:args.check], vocab)
                    check = (x.astype(np.int64), x)
            elif name == "fmnist_gru_random":
                m = make_gru()
                example, io = torch.zeros(1, 28, 28), ("rows", "probs")
            else:
                m = make_torchvision(name)
                example, io = torch.zeros(1, 3, 224, 224), ("image", "logits")
            if check is not None:
                checks[name] = check_against_tflite(name, m, tflite, check[0], check[1], tmp)
            path = out / f"{name}.onnx"
            blob, ops = export(m, example, io[0], io[1], path)
            print(f"{path}: {len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()}, ops {', '.join(ops)}",
                  flush=True)
    if not args.random:
        write_readme_section(out, checks)


if __name__ == "__main__":
    main()
