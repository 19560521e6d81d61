#!/usr/bin/python3
"""Writes a copy of an .onnx model whose graph outputs are other tensors, so a test compares what a saturating
activation would hide (the logits before a Softmax) or one node's own output.

    /usr/bin/python3 onnx_outputs.py MODEL.onnx OUT.onnx [--names A,B] [--pre-saturation]

--names: the graph outputs become exactly the tensors named A, B, ... in that order.
--pre-saturation: the graph keeps its outputs and gains, after them, the input of every output made by a
  saturating node (Softmax, LogSoftmax, Sigmoid, Tanh, HardSigmoid; seen through Reshape, Flatten, Squeeze,
  Unsqueeze and Identity): a logit error the saturation squashes stays visible there.
Prints one line per new output: NAME, a tab, then "saturated" for an output of a saturating node, else "plain".
Exit status: 0 ok, 2 bad usage or a name the graph lacks.
Nothing else changes: the nodes, initializers and opset are the model's own; an added output is typed from the
value_info shape inference gives it (float32 when inference cannot tell).
"""
import argparse
import sys

import onnx
from onnx import TensorProto, helper, shape_inference

SATURATING = {"Softmax", "LogSoftmax", "Sigmoid", "Tanh", "HardSigmoid"}
SHAPE_ONLY = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"}


def saturating_input(name, producer):
    """The input of the saturating node whose output `name` is (through shape-only nodes), or None."""
    node = producer.get(name)
    while node is not None and node.op_type in SHAPE_ONLY:
        node = producer.get(node.input[0])
    return node.input[0] if node is not None and node.op_type in SATURATING else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--names", default="")
    ap.add_argument("--pre-saturation", action="store_true")
    a = ap.parse_args()
    model = onnx.load(a.model)
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    names = [n for n in a.names.split(",") if n] or [o.name for o in graph.output]
    saturated = set()
    if a.pre_saturation:
        for o in list(names):
            logits = saturating_input(o, producer)
            if logits is not None:
                saturated.add(o)
                if logits not in names:
                    names.append(logits)
    known = {vi.name: vi for vi in list(graph.input) + list(graph.output) + list(graph.value_info)}
    inferred = shape_inference.infer_shapes(model)
    known.update({vi.name: vi for vi in inferred.graph.value_info if vi.name not in known})
    outputs = []
    for n in names:
        if n in known:
            outputs.append(known[n])
        elif n in producer:
            outputs.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
        else:
            sys.exit(f"onnx_outputs: {a.model}: no tensor named '{n}' is produced by a node or is a graph input")
    del graph.output[:]
    graph.output.extend(outputs)
    onnx.save(model, a.out)
    for n in names:
        print(f"{n}\t{'saturated' if n in saturated else 'plain'}")


if __name__ == "__main__":
    try:
        main()
    except SystemExit as e:
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
            sys.exit(2)
        raise
