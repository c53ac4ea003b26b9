# Shared helpers for the integration tests: a temp directory per test, a vicary started and stopped by PID, assertions.
# Needs VICARY_BIN, VICARY_PLUGIN_DIR and VICARY_SOURCE_DIR in the environment (set by CTest).
set -euo pipefail

: "${VICARY_BIN:?}" "${VICARY_PLUGIN_DIR:?}" "${VICARY_SOURCE_DIR:?}"

TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/vicary-it-XXXXXX")"
VICARY_PID=""
VICARY_PORT_BOUND=""
cleanup_hooks=()  # functions that stop what support/*.sh started, run first by cleanup

cleanup() {
  local hook
  for hook in "${cleanup_hooks[@]}"; do "$hook" || true; done
  if [ -n "$VICARY_PID" ] && kill -0 "$VICARY_PID" 2>/dev/null; then
    kill -KILL "$VICARY_PID" 2>/dev/null || true
    wait "$VICARY_PID" 2>/dev/null || true
  fi
  rm -rf "$TEST_TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [ -f "$TEST_TMP/vicary.log" ]; then
    # Under load the tail is all access and information lines: show the last warnings and errors first.
    echo "--- vicary log, the last warnings and errors:" >&2
    grep -E '^[0-9T:.Z-]+ (Warning|Error|Critical|Fatal) ' "$TEST_TMP/vicary.log" | tail -n 20 >&2 || true
    echo "--- vicary log, the end:" >&2
    tail -n 40 "$TEST_TMP/vicary.log" >&2
  fi
  exit 1
}

pass() { echo "ok   $*"; }

assert_contains() {  # <text> <part> <what>
  case "$1" in
    *"$2"*) pass "$3" ;;
    *) fail "$3: expected to find '$2' in: $1" ;;
  esac
}

# set_key <file> <section> <key> <value>: sets an existing key of a section (commented out or not) in place.
set_key() {
  awk -v section="[$2]" -v key="$3" -v value="$4" '
    /^\[/ { current = $0 }
    current == section && $0 ~ "^[;#]? *" key " *=" && !done { print key " = " value; done = 1; next }
    { print }
    END { if (!done) exit 3 }' "$1" > "$1.new" || fail "set_key: no key $3 in [$2] of $1"
  mv "$1.new" "$1"
}

# add_key <file> <section> <key> <value>: adds a key right after the section's header.
add_key() {
  grep -q "^\[$2\]\$" "$1" || fail "add_key: no section [$2] in $1"
  sed -i "s|^\[$2\]\$|[$2]\n$3 = $4|" "$1"
}

# add_generic_registry <name> <upstream url> <alias>: appends a [registry.<name>] for a plain-http upstream on loopback.
add_generic_registry() {
  printf '\n[registry.%s]\nplugin = generic\nupstream = %s\nplain_http = true\naliases = %s\n' "$1" "$2" "$3" >> "$CONFIG"
}

# A config for tests in $CONFIG: the shipped etc/vicary.ini on 127.0.0.1, a free port, a temp cache, no size limits.
write_config() {
  CONFIG="$TEST_TMP/vicary.ini"
  cp "$VICARY_SOURCE_DIR/etc/vicary.ini" "$CONFIG"
  set_key "$CONFIG" server bind 127.0.0.1
  set_key "$CONFIG" server port 0
  set_key "$CONFIG" cache directory "$TEST_TMP/cache"
  # Tests must not depend on how full this machine's disk is: no free-space floor, no cap unless a test sets one.
  set_key "$CONFIG" cache min_free 0
  set_key "$CONFIG" cache max_size 0
}

# Starts vicary in the background with the given arguments and waits (10 s at most) until it logs its port.
start_vicary() {
  # Empty the log here, not in the background child: otherwise the loop below may read the previous run's port.
  : > "$TEST_TMP/vicary.log"
  "$VICARY_BIN" "$@" >> "$TEST_TMP/vicary.log" 2>&1 &
  VICARY_PID=$!
  for _ in $(seq 1 100); do
    VICARY_PORT_BOUND="$(sed -n 's/.* listening on [^ ]*:\([0-9][0-9]*\),.*/\1/p' "$TEST_TMP/vicary.log" | head -n1)"
    [ -n "$VICARY_PORT_BOUND" ] && return 0
    kill -0 "$VICARY_PID" 2>/dev/null || fail "vicary exited during start-up"
    sleep 0.1
  done
  fail "vicary did not report a listening port within 10 s"
}

# Sends $1 (TERM or INT) to vicary and waits (10 s at most) for it to exit; fails unless it exits with status 0.
stop_vicary() {
  local signal="${1:-TERM}"
  kill "-$signal" "$VICARY_PID"
  for _ in $(seq 1 100); do
    if ! kill -0 "$VICARY_PID" 2>/dev/null; then
      local status=0
      wait "$VICARY_PID" || status=$?
      VICARY_PID=""
      [ "$status" -eq 0 ] || fail "vicary exited with status $status after SIG$signal"
      return 0
    fi
    sleep 0.1
  done
  fail "vicary still running 10 s after SIG$signal"
}

# Runs vicary to completion (bounded by 20 s); sets RUN_STATUS and RUN_OUTPUT (stdout and stderr).
run_vicary() {
  RUN_STATUS=0
  RUN_OUTPUT="$(timeout 20 "$VICARY_BIN" "$@" 2>&1)" || RUN_STATUS=$?
}

base_url() { echo "http://127.0.0.1:$VICARY_PORT_BOUND"; }

# Waits (at most 10 s) until vicary runs no blob download. A client has its last byte once the digest matched; the
# commit (fsync, rename, index, eviction) follows on the download's thread, so look at the store only after this.
downloads_idle() {  # [metrics path, default /metrics]
  local running=""
  for _ in $(seq 1 100); do
    running="$(curl -sS --max-time 5 "$(base_url)${1:-/metrics}" | awk '$1 == "vicary_downloads_in_flight" {print $2}')"
    [ "$running" = 0 ] && return 0
    sleep 0.1
  done
  fail "vicary_downloads_in_flight is '$running' 10 s after the last byte"
}
