"""The table of qgate's own models: one row per model, in the order they are built and listed. A row names the
data, the seed (torch's global seed before the network is made, and the seed of the batch order), the network,
the training settings, an optional change after training, and the exporter. Adding a model is adding a row
(with its network in nets.py and its exporter in exports.py)."""

from dataclasses import dataclass
from typing import Callable, Optional

from . import data, exports, nets


@dataclass(frozen=True)
class ModelSpec:
    name: str
    task: str                     # README and models.json
    data: str                     # a key of DATA
    seed: int
    make: Callable                # DataSet -> torch module
    epochs: int
    lr: float
    batch: int
    export: Callable              # (schema bindings, trained module) -> .tflite bytes
    clip: Optional[float] = None  # gradient norm clip
    after_training: Optional[Callable] = None  # module -> None, changes the trained weights in place
    int_ids: bool = False         # test input is int32 ids (as the .tflite takes them); the network wants int64
    litert: bool = False          # also run the first test samples in LiteRT (it cannot load RNN/LSTM models)


# Data set name -> loader taking the Fashion-MNIST arrays when the set is made of them.
DATA = {
    "fmnist_images": data.fmnist_images,
    "fmnist_rows": data.fmnist_rows,
    "langid_words": lambda _: data.langid_words(),
}
FMNIST_SETS = {"fmnist_images", "fmnist_rows"}

MODELS = [
    ModelSpec("fmnist_cnn", "Fashion-MNIST 10-class image classification", "fmnist_images", seed=1,
              make=lambda ds: nets.FmnistCnn(), epochs=4, lr=2e-3, batch=128, export=exports.export_cnn,
              litert=True),
    ModelSpec("fmnist_rnn", "Fashion-MNIST, image rows as a 28-step sequence", "fmnist_rows", seed=2,
              make=lambda ds: nets.FmnistRnn(128), epochs=4, lr=2e-3, batch=256, clip=1.0,
              export=exports.export_rnn),
    ModelSpec("fmnist_birnn", "Fashion-MNIST, rows read forward and backward", "fmnist_rows", seed=3,
              make=lambda ds: nets.FmnistBiRnn(64), epochs=3, lr=2e-3, batch=256, clip=1.0,
              export=exports.export_birnn),
    ModelSpec("langid_lstm", "language of a single word ({})".format(", ".join(n for n, _ in data.LANGUAGES)),
              "langid_words", seed=4, make=lambda ds: nets.LangIdLstm(ds.vocab_size, ds.num_classes), epochs=6,
              lr=3e-3, batch=256, clip=1.0, export=exports.export_lstm, int_ids=True),
    ModelSpec("fmnist_fragile_mlp", "Fashion-MNIST MLP, one layer fragile under per-tensor int8 (outlier weights "
              "on a dead unit)", "fmnist_images", seed=5, make=lambda ds: nets.FmnistFragileMlp(), epochs=2,
              lr=2e-3, batch=128, after_training=nets.make_fragile, export=exports.export_fragile_mlp),
    ModelSpec("fmnist_deep_mlp", "Fashion-MNIST deep narrow MLP (10 FC layers), low-bit error spread over all "
              "layers", "fmnist_images", seed=6, make=lambda ds: nets.FmnistDeepMlp(64, 8), epochs=2, lr=2e-3,
              batch=128, export=exports.export_deep_mlp),
]

MODEL_NAMES = [m.name for m in MODELS]
