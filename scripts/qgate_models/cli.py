"""The driver of scripts/make_models.py: for each row of the model table, load its data, train, export, check,
then write models.json and README.md."""

import argparse
import tempfile
from pathlib import Path

import torch

from . import REPO, SCHEMA
from .checks import check_model
from .data import load_fmnist
from .nets import IntInput, train
from .readme import merge_manifest, write_readme
from .specs import DATA, FMNIST_SETS, MODEL_NAMES, MODELS
from .tflite_builder import load_schema_bindings


def parse_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", default=str(REPO / "models"), help="output folder (default: <repo>/models)")
    ap.add_argument("--only", nargs="*", choices=MODEL_NAMES,
                    help="build only these models (README.md then lists only them)")
    ap.add_argument("--ref-samples", type=int, default=2000,
                    help="test samples run through the reference interpreter per model (default 2000)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    ap.add_argument("--schema", default=str(SCHEMA), help="TFLite schema subset (default: %(default)s)")
    ap.add_argument("--epochs-scale", type=float, default=1.0, help="multiply every epoch count (quick tests)")
    ap.add_argument("--train-limit", type=int, default=0,
                    help="train on only the first N training samples (quick tests; 0 = all)")
    return ap.parse_args()


def main(description):
    args = parse_args(description)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    specs = [m for m in MODELS if not args.only or m.name in args.only]
    rows = []

    def limit(a):
        return a[:args.train_limit] if args.train_limit else a

    fmnist = None
    if any(spec.data in FMNIST_SETS for spec in specs):
        fmnist = load_fmnist()
        print(f"Fashion-MNIST: {len(fmnist[0])} train, {len(fmnist[2])} test", flush=True)

    with tempfile.TemporaryDirectory(prefix="qgate_models_") as tmp:
        fb = load_schema_bindings(Path(args.schema), Path(tmp) / "gen")
        for spec in specs:
            ds = DATA[spec.data](fmnist)
            for name, text in ds.files.items():
                (out / name).write_text(text, encoding="utf-8")
            torch.manual_seed(spec.seed)
            model = spec.make(ds)
            epochs = max(1, round(spec.epochs * args.epochs_scale))
            seconds = train(model, limit(ds.x_train), limit(ds.y_train), epochs, spec.lr, spec.batch,
                            seed=spec.seed, clip=spec.clip, label=spec.name)
            if spec.after_training:
                spec.after_training(model)
            blob = spec.export(fb, model)
            path = out / f"{spec.name}.tflite"
            path.write_bytes(blob)
            tested = IntInput(model) if spec.int_ids else model
            rows.append(check_model(spec, ds, tested, path, blob, fb, args.ref_samples, seconds, tmp))

    write_readme(out, merge_manifest(out, rows, args.threads, MODEL_NAMES), args.threads)
