"""Writes float .tflite files, and reads back what the checks and the ONNX exports need, through Python bindings
that flatc generates at run time from qgate's schema subset harness/tflite/schema.fbs (same field ids as the
public TFLite format). Knows nothing of torch: layers take numpy arrays."""

import importlib
import subprocess
import sys

import numpy as np

# TFLite enum values (public format; also in harness/tflite/schema.fbs).
FLOAT32, INT32 = 0, 2
SAME, VALID = 0, 1
ACT_NONE, ACT_RELU, ACT_TANH = 0, 1, 4


def load_schema_bindings(schema, tmp):
    """Generates the Python object API for the schema (harness/tflite/schema.fbs) into tmp and imports it."""
    if not schema.exists():
        raise SystemExit(f"{schema}: schema not found (it comes with the TFLite importer)")
    subprocess.run(["flatc", "--python", "--gen-object-api", "-o", str(tmp), str(schema)], check=True)
    sys.path.insert(0, str(tmp))
    names = ["Model", "SubGraph", "Tensor", "Operator", "OperatorCode", "Buffer", "BuiltinOptions",
             "Conv2DOptions", "DepthwiseConv2DOptions", "Pool2DOptions", "ReshapeOptions", "FullyConnectedOptions",
             "SoftmaxOptions", "SequenceRNNOptions", "BidirectionalSequenceRNNOptions", "StridedSliceOptions",
             "UnidirectionalSequenceLSTMOptions", "BuiltinOperator"]
    return {n: importlib.import_module(f"tflite.{n}") for n in names}


class TfliteBuilder:
    """Collects tensors, buffers and operators of one subgraph and serializes them with the generated object API.
    Buffer 0 is the empty sentinel; constants get their own buffer, 16-byte aligned. Tensors are numbered in the
    order they are created and op codes in the order of first use, so a graph written by the same calls in the
    same order is the same bytes."""

    def __init__(self, fb, description):
        self.fb = fb
        self.BO = fb["BuiltinOperator"].BuiltinOperator
        self.description = description
        self.tensors = []
        self.buffers = [None]
        self.ops = []
        self.opcodes = []  # builtin codes, index = opcode_index

    def _tensor(self, name, shape, dtype, buffer=0, variable=False):
        t = self.fb["Tensor"].TensorT()
        t.name = name
        t.shape = [int(d) for d in shape]
        t.type = dtype
        t.buffer = buffer
        t.isVariable = variable
        self.tensors.append(t)
        return len(self.tensors) - 1

    def activation(self, name, shape, dtype=FLOAT32):
        return self._tensor(name, shape, dtype)

    def variable(self, name, shape):
        """A variable tensor (RNN/LSTM state): no buffer, zero at load, updated by the op in place."""
        return self._tensor(name, shape, FLOAT32, variable=True)

    def const(self, name, array):
        array = np.ascontiguousarray(array)
        dtype = {np.dtype(np.float32): FLOAT32, np.dtype(np.int32): INT32}[array.dtype]
        self.buffers.append(array.tobytes())
        return self._tensor(name, array.shape, dtype, buffer=len(self.buffers) - 1)

    def op(self, code, inputs, outputs, options_name=None, **options):
        if code not in self.opcodes:
            self.opcodes.append(code)
        o = self.fb["Operator"].OperatorT()
        o.opcodeIndex = self.opcodes.index(code)
        o.inputs = list(inputs)
        o.outputs = list(outputs)
        if options_name:
            opt = getattr(self.fb[options_name], options_name + "T")()
            for k, v in options.items():
                if not hasattr(opt, k):
                    raise AttributeError(f"{options_name} has no field {k}")
                setattr(opt, k, v)
            o.builtinOptionsType = getattr(self.fb["BuiltinOptions"].BuiltinOptions, options_name)
            o.builtinOptions = opt
        self.ops.append(o)

    # ---- Layers used by more than one model -------------------------------------------------------------------

    def fully_connected(self, inp, weight, bias, name, act):
        """FULLY_CONNECTED with weight [out, in] and bias [out]; the output is NAME (NAME/relu with a ReLU)."""
        wt = self.const(f"{name}/weights", weight)
        bt = self.const(f"{name}/bias", bias)
        out = self.activation(name + ("/relu" if act == ACT_RELU else ""), [1, weight.shape[0]])
        self.op(self.BO.FULLY_CONNECTED, [inp, wt, bt], [out], "FullyConnectedOptions", fusedActivationFunction=act,
                keepNumDims=False)
        return out

    def softmax(self, logits, n_out):
        probs = self.activation("probs", [1, n_out])
        self.op(self.BO.SOFTMAX, [logits], [probs], "SoftmaxOptions", beta=1.0)
        return probs

    def reshape(self, inp, name, shape, dtype=FLOAT32):
        """RESHAPE to `shape`, given both as the NAME/shape constant and as the options' new_shape."""
        out = self.activation(name, shape, dtype)
        self.op(self.BO.RESHAPE, [inp, self.const(f"{name}/shape", np.array(shape, np.int32))], [out],
                "ReshapeOptions", newShape=list(shape))
        return out

    def pool_2x2(self, inp, code, name, shape_out):
        """MAX_POOL_2D or AVERAGE_POOL_2D, 2x2 window, stride 2, VALID padding."""
        out = self.activation(name, shape_out)
        self.op(code, [inp], [out], "Pool2DOptions", padding=VALID, strideW=2, strideH=2, filterWidth=2,
                filterHeight=2, fusedActivationFunction=ACT_NONE)
        return out

    def last_step(self, seq, steps, units, name):
        """[1, steps, units] -> [1, units]: STRIDED_SLICE of the last time step with shrink_axis_mask on the time
        axis."""
        out = self.activation(name, [1, units])
        begin = self.const(f"{name}/begin", np.array([0, steps - 1, 0], np.int32))
        end = self.const(f"{name}/end", np.array([1, steps, units], np.int32))
        strides = self.const(f"{name}/strides", np.array([1, 1, 1], np.int32))
        self.op(self.BO.STRIDED_SLICE, [seq, begin, end, strides], [out], "StridedSliceOptions", beginMask=0,
                endMask=0, ellipsisMask=0, newAxisMask=0, shrinkAxisMask=0b010)
        return out

    def serialize(self, inputs, outputs):
        import flatbuffers
        fb = self.fb
        sg = fb["SubGraph"].SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = list(inputs)
        sg.outputs = list(outputs)
        sg.operators = self.ops
        sg.name = "main"
        model = fb["Model"].ModelT()
        model.version = 3
        model.description = self.description
        model.subgraphs = [sg]
        model.operatorCodes = []
        for code in self.opcodes:
            oc = fb["OperatorCode"].OperatorCodeT()
            # Readers take max(deprecated_builtin_code, builtin_code); old ones read only the byte field.
            oc.deprecatedBuiltinCode = code if code < 127 else 127
            oc.builtinCode = code
            oc.version = 1  # float kernels
            model.operatorCodes.append(oc)
        model.buffers = [AlignedBuffer(data) for data in self.buffers]
        b = flatbuffers.Builder(1 << 20)
        b.Finish(model.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


class AlignedBuffer:
    """Stands in for BufferT: writes Buffer.data 16-byte aligned (the schema's force_align, which the generated
    Python object API does not apply), so readers may map weights in place."""

    def __init__(self, data):
        self.data = data

    def Pack(self, builder):
        data_off = None
        if self.data:
            n = len(self.data)
            builder.StartVector(1, n, 16)
            builder.head = builder.head - n
            builder.Bytes[builder.head:builder.head + n] = self.data
            data_off = builder.EndVector()
        builder.StartObject(3)
        if data_off is not None:
            builder.PrependUOffsetTRelativeSlot(0, data_off, 0)
        return builder.EndObject()


# ---- Reading back ----------------------------------------------------------------------------------------------

def count_params(tflite_bytes, fb):
    """Float constant elements in the file (weights and biases; batch norm folded in)."""
    m = fb["Model"].Model.GetRootAs(tflite_bytes, 0)
    sg = m.Subgraphs(0)
    total = 0
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        if t.Buffer() != 0 and t.Type() == FLOAT32:
            total += int(np.prod(t.ShapeAsNumpy()))
    return total


def list_ops(tflite_bytes, fb):
    """Op names in the file, in first-use order, read back with the generated bindings."""
    m = fb["Model"].Model.GetRootAs(tflite_bytes, 0)
    names = {v: k for k, v in vars(fb["BuiltinOperator"].BuiltinOperator).items() if not k.startswith("_")}
    sg = m.Subgraphs(0)
    seen = []
    for i in range(sg.OperatorsLength()):
        oc = m.OperatorCodes(sg.Operators(i).OpcodeIndex())
        name = names[max(oc.DeprecatedBuiltinCode(), oc.BuiltinCode())]
        if name not in seen:
            seen.append(name)
    return seen


def constants(path, fb):
    """{tensor name: numpy array} of every constant (buffer-backed) tensor of the file's first subgraph; a float
    model holds only float32 and int32 constants, anything else is refused naming the tensor."""
    blob = path.read_bytes()
    m = fb["Model"].Model.GetRootAs(blob, 0)
    sg = m.Subgraphs(0)
    dtypes = {FLOAT32: np.float32, INT32: np.int32}
    out = {}
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        buf = m.Buffers(t.Buffer())
        if t.Buffer() == 0 or buf.DataLength() == 0:
            continue
        if t.Type() not in dtypes:
            raise SystemExit(f"{path}: tensor {t.Name().decode()} has type {t.Type()}, expected a float model")
        shape = [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else []
        out[t.Name().decode()] = np.frombuffer(buf.DataAsNumpy().tobytes(), dtypes[t.Type()]).reshape(shape).copy()
    return out
