# A lying upstream for integration tests: fake_upstream.py serving an OCI layout (from build_image in seed.sh) on
# 127.0.0.1, one or more named instances, stopped by PID (at exit too). Source after lib.sh.
#
#   start_fake_upstream <name> <layout-dir> <repo> [fake_upstream.py args: --corrupt[=D,..] --truncate[=D,..]
#                       --drop-once[=D,..] --slow BYTES_PER_SEC --slow-only D,..
#                       --redirect BASE]
#                       sets FAKE_UPSTREAM_PORT, FAKE_UPSTREAM_PID, FAKE_UPSTREAM_HOST (127.0.0.1:port),
#                       FAKE_UPSTREAM_URL (http://...), FAKE_UPSTREAM_LOG (request log: "METHOD PATH RANGE|-" a line)
#                       for the instance just started; FAKE_UPSTREAM_PORTS[name], FAKE_UPSTREAM_PIDS[name] for any
#   stop_fake_upstream <name>        TERM, 10 s at most, then KILL; fails unless it exited with status 0
#   fake_upstream_requests <name> <method> <path-regex>
#                       how many requests it logged with <method> ('*' for any) whose path matches the awk extended
#                       regex (unanchored). Lines are written when a request arrives, so counts are exact at once.
#   fake_upstream_url <name>

VICARY_SUPPORT_DIR="${VICARY_SUPPORT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
# shellcheck source=hooks.sh
source "$VICARY_SUPPORT_DIR/hooks.sh"

SUPPORT_PYTHON="${SUPPORT_PYTHON:-/usr/bin/python3}"
declare -gA FAKE_UPSTREAM_PIDS=() FAKE_UPSTREAM_PORTS=()
FAKE_UPSTREAM_PORT="" FAKE_UPSTREAM_PID="" FAKE_UPSTREAM_HOST="" FAKE_UPSTREAM_URL="" FAKE_UPSTREAM_LOG=""

start_fake_upstream() {
  [ $# -ge 3 ] || fail "start_fake_upstream: usage: start_fake_upstream <name> <layout-dir> <repo> [args...]"
  local name="$1" layout="$2" repo="$3"
  shift 3
  [[ "$name" =~ ^[A-Za-z0-9_-]+$ ]] || fail "start_fake_upstream: bad instance name '$name'"
  [ -z "${FAKE_UPSTREAM_PIDS[$name]:-}" ] || fail "start_fake_upstream: instance '$name' is already running"
  local port_file="$TEST_TMP/$name.port" log="$TEST_TMP/$name-requests.log" out="$TEST_TMP/$name.out"
  rm -f "$port_file"
  : > "$log"
  "$SUPPORT_PYTHON" "$VICARY_SUPPORT_DIR/fake_upstream.py" --layout "$layout" --repo "$repo" \
    --port-file "$port_file" --log "$log" "$@" > "$out" 2>&1 &
  local pid=$!
  FAKE_UPSTREAM_PIDS[$name]="$pid"
  local port=""
  for _ in $(seq 1 100); do
    [ -s "$port_file" ] && port="$(cat "$port_file")" && break
    if ! kill -0 "$pid" 2> /dev/null; then
      wait "$pid" 2> /dev/null || true
      unset "FAKE_UPSTREAM_PIDS[$name]"
      fail "start_fake_upstream: '$name' exited during start-up: $(tail -n 5 "$out")"
    fi
    sleep 0.1
  done
  [ -n "$port" ] || fail "start_fake_upstream: '$name' did not write its port within 10 s: $(tail -n 5 "$out")"
  FAKE_UPSTREAM_PORTS[$name]="$port"
  FAKE_UPSTREAM_PORT="$port" FAKE_UPSTREAM_PID="$pid" FAKE_UPSTREAM_HOST="127.0.0.1:$port"
  FAKE_UPSTREAM_URL="http://127.0.0.1:$port" FAKE_UPSTREAM_LOG="$log"
}

stop_fake_upstream() {
  local name="$1"
  local pid="${FAKE_UPSTREAM_PIDS[$name]:-}"
  [ -n "$pid" ] || fail "stop_fake_upstream: instance '$name' is not running"
  kill -TERM "$pid" 2> /dev/null || true
  local status=""
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2> /dev/null; then
      status=0
      wait "$pid" || status=$?
      break
    fi
    sleep 0.1
  done
  unset "FAKE_UPSTREAM_PIDS[$name]"
  if [ -z "$status" ]; then
    kill_pid "$pid"
    fail "stop_fake_upstream: '$name' still running 10 s after SIGTERM"
  fi
  [ "$status" -eq 0 ] || fail "stop_fake_upstream: '$name' exited with status $status: $(tail -n 5 "$TEST_TMP/$name.out")"
}

_fake_upstream_stop_all() {
  local name
  for name in "${!FAKE_UPSTREAM_PIDS[@]}"; do
    kill_pid "${FAKE_UPSTREAM_PIDS[$name]}"
    unset "FAKE_UPSTREAM_PIDS[$name]"
  done
}
cleanup_hooks+=(_fake_upstream_stop_all)

fake_upstream_url() {
  [ -n "${FAKE_UPSTREAM_PORTS[${1:-}]:-}" ] || fail "fake upstream '${1:-}' was never started"
  echo "http://127.0.0.1:${FAKE_UPSTREAM_PORTS[$1]}"
}

fake_upstream_requests() {
  [ $# -eq 3 ] || fail "fake_upstream_requests: usage: fake_upstream_requests <name> <method> <path-regex>"
  local log="$TEST_TMP/$1-requests.log"
  [ -f "$log" ] || fail "fake upstream '$1' was never started"
  awk -v method="$2" -v re="$3" '(method == "*" || $1 == method) && $2 ~ re { n++ } END { print n + 0 }' "$log"
}
