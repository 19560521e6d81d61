#!/usr/bin/python3
"""Writes models/embedding_probe.tflite: one EMBEDDING_LOOKUP over langid_lstm's own float embedding table.

LiteRT cannot load langid_lstm.tflite (its LSTM state is a variable tensor, which LiteRT.js rejects), so the
hybrid embedding lookup is checked against LiteRT on this embedding-only twin instead: `qgate quantize` turns
its float table (49 x 32 = 1568 elements, above the converter's 1024-element threshold) into an int8 table, and
tests/parity/own_models.txt runs that file in both LiteRT and qgate. Same table, same vocabulary, so the ids are
the model's real character ids.

  /usr/bin/python3 scripts/make_embedding_probe.py [--source models/langid_lstm.tflite] [--out models/embedding_probe.tflite]

Uses the TFLite writer of scripts/qgate_models/ (schema bindings generated with flatc at run time).
"""
import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qgate_models import REPO, SCHEMA  # noqa: E402
from qgate_models.tflite_builder import INT32, TfliteBuilder, constants, load_schema_bindings  # noqa: E402

IDS = 16  # ids per lookup, as langid_lstm looks up one 16-character word


def float_table(fb, source, name):
    """The float32 constant tensor `name` of the source model."""
    table = constants(source, fb).get(name)
    if table is None:
        raise SystemExit(f"{source}: no constant tensor named {name}")
    if table.dtype != np.float32:
        raise SystemExit(f"{source}: {name} is {table.dtype}, expected float32 (pass the float model)")
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=str(REPO / "models" / "langid_lstm.tflite"))
    ap.add_argument("--out", default=str(REPO / "models" / "embedding_probe.tflite"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fb = load_schema_bindings(SCHEMA, Path(tmp) / "gen")
        table = float_table(fb, Path(args.source), "embedding/table")
        b = TfliteBuilder(fb, "qgate embedding_probe: langid_lstm's embedding table alone, float32, made by "
                              "scripts/make_embedding_probe.py")
        ids = b.activation("ids", [IDS], INT32)
        out = b.activation("embedding", [IDS, table.shape[1]])
        b.op(b.BO.EMBEDDING_LOOKUP, [ids, b.const("embedding/table", table)], [out])
        Path(args.out).write_bytes(b.serialize([ids], [out]))
    print(f"{args.out}: EMBEDDING_LOOKUP ids int32[{IDS}] x table float32{list(table.shape)}")


if __name__ == "__main__":
    main()
