#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs each for a bounded time on a copy of
# its seed corpus, with its regression inputs read too. A crash, leak, timeout or broken invariant fails the script and
# names the reproducer. See tests/fuzz/README.md.
#   scripts/fuzz.sh                          every target, FUZZ_SECONDS each
#   FUZZ_TARGETS=route FUZZ_SECONDS=600 scripts/fuzz.sh   one target, longer
# Environment:
#   FUZZ_SECONDS    fuzzing time per target (default 30)
#   FUZZ_TARGETS    target names, space separated (default: every tests/fuzz/*_fuzz.cpp)
#   FUZZ_JOBS       targets run at once (default: the number of cores)
#   FUZZ_BUILD_DIR  clang build directory (default build/fuzz); crash reproducers land in its artifacts/<target>/
#   CI=true         compiler warnings are errors
#   FUZZ_MERGE=1    afterwards, merge what the run found into tests/fuzz/corpus/<target>/ (minimised: only inputs
#                   that add coverage), for developers; CI leaves the repository alone
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

seconds="${FUZZ_SECONDS:-30}"
build="${FUZZ_BUILD_DIR:-build/fuzz}"
jobs="${FUZZ_JOBS:-$(nproc)}"
merge="${FUZZ_MERGE:-0}"
fuzz_dir="$repo/tests/fuzz"
if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<< "$FUZZ_TARGETS"
else
  targets=()
  for source in "$fuzz_dir"/*_fuzz.cpp; do
    name="$(basename "$source")"
    targets+=("${name%_fuzz.cpp}")
  done
fi

# Longest input per target: a little over what its grammar or format can use.
max_len_of() {
  case "$1" in
    grammar) echo 512 ;;
    byte_range) echo 128 ;;
    route | challenge) echo 1024 ;;
    token_response) echo 4096 ;;
    manifest_json) echo 8192 ;;
    request_head) echo 20480 ;;  # past the longest request line, to reach the 414 refusal
    *) echo 4096 ;;
  esac
}

for tool in clang++ ninja; do
  command -v "$tool" > /dev/null || { echo "fuzz.sh: $tool not found (run scripts/install-deps.sh)" >&2; exit 1; }
done
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^VICARY_FUZZ:BOOL=ON$' "$build/CMakeCache.txt"; then
  echo "fuzz.sh: $build is not a fuzzing build (VICARY_FUZZ=ON); choose another FUZZ_BUILD_DIR" >&2
  exit 1
fi

werror=OFF
[ "${CI:-}" = "true" ] && werror=ON

start=$SECONDS
echo "== fuzz: configure and build ($build, clang)"
# -O1 with line tables: quick to build and run, and reports name the source lines.
mkdir -p "$build"
CXX=clang++ cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DVICARY_FUZZ=ON -DVICARY_BUILD_TESTS=ON -DVICARY_WERROR="$werror" > "$build/fuzz-configure.log" 2>&1 \
  || { cat "$build/fuzz-configure.log" >&2; exit 1; }
build_targets=()
for target in "${targets[@]}"; do
  [ -f "$fuzz_dir/${target}_fuzz.cpp" ] || { echo "fuzz.sh: no target '$target' in tests/fuzz" >&2; exit 1; }
  build_targets+=("vicary-fuzz-$target")
done
cmake --build "$build" -j "$(nproc)" --target "${build_targets[@]}"
echo "== fuzz: built in $((SECONDS - start)) s"

# UBSan stops at the first report either way (-fno-sanitize-recover); the stack makes the report useful.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
work="$(mktemp -d "${TMPDIR:-/tmp}/vicary-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
artifacts="$build/artifacts"

# Runs one target: a copy of its corpus is the writable corpus, regressions are read as well. Writes <target>.log and
# <target>.rc into the work directory.
run_target() {
  local target="$1"
  local corpus="$work/corpus/$target"
  local log="$work/$target.log"
  local inputs=("$corpus")
  local options=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len_of "$target")"
    -artifact_prefix="$artifacts/$target/" -print_final_stats=1)
  mkdir -p "$corpus"
  rm -rf "${artifacts:?}/$target"
  mkdir -p "$artifacts/$target"
  cp -R "$fuzz_dir/corpus/$target/." "$corpus/"
  [ -d "$fuzz_dir/regressions/$target" ] && inputs+=("$fuzz_dir/regressions/$target")
  [ -f "$fuzz_dir/dictionaries/$target.dict" ] && options+=(-dict="$fuzz_dir/dictionaries/$target.dict")
  local rc=0
  "$build/bin/vicary-fuzz-$target" "${options[@]}" "${inputs[@]}" > "$log" 2>&1 || rc=$?
  echo "$rc" > "$work/$target.rc"
}

echo "== fuzz: ${#targets[@]} targets, $seconds s each, $jobs at a time"
fuzz_start=$SECONDS
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$target" &
  running=$((running + 1))
done
wait

failed=()
for target in "${targets[@]}"; do
  log="$work/$target.log"
  rc="$(cat "$work/$target.rc" 2> /dev/null || echo 1)"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  coverage="$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -n 1)"
  if [ "$rc" = 0 ]; then
    echo "fuzz $target: ok, ${runs:-?} runs, ${coverage:-no stats}"
    if [ "$merge" = 1 ]; then
      "$build/bin/vicary-fuzz-$target" -merge=1 -max_len="$(max_len_of "$target")" \
        "$fuzz_dir/corpus/$target" "$work/corpus/$target" > "$work/$target.merge.log" 2>&1 \
        || { tail -n 20 "$work/$target.merge.log" >&2; failed+=("$target"); continue; }
      files="$(find "$fuzz_dir/corpus/$target" -type f | wc -l)"
      echo "fuzz $target: merged into tests/fuzz/corpus/$target ($files files)"
    fi
  else
    failed+=("$target")
    echo "fuzz $target: FAILED (exit $rc); the end of its log:" >&2
    tail -n 60 "$log" >&2
    cp "$log" "$artifacts/$target/fuzz.log"
    for reproducer in "$artifacts/$target"/crash-* "$artifacts/$target"/leak-* "$artifacts/$target"/timeout-* \
                      "$artifacts/$target"/oom-*; do
      [ -f "$reproducer" ] || continue
      echo "fuzz $target: reproducer $reproducer" >&2
      echo "  replay: $build/bin/vicary-fuzz-$target $reproducer" >&2
      echo "  keep as a regression: cp $reproducer tests/fuzz/regressions/$target/<what-it-broke>" >&2
    done
  fi
done
echo "== fuzz: fuzzing took $((SECONDS - fuzz_start)) s, $((SECONDS - start)) s in all"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]} (logs and reproducers in $artifacts)" >&2
  exit 1
fi
