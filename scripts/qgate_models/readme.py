"""models/models.json and models/README.md. The README has two parts: the trained models (written here) and,
from ONNX_SECTION on, the ONNX exports (written by scripts/make_onnx_models.py); each script rewrites its own part
and keeps the other."""

import json

import torch

from .checks import LITERT_SAMPLES

ONNX_SECTION = "## ONNX exports"


def write_readme_part(path, text, part):
    """Replaces the "models" part (before ONNX_SECTION) or the "onnx" part (from it on) of the README at `path`
    with `text`, keeping the other part; the parts are separated by one blank line."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    at = old.find(ONNX_SECTION)
    head, tail = (old[:at], old[at:]) if at >= 0 else (old, "")
    if part == "models":
        head = text
    elif part == "onnx":
        tail = text
    else:
        raise ValueError(f"part {part!r}: expected 'models' or 'onnx'")
    path.write_text("\n\n".join(p.rstrip("\n") for p in (head, tail) if p.strip()) + "\n", encoding="utf-8")


def merge_manifest(out, rows, threads, order):
    """models.json keeps one record per model, so a run with --only updates its models and keeps the others'."""
    path = out / "models.json"
    old = json.loads(path.read_text()) if path.exists() else {"models": []}
    by_name = {r["name"]: r for r in old["models"]}
    for r in rows:
        r["threads"] = threads
        r["torch"] = torch.__version__
        by_name[r["name"]] = r
    merged = [by_name[n] for n in order if n in by_name]
    path.write_text(json.dumps({"models": merged}, indent=1) + "\n")
    return merged


def write_readme(out, rows, threads):
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
    lines += ["", f"Built with torch {torch.__version__}, {threads} CPU thread(s) on a shared 2-core machine; "
              "training times are wall-clock seconds of the run that wrote each file. `models.json` holds the same "
              "figures and each file's sha256."]
    write_readme_part(out / "README.md", "\n".join(lines), "models")
