#!/usr/bin/env python3
"""Trains formscan's printed-glyph recogniser and exports it to ONNX.

It reads one printed Chinese character (GB 2312, 6763 characters) from a cell's ink, cut
as the reader cuts it (`plugins/tesseract_text/glyph_reader.cpp`): binary ink cropped to
its bounds, scaled so that its longer side is 28 pixels, centred in 32x32, ink 1 on 0.

Data: every character rendered clean in every font the forms are printed in
(make_glyph_data, see train.sh). Every batch is degraded anew as a scan degrades print:
affine jitter, thinner or bolder strokes, the glyph shrunk to 15-36 pixels (150-300 dpi
scans of 9-14 pt print), blur, noise, a threshold, and now and then a sliver of the
neighbouring character. The test draws its own degradations from another seed.

    python3 train_glyphs.py GLYPHS.bin CHARS.txt OUT.onnx REPORT.md [--epochs N] [--seed S]
"""
import argparse
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SIDE = 32  # network input
FIT = 28   # the glyph's longer side inside it


def load(path):
    with open(path, "rb") as f:
        if f.read(8) != b"FSGLYPH1":
            sys.exit(f"{path}: not a formscan glyph file")
        fonts, chars, side = struct.unpack("<III", f.read(12))
        raw = np.frombuffer(f.read(fonts * chars * side * side), dtype=np.uint8)
    return torch.from_numpy(raw.reshape(fonts * chars, 1, side, side).astype(np.float32) / 255.0), fonts, chars


class GlyphNet(nn.Module):
    """Batch normalisation after every layer: without it, 6763 classes learn nothing for
    hundreds of steps."""

    def __init__(self, classes):
        super().__init__()
        def conv(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        # One convolution at full size (two cost most of the time on two cores), two at each smaller one.
        self.features = nn.Sequential(*conv(1, 32), nn.MaxPool2d(2), *conv(32, 48), *conv(48, 48), nn.MaxPool2d(2),
                                      *conv(48, 96), *conv(96, 96), nn.MaxPool2d(2))
        self.fc1 = nn.Linear(96 * 4 * 4, 384)
        self.bn = nn.BatchNorm1d(384)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(384, classes)

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        return self.fc2(self.drop(F.relu(self.bn(self.fc1(x)))))


def normalise(glyph):
    """Crop to the ink, longer side to FIT pixels, centred in SIDE x SIDE (as at run time)."""
    ys, xs = torch.nonzero(glyph[0] > 0.5, as_tuple=True)
    out = torch.zeros(1, SIDE, SIDE)
    if len(ys) == 0:
        return out
    crop = glyph[:, ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = crop.shape[1], crop.shape[2]
    scale = FIT / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    crop = F.interpolate(crop[None], size=(nh, nw), mode="bilinear", align_corners=False, antialias=scale < 1)[0]
    y0, x0 = (SIDE - nh) // 2, (SIDE - nw) // 2
    out[:, y0:y0 + nh, x0:x0 + nw] = crop
    return out


def degrade(clean, gen, strength=1.0):
    """Scan damage on clean 64x64 glyphs; returns normalised binary SIDE x SIDE inputs.
    `strength` (0-1) scales the damage: training starts on clean print and ends on the worst."""
    n = clean.shape[0]
    k = strength
    r = lambda *s: torch.rand(*s, generator=gen)
    angle = (r(n) - 0.5) * 2 * math.radians(2.5) * k
    sx = 1 + (r(n) - 0.5) * 0.2 * k
    sy = 1 + (r(n) - 0.5) * 0.2 * k
    shear = (r(n) - 0.5) * 0.15 * k
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos / sx, -sin / sx + shear, (r(n) - 0.5) * 0.1], 1),
                         torch.stack([sin / sy, cos / sy, (r(n) - 0.5) * 0.1], 1)], 1)
    x = F.grid_sample(clean, F.affine_grid(theta, clean.shape, align_corners=False), align_corners=False)
    # A sliver of the next character at either side (the cut is never exact).
    sliver = r(n) < 0.2 * k
    if sliver.any():
        other = clean[torch.randint(0, n, (int(sliver.sum()),), generator=gen)]
        width = int(6 + r(1).item() * 8)
        side = r(1).item() < 0.5
        part = other[..., -width:] if side else other[..., :width]
        target = x[sliver]
        if side:
            target[..., :width] = torch.maximum(target[..., :width], part)
        else:
            target[..., -width:] = torch.maximum(target[..., -width:], part)
        x[sliver] = target
    # Stroke weight: bolder or thinner print, toner.
    bold = r(n) < 0.15 * k
    thin = (~bold) & (r(n) < 0.15 * k)
    x = torch.where(bold[:, None, None, None], F.max_pool2d(x, 3, 1, 1), x)
    x = torch.where(thin[:, None, None, None], -F.max_pool2d(-x, 3, 1, 1), x)
    out = torch.zeros(n, 1, SIDE, SIDE)
    # In groups: each group shrunk to one size, blurred, noised and thresholded alike.
    for start in range(0, n, 32):
        g = x[start:start + 32]
        size = int(36 - r(1).item() * 21 * k)
        g = F.interpolate(g, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        sigma = r(1).item() * 0.8 * k
        if sigma > 0.2:
            taps = torch.arange(-2, 3, dtype=torch.float32)
            kernel = torch.exp(-taps * taps / (2 * sigma * sigma))
            kernel = kernel / kernel.sum()
            g = F.conv2d(F.pad(g, (2, 2, 0, 0), mode="replicate"), kernel.view(1, 1, 1, 5))
            g = F.conv2d(F.pad(g, (0, 0, 2, 2), mode="replicate"), kernel.view(1, 1, 5, 1))
        g = g + torch.randn(g.shape, generator=gen) * (r(1).item() * 0.06 * k)
        threshold = 0.45 + (r(len(g), 1, 1, 1) - 0.5) * 0.2 * k
        g = (g > threshold).float()
        for i in range(len(g)):
            out[start + i] = normalise(g[i])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("glyphs")
    ap.add_argument("chars")
    ap.add_argument("onnx")
    ap.add_argument("report")
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    clean, fonts, chars = load(args.glyphs)
    labels = torch.arange(fonts * chars) % chars
    model = GlyphNet(chars)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    steps = args.epochs * math.ceil(len(clean) / 256)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.1)
    gen = torch.Generator().manual_seed(args.seed)
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(clean), generator=gen)
        seen = right = 0
        for b in range(0, len(order), 256):
            idx = order[b:b + 256]
            step = epoch * len(order) // 256 + b // 256
            x = degrade(clean[idx], gen, min(1.0, step / (0.4 * steps)))
            y = labels[idx]
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=0.02)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            seen += len(y)
            right += int((logits.argmax(1) == y).sum())
        print(f"epoch {epoch + 1}: train accuracy {right / seen:.4f}, {time.time() - started:.0f} s", flush=True)

    # Test: every glyph once more, degraded by another seed.
    model.eval()
    test_gen = torch.Generator().manual_seed(args.seed + 1000)
    per_font = [0] * fonts
    with torch.no_grad():
        for b in range(0, len(clean), 512):
            idx = torch.arange(b, min(b + 512, len(clean)))
            pred = model(degrade(clean[idx], test_gen)).argmax(1)
            for i, ok in zip(idx.tolist(), (pred == labels[idx]).tolist()):
                per_font[i // chars] += ok
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, SIDE, SIDE), args.onnx, input_names=["glyph"], output_names=["logits"],
                      dynamic_axes={"glyph": {0: "n"}, "logits": {0: "n"}}, opset_version=11)
    total = sum(per_font) / len(clean)
    with open(args.report, "w", encoding="utf-8") as f:
        f.write("# Printed-glyph recogniser: test figures\n\n")
        f.write(f"Trained {args.epochs} epochs, seed {args.seed}, on {chars} characters (GB 2312) in {fonts} fonts, "
                f"each degraded anew every epoch ({time.time() - started:.0f} s on {args.threads} threads).\n")
        f.write("Test: every glyph degraded once more by another seed (sizes 15-36 px, blur, noise, threshold).\n\n")
        f.write("| test set | glyphs | accuracy |\n|---|---|---|\n")
        f.write(f"| all fonts | {len(clean)} | {total:.4f} |\n")
        for i in range(fonts):
            f.write(f"| font {i + 1} (train.sh's order) | {chars} | {per_font[i] / chars:.4f} |\n")
    print(f"test accuracy {total:.4f}")


if __name__ == "__main__":
    main()
