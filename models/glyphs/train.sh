#!/usr/bin/env bash
# Retrains the printed-glyph recogniser: renders every GB 2312 character (chars.txt) in
# every font forms are printed in with the built make_glyph_data, trains with Debian's
# python3-torch (OpenBLAS: the reference BLAS makes the dense layers 4 times slower),
# writes models/glyphs/glyphs.onnx and REPORT.md.
#   bash models/glyphs/train.sh [EPOCHS=16] [SEED=1]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${FORMSCAN_BUILD_DIR:-$(pwd)/build}
if ! /usr/bin/python3 -c "import torch" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-numpy libopenblas0-pthread
fi
FORMSCAN_SKIP_SAMPLE=1 bash scripts/setup.sh >/dev/null
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
FONTS="Noto Sans CJK SC,Noto Sans CJK SC Bold,Noto Serif CJK SC,Noto Serif CJK SC Bold,AR PL UMing CN,AR PL UKai CN,WenQuanYi Micro Hei,Droid Sans Fallback"
"$BUILD/bin/make_glyph_data" --chars models/glyphs/chars.txt --fonts "$FONTS" --out "$OUT/glyphs.bin"
/usr/bin/python3 models/glyphs/train_glyphs.py "$OUT/glyphs.bin" models/glyphs/chars.txt models/glyphs/glyphs.onnx \
  models/glyphs/REPORT.md --epochs "${1:-16}" --seed "${2:-1}"
