#!/usr/bin/python3
"""Trains qgate's own small models on real data and writes them as float .tflite files.

    /usr/bin/python3 scripts/make_models.py [--out models] [--only NAME ...] [--ref-samples N] [--threads T]

Models (each trained here with a fixed seed, CPU only, 3-10 minutes each on 2 shared cores):
  fmnist_cnn     Fashion-MNIST, CONV_2D / DEPTHWISE_CONV_2D / MAX_POOL_2D / AVERAGE_POOL_2D / RESHAPE /
                 FULLY_CONNECTED / SOFTMAX
  fmnist_rnn     Fashion-MNIST rows as a 28-step sequence, UNIDIRECTIONAL_SEQUENCE_RNN (tanh), last step by
                 STRIDED_SLICE, FULLY_CONNECTED, SOFTMAX
  fmnist_birnn   Fashion-MNIST rows, BIDIRECTIONAL_SEQUENCE_RNN (merged outputs), RESHAPE, FULLY_CONNECTED,
                 SOFTMAX
  langid_lstm    character-level language ID of single words from Debian's word lists, RESHAPE,
                 EMBEDDING_LOOKUP, UNIDIRECTIONAL_SEQUENCE_LSTM, STRIDED_SLICE, FULLY_CONNECTED, SOFTMAX
  fmnist_fragile_mlp  Fashion-MNIST MLP whose fc2 carries huge weights on a dead unit: harmless in float,
                 fatal to per-tensor int8 of that one layer (the SELECTIVE verdict's test model)
  fmnist_deep_mlp  Fashion-MNIST, AVERAGE_POOL_2D + RESHAPE + 10 narrow FULLY_CONNECTED layers: low-bit error
                 spread over every layer (the NEEDS_QAT verdict's test model)

Data is read at run time from Debian packages (dataset-fashion-mnist; wamerican, wngerman, wfrench, wspanish,
witalian) and never written out, except the language-ID test split (models/langid_test.tsv), which is small and
derived from the word lists. Every exported file is run through the TFLite interpreter of npm
@tensorflow/tfjs-tflite (reference/tflite_interpreter/run_tflite.mjs) on test samples, and its accuracy and its
largest probability difference from torch are printed and written to models/README.md.

The .tflite files are written with Python bindings generated at run time by flatc from qgate's own schema subset
harness/tflite/schema.fbs (same field ids as the public TFLite format).
"""

import argparse
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MODEL_ORDER = ["fmnist_cnn", "fmnist_rnn", "fmnist_birnn", "langid_lstm", "fmnist_fragile_mlp", "fmnist_deep_mlp"]
REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "harness" / "tflite" / "schema.fbs"
RUN_TFLITE = REPO / "reference" / "tflite_interpreter" / "run_tflite.mjs"
RUN_LITERT = REPO / "reference" / "litert" / "run_litert.mjs"
LITERT_SAMPLES = 5  # LiteRT has no in-process sample loop; one process per sample
FMNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
DICT_DIR = Path("/usr/share/dict")
# Language name -> word list file (Debian packages wamerican, wngerman, wfrench, wspanish, witalian).
LANGUAGES = [("english", "american-english"), ("german", "ngerman"), ("french", "french"),
             ("spanish", "spanish"), ("italian", "italian")]
FMNIST_CLASSES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                  "ankle boot"]

LANGID_LEN = 16          # characters per word fed to the model (the last 16; shorter words are left-padded)
LANGID_TRAIN_PER_LANG = 20000
LANGID_TEST_PER_LANG = 600
LANGID_MIN_CHAR_COUNT = 20  # rarer characters map to <unk>

# TFLite enum values (public format; also in harness/tflite/schema.fbs).
FLOAT32, INT32 = 0, 2
SAME, VALID = 0, 1
ACT_NONE, ACT_RELU, ACT_TANH = 0, 1, 4


# ---- Data ---------------------------------------------------------------------------------------------------

def read_idx(path):
    """Reads an IDX file (big-endian header: 0, 0, type 0x08 = ubyte, ndim; then ndim uint32 sizes)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise SystemExit(f"{path}: header says {dims}, file has {data.size} bytes of data")
    return data.reshape(dims)


def load_fmnist():
    """Returns (x_train, y_train, x_test, y_test); images float32 [N, 28, 28] in [0, 1] (pixels / 255)."""
    def part(prefix):
        x = read_idx(FMNIST_DIR / f"{prefix}-images-idx3-ubyte.gz").astype(np.float32) / np.float32(255.0)
        y = read_idx(FMNIST_DIR / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
        return x, y
    x_train, y_train = part("train")
    x_test, y_test = part("t10k")
    return x_train, y_train, x_test, y_test


def load_words():
    """Lowercased alphabetic words (length >= 3) per language; words found in more than one list are dropped
    because their label would be ambiguous."""
    per_lang = []
    for _, fname in LANGUAGES:
        words = set()
        with open(DICT_DIR / fname, encoding="utf-8") as f:
            for line in f:
                w = line.strip().lower()
                if len(w) >= 3 and w.isalpha():
                    words.add(w)
        per_lang.append(words)
    seen = Counter(w for words in per_lang for w in words)
    return [sorted(w for w in words if seen[w] == 1) for words in per_lang]


def make_langid_data(seed):
    """Balanced train/test splits: lists of (label, word), and the character vocabulary
    (index 0 = <pad>, 1 = <unk>, then characters by descending training frequency)."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label, words in enumerate(load_words()):
        need = LANGID_TRAIN_PER_LANG + LANGID_TEST_PER_LANG
        if len(words) < need:
            raise SystemExit(f"{LANGUAGES[label][1]}: only {len(words)} usable words, need {need}")
        pick = rng.permutation(len(words))[:need]
        chosen = [words[i] for i in pick]
        test += [(label, w) for w in chosen[:LANGID_TEST_PER_LANG]]
        train += [(label, w) for w in chosen[LANGID_TEST_PER_LANG:]]
    # Mixed order, so that any prefix of either split (quick runs, reference subsets) covers every language.
    train = [train[i] for i in rng.permutation(len(train))]
    test = [test[i] for i in rng.permutation(len(test))]
    counts = Counter(c for _, w in train for c in w)
    chars = sorted((c for c, n in counts.items() if n >= LANGID_MIN_CHAR_COUNT), key=lambda c: (-counts[c], c))
    vocab = ["<pad>", "<unk>"] + chars
    return train, test, vocab


def encode_words(pairs, vocab):
    """int32 [N, LANGID_LEN]: the last LANGID_LEN characters, left-padded with 0 so the word ends at the last
    step (the model reads its output there); labels int64 [N]."""
    index = {c: i for i, c in enumerate(vocab)}
    x = np.zeros((len(pairs), LANGID_LEN), dtype=np.int32)
    for r, (_, w) in enumerate(pairs):
        ids = [index.get(c, 1) for c in w[-LANGID_LEN:]]
        x[r, LANGID_LEN - len(ids):] = ids
    y = np.array([label for label, _ in pairs], dtype=np.int64)
    return x, y


# ---- Models (torch) -----------------------------------------------------------------------------------------

class FmnistCnn(nn.Module):
    """28x28x1 -> conv3x3(32) -> maxpool2 -> depthwise5x5(x2 = 64) -> conv1x1(32) -> maxpool2 -> conv3x3(64)
    -> avgpool2 (7 -> 3) -> flatten (H, W, C order, as TFLite's RESHAPE of NHWC) -> fc(64) -> fc(10).
    Each conv trains with batch norm (for speed of convergence), folded into its weights and bias at export as a
    converter does. conv1 (288 weights) and the last fc (640) are under the converter's 1024-element threshold
    and stay float in a dynamic-range model; every other conv and fc gets int8 weights."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.dw = nn.Conv2d(32, 64, 5, padding=2, groups=32)
        self.bn_dw = nn.BatchNorm2d(64)
        self.pw = nn.Conv2d(64, 32, 1)
        self.bn_pw = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(3 * 3 * 64, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):  # x [N, 28, 28, 1] (NHWC, as the .tflite takes it)
        x = x.permute(0, 3, 1, 2)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.relu(self.bn_dw(self.dw(x)))
        x = F.max_pool2d(F.relu(self.bn_pw(self.pw(x))), 2)
        x = F.avg_pool2d(F.relu(self.bn3(self.conv3(x))), 2)
        x = x.permute(0, 2, 3, 1).flatten(1)
        return self.fc2(F.relu(self.fc1(x)))


class FmnistFragileMlp(nn.Module):
    """784 -> fc1(128) -> fc2(64) -> fc3(10), made fragile on purpose after training (see make_fragile)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):  # x [N, 28, 28, 1]
        h = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(h)))


@torch.no_grad()
def make_fragile(m, dead_unit=0, outlier=100.0, rows=(0, 1, 2)):
    """Silences fc1 unit `dead_unit` (zero weights, bias -100: its ReLU output is 0 for every input) and writes
    huge weights into fc2's column for that unit. The float model computes exactly the same (the weights
    multiply a constant 0), but a per-tensor int8 scale of fc2 becomes outlier / 127, which rounds almost every
    other fc2 weight to 0; per-channel scales lose only the rows in `rows`. One layer breaks, the rest is
    fine: the SELECTIVE case."""
    m.fc1.weight[dead_unit].zero_()
    m.fc1.bias[dead_unit] = -100.0
    for r in rows:
        m.fc2.weight[r, dead_unit] = outlier


class FmnistDeepMlp(nn.Module):
    """2x2 average pool (28 -> 14) -> fc(196 -> 64) -> `depth` x fc(64 -> 64) -> fc(64 -> 10), ReLU between:
    every hidden layer is about the same size, so low-bit weight error is spread over all of them (the
    NEEDS_QAT case)."""

    def __init__(self, width=64, depth=8):
        super().__init__()
        self.fc_in = nn.Linear(196, width)
        self.hidden = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.fc_out = nn.Linear(width, 10)

    def forward(self, x):  # x [N, 28, 28, 1]
        x = F.avg_pool2d(x.permute(0, 3, 1, 2), 2).flatten(1)
        h = F.relu(self.fc_in(x))
        for layer in self.hidden:
            h = F.relu(layer(h))
        return self.fc_out(h)


def fold_batch_norm(conv, bn):
    """Conv weight and bias with an inference-mode batch norm folded in: w * g / sqrt(var + eps) per output
    channel, (b - mean) * g / sqrt(var + eps) + beta."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight * scale[:, None, None, None]
    b = (conv.bias - bn.running_mean) * scale + bn.bias
    return w.detach(), b.detach()


class FmnistRnn(nn.Module):
    def __init__(self, units=128):
        super().__init__()
        self.rnn = nn.RNN(28, units, nonlinearity="tanh", batch_first=True)
        self.fc = nn.Linear(units, 10)

    def forward(self, x):  # x [N, 28 rows, 28 pixels]
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


class FmnistBiRnn(nn.Module):
    def __init__(self, units=64):
        super().__init__()
        self.rnn = nn.RNN(28, units, nonlinearity="tanh", batch_first=True, bidirectional=True)
        self.fc = nn.Linear(28 * 2 * units, 10)

    def forward(self, x):
        out, _ = self.rnn(x)  # [N, T, 2 * units], forward then backward outputs per step
        return self.fc(out.flatten(1))


class LangIdLstm(nn.Module):
    def __init__(self, vocab_size, num_langs, embed=32, units=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.lstm = nn.LSTM(embed, units, batch_first=True)
        self.fc = nn.Linear(units, num_langs)

    def forward(self, x):  # x int [N, L]
        out, _ = self.lstm(self.embed(x))
        return self.fc(out[:, -1])


def train(model, x, y, epochs, lr, batch, seed, clip=None, label=""):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * ((len(x) + batch - 1) // batch))
    x = torch.from_numpy(x)
    y = torch.from_numpy(y)
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"  {label} epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f} ({time.time() - t0:.0f} s)",
              flush=True)
    return time.time() - t0


@torch.no_grad()
def predict(model, x, batch=1000):
    model.eval()
    out = [F.softmax(model(torch.from_numpy(x[i:i + batch])), dim=1) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy()


# ---- TFLite writer -------------------------------------------------------------------------------------------

def load_schema_bindings(schema, tmp):
    """Generates the Python object API for the schema (harness/tflite/schema.fbs) into tmp and imports it."""
    if not schema.exists():
        raise SystemExit(f"{schema}: schema not found (it comes with the TFLite importer)")
    subprocess.run(["flatc", "--python", "--gen-object-api", "-o", str(tmp), str(schema)], check=True)
    sys.path.insert(0, str(tmp))
    import importlib
    names = ["Model", "SubGraph", "Tensor", "Operator", "OperatorCode", "Buffer", "BuiltinOptions",
             "Conv2DOptions", "DepthwiseConv2DOptions", "Pool2DOptions", "ReshapeOptions", "FullyConnectedOptions",
             "SoftmaxOptions", "SequenceRNNOptions", "BidirectionalSequenceRNNOptions", "StridedSliceOptions",
             "UnidirectionalSequenceLSTMOptions", "BuiltinOperator"]
    return {n: importlib.import_module(f"tflite.{n}") for n in names}


class TfliteBuilder:
    """Collects tensors, buffers and operators of one subgraph and serializes them with the generated object API.
    Buffer 0 is the empty sentinel; constants get their own buffer, 16-byte aligned."""

    def __init__(self, fb, description):
        self.fb = fb
        self.description = description
        self.tensors = []
        self.buffers = [None]
        self.ops = []
        self.opcodes = []  # builtin codes, index = opcode_index

    def _tensor(self, name, shape, dtype, buffer=0, variable=False):
        t = self.fb["Tensor"].TensorT()
        t.name = name
        t.shape = [int(d) for d in shape]
        t.type = dtype
        t.buffer = buffer
        t.isVariable = variable
        self.tensors.append(t)
        return len(self.tensors) - 1

    def activation(self, name, shape, dtype=FLOAT32):
        return self._tensor(name, shape, dtype)

    def variable(self, name, shape):
        """A variable tensor (RNN/LSTM state): no buffer, zero at load, updated by the op in place."""
        return self._tensor(name, shape, FLOAT32, variable=True)

    def const(self, name, array):
        array = np.ascontiguousarray(array)
        dtype = {np.dtype(np.float32): FLOAT32, np.dtype(np.int32): INT32}[array.dtype]
        self.buffers.append(array.tobytes())
        return self._tensor(name, array.shape, dtype, buffer=len(self.buffers) - 1)

    def op(self, code, inputs, outputs, options_name=None, **options):
        if code not in self.opcodes:
            self.opcodes.append(code)
        o = self.fb["Operator"].OperatorT()
        o.opcodeIndex = self.opcodes.index(code)
        o.inputs = list(inputs)
        o.outputs = list(outputs)
        if options_name:
            opt = getattr(self.fb[options_name], options_name + "T")()
            for k, v in options.items():
                if not hasattr(opt, k):
                    raise AttributeError(f"{options_name} has no field {k}")
                setattr(opt, k, v)
            o.builtinOptionsType = getattr(self.fb["BuiltinOptions"].BuiltinOptions, options_name)
            o.builtinOptions = opt
        self.ops.append(o)

    def serialize(self, inputs, outputs):
        import flatbuffers
        fb = self.fb
        sg = fb["SubGraph"].SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = list(inputs)
        sg.outputs = list(outputs)
        sg.operators = self.ops
        sg.name = "main"
        model = fb["Model"].ModelT()
        model.version = 3
        model.description = self.description
        model.subgraphs = [sg]
        model.operatorCodes = []
        for code in self.opcodes:
            oc = fb["OperatorCode"].OperatorCodeT()
            # Readers take max(deprecated_builtin_code, builtin_code); old ones read only the byte field.
            oc.deprecatedBuiltinCode = code if code < 127 else 127
            oc.builtinCode = code
            oc.version = 1  # float kernels
            model.operatorCodes.append(oc)
        model.buffers = [AlignedBuffer(data) for data in self.buffers]
        b = flatbuffers.Builder(1 << 20)
        b.Finish(model.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


class AlignedBuffer:
    """Stands in for BufferT: writes Buffer.data 16-byte aligned (the schema's force_align, which the generated
    Python object API does not apply), so readers may map weights in place."""

    def __init__(self, data):
        self.data = data

    def Pack(self, builder):
        data_off = None
        if self.data:
            n = len(self.data)
            builder.StartVector(1, n, 16)
            builder.head = builder.head - n
            builder.Bytes[builder.head:builder.head + n] = self.data
            data_off = builder.EndVector()
        builder.StartObject(3)
        if data_off is not None:
            builder.PrependUOffsetTRelativeSlot(0, data_off, 0)
        return builder.EndObject()


def conv_filter_ohwi(w):  # torch [O, I, KH, KW] -> TFLite [O, KH, KW, I]
    return w.detach().numpy().transpose(0, 2, 3, 1).copy()


def depthwise_filter(w):  # torch [C*mult, 1, KH, KW] -> TFLite [1, KH, KW, C*mult]; channel c*mult+m in both
    return w.detach().numpy().transpose(1, 2, 3, 0).copy()


def np32(t):
    return t.detach().numpy().astype(np.float32).copy()


def export_cnn(fb, m):
    b = TfliteBuilder(fb, "qgate fmnist_cnn: Fashion-MNIST CNN, float32, made by scripts/make_models.py")
    BO = fb["BuiltinOperator"].BuiltinOperator
    x = b.activation("image", [1, 28, 28, 1])

    def conv(inp, layer, bn, name, shape_out, depthwise=False):
        weight, bias = fold_batch_norm(layer, bn)
        wt = b.const(f"{name}/weights", depthwise_filter(weight) if depthwise else conv_filter_ohwi(weight))
        bt = b.const(f"{name}/bias", np32(bias))
        out = b.activation(f"{name}/relu", shape_out)
        if depthwise:
            b.op(BO.DEPTHWISE_CONV_2D, [inp, wt, bt], [out], "DepthwiseConv2DOptions", padding=SAME,
                 strideW=1, strideH=1, depthMultiplier=layer.out_channels // layer.in_channels,
                 fusedActivationFunction=ACT_RELU, dilationWFactor=1, dilationHFactor=1)
        else:
            b.op(BO.CONV_2D, [inp, wt, bt], [out], "Conv2DOptions", padding=SAME, strideW=1, strideH=1,
                 fusedActivationFunction=ACT_RELU, dilationWFactor=1, dilationHFactor=1)
        return out

    def pool(inp, code, name, shape_out):
        out = b.activation(name, shape_out)
        b.op(code, [inp], [out], "Pool2DOptions", padding=VALID, strideW=2, strideH=2, filterWidth=2,
             filterHeight=2, fusedActivationFunction=ACT_NONE)
        return out

    def fc(inp, layer, name, n_out, act):
        wt = b.const(f"{name}/weights", np32(layer.weight))  # [out, in]
        bt = b.const(f"{name}/bias", np32(layer.bias))
        out = b.activation(name + ("/relu" if act == ACT_RELU else ""), [1, n_out])
        b.op(BO.FULLY_CONNECTED, [inp, wt, bt], [out], "FullyConnectedOptions", fusedActivationFunction=act,
             keepNumDims=False)
        return out

    h = conv(x, m.conv1, m.bn1, "conv1", [1, 28, 28, 32])
    h = pool(h, BO.MAX_POOL_2D, "pool1", [1, 14, 14, 32])
    h = conv(h, m.dw, m.bn_dw, "dwconv2", [1, 14, 14, 64], depthwise=True)
    h = conv(h, m.pw, m.bn_pw, "conv2_1x1", [1, 14, 14, 32])
    h = pool(h, BO.MAX_POOL_2D, "pool2", [1, 7, 7, 32])
    h = conv(h, m.conv3, m.bn3, "conv3", [1, 7, 7, 64])
    h = pool(h, BO.AVERAGE_POOL_2D, "avgpool3", [1, 3, 3, 64])
    flat = b.activation("flatten", [1, 576])
    b.op(BO.RESHAPE, [h, b.const("flatten/shape", np.array([1, 576], np.int32))], [flat], "ReshapeOptions",
         newShape=[1, 576])
    h = fc(flat, m.fc1, "fc1", 64, ACT_RELU)
    logits = fc(h, m.fc2, "logits", 10, ACT_NONE)
    probs = b.activation("probs", [1, 10])
    b.op(BO.SOFTMAX, [logits], [probs], "SoftmaxOptions", beta=1.0)
    return b.serialize([x], [probs])


def _fc(b, BO, inp, layer, name, n_out, act):
    wt = b.const(f"{name}/weights", np32(layer.weight))  # [out, in]
    bt = b.const(f"{name}/bias", np32(layer.bias))
    out = b.activation(name + ("/relu" if act == ACT_RELU else ""), [1, n_out])
    b.op(BO.FULLY_CONNECTED, [inp, wt, bt], [out], "FullyConnectedOptions", fusedActivationFunction=act,
         keepNumDims=False)
    return out


def _softmax_tail(b, BO, logits, n_out):
    probs = b.activation("probs", [1, n_out])
    b.op(BO.SOFTMAX, [logits], [probs], "SoftmaxOptions", beta=1.0)
    return probs


def export_fragile_mlp(fb, m):
    b = TfliteBuilder(fb, "qgate fmnist_fragile_mlp: Fashion-MNIST MLP with outlier weights in fc2, float32, "
                          "made by scripts/make_models.py")
    BO = fb["BuiltinOperator"].BuiltinOperator
    x = b.activation("image", [1, 28, 28, 1])
    flat = b.activation("flatten", [1, 784])
    b.op(BO.RESHAPE, [x, b.const("flatten/shape", np.array([1, 784], np.int32))], [flat], "ReshapeOptions",
         newShape=[1, 784])
    h = _fc(b, BO, flat, m.fc1, "fc1", 128, ACT_RELU)
    h = _fc(b, BO, h, m.fc2, "fc2", 64, ACT_RELU)
    logits = _fc(b, BO, h, m.fc3, "logits", 10, ACT_NONE)
    return b.serialize([x], [_softmax_tail(b, BO, logits, 10)])


def export_deep_mlp(fb, m):
    b = TfliteBuilder(fb, "qgate fmnist_deep_mlp: Fashion-MNIST deep narrow MLP, float32, made by "
                          "scripts/make_models.py")
    BO = fb["BuiltinOperator"].BuiltinOperator
    x = b.activation("image", [1, 28, 28, 1])
    pooled = b.activation("pool", [1, 14, 14, 1])
    b.op(BO.AVERAGE_POOL_2D, [x], [pooled], "Pool2DOptions", padding=VALID, strideW=2, strideH=2, filterWidth=2,
         filterHeight=2, fusedActivationFunction=ACT_NONE)
    flat = b.activation("flatten", [1, 196])
    b.op(BO.RESHAPE, [pooled, b.const("flatten/shape", np.array([1, 196], np.int32))], [flat], "ReshapeOptions",
         newShape=[1, 196])
    width = m.fc_in.out_features
    h = _fc(b, BO, flat, m.fc_in, "fc_in", width, ACT_RELU)
    for i, layer in enumerate(m.hidden):
        h = _fc(b, BO, h, layer, f"fc{i + 1}", width, ACT_RELU)
    logits = _fc(b, BO, h, m.fc_out, "logits", 10, ACT_NONE)
    return b.serialize([x], [_softmax_tail(b, BO, logits, 10)])


def rnn_weights(b, rnn, prefix, suffix=""):
    """W [units, in], R [units, units], bias = b_ih + b_hh (TFLite's RNN has one bias)."""
    w = b.const(f"{prefix}/input_weights", np32(getattr(rnn, "weight_ih_l0" + suffix)))
    r = b.const(f"{prefix}/recurrent_weights", np32(getattr(rnn, "weight_hh_l0" + suffix)))
    bias = b.const(f"{prefix}/bias", np32(getattr(rnn, "bias_ih_l0" + suffix) + getattr(rnn, "bias_hh_l0" + suffix)))
    return w, r, bias


def last_step(b, BO, seq, steps, units, name):
    """[1, steps, units] -> [1, units]: STRIDED_SLICE of the last time step with shrink_axis_mask on the time
    axis."""
    out = b.activation(name, [1, units])
    begin = b.const(f"{name}/begin", np.array([0, steps - 1, 0], np.int32))
    end = b.const(f"{name}/end", np.array([1, steps, units], np.int32))
    strides = b.const(f"{name}/strides", np.array([1, 1, 1], np.int32))
    b.op(BO.STRIDED_SLICE, [seq, begin, end, strides], [out], "StridedSliceOptions", beginMask=0, endMask=0,
         ellipsisMask=0, newAxisMask=0, shrinkAxisMask=0b010)
    return out


def classifier_tail(b, BO, feat, fc, n_out):
    wt = b.const("logits/weights", np32(fc.weight))
    bt = b.const("logits/bias", np32(fc.bias))
    logits = b.activation("logits", [1, n_out])
    b.op(BO.FULLY_CONNECTED, [feat, wt, bt], [logits], "FullyConnectedOptions", fusedActivationFunction=ACT_NONE,
         keepNumDims=False)
    probs = b.activation("probs", [1, n_out])
    b.op(BO.SOFTMAX, [logits], [probs], "SoftmaxOptions", beta=1.0)
    return probs


def export_rnn(fb, m):
    b = TfliteBuilder(fb, "qgate fmnist_rnn: Fashion-MNIST rows, sequence RNN, float32, made by "
                          "scripts/make_models.py")
    BO = fb["BuiltinOperator"].BuiltinOperator
    units = m.rnn.hidden_size
    x = b.activation("rows", [1, 28, 28])
    w, r, bias = rnn_weights(b, m.rnn, "rnn")
    state = b.variable("rnn/hidden_state", [1, units])
    seq = b.activation("rnn/output", [1, 28, units])
    b.op(BO.UNIDIRECTIONAL_SEQUENCE_RNN, [x, w, r, bias, state], [seq], "SequenceRNNOptions", timeMajor=False,
         fusedActivationFunction=ACT_TANH, asymmetricQuantizeInputs=False)
    feat = last_step(b, BO, seq, 28, units, "rnn/last_step")
    probs = classifier_tail(b, BO, feat, m.fc, 10)
    return b.serialize([x], [probs])


def export_birnn(fb, m):
    b = TfliteBuilder(fb, "qgate fmnist_birnn: Fashion-MNIST rows, bidirectional sequence RNN, float32, made by "
                          "scripts/make_models.py")
    BO = fb["BuiltinOperator"].BuiltinOperator
    units = m.rnn.hidden_size
    x = b.activation("rows", [1, 28, 28])
    fw = rnn_weights(b, m.rnn, "birnn/fw")
    fw_state = b.variable("birnn/fw/hidden_state", [1, units])
    bw = rnn_weights(b, m.rnn, "birnn/bw", "_reverse")
    bw_state = b.variable("birnn/bw/hidden_state", [1, units])
    seq = b.activation("birnn/output", [1, 28, 2 * units])
    # Inputs: x, fw W/R/bias/state, bw W/R/bias/state, aux input, fw aux W, bw aux W (absent).
    b.op(BO.BIDIRECTIONAL_SEQUENCE_RNN, [x, *fw, fw_state, *bw, bw_state, -1, -1, -1], [seq],
         "BidirectionalSequenceRNNOptions", timeMajor=False, fusedActivationFunction=ACT_TANH, mergeOutputs=True,
         asymmetricQuantizeInputs=False)
    flat = b.activation("flatten", [1, 28 * 2 * units])
    b.op(BO.RESHAPE, [seq, b.const("flatten/shape", np.array([1, 28 * 2 * units], np.int32))], [flat],
         "ReshapeOptions", newShape=[1, 28 * 2 * units])
    probs = classifier_tail(b, BO, flat, m.fc, 10)
    return b.serialize([x], [probs])


def export_lstm(fb, m, num_langs):
    b = TfliteBuilder(fb, "qgate langid_lstm: character-level language ID, embedding + LSTM, float32, made by "
                          "scripts/make_models.py")
    BO = fb["BuiltinOperator"].BuiltinOperator
    L = LANGID_LEN
    table = np32(m.embed.weight)
    E = table.shape[1]
    units = m.lstm.hidden_size
    x = b.activation("chars", [1, L], INT32)
    ids = b.activation("chars/flat", [L], INT32)
    # EMBEDDING_LOOKUP takes a 1-D id vector.
    b.op(BO.RESHAPE, [x, b.const("chars/flat/shape", np.array([L], np.int32))], [ids], "ReshapeOptions",
         newShape=[L])
    emb = b.activation("embedding", [L, E])
    b.op(BO.EMBEDDING_LOOKUP, [ids, b.const("embedding/table", table)], [emb])
    emb3 = b.activation("embedding/batch", [1, L, E])
    b.op(BO.RESHAPE, [emb, b.const("embedding/batch/shape", np.array([1, L, E], np.int32))], [emb3],
         "ReshapeOptions", newShape=[1, L, E])
    # torch packs the gates i, f, g (cell), o along dim 0; TFLite wants one tensor per gate.
    w_ih = np32(m.lstm.weight_ih_l0).reshape(4, units, E)
    w_hh = np32(m.lstm.weight_hh_l0).reshape(4, units, units)
    bias = np32(m.lstm.bias_ih_l0 + m.lstm.bias_hh_l0).reshape(4, units)
    gates = ["input", "forget", "cell", "output"]
    wi = [b.const(f"lstm/input_to_{g}_weights", w_ih[k]) for k, g in enumerate(gates)]
    wr = [b.const(f"lstm/recurrent_to_{g}_weights", w_hh[k]) for k, g in enumerate(gates)]
    bs = [b.const(f"lstm/{g}_gate_bias", bias[k]) for k, g in enumerate(gates)]
    out_state = b.variable("lstm/output_state", [1, units])
    cell_state = b.variable("lstm/cell_state", [1, units])
    seq = b.activation("lstm/output", [1, L, units])
    inputs = [emb3, *wi, *wr, -1, -1, -1, *bs, -1, -1, out_state, cell_state, -1, -1, -1, -1]
    assert len(inputs) == 24
    b.op(BO.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, [seq], "UnidirectionalSequenceLSTMOptions",
         fusedActivationFunction=ACT_TANH, cellClip=0.0, projClip=0.0, timeMajor=False,
         asymmetricQuantizeInputs=False)
    feat = last_step(b, BO, seq, L, units, "lstm/last_step")
    probs = classifier_tail(b, BO, feat, m.fc, num_langs)
    return b.serialize([x], [probs])


# ---- Reference check ---------------------------------------------------------------------------------------

def run_reference(model_path, x, tmp):
    """Runs the .tflite on every row of x (one sample per Infer, fresh state each) in the tfjs-tflite
    interpreter; returns the output probabilities [N, classes]."""
    inp = Path(tmp) / "ref_in.npy"
    outdir = Path(tmp) / "ref_out"
    shutil.rmtree(outdir, ignore_errors=True)
    np.save(inp, x)
    subprocess.run(["node", str(RUN_TFLITE), "--samples", str(model_path), str(outdir), str(inp)], check=True)
    return np.load(outdir / "out_0.npy")


def run_litert(model_path, x, tmp):
    """Runs the first samples of x through LiteRT (reference/litert, one process per sample) if that adapter is
    present; returns the probabilities, or None when it is not available. LiteRT cannot load RNN/LSTM models."""
    if not RUN_LITERT.exists():
        return None
    probs = []
    for i in range(len(x)):
        inp = Path(tmp) / "litert_in.npy"
        outdir = Path(tmp) / "litert_out"
        shutil.rmtree(outdir, ignore_errors=True)
        np.save(inp, x[i:i + 1])
        subprocess.run(["node", str(RUN_LITERT), "--runs", "1", str(model_path), str(outdir), str(inp)], check=True,
                       stderr=subprocess.DEVNULL)
        probs.append(np.load(outdir / "out_0.npy")[0])
    return np.stack(probs)


def count_params(tflite_bytes, fb):
    """Float constant elements in the file (weights and biases; batch norm folded in)."""
    m = fb["Model"].Model.GetRootAs(tflite_bytes, 0)
    sg = m.Subgraphs(0)
    total = 0
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        if t.Buffer() != 0 and t.Type() == FLOAT32:
            total += int(np.prod(t.ShapeAsNumpy()))
    return total


def list_ops(tflite_bytes, fb):
    """Op names in the file, in first-use order, read back with the generated bindings."""
    m = fb["Model"].Model.GetRootAs(tflite_bytes, 0)
    names = {v: k for k, v in vars(fb["BuiltinOperator"].BuiltinOperator).items() if not k.startswith("_")}
    sg = m.Subgraphs(0)
    seen = []
    for i in range(sg.OperatorsLength()):
        oc = m.OperatorCodes(sg.Operators(i).OpcodeIndex())
        name = names[max(oc.DeprecatedBuiltinCode(), oc.BuiltinCode())]
        if name not in seen:
            seen.append(name)
    return seen


# ---- Main ------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO / "models"), help="output folder (default: <repo>/models)")
    ap.add_argument("--only", nargs="*", choices=MODEL_ORDER,
                    help="build only these models (README.md then lists only them)")
    ap.add_argument("--ref-samples", type=int, default=2000,
                    help="test samples run through the reference interpreter per model (default 2000)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    ap.add_argument("--schema", default=str(SCHEMA), help="TFLite schema subset (default: %(default)s)")
    ap.add_argument("--epochs-scale", type=float, default=1.0, help="multiply every epoch count (quick tests)")
    ap.add_argument("--train-limit", type=int, default=0,
                    help="train on only the first N training samples (quick tests; 0 = all)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wanted = args.only or MODEL_ORDER
    rows = []

    def epochs(n):
        return max(1, round(n * args.epochs_scale))

    def limit(a):
        return a[:args.train_limit] if args.train_limit else a

    with tempfile.TemporaryDirectory(prefix="qgate_models_") as tmp:
        fb = load_schema_bindings(Path(args.schema), Path(tmp) / "gen")

        def finish(name, task, data, model, blob, x_test, y_test, seconds):
            path = out / f"{name}.tflite"
            path.write_bytes(blob)
            p_torch = predict(model, x_test)
            acc_torch = float((p_torch.argmax(1) == y_test).mean())
            n = min(args.ref_samples, len(x_test))
            p_ref = run_reference(path, x_test[:n], tmp)
            acc_torch_sub = float((p_torch[:n].argmax(1) == y_test[:n]).mean())
            acc_ref = float((p_ref.argmax(1) == y_test[:n]).mean())
            agree = float((p_ref.argmax(1) == p_torch[:n].argmax(1)).mean())
            maxdiff = float(np.abs(p_ref - p_torch[:n]).max())
            litert_maxdiff = None
            if name == "fmnist_cnn":
                p_lite = run_litert(path, x_test[:LITERT_SAMPLES], tmp)
                if p_lite is not None:
                    litert_maxdiff = float(np.abs(p_lite - p_torch[:LITERT_SAMPLES]).max())
                    print(f"{name}: LiteRT on the first {LITERT_SAMPLES} test images: max |dp| vs torch "
                          f"{litert_maxdiff:.2e}", flush=True)
            ops = list_ops(blob, fb)
            sha = hashlib.sha256(blob).hexdigest()
            print(f"{name}: torch top-1 {acc_torch:.4f} on {len(x_test)}; first {n}: torch {acc_torch_sub:.4f}, "
                  f"tflite interpreter {acc_ref:.4f}, argmax agreement {agree:.4f}, max |dp| {maxdiff:.2e}; "
                  f"{len(blob)} bytes, {count_params(blob, fb)} params, trained in {seconds:.0f} s; sha256 {sha[:16]}",
                  flush=True)
            rows.append(dict(name=name, task=task, data=data, ops=ops, params=count_params(blob, fb),
                             size=len(blob), sha256=sha, acc_torch=acc_torch, n_test=len(x_test), n_ref=n,
                             acc_torch_sub=acc_torch_sub, acc_ref=acc_ref, maxdiff=maxdiff, seconds=round(seconds, 1),
                             litert_maxdiff=litert_maxdiff))

        if any(w.startswith("fmnist") for w in wanted):
            x_train, y_train, x_test, y_test = load_fmnist()
            print(f"Fashion-MNIST: {len(x_train)} train, {len(x_test)} test", flush=True)

        if "fmnist_cnn" in wanted:
            torch.manual_seed(1)
            m = FmnistCnn()
            secs = train(m, limit(x_train[:, :, :, None]), limit(y_train), epochs(4), 2e-3, 128, seed=1, label="fmnist_cnn")
            blob = export_cnn(fb, m)
            finish("fmnist_cnn", "Fashion-MNIST 10-class image classification", "Fashion-MNIST (60k train / 10k test)",
                   m, blob, x_test[:, :, :, None].copy(), y_test, secs)

        if "fmnist_rnn" in wanted:
            torch.manual_seed(2)
            m = FmnistRnn(128)
            secs = train(m, limit(x_train), limit(y_train), epochs(4), 2e-3, 256, seed=2, clip=1.0, label="fmnist_rnn")
            blob = export_rnn(fb, m)
            finish("fmnist_rnn", "Fashion-MNIST, image rows as a 28-step sequence",
                   "Fashion-MNIST (60k train / 10k test)", m, blob, x_test, y_test, secs)

        if "fmnist_birnn" in wanted:
            torch.manual_seed(3)
            m = FmnistBiRnn(64)
            secs = train(m, limit(x_train), limit(y_train), epochs(3), 2e-3, 256, seed=3, clip=1.0, label="fmnist_birnn")
            blob = export_birnn(fb, m)
            finish("fmnist_birnn", "Fashion-MNIST, rows read forward and backward",
                   "Fashion-MNIST (60k train / 10k test)", m, blob, x_test, y_test, secs)

        if "fmnist_fragile_mlp" in wanted:
            torch.manual_seed(5)
            m = FmnistFragileMlp()
            secs = train(m, limit(x_train[:, :, :, None]), limit(y_train), epochs(2), 2e-3, 128, seed=5,
                         label="fmnist_fragile_mlp")
            make_fragile(m)
            blob = export_fragile_mlp(fb, m)
            finish("fmnist_fragile_mlp", "Fashion-MNIST MLP, one layer fragile under per-tensor int8 (outlier "
                   "weights on a dead unit)", "Fashion-MNIST (60k train / 10k test)", m, blob,
                   x_test[:, :, :, None].copy(), y_test, secs)

        if "fmnist_deep_mlp" in wanted:
            torch.manual_seed(6)
            m = FmnistDeepMlp(64, 8)
            secs = train(m, limit(x_train[:, :, :, None]), limit(y_train), epochs(2), 2e-3, 128, seed=6,
                         label="fmnist_deep_mlp")
            blob = export_deep_mlp(fb, m)
            finish("fmnist_deep_mlp", "Fashion-MNIST deep narrow MLP (10 FC layers), low-bit error spread over "
                   "all layers", "Fashion-MNIST (60k train / 10k test)", m, blob, x_test[:, :, :, None].copy(),
                   y_test, secs)

        if "langid_lstm" in wanted:
            train_pairs, test_pairs, vocab = make_langid_data(seed=4)
            (out / "langid_vocab.txt").write_text("".join(v + "\n" for v in vocab), encoding="utf-8")
            (out / "langid_labels.txt").write_text("".join(n + "\n" for n, _ in LANGUAGES), encoding="utf-8")
            (out / "langid_test.tsv").write_text("".join(f"{lab}\t{w}\n" for lab, w in test_pairs), encoding="utf-8")
            x_tr, y_tr = encode_words(train_pairs, vocab)
            x_te, y_te = encode_words(test_pairs, vocab)
            print(f"language ID: {len(LANGUAGES)} languages, {len(x_tr)} train / {len(x_te)} test words, "
                  f"vocabulary {len(vocab)}", flush=True)
            torch.manual_seed(4)
            m = LangIdLstm(len(vocab), len(LANGUAGES))
            secs = train(m, limit(x_tr.astype(np.int64)), limit(y_tr), epochs(6), 3e-3, 256, seed=4, clip=1.0, label="langid_lstm")
            blob = export_lstm(fb, m, len(LANGUAGES))
            finish("langid_lstm", f"language of a single word ({', '.join(n for n, _ in LANGUAGES)})",
                   "Debian word lists " + ", ".join(f for _, f in LANGUAGES) +
                   f" ({len(x_tr)} train / {len(x_te)} test words)", _IntInput(m), blob, x_te, y_te, secs)

    write_readme(out, merge_manifest(out, rows, args), args)


class _IntInput(nn.Module):
    """Feeds int32 ids (as the .tflite takes them) to a torch model that wants int64."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x.long())




def merge_manifest(out, rows, args):
    """models.json keeps one record per model, so a run with --only updates its models and keeps the others'."""
    path = out / "models.json"
    old = json.loads(path.read_text()) if path.exists() else {"models": []}
    by_name = {r["name"]: r for r in old["models"]}
    for r in rows:
        r["threads"] = args.threads
        r["torch"] = torch.__version__
        by_name[r["name"]] = r
    merged = [by_name[n] for n in MODEL_ORDER if n in by_name]
    path.write_text(json.dumps({"models": merged}, indent=1) + "\n")
    return merged


def write_readme(out, rows, args):
    lines = [
        "# qgate's own models",
        "",
        "Small float32 models trained here on real data by `scripts/make_models.py`, for qgate's end-to-end",
        "quantization checks (each has layers big enough that TFLite's converter rules quantize them: weights of",
        ">= 1024 elements). Rebuild with `/usr/bin/python3 scripts/make_models.py --out models` (CPU, 10-25",
        "minutes on 2 busy cores; fixed seeds; needs Debian packages dataset-fashion-mnist, wamerican, wngerman, wfrench,",
        "wspanish, witalian, python3-torch, python3-flatbuffers, flatc, and Node with @tensorflow/tfjs-tflite).",
        "",
        "Inputs: Fashion-MNIST models take pixels / 255 as float32 ([1,28,28,1] for the CNN, [1,28,28] = 28 rows",
        "of 28 pixels for the RNNs). `langid_lstm` takes int32 [1,16]: the word's last 16 characters as indices",
        "into `langid_vocab.txt` (line number = index; 0 = padding, 1 = unknown), left-padded with 0, lowercase.",
        "Labels are line numbers of `langid_labels.txt`; `langid_test.tsv` is the held-out test split",
        "(`label<TAB>word`, derived from Debian's word lists; words that occur in more than one list are dropped).",
        "Every output is a softmax over the classes.",
        "",
        "Accuracy: top-1 in torch on the whole test split, and on the first N test samples both in torch and by",
        "running the exported file in the TFLite interpreter of npm @tensorflow/tfjs-tflite",
        "(`reference/tflite_interpreter/run_tflite.mjs`); max |dp| is the largest probability difference between",
        "the two on those samples.",
        "",
        "| file | task | data | ops | params | size (bytes) | top-1 torch (test) | N | top-1 torch (N) "
        "| top-1 interpreter (N) | max abs dp | training (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['name']}.tflite | {r['task']} | {r['data']} | {', '.join(r['ops'])} | {r['params']} | "
                     f"{r['size']} | {r['acc_torch']:.4f} | {r['n_ref']} | {r['acc_torch_sub']:.4f} | "
                     f"{r['acc_ref']:.4f} | {r['maxdiff']:.1e} | {r['seconds']:.0f} |")
    for r in rows:
        if r.get("litert_maxdiff") is not None:
            lines += ["", f"`{r['name']}.tflite` also runs in LiteRT (`reference/litert/run_litert.mjs`): max abs dp "
                      f"against torch {r['litert_maxdiff']:.1e} on the first {LITERT_SAMPLES} test samples."]
    lines += ["", f"Built with torch {torch.__version__}, {args.threads} CPU thread(s) on a shared 2-core machine; "
              "training times are wall-clock seconds of the run that wrote each file. `models.json` holds the same "
              "figures and each file's sha256."]
    # The ONNX exports' section belongs to scripts/make_onnx_models.py: keep it.
    path = out / "README.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = old[old.index(ONNX_SECTION):] if ONNX_SECTION in old else ""
    path.write_text("\n".join(lines) + "\n" + ("\n" + kept if kept else ""), encoding="utf-8")


ONNX_SECTION = "## ONNX exports"


if __name__ == "__main__":
    main()
