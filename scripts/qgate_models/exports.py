"""Each trained torch network written as a float TFLite graph: batch norm folded into the convolutions as a
converter does, weights laid out as TFLite wants them, recurrent state as variable tensors, a softmax at the end.
Tensor names are part of the contract: scripts/make_onnx_models.py rebuilds the networks from them."""

import numpy as np
import torch

from .data import LANGID_LEN
from .tflite_builder import ACT_NONE, ACT_RELU, ACT_TANH, INT32, SAME, TfliteBuilder


def fold_batch_norm(conv, bn):
    """Conv weight and bias with an inference-mode batch norm folded in: w * g / sqrt(var + eps) per output
    channel, (b - mean) * g / sqrt(var + eps) + beta."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight * scale[:, None, None, None]
    b = (conv.bias - bn.running_mean) * scale + bn.bias
    return w.detach(), b.detach()


def conv_filter_ohwi(w):  # torch [O, I, KH, KW] -> TFLite [O, KH, KW, I]
    return w.detach().numpy().transpose(0, 2, 3, 1).copy()


def depthwise_filter(w):  # torch [C*mult, 1, KH, KW] -> TFLite [1, KH, KW, C*mult]; channel c*mult+m in both
    return w.detach().numpy().transpose(1, 2, 3, 0).copy()


def np32(t):
    return t.detach().numpy().astype(np.float32).copy()


def fully_connected(b, inp, layer, name, act):
    return b.fully_connected(inp, np32(layer.weight), np32(layer.bias), name, act)


def classifier(b, feat, fc):
    """The last FULLY_CONNECTED (output "logits") and the softmax (output "probs")."""
    return b.softmax(fully_connected(b, feat, fc, "logits", ACT_NONE), fc.out_features)


def description(name, what):
    return f"qgate {name}: {what}, float32, made by scripts/make_models.py"


def export_cnn(fb, m):
    b = TfliteBuilder(fb, description("fmnist_cnn", "Fashion-MNIST CNN"))
    BO = b.BO
    x = b.activation("image", [1, 28, 28, 1])

    def conv(inp, layer, bn, name, shape_out, depthwise=False):
        weight, bias = fold_batch_norm(layer, bn)
        wt = b.const(f"{name}/weights", depthwise_filter(weight) if depthwise else conv_filter_ohwi(weight))
        bt = b.const(f"{name}/bias", np32(bias))
        out = b.activation(f"{name}/relu", shape_out)
        if depthwise:
            b.op(BO.DEPTHWISE_CONV_2D, [inp, wt, bt], [out], "DepthwiseConv2DOptions", padding=SAME,
                 strideW=1, strideH=1, depthMultiplier=layer.out_channels // layer.in_channels,
                 fusedActivationFunction=ACT_RELU, dilationWFactor=1, dilationHFactor=1)
        else:
            b.op(BO.CONV_2D, [inp, wt, bt], [out], "Conv2DOptions", padding=SAME, strideW=1, strideH=1,
                 fusedActivationFunction=ACT_RELU, dilationWFactor=1, dilationHFactor=1)
        return out

    h = conv(x, m.conv1, m.bn1, "conv1", [1, 28, 28, 32])
    h = b.pool_2x2(h, BO.MAX_POOL_2D, "pool1", [1, 14, 14, 32])
    h = conv(h, m.dw, m.bn_dw, "dwconv2", [1, 14, 14, 64], depthwise=True)
    h = conv(h, m.pw, m.bn_pw, "conv2_1x1", [1, 14, 14, 32])
    h = b.pool_2x2(h, BO.MAX_POOL_2D, "pool2", [1, 7, 7, 32])
    h = conv(h, m.conv3, m.bn3, "conv3", [1, 7, 7, 64])
    h = b.pool_2x2(h, BO.AVERAGE_POOL_2D, "avgpool3", [1, 3, 3, 64])
    flat = b.reshape(h, "flatten", [1, 576])
    h = fully_connected(b, flat, m.fc1, "fc1", ACT_RELU)
    return b.serialize([x], [classifier(b, h, m.fc2)])


def export_fragile_mlp(fb, m):
    b = TfliteBuilder(fb, description("fmnist_fragile_mlp", "Fashion-MNIST MLP with outlier weights in fc2"))
    x = b.activation("image", [1, 28, 28, 1])
    flat = b.reshape(x, "flatten", [1, 784])
    h = fully_connected(b, flat, m.fc1, "fc1", ACT_RELU)
    h = fully_connected(b, h, m.fc2, "fc2", ACT_RELU)
    return b.serialize([x], [classifier(b, h, m.fc3)])


def export_deep_mlp(fb, m):
    b = TfliteBuilder(fb, description("fmnist_deep_mlp", "Fashion-MNIST deep narrow MLP"))
    x = b.activation("image", [1, 28, 28, 1])
    pooled = b.pool_2x2(x, b.BO.AVERAGE_POOL_2D, "pool", [1, 14, 14, 1])
    flat = b.reshape(pooled, "flatten", [1, 196])
    h = fully_connected(b, flat, m.fc_in, "fc_in", ACT_RELU)
    for i, layer in enumerate(m.hidden):
        h = fully_connected(b, h, layer, f"fc{i + 1}", ACT_RELU)
    return b.serialize([x], [classifier(b, h, m.fc_out)])


def rnn_weights(b, rnn, prefix, suffix=""):
    """W [units, in], R [units, units], bias = b_ih + b_hh (TFLite's RNN has one bias)."""
    w = b.const(f"{prefix}/input_weights", np32(getattr(rnn, "weight_ih_l0" + suffix)))
    r = b.const(f"{prefix}/recurrent_weights", np32(getattr(rnn, "weight_hh_l0" + suffix)))
    bias = b.const(f"{prefix}/bias", np32(getattr(rnn, "bias_ih_l0" + suffix) + getattr(rnn, "bias_hh_l0" + suffix)))
    return w, r, bias


def export_rnn(fb, m):
    b = TfliteBuilder(fb, description("fmnist_rnn", "Fashion-MNIST rows, sequence RNN"))
    units = m.rnn.hidden_size
    x = b.activation("rows", [1, 28, 28])
    w, r, bias = rnn_weights(b, m.rnn, "rnn")
    state = b.variable("rnn/hidden_state", [1, units])
    seq = b.activation("rnn/output", [1, 28, units])
    b.op(b.BO.UNIDIRECTIONAL_SEQUENCE_RNN, [x, w, r, bias, state], [seq], "SequenceRNNOptions", timeMajor=False,
         fusedActivationFunction=ACT_TANH, asymmetricQuantizeInputs=False)
    feat = b.last_step(seq, 28, units, "rnn/last_step")
    return b.serialize([x], [classifier(b, feat, m.fc)])


def export_birnn(fb, m):
    b = TfliteBuilder(fb, description("fmnist_birnn", "Fashion-MNIST rows, bidirectional sequence RNN"))
    units = m.rnn.hidden_size
    x = b.activation("rows", [1, 28, 28])
    fw = rnn_weights(b, m.rnn, "birnn/fw")
    fw_state = b.variable("birnn/fw/hidden_state", [1, units])
    bw = rnn_weights(b, m.rnn, "birnn/bw", "_reverse")
    bw_state = b.variable("birnn/bw/hidden_state", [1, units])
    seq = b.activation("birnn/output", [1, 28, 2 * units])
    # Inputs: x, fw W/R/bias/state, bw W/R/bias/state, aux input, fw aux W, bw aux W (absent).
    b.op(b.BO.BIDIRECTIONAL_SEQUENCE_RNN, [x, *fw, fw_state, *bw, bw_state, -1, -1, -1], [seq],
         "BidirectionalSequenceRNNOptions", timeMajor=False, fusedActivationFunction=ACT_TANH, mergeOutputs=True,
         asymmetricQuantizeInputs=False)
    flat = b.reshape(seq, "flatten", [1, 28 * 2 * units])
    return b.serialize([x], [classifier(b, flat, m.fc)])


def export_lstm(fb, m):
    b = TfliteBuilder(fb, description("langid_lstm", "character-level language ID, embedding + LSTM"))
    L = LANGID_LEN
    table = np32(m.embed.weight)
    E = table.shape[1]
    units = m.lstm.hidden_size
    x = b.activation("chars", [1, L], INT32)
    ids = b.reshape(x, "chars/flat", [L], INT32)  # EMBEDDING_LOOKUP takes a 1-D id vector.
    emb = b.activation("embedding", [L, E])
    b.op(b.BO.EMBEDDING_LOOKUP, [ids, b.const("embedding/table", table)], [emb])
    emb3 = b.reshape(emb, "embedding/batch", [1, L, E])
    # torch packs the gates i, f, g (cell), o along dim 0; TFLite wants one tensor per gate.
    w_ih = np32(m.lstm.weight_ih_l0).reshape(4, units, E)
    w_hh = np32(m.lstm.weight_hh_l0).reshape(4, units, units)
    bias = np32(m.lstm.bias_ih_l0 + m.lstm.bias_hh_l0).reshape(4, units)
    gates = ["input", "forget", "cell", "output"]
    wi = [b.const(f"lstm/input_to_{g}_weights", w_ih[k]) for k, g in enumerate(gates)]
    wr = [b.const(f"lstm/recurrent_to_{g}_weights", w_hh[k]) for k, g in enumerate(gates)]
    bs = [b.const(f"lstm/{g}_gate_bias", bias[k]) for k, g in enumerate(gates)]
    out_state = b.variable("lstm/output_state", [1, units])
    cell_state = b.variable("lstm/cell_state", [1, units])
    seq = b.activation("lstm/output", [1, L, units])
    inputs = [emb3, *wi, *wr, -1, -1, -1, *bs, -1, -1, out_state, cell_state, -1, -1, -1, -1]
    assert len(inputs) == 24
    b.op(b.BO.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, [seq], "UnidirectionalSequenceLSTMOptions",
         fusedActivationFunction=ACT_TANH, cellClip=0.0, projClip=0.0, timeMajor=False,
         asymmetricQuantizeInputs=False)
    feat = b.last_step(seq, L, units, "lstm/last_step")
    return b.serialize([x], [classifier(b, feat, m.fc)])
