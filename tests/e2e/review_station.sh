#!/usr/bin/env bash
# The review station's browser test: a store prepared from a generated scan (with its
# ground truth), `formscan serve` on a free port of 127.0.0.1, then headless Chromium
# through playwright-core (review_station.e2e.mjs).
#   review_station.sh BUILD_DIR SOURCE_DIR
# REVIEW_PAGES=N REVIEW_ALL=1: review every item of N pages and report the keystrokes.
set -euo pipefail
BUILD=$1
SRC=$2
FORMSCAN="$BUILD/bin/formscan"
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

STORE="sqlite:$WORK/store.sqlite"
"$FORMSCAN" synth --out "$WORK/scans" --pages "${REVIEW_PAGES:-1}" --template zj-hedui --seed 99 --digits test >/dev/null
"$FORMSCAN" run --no-progress --template zj-hedui --out "$WORK/records.jsonl" --store "$STORE" "$WORK/scans"
FORMSCAN_PASSWORD=alice-password "$FORMSCAN" users add alice --role reviewer --store "$STORE"
FORMSCAN_PASSWORD=root-password "$FORMSCAN" users add root --role admin --store "$STORE"

FORMSCAN_LOG_LEVEL=information "$FORMSCAN" serve --store "$STORE" --listen 127.0.0.1:0 --web "$SRC/web" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$WORK/serve.out" 2>/dev/null && break
  sleep 0.1
done
BASE=$(sed -n 's|.*listening on \(http://[^ ]*\)/$|\1|p' "$WORK/serve.out")
[ -n "$BASE" ] || { echo "formscan serve did not start:"; cat "$WORK/serve.err"; exit 1; }

status=0
node "$SRC/tests/e2e/review_station.e2e.mjs" "$BASE" "$WORK/scans/truth.jsonl" "$SRC/tools/npm" || status=$?
if [ $status -ne 0 ]; then echo "--- server log"; cat "$WORK/serve.err"; fi
exit $status
