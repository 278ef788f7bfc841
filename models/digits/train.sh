#!/usr/bin/env bash
# Retrains the digit recogniser: makes the data with the built tools, trains with
# Debian's python3-torch, writes models/digits/digits.onnx and REPORT.md.
#   bash models/digits/train.sh [PAGES_TRAIN] [PAGES_TEST] [EPOCHS]
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
env -u OMP_THREAD_LIMIT /usr/bin/python3 models/digits/train_digits.py "$OUT/train.bin" "$OUT/test.bin" \
  models/digits/digits.onnx models/digits/REPORT.md --epochs "${3:-14}" --threads "$(nproc)"
rm -rf "$OUT"
