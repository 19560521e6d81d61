"""Builds qgate's own models: trains small float networks on real data and writes them as .tflite files.

scripts/make_models.py is the command line; scripts/make_onnx_models.py and scripts/make_embedding_probe.py reuse
the pieces. One module per concern:
  specs.py           the table of models: one row per model (data, seed, network, training settings, exporter)
  data.py            Fashion-MNIST and the language-ID word lists, read from Debian packages at run time
  nets.py            the torch networks, training and prediction
  tflite_builder.py  writing (and reading back) .tflite FlatBuffers through bindings flatc generates from
                     qgate's schema subset (harness/tflite/schema.fbs); knows nothing of torch
  exports.py         each trained network as a TFLite graph
  checks.py          each written file run in the TFLite interpreter (and LiteRT) against torch
  readme.py          models/models.json and models/README.md
  cli.py             the driver behind scripts/make_models.py
"""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
SCHEMA = REPO / "harness" / "tflite" / "schema.fbs"
