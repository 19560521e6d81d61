"""The torch networks behind qgate's own models, their training loop and prediction."""

import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class FmnistCnn(nn.Module):
    """28x28x1 -> conv3x3(32) -> maxpool2 -> depthwise5x5(x2 = 64) -> conv1x1(32) -> maxpool2 -> conv3x3(64)
    -> avgpool2 (7 -> 3) -> flatten (H, W, C order, as TFLite's RESHAPE of NHWC) -> fc(64) -> fc(10).
    Each conv trains with batch norm (for speed of convergence), folded into its weights and bias at export as a
    converter does. conv1 (288 weights) and the last fc (640) are under the converter's 1024-element threshold
    and stay float in a dynamic-range model; every other conv and fc gets int8 weights."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.dw = nn.Conv2d(32, 64, 5, padding=2, groups=32)
        self.bn_dw = nn.BatchNorm2d(64)
        self.pw = nn.Conv2d(64, 32, 1)
        self.bn_pw = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(3 * 3 * 64, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):  # x [N, 28, 28, 1] (NHWC, as the .tflite takes it)
        x = x.permute(0, 3, 1, 2)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.relu(self.bn_dw(self.dw(x)))
        x = F.max_pool2d(F.relu(self.bn_pw(self.pw(x))), 2)
        x = F.avg_pool2d(F.relu(self.bn3(self.conv3(x))), 2)
        x = x.permute(0, 2, 3, 1).flatten(1)
        return self.fc2(F.relu(self.fc1(x)))


class FmnistFragileMlp(nn.Module):
    """784 -> fc1(128) -> fc2(64) -> fc3(10), made fragile on purpose after training (see make_fragile)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):  # x [N, 28, 28, 1]
        h = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(h)))


@torch.no_grad()
def make_fragile(m, dead_unit=0, outlier=100.0, rows=(0, 1, 2)):
    """Silences fc1 unit `dead_unit` (zero weights, bias -100: its ReLU output is 0 for every input) and writes
    huge weights into fc2's column for that unit. The float model computes exactly the same (the weights
    multiply a constant 0), but a per-tensor int8 scale of fc2 becomes outlier / 127, which rounds almost every
    other fc2 weight to 0; per-channel scales lose only the rows in `rows`. One layer breaks, the rest is
    fine: the SELECTIVE case."""
    m.fc1.weight[dead_unit].zero_()
    m.fc1.bias[dead_unit] = -100.0
    for r in rows:
        m.fc2.weight[r, dead_unit] = outlier


class FmnistDeepMlp(nn.Module):
    """2x2 average pool (28 -> 14) -> fc(196 -> 64) -> `depth` x fc(64 -> 64) -> fc(64 -> 10), ReLU between:
    every hidden layer is about the same size, so low-bit weight error is spread over all of them (the
    NEEDS_QAT case)."""

    def __init__(self, width=64, depth=8):
        super().__init__()
        self.fc_in = nn.Linear(196, width)
        self.hidden = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.fc_out = nn.Linear(width, 10)

    def forward(self, x):  # x [N, 28, 28, 1]
        x = F.avg_pool2d(x.permute(0, 3, 1, 2), 2).flatten(1)
        h = F.relu(self.fc_in(x))
        for layer in self.hidden:
            h = F.relu(layer(h))
        return self.fc_out(h)


class FmnistRnn(nn.Module):
    def __init__(self, units=128):
        super().__init__()
        self.rnn = nn.RNN(28, units, nonlinearity="tanh", batch_first=True)
        self.fc = nn.Linear(units, 10)

    def forward(self, x):  # x [N, 28 rows, 28 pixels]
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


class FmnistBiRnn(nn.Module):
    def __init__(self, units=64):
        super().__init__()
        self.rnn = nn.RNN(28, units, nonlinearity="tanh", batch_first=True, bidirectional=True)
        self.fc = nn.Linear(28 * 2 * units, 10)

    def forward(self, x):
        out, _ = self.rnn(x)  # [N, T, 2 * units], forward then backward outputs per step
        return self.fc(out.flatten(1))


class LangIdLstm(nn.Module):
    def __init__(self, vocab_size, num_langs, embed=32, units=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.lstm = nn.LSTM(embed, units, batch_first=True)
        self.fc = nn.Linear(units, num_langs)

    def forward(self, x):  # x int [N, L]
        out, _ = self.lstm(self.embed(x))
        return self.fc(out[:, -1])


class IntInput(nn.Module):
    """Feeds int32 ids (as the .tflite takes them) to a torch model that wants int64."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x.long())


def train(model, x, y, epochs, lr, batch, seed, clip=None, label=""):
    """Adam with a cosine learning rate over every step, batches in a seeded random order; returns the wall-clock
    seconds."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * ((len(x) + batch - 1) // batch))
    x = torch.from_numpy(x)
    y = torch.from_numpy(y)
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"  {label} epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f} ({time.time() - t0:.0f} s)",
              flush=True)
    return time.time() - t0


@torch.no_grad()
def predict(model, x, batch=1000):
    """Softmax probabilities [N, classes] in eval mode."""
    model.eval()
    out = [F.softmax(model(torch.from_numpy(x[i:i + batch])), dim=1) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy()
