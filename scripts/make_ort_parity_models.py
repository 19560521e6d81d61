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
Run with Debian's python (python3-torch): /usr/bin/python3 scripts/make_ort_parity_models.py
"""
import os
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
