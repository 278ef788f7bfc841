#!/usr/bin/env bash
# The second command of the README, and what CI runs: installs and builds as
# scripts/setup.sh does (without the sample run), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export FORMSCAN_SKIP_SAMPLE=1
bash scripts/setup.sh
BUILD=${FORMSCAN_BUILD_DIR:-$(pwd)/build}
cd "$BUILD"
# Tesseract's OpenMP threads only spin on a 2-core machine: one per process.
export OMP_THREAD_LIMIT=1
ctest --output-on-failure -j"${JOBS:-$(nproc)}" --timeout 900
cd - >/dev/null
# The decoder's fuzz target, for a bounded, repeatable number of inputs.
bash scripts/fuzz.sh
