#!/usr/bin/env bash
# Refits the confidence calibration of both forms: synthetic scans (their own seeds,
# never the evaluation's), read by each form's pipeline without the calibrate stage,
# then `formscan calibrate`. Writes models/calibration/calibration.json (the 核对表's,
# and the tables of any form without its own) and models/calibration/zj-dengji.json.
#   bash models/calibration/fit.sh [PAGES=600] [SEED=31337] [SHEETS=150]
# PAGES or SHEETS 0: that form's tables are left as they are.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${FORMSCAN_BUILD_DIR:-$(pwd)/build}
PAGES=${1:-600}
SEED=${2:-31337}
SHEETS=${3:-150}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# fit FORM COUNT SEED TABLES: the form's default pipeline without `calibrate`.
fit() {
  local form=$1 count=$2 seed=$3 tables=$4
  "$BUILD/bin/formscan" synth --out "$OUT/$form" --pages "$count" --seed "$seed" --template "$form"
  python3 - "$form" > "$OUT/$form.json" <<'PY'
import json, sys
form = sys.argv[1]
stages = json.load(open(f"templates/{form}.json", encoding="utf-8"))["pipeline"]
print(json.dumps({"pipeline": {form: [s for s in stages if s != "calibrate"]}}))
PY
  "$BUILD/bin/formscan" run --template "$form" --threads "$(nproc)" --config "$OUT/$form.json" \
    --out "$OUT/$form.jsonl" "$OUT/$form" || true
  "$BUILD/bin/formscan" calibrate "$OUT/$form/truth.jsonl" "$OUT/$form.jsonl" --out "$tables"
}
if [ "$PAGES" -gt 0 ]; then fit zj-hedui "$PAGES" "$SEED" models/calibration/calibration.json; fi
if [ "$SHEETS" -gt 0 ]; then fit zj-dengji "$SHEETS" $((SEED + 1)) models/calibration/zj-dengji.json; fi
