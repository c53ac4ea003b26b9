# A real registry for integration tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1, one or more named
# instances, each with its own config, storage and logs in $TEST_TMP, stopped by PID (at exit too). Source after lib.sh.
#
#   start_registry [name]            starts instance <name> (default "registry"); sets REGISTRY_PORT, REGISTRY_PID,
#                                    REGISTRY_HOST (127.0.0.1:port), REGISTRY_URL (http://...), REGISTRY_LOG (its own
#                                    log, stderr), REGISTRY_ACCESS_LOG (access log, stdout), REGISTRY_DATA (storage)
#                                    for the instance just started; REGISTRY_PORTS[name], REGISTRY_PIDS[name] for any
#   stop_registry [name]             TERM, 10 s at most, then KILL
#   registry_port|registry_host|registry_url <name>
#   registry_requests <name> <method> <uri-regex>
#                                    prints how many requests the instance logged (after its last registry_mark) whose
#                                    method is <method> ('*' for any) and whose request URI (path and query, as sent)
#                                    matches the awk extended regex <uri-regex> (unanchored: use ^...$ to anchor)
#   registry_mark <name>             later registry_requests count only requests logged after this point
#   registry_dump_log <name>         prints the tail of both logs to stderr, for a failure message
#
# The access log is distribution's Apache "combined" format, one line per completed request, on stdout:
#   127.0.0.1 - - [04/Dec/2026:17:00:10 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"
# start_registry's readiness probe (GET /v2/) is logged like any other request: call registry_mark to leave it out.

VICARY_SUPPORT_DIR="${VICARY_SUPPORT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
# shellcheck source=hooks.sh
source "$VICARY_SUPPORT_DIR/hooks.sh"

REGISTRY_BIN="${REGISTRY_BIN:-/usr/bin/docker-registry}"
declare -gA REGISTRY_PIDS=() REGISTRY_PORTS=() REGISTRY_MARKS=()
REGISTRY_PORT="" REGISTRY_PID="" REGISTRY_HOST="" REGISTRY_URL="" REGISTRY_LOG="" REGISTRY_ACCESS_LOG="" REGISTRY_DATA=""

# The part of a docker-registry config every test registry shares: logs, storage, listening address.
_registry_config_head() {  # <unused> <data dir> <port>
  cat << EOF
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $2
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$3
  secret: vicary-integration-test
EOF
}

_registry_write_config() {  # <file> <data dir> <port>
  {
    _registry_config_head "$@"
    printf 'health:\n  storagedriver:\n    enabled: false\n'
  } > "$1"
}

# Waits (10 s at most) until <pid> has logged that it listens on <port> and GET /v2/ answers 200 there.
# Returns 1 as soon as the process has exited, 2 on timeout.
_registry_wait_ready() {  # <pid> <port> <log>
  for _ in $(seq 1 100); do
    kill -0 "$1" 2> /dev/null || return 1
    if grep -q "listening on 127.0.0.1:$2" "$3" 2> /dev/null &&
      [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$2/v2/" || true)" = 200 ]; then
      return 0
    fi
    sleep 0.1
  done
  return 2
}

start_registry() {
  local name="${1:-registry}"
  [[ "$name" =~ ^[A-Za-z0-9_-]+$ ]] && [ "$name" != vicary ] || fail "start_registry: bad instance name '$name'"
  [ -z "${REGISTRY_PIDS[$name]:-}" ] || fail "start_registry: instance '$name' is already running"
  [ -x "$REGISTRY_BIN" ] || fail "start_registry: $REGISTRY_BIN not found (scripts/install-deps.sh installs docker-registry)"

  local data="$TEST_TMP/$name-data" config="$TEST_TMP/$name-config.yml"
  local log="$TEST_TMP/$name.log" access="$TEST_TMP/$name-access.log"
  mkdir -p "$data"
  # REGISTRY_* variables in the environment would override the config file: run without any.
  local unset_env=() var
  for var in $(compgen -e); do
    case "$var" in REGISTRY_*) unset_env+=(-u "$var") ;; esac
  done

  local attempt port pid status
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 12000)) # below Linux's default ephemeral range (32768-60999)
    tcp_port_in_use "$port" && continue
    _registry_write_config "$config" "$data" "$port"
    env "${unset_env[@]}" "$REGISTRY_BIN" serve "$config" > "$access" 2> "$log" &
    pid=$!
    REGISTRY_PIDS[$name]="$pid"
    status=0
    _registry_wait_ready "$pid" "$port" "$log" || status=$?
    if [ "$status" -eq 0 ]; then
      REGISTRY_PORTS[$name]="$port"
      REGISTRY_MARKS[$name]=0
      REGISTRY_PORT="$port" REGISTRY_PID="$pid" REGISTRY_HOST="127.0.0.1:$port" REGISTRY_URL="http://127.0.0.1:$port"
      REGISTRY_LOG="$log" REGISTRY_ACCESS_LOG="$access" REGISTRY_DATA="$data"
      return 0
    fi
    if [ "$status" -eq 2 ]; then
      registry_dump_log "$name"
      kill_pid "$pid"
      unset "REGISTRY_PIDS[$name]"
      fail "start_registry: '$name' did not answer GET /v2/ on 127.0.0.1:$port within 10 s"
    fi
    wait "$pid" 2> /dev/null || true
    unset "REGISTRY_PIDS[$name]"
    if grep -q "address already in use" "$log"; then
      continue # lost a race for the port: try another
    fi
    registry_dump_log "$name"
    fail "start_registry: '$name' exited during start-up (config $config)"
  done
  fail "start_registry: no free port for '$name' after 20 tries"
}

stop_registry() {
  local name="${1:-registry}"
  local pid="${REGISTRY_PIDS[$name]:-}"
  [ -n "$pid" ] || fail "stop_registry: instance '$name' is not running"
  stop_pid "$pid" "registry '$name'"
  unset "REGISTRY_PIDS[$name]"
}

_registry_stop_all() {
  local name
  for name in "${!REGISTRY_PIDS[@]}"; do
    kill_pid "${REGISTRY_PIDS[$name]}"
    unset "REGISTRY_PIDS[$name]"
  done
}
cleanup_hooks+=(_registry_stop_all)

_registry_known() {
  [ -n "${REGISTRY_PORTS[${1:-}]:-}" ] || fail "registry '${1:-}' was never started"
}
registry_port() { _registry_known "$1"; echo "${REGISTRY_PORTS[$1]}"; }
registry_host() { _registry_known "$1"; echo "127.0.0.1:${REGISTRY_PORTS[$1]}"; }
registry_url() { _registry_known "$1"; echo "http://127.0.0.1:${REGISTRY_PORTS[$1]}"; }

_registry_access_lines() {  # <name>: lines in the access log now
  local access="$TEST_TMP/$1-access.log"
  [ -f "$access" ] || { echo 0; return; }
  wc -l < "$access"
}

_registry_count() {  # <name> <method> <regex>
  awk -v method="$2" -v re="$3" -v skip="${REGISTRY_MARKS[$1]:-0}" '
    NR > skip && match($0, /"[A-Z]+ [^ ]+ HTTP\/[0-9.]+"/) {
      split(substr($0, RSTART + 1, RLENGTH - 2), request, " ")
      if ((method == "*" || request[1] == method) && request[2] ~ re) n++
    }
    END { print n + 0 }' "$TEST_TMP/$1-access.log"
}

# distribution writes the access-log line just after the response, so a client can finish first: read the count
# until it has not changed for 0.2 s (2 s at most).
registry_requests() {
  [ $# -eq 3 ] || fail "registry_requests: usage: registry_requests <name> <method> <uri-regex>"
  _registry_known "$1"
  local before after
  before="$(_registry_count "$@")"
  for _ in $(seq 1 10); do
    sleep 0.2
    after="$(_registry_count "$@")"
    [ "$after" = "$before" ] && break
    before="$after"
  done
  echo "$after"
}

registry_mark() {
  _registry_known "$1"
  sleep 0.2 # let lines of requests that just finished land first (see registry_requests)
  REGISTRY_MARKS[$1]="$(_registry_access_lines "$1")"
}

registry_dump_log() {
  local name="$1"
  echo "--- registry '$name' log ($TEST_TMP/$name.log):" >&2
  tail -n 30 "$TEST_TMP/$name.log" >&2 2> /dev/null || true
  echo "--- registry '$name' access log:" >&2
  tail -n 20 "$TEST_TMP/$name-access.log" >&2 2> /dev/null || true
}
