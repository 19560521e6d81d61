#!/usr/bin/python3
"""Writes models/embedding_probe.tflite: one EMBEDDING_LOOKUP over langid_lstm's own float embedding table.

LiteRT cannot load langid_lstm.tflite (its LSTM state is a variable tensor, which LiteRT.js rejects), so the
hybrid embedding lookup is checked against LiteRT on this embedding-only twin instead: `qgate quantize` turns
its float table (49 x 32 = 1568 elements, above the converter's 1024-element threshold) into an int8 table, and
tests/parity/own_models.txt runs that file in both LiteRT and qgate. Same table, same vocabulary, so the ids are
the model's real character ids.

  /usr/bin/python3 scripts/make_embedding_probe.py [--source models/langid_lstm.tflite] [--out models/embedding_probe.tflite]

Uses the TFLite writer of scripts/make_models.py (schema bindings generated with flatc at run time).
"""
import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_models as mm  # noqa: E402  (the writer; importing it does not train anything)

IDS = 16  # ids per lookup, as langid_lstm looks up one 16-character word


def table_of(fb, model_bytes, name):
    """The float32 constant tensor `name` of the source model as a numpy array."""
    m = fb["Model"].ModelT.InitFromObj(fb["Model"].Model.GetRootAs(model_bytes, 0))
    for t in m.subgraphs[0].tensors:
        if t.name.decode() == name:
            if t.type != mm.FLOAT32:
                raise SystemExit(f"{name}: type {t.type}, expected FLOAT32 (pass the float model)")
            data = np.frombuffer(bytes(bytearray(m.buffers[t.buffer].data)), np.float32)
            return data.reshape(t.shape).copy()
    raise SystemExit(f"no tensor named {name} in the source model")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=str(mm.REPO / "models" / "langid_lstm.tflite"))
    ap.add_argument("--out", default=str(mm.REPO / "models" / "embedding_probe.tflite"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fb = mm.load_schema_bindings(mm.SCHEMA, Path(tmp) / "gen")
        table = table_of(fb, Path(args.source).read_bytes(), "embedding/table")
        b = mm.TfliteBuilder(fb, "qgate embedding_probe: langid_lstm's embedding table alone, float32, made by "
                                 "scripts/make_embedding_probe.py")
        BO = fb["BuiltinOperator"].BuiltinOperator
        ids = b.activation("ids", [IDS], mm.INT32)
        out = b.activation("embedding", [IDS, table.shape[1]])
        b.op(BO.EMBEDDING_LOOKUP, [ids, b.const("embedding/table", table)], [out])
        Path(args.out).write_bytes(b.serialize([ids], [out]))
    print(f"{args.out}: EMBEDDING_LOOKUP ids int32[{IDS}] x table float32{list(table.shape)}")


if __name__ == "__main__":
    main()
