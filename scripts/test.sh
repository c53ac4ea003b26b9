#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test (ctest) twice: a release build, and a debug build with
# AddressSanitizer and UndefinedBehaviorSanitizer (both replay the fuzz corpora and run the load test); then fuzzes
# each libFuzzer target for FUZZ_SECONDS (default 30) with clang (scripts/fuzz.sh). With CI=true, compiler warnings
# are errors.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
prefix=""
[ "${CI:-}" = "true" ] && prefix="ci-"
jobs="$(nproc)"

for preset in release asan; do
  echo "== ${prefix}${preset}: configure, build, test"
  cmake --preset "${prefix}${preset}"
  cmake --build --preset "${prefix}${preset}" -j "$jobs"
  ctest --preset "${prefix}${preset}" -j "$jobs"
done

echo "== fuzz: clang + libFuzzer, ${FUZZ_SECONDS:-30} s a target"
bash scripts/fuzz.sh
