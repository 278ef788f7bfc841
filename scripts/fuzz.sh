#!/usr/bin/env bash
# Builds the libFuzzer target with clang and the sanitizers, and runs it for a bounded
# time over tests/fuzz/corpus (new inputs it finds go to build-fuzz/corpus, crashes to
# build-fuzz/crashes; a crash fixed becomes a file in tests/fuzz/regressions).
#   FUZZ_RUNS (default 20000 inputs, with a fixed seed, so that a run is repeatable)
#   FUZZ_SECONDS (default 300: an upper bound on the time)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${FORMSCAN_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECONDS_TO_RUN=${FUZZ_SECONDS:-300}
RUNS=${FUZZ_RUNS:-20000}
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFORMSCAN_FUZZ=ON >/dev/null
cmake --build "$BUILD" -j"${JOBS:-$(nproc)}" --target fuzz_decode fuzz_registry_request
mkdir -p "$BUILD/corpus" "$BUILD/crashes"
export FORMSCAN_PLUGIN_DIR="$BUILD/plugins" FORMSCAN_TEMPLATES_DIR="$ROOT/templates"
# Poco, OpenCV and glib keep caches for the process's life: not leaks of ours.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
echo "fuzzing decoding and preparation: $RUNS inputs, at most ${SECONDS_TO_RUN}s"
"$BUILD/tests/fuzz/fuzz_decode" -seed=1 -runs="$RUNS" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=4096 -timeout=20 \
  -artifact_prefix="$BUILD/crashes/" "$BUILD/corpus" "$ROOT/tests/fuzz/corpus" "$ROOT/tests/fuzz/regressions"
echo "fuzzing the registry's request parsing: $RUNS inputs"
mkdir -p "$BUILD/corpus_registry"
"$BUILD/tests/fuzz/fuzz_registry_request" -seed=1 -runs="$RUNS" -max_total_time="$SECONDS_TO_RUN" -max_len=16384 -rss_limit_mb=4096 -timeout=20 \
  -artifact_prefix="$BUILD/crashes/" "$BUILD/corpus_registry" "$ROOT/tests/fuzz/corpus_registry"
