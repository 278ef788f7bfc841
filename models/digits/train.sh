#!/usr/bin/env bash
# Retrains the digit recogniser, an ensemble of two networks the `digits` stage averages:
# makes the data with the built tools, trains with Debian's python3-torch, writes
# models/digits/digits.onnx (the wide network, seed 1, 16 epochs) with REPORT.md, and
# digits_s2.onnx (the small network, seed 2, 10 epochs) with REPORT_s2.md.
#   bash models/digits/train.sh [PAGES_TRAIN] [PAGES_TEST] [EPOCHS] [EPOCHS_S2]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${FORMSCAN_BUILD_DIR:-$(pwd)/build}
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-numpy
fi
FORMSCAN_SKIP_SAMPLE=1 bash scripts/setup.sh >/dev/null
OUT=$(mktemp -d)
export OMP_THREAD_LIMIT=1
"$BUILD/bin/make_digit_data" --split train --pages "${1:-150}" --seed 1 --out "$OUT/train.bin"
"$BUILD/bin/make_digit_data" --split test --pages "${2:-40}" --seed 2 --out "$OUT/test.bin"
# Training uses every core (OMP_THREAD_LIMIT=1 above is for Tesseract in the data step).
train() {  # SEED EPOCHS MODEL REPORT ARCH
  env -u OMP_THREAD_LIMIT /usr/bin/python3 models/digits/train_digits.py "$OUT/train.bin" "$OUT/test.bin" \
    "models/digits/$3" "models/digits/$4" --seed "$1" --epochs "$2" --threads "$(nproc)" --arch "$5"
}
train 1 "${3:-16}" digits.onnx REPORT.md wide
train 2 "${4:-10}" digits_s2.onnx REPORT_s2.md small
# The ensemble on the same test crops.
"$BUILD/bin/formscan-bench" digits --data "$OUT/test.bin" --runs 1 \
  --model models/digits/digits.onnx,models/digits/digits_s2.onnx | tee models/digits/REPORT_ensemble.txt
rm -rf "$OUT"
