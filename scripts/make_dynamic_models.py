#!/usr/bin/python3
"""Small seeded float ONNX models with symbolic (dynamic) input dimensions, for qgate's symbolic-shape tests, written
to tests/data/dynamic/ with seeded inputs. Random weights (torch.manual_seed), no training.

  detector.onnx    declared [1,3,height,width]: Conv 3x3 + BatchNorm + ReLU, Conv 3x3 stride 2 pad 1, MaxPool 3x3
                   stride 2 pad 1, Conv 1x1, nearest Upsample x2 (Resize with constant scales), Concat with the
                   stride-2 branch, bilinear Upsample x2 (half_pixel), ConvTranspose 2x2 stride 2 crop, Conv 1x1,
                   Sigmoid -> [1,1,height,width]. Inputs detector_x_64x96.npy and detector_x_96x128.npy.
  classifier.onnx  declared [batch,3,16,16]: Conv, ReLU, MaxPool, x.view(x.size(0), -1) (torch writes it as Shape,
                   Gather, Unsqueeze, Concat, Reshape: a shape computed from the input), Linear, Softmax
                   -> [batch,10]. Input classifier_x_3.npy (3 samples).
  fixed_batch.onnx declared [batch,3,8,8] but its forward reshapes to x.reshape(1, -1): right for batch 1 only.
                   Input fixed_batch_x_1.npy.
Run with Debian's python (python3-torch): /usr/bin/python3 scripts/make_dynamic_models.py
"""
import os
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data', 'dynamic')


class Detector(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.down = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.mid = torch.nn.Conv2d(16, 16, 1)
        self.fuse = torch.nn.Conv2d(32, 8, 3, padding=1)
        self.up = torch.nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.head = torch.nn.Conv2d(8, 1, 1)

    def forward(self, x):
        a = torch.relu(self.bn(self.stem(x)))            # [1, 8, H, W]
        b = torch.relu(self.down(a))                     # [1, 16, H/2, W/2]
        c = F.max_pool2d(b, 3, stride=2, padding=1)      # [1, 16, H/4, W/4]
        c = F.interpolate(torch.relu(self.mid(c)), scale_factor=2.0, mode='nearest')   # [1, 16, H/2, W/2]
        d = torch.relu(self.fuse(torch.cat([b, c], 1)))  # [1, 8, H/2, W/2]
        e = F.interpolate(d, scale_factor=2.0, mode='bilinear', align_corners=False)   # [1, 8, H, W]
        f = self.up(F.max_pool2d(e, 2))                  # [1, 8, H, W]
        return torch.sigmoid(self.head(f + a))


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 6, 3, padding=1)
        self.fc = torch.nn.Linear(6 * 8 * 8, 10)

    def forward(self, x):
        y = F.max_pool2d(torch.relu(self.conv(x)), 2)
        return torch.softmax(self.fc(y.view(y.size(0), -1)), dim=1)


class FixedBatch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3 * 8 * 8, 4)

    def forward(self, x):
        return self.fc(x.reshape(1, -1))


def randomize_bn(bn):
    with torch.no_grad():
        bn.running_mean.uniform_(-0.2, 0.2)
        bn.running_var.uniform_(0.5, 1.5)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.2, 0.2)


def export(model, x, name, axes, opset):
    model.eval()
    torch.onnx.export(model, x, os.path.join(OUT, name), input_names=['x'], output_names=['y'],
                      dynamic_axes={'x': axes, 'y': axes}, opset_version=opset, do_constant_folding=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(13)
    torch.manual_seed(13)
    det = Detector()
    randomize_bn(det.bn)
    export(det, torch.zeros(1, 3, 64, 96), 'detector.onnx', {2: 'height', 3: 'width'}, 11)
    for h, w in ((64, 96), (96, 128)):
        np.save(os.path.join(OUT, f'detector_x_{h}x{w}.npy'), rng.uniform(-1, 1, (1, 3, h, w)).astype(np.float32))
    torch.manual_seed(14)
    export(Classifier(), torch.zeros(2, 3, 16, 16), 'classifier.onnx', {0: 'batch'}, 13)
    np.save(os.path.join(OUT, 'classifier_x_3.npy'), rng.uniform(-1, 1, (3, 3, 16, 16)).astype(np.float32))
    torch.manual_seed(15)
    export(FixedBatch(), torch.zeros(1, 3, 8, 8), 'fixed_batch.onnx', {0: 'batch'}, 13)
    np.save(os.path.join(OUT, 'fixed_batch_x_1.npy'), rng.uniform(-1, 1, (1, 3, 8, 8)).astype(np.float32))


if __name__ == '__main__':
    main()
