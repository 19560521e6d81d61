#!/usr/bin/python3
"""Small seeded float ONNX models (random weights, no training) for qgate's onnxruntime dynamic-quantization
parity tests, plus a seeded input batch each, written to tests/data/ort/.

  mlp.onnx       Linear(64, 48) -> ReLU -> Linear(48, 10)            input [4, 64]   (Gemm nodes)
  cnn.onnx       Conv(1, 4, 3) -> ReLU -> Flatten -> MatMul(576, 10)  input [2, 1, 14, 14]
  saturate.onnx  MatMul(64, 8) with weights that make onnxruntime's AVX2 uint8 x int8 pairs overflow int16
  saturate_conv.onnx  Conv(4, 8, 3) with weights and inputs that would overflow int16 pairs if ConvInteger's
                 product saturated as MatMulInteger's does (it does not: tests/cli/ort_saturation.sh)
  convnet.onnx   Conv(3, 8, 3, pad 1) -> ReLU -> Conv(8, 8, 3, stride 2, pad 1, groups 2) -> ReLU
                 -> depthwise Conv(8, 8, 3, pad 2, dilation 2) -> Conv(8, 4, 1, no bias) -> Flatten -> Linear(144, 5)
                                                                     input [3, 3, 12, 12]
  dqlstm*.onnx   one com.microsoft DynamicQuantizeLSTM node (hand-built graph, int8 weights with their scales):
                 dqlstm.onnx forward, hidden 8, input [T 7, B 2, I 5], initial_h / initial_c given;
                 dqlstm_bidi.onnx bidirectional with bias, peepholes and per-channel scales; input dqlstm_x.npy (both)
Run with Debian's python (python3-torch): /usr/bin/python3 scripts/make_ort_parity_models.py [torch|dqlstm]
(no argument: all; the torch exports are not byte-reproducible across torch versions, so regenerate only the part
you change).
"""
import os
import sys
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data', 'ort')


def save_npy(name, a):
    np.save(os.path.join(OUT, name), a.astype(np.float32))


def export(model, x, name):
    model.eval()
    torch.onnx.export(model, x, os.path.join(OUT, name), input_names=['x'], output_names=['y'], opset_version=13,
                      do_constant_folding=True)


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(64, 48)
        self.b = torch.nn.Linear(48, 10)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.w = torch.nn.Parameter(torch.randn(576, 10) * 0.05)

    def forward(self, x):
        return torch.matmul(torch.flatten(torch.relu(self.conv(x)), 1), self.w)


class Saturate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        # Large positive weights in every column: with activations near the top of the uint8 range (inputs
        # near their maximum, zero point low), pairs u0 w0 + u1 w1 exceed 32767.
        w = torch.rand(64, 8) * 0.5 + 0.5
        w[::7, :] *= -1.0
        self.w = torch.nn.Parameter(w)

    def forward(self, x):
        return torch.matmul(x, self.w)


def dq_lstm(name, rng, direction, per_channel, hidden=8, input_size=5, batch=2):
    """One DynamicQuantizeLSTM node: int8 W [D, I, 4H] and R [D, H, 4H] (transposed relative to LSTM's W and R),
    symmetric (zero point 0) with per-tensor [D] or per-channel [D, 4H] scales."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    dirs = 2 if direction == 'bidirectional' else 1
    H, I = hidden, input_size

    def quantize(w):  # w [D, K, 4H] float -> int8 and scales, symmetric over K (per channel) or all (per tensor)
        axes = (1,) if per_channel else (1, 2)
        r = np.abs(w).max(axis=axes)
        s = (r / 127.0).astype(np.float32)
        sb = s[:, None, :] if per_channel else s[:, None, None]
        return np.clip(np.rint(w / sb), -127, 127).astype(np.int8), s

    w, ws = quantize(rng.standard_normal((dirs, I, 4 * H)).astype(np.float32) * 0.4)
    r, rs = quantize(rng.standard_normal((dirs, H, 4 * H)).astype(np.float32) * 0.3)
    inits = [numpy_helper.from_array(w, 'W'), numpy_helper.from_array(r, 'R'),
             numpy_helper.from_array(ws, 'W_scale'), numpy_helper.from_array(rs, 'R_scale'),
             numpy_helper.from_array(np.zeros(ws.shape, np.int8), 'W_zero_point'),
             numpy_helper.from_array(np.zeros(rs.shape, np.int8), 'R_zero_point'),
             numpy_helper.from_array(rng.standard_normal((dirs, batch, H)).astype(np.float32) * 0.5, 'initial_h'),
             numpy_helper.from_array(rng.standard_normal((dirs, batch, H)).astype(np.float32) * 0.5, 'initial_c')]
    b = p = ''
    if dirs == 2:
        inits.append(numpy_helper.from_array(rng.standard_normal((dirs, 8 * H)).astype(np.float32) * 0.2, 'B'))
        inits.append(numpy_helper.from_array(rng.standard_normal((dirs, 3 * H)).astype(np.float32) * 0.5, 'P'))
        b, p = 'B', 'P'
    node = helper.make_node('DynamicQuantizeLSTM', ['x', 'W', 'R', b, '', 'initial_h', 'initial_c', p, 'W_scale',
                                                    'W_zero_point', 'R_scale', 'R_zero_point'],
                            ['y', 'y_h', 'y_c'], domain='com.microsoft', hidden_size=H, direction=direction)
    graph = helper.make_graph(
        [node], name, [helper.make_tensor_value_info('x', TensorProto.FLOAT, [7, batch, I])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, None),
         helper.make_tensor_value_info('y_h', TensorProto.FLOAT, None),
         helper.make_tensor_value_info('y_c', TensorProto.FLOAT, None)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13),
                                                    helper.make_opsetid('com.microsoft', 1)])
    model.ir_version = 7
    onnx.save(model, os.path.join(OUT, name + '.onnx'))


def make_dq_lstm():
    rng = np.random.default_rng(20261127)
    dq_lstm('dqlstm', rng, 'forward', per_channel=False)
    dq_lstm('dqlstm_bidi', rng, 'bidirectional', per_channel=True)
    save_npy('dqlstm_x.npy', rng.standard_normal((7, 2, 5)).astype(np.float32))


class ConvNet(torch.nn.Module):
    # Every ConvInteger case qgate fuses: SAME-like pads, explicit asymmetric pads (stride 2), groups, no bias; and
    # a depthwise conv that stays float.
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.b = torch.nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2)
        self.dw = torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8)
        self.pw = torch.nn.Conv2d(8, 4, 1, bias=False)
        self.fc = torch.nn.Linear(144, 5)

    def forward(self, x):
        x = torch.relu(self.b(torch.relu(self.a(x))))
        return self.fc(torch.flatten(self.pw(self.dw(x)), 1))


class SaturateConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(4, 8, 3)
        w = torch.rand(8, 4, 3, 3) * 0.5 + 0.5
        w[:, 0, 0, 0] *= -1.0
        self.conv.weight = torch.nn.Parameter(w)

    def forward(self, x):
        return self.conv(x)


def main():
    os.makedirs(OUT, exist_ok=True)
    if sys.argv[1:] == ['dqlstm']:
        make_dq_lstm()
        return
    if not sys.argv[1:]:
        make_dq_lstm()
    torch.manual_seed(20240611)
    np.random.seed(20240611)
    x = torch.randn(4, 64)
    export(Mlp(), x, 'mlp.onnx')
    save_npy('mlp_x.npy', x.numpy())
    x = torch.randn(2, 1, 14, 14)
    export(Cnn(), x, 'cnn.onnx')
    save_npy('cnn_x.npy', x.numpy())
    x = torch.rand(3, 64) * 0.2 + 0.8  # mostly near the maximum: uint8 values near 255 with zero point 0
    x[:, 5] = -0.05                    # one small negative keeps a zero point above 0
    export(Saturate(), x, 'saturate.onnx')
    save_npy('saturate_x.npy', x.numpy())
    x = torch.randn(3, 3, 12, 12)
    export(ConvNet(), x, 'convnet.onnx')
    save_npy('convnet_x.npy', x.numpy())
    x = torch.rand(2, 4, 8, 8) * 0.2 + 0.8
    x[:, 1, 3, 3] = -0.05
    export(SaturateConv(), x, 'saturate_conv.onnx')
    save_npy('saturate_conv_x.npy', x.numpy())


if __name__ == '__main__':
    main()
