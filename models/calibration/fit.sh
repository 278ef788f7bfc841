#!/usr/bin/env bash
# Refits the confidence calibration: synthetic scans (their own seed, never the
# evaluation's), read by the default pipeline without the calibrate stage, then
# `formscan calibrate`. Writes models/calibration/calibration.json.
#   bash models/calibration/fit.sh [PAGES=80] [SEED=31337]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${FORMSCAN_BUILD_DIR:-$(pwd)/build}
PAGES=${1:-80}
SEED=${2:-31337}
OUT=$(mktemp -d)
"$BUILD/bin/formscan" synth --out "$OUT/scans" --pages "$PAGES" --seed "$SEED" --template zj-hedui
cat > "$OUT/uncalibrated.json" <<JSON
{"pipeline": {"zj-hedui": ["deskew", "table_grid", "page_header", "marks", "digits", "tesseract_text", "normalise_cn", "cross_check", "validate_cn"]}}
JSON
"$BUILD/bin/formscan" run --template zj-hedui --threads "$(nproc)" --config "$OUT/uncalibrated.json" \
  --out "$OUT/records.jsonl" "$OUT/scans" || true
"$BUILD/bin/formscan" calibrate "$OUT/scans/truth.jsonl" "$OUT/records.jsonl" --out models/calibration/calibration.json
rm -rf "$OUT"
