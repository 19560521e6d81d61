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
harness/tflite/schema.fbs (same field ids as the public TFLite format). The code is the package scripts/qgate_models/
(the model table is qgate_models/specs.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qgate_models.cli import main  # noqa: E402

if __name__ == "__main__":
    main(__doc__.split("\n\n")[0])
