#!/usr/bin/env python3
"""Trains the handwritten/printed digit recogniser of formscan and exports it to ONNX.

Data (made by make_digit_data, see train.sh): 28x28 crops cut and normalised exactly as
the reader does at run time, labels 0-9, 10 ("reject": separators, pieces of ticks, pairs of neighbouring digits) and 11 (a whole tick). The training file holds only the MNIST training split named in the
architecture (indices 0..799 of each digit) and synthetic scans whose handwriting uses
those digits only; the test file holds the held-out MNIST digits (indices 800 and up)
and synthetic scans written with them. The test split is never used for training.

Every training batch is augmented: affine jitter (rotation, scale, shear, shift),
elastic distortion, and thinner or thicker strokes; for the wide network also drawn at
9-18 pixels and enlarged again (a digit of a narrow cell on a 150-dpi scan).

    python3 train_digits.py TRAIN.bin TEST.bin OUT.onnx REPORT.md [--epochs N] [--seed S] [--arch wide|small]
"""
import argparse
import math
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = 12  # 0-9, reject, tick


def load(path, with_sources=False):
    with open(path, "rb") as f:
        magic = f.read(8)
        if magic not in (b"FSDIGIT1", b"FSDIGIT2"):
            sys.exit(f"{path}: not a formscan digit file")
        (count,) = struct.unpack("<I", f.read(4))
        width = 786 if magic == b"FSDIGIT2" else 785
        raw = np.frombuffer(f.read(count * width), dtype=np.uint8).reshape(count, width)
    labels = torch.from_numpy(raw[:, 0].astype(np.int64))
    sources = torch.from_numpy(raw[:, 1].astype(np.int64)) if width == 786 else torch.ones(count, dtype=torch.int64)
    images = torch.from_numpy(raw[:, width - 784:].astype(np.float32) / 255.0).reshape(count, 1, 28, 28)
    return (images, labels, sources) if with_sources else (images, labels)


class SmallDigitNet(nn.Module):
    """`--arch small` (digits_s2.onnx): four 3x3 convolutions (32 and 64 channels) and two
    dense layers; about 0.4 M parameters, 19 M multiply-adds per crop."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = nn.Conv2d(32, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.c4 = nn.Conv2d(64, 64, 3, padding=1)
        self.b1 = nn.BatchNorm2d(32)
        self.b2 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, CLASSES)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.b1(self.c2(x))), 2)
        x = F.relu(self.c3(x))
        x = F.max_pool2d(F.relu(self.b2(self.c4(x))), 2)
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


class DigitNet(nn.Module):
    """`--arch wide` (digits.onnx): three blocks of 3x3 convolutions with batch norm (32,
    64, 128 channels) and two dense layers; about 0.9 M parameters, 23 M multiply-adds
    per crop."""

    def __init__(self):
        super().__init__()
        def conv(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())
        self.features = nn.Sequential(conv(1, 32), conv(32, 32), nn.MaxPool2d(2),
                                      conv(32, 64), conv(64, 64), nn.MaxPool2d(2),
                                      conv(64, 128))
        self.fc1 = nn.Linear(128 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, CLASSES)
        self.drop = nn.Dropout(0.4)

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


def augment(x, small_scans):
    n = x.shape[0]
    angle = (torch.rand(n) - 0.5) * 2 * math.radians(10)
    scale = 0.9 + torch.rand(n) * 0.2
    shear = (torch.rand(n) - 0.5) * 0.25
    tx = (torch.rand(n) - 0.5) * 0.12
    ty = (torch.rand(n) - 0.5) * 0.12
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin + shear, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    # Elastic: a smooth random displacement field.
    noise = torch.randn(n, 2, 7, 7) * 0.04
    field = F.interpolate(noise, size=(28, 28), mode="bicubic", align_corners=False).permute(0, 2, 3, 1)
    x = F.grid_sample(x, grid + field, align_corners=False, padding_mode="zeros")
    # Stroke width: dilate or erode a share of the batch.
    r = torch.rand(n)
    thick = F.max_pool2d(x, 3, stride=1, padding=1)
    thin = -F.max_pool2d(-x, 3, stride=1, padding=1)
    x = torch.where((r < 0.15).view(n, 1, 1, 1), thick, x)
    x = torch.where((r > 0.9).view(n, 1, 1, 1), thin, x)
    # Scanned small: a third of the batch drawn at 9-18 pixels and enlarged again, as a
    # digit written in a narrow cell of a 150-dpi scan reaches the reader.
    small = torch.rand(n) < 0.33 if small_scans else torch.zeros(n, dtype=torch.bool)
    if small.any():
        size = random.randint(9, 18)
        low = F.interpolate(x[small], size=(size, size), mode="area")
        x[small] = F.interpolate(low, size=(28, 28), mode="bilinear", align_corners=False)
    return x.clamp(0, 1)


def evaluate(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), 1024):
            correct += (model(images[i:i + 1024]).argmax(1) == labels[i:i + 1024]).sum().item()
    return correct / max(1, len(images))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("train")
    p.add_argument("test")
    p.add_argument("onnx")
    p.add_argument("report")
    p.add_argument("--epochs", type=int, default=14)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--arch", choices=["wide", "small"], default="wide")
    p.add_argument("--threads", type=int, default=0, help="torch threads; 0 = one per core")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    train_x, train_y = load(a.train)
    test_x, test_y, test_src = load(a.test, with_sources=True)
    print(f"train {len(train_x)} crops, test {len(test_x)} crops", flush=True)
    model = DigitNet() if a.arch == "wide" else SmallDigitNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    steps = a.epochs * math.ceil(len(train_x) / 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    start = time.time()
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(train_x), 128):
            idx = order[i:i + 128]
            x = train_x[idx].clone()
            # wide: three crops in four augmented, also scanned small; small: one in two.
            part = 3 * len(idx) // 4 if a.arch == "wide" else len(idx) // 2
            x[:part] = augment(x[:part], a.arch == "wide")
            loss = F.cross_entropy(model(x), train_y[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc = evaluate(model, test_x, test_y)
        print(f"epoch {epoch + 1}/{a.epochs}: test accuracy {acc:.4f} ({time.time() - start:.0f}s)", flush=True)
    model.eval()
    digits = test_y < 10
    acc_all = evaluate(model, test_x, test_y)
    acc_digits = evaluate(model, test_x[digits], test_y[digits])
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), a.onnx, input_names=["input"], output_names=["logits"],
                      opset_version=11, dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    mnist = test_src == 0
    synth_digits = (test_src == 1) & digits
    rejects = test_y == 10
    ticks = test_y == 11
    rows = [("all (digits, rejects, ticks)", torch.ones_like(digits)), ("digits only", digits),
            ("held-out MNIST digits", mnist), ("digits cut from synthetic test scans", synth_digits),
            ("rejects (separators, pieces of ticks, pairs of digits)", rejects), ("whole ticks", ticks)]
    with open(a.report, "w") as f:
        f.write("# Digit recogniser: test figures\n\n")
        f.write(f"Network {a.arch}, trained {a.epochs} epochs, seed {a.seed}, on {len(train_x)} crops (training split only).\n")
        f.write("Test crops: held-out MNIST digits (indices 800 and up) and crops cut from synthetic scans\n")
        f.write("written with them; labels of cut crops come from aligning the cut with the truth, so a\n")
        f.write("mis-cut field can carry wrong labels.\n\n")
        f.write("| test set | crops | accuracy |\n|---|---|---|\n")
        for name, mask in rows:
            if int(mask.sum()) == 0:
                continue
            f.write(f"| {name} | {int(mask.sum())} | {evaluate(model, test_x[mask], test_y[mask]):.4f} |\n")
    print(f"test accuracy: all {acc_all:.4f}, digits {acc_digits:.4f}")


if __name__ == "__main__":
    main()
