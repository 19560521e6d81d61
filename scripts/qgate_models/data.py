"""The training and test data, read at run time from Debian packages (dataset-fashion-mnist; wamerican, wngerman,
wfrench, wspanish, witalian) and never written out, except the language-ID test split, vocabulary and labels
(small, derived from the word lists), which go next to langid_lstm.tflite."""

import gzip
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FMNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
DICT_DIR = Path("/usr/share/dict")
# Language name -> word list file (Debian packages wamerican, wngerman, wfrench, wspanish, witalian).
LANGUAGES = [("english", "american-english"), ("german", "ngerman"), ("french", "french"),
             ("spanish", "spanish"), ("italian", "italian")]
FMNIST_CLASSES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                  "ankle boot"]
FMNIST_DESCRIPTION = "Fashion-MNIST (60k train / 10k test)"

LANGID_LEN = 16          # characters per word fed to the model (the last 16; shorter words are left-padded)
LANGID_TRAIN_PER_LANG = 20000
LANGID_TEST_PER_LANG = 600
LANGID_MIN_CHAR_COUNT = 20  # rarer characters map to <unk>
LANGID_SEED = 4


@dataclass
class DataSet:
    """Arrays as the model and its .tflite take them; `files`: text files written next to the model."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    description: str
    num_classes: int
    files: dict = field(default_factory=dict)  # file name -> text
    vocab_size: int = 0


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


def fmnist_images(fmnist):
    """Images as [N, 28, 28, 1] (NHWC, the CNN's and MLPs' input)."""
    x_train, y_train, x_test, y_test = fmnist
    return DataSet(x_train[:, :, :, None], y_train, x_test[:, :, :, None].copy(), y_test, FMNIST_DESCRIPTION, 10)


def fmnist_rows(fmnist):
    """Images as [N, 28 rows, 28 pixels] (the RNNs' sequences)."""
    x_train, y_train, x_test, y_test = fmnist
    return DataSet(x_train, y_train, x_test, y_test, FMNIST_DESCRIPTION, 10)


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


def langid_words():
    """Language ID of single words as character ids: int64 for training (torch's embedding index type), int32 for
    testing (the .tflite's input); the vocabulary, labels and test split as files."""
    train_pairs, test_pairs, vocab = make_langid_data(seed=LANGID_SEED)
    x_tr, y_tr = encode_words(train_pairs, vocab)
    x_te, y_te = encode_words(test_pairs, vocab)
    print(f"language ID: {len(LANGUAGES)} languages, {len(x_tr)} train / {len(x_te)} test words, "
          f"vocabulary {len(vocab)}", flush=True)
    files = {"langid_vocab.txt": "".join(v + "\n" for v in vocab),
             "langid_labels.txt": "".join(n + "\n" for n, _ in LANGUAGES),
             "langid_test.tsv": "".join(f"{lab}\t{w}\n" for lab, w in test_pairs)}
    description = ("Debian word lists " + ", ".join(f for _, f in LANGUAGES) +
                   f" ({len(x_tr)} train / {len(x_te)} test words)")
    return DataSet(x_tr.astype(np.int64), y_tr, x_te, y_te, description, len(LANGUAGES), files, vocab_size=len(vocab))
