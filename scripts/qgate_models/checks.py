"""Checks of a written .tflite against the torch network it came from: the file run in the TFLite interpreter of
npm @tensorflow/tfjs-tflite (reference/tflite_interpreter/run_tflite.mjs) on test samples, and LiteRT
(reference/litert/run_litert.mjs) on a few where it can load the model."""

import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np

from . import REPO
from .nets import predict
from .tflite_builder import count_params, list_ops

RUN_TFLITE = REPO / "reference" / "tflite_interpreter" / "run_tflite.mjs"
RUN_LITERT = REPO / "reference" / "litert" / "run_litert.mjs"
LITERT_SAMPLES = 5  # LiteRT has no in-process sample loop; one process per sample


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


def check_model(spec, ds, model, path, blob, fb, ref_samples, seconds, tmp):
    """Accuracy of the torch network on the whole test split, and on the first `ref_samples` both in torch and in
    the interpreter running `path`, with their largest probability difference; printed, and returned as the
    record models.json and the README table are made of."""
    name, x_test, y_test = spec.name, ds.x_test, ds.y_test
    p_torch = predict(model, x_test)
    acc_torch = float((p_torch.argmax(1) == y_test).mean())
    n = min(ref_samples, len(x_test))
    p_ref = run_reference(path, x_test[:n], tmp)
    acc_torch_sub = float((p_torch[:n].argmax(1) == y_test[:n]).mean())
    acc_ref = float((p_ref.argmax(1) == y_test[:n]).mean())
    agree = float((p_ref.argmax(1) == p_torch[:n].argmax(1)).mean())
    maxdiff = float(np.abs(p_ref - p_torch[:n]).max())
    litert_maxdiff = None
    if spec.litert:
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
    return dict(name=name, task=spec.task, data=ds.description, ops=ops, params=count_params(blob, fb),
                size=len(blob), sha256=sha, acc_torch=acc_torch, n_test=len(x_test), n_ref=n,
                acc_torch_sub=acc_torch_sub, acc_ref=acc_ref, maxdiff=maxdiff, seconds=round(seconds, 1),
                litert_maxdiff=litert_maxdiff)
