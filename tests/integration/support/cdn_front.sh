# Docker Hub's CDN in front of a token registry from auth_registry.sh: cdn_front.py proxies the registry on its own
# HTTPS port and redirects blob GETs (307) to signed URLs on a second HTTPS port, the "CDN", which refuses requests
# that carry an Authorization header. Stopped by PID (at exit too). Source after lib.sh and auth_registry.sh.
#
#   start_cdn_front <registry-name>
#       sets, for the front just started:
#         CDN_FRONT_PID
#         CDN_FRONT_PORT CDN_FRONT_HOST (127.0.0.1:port) CDN_FRONT_URL (https://...)   point clients here
#         CDN_PORT CDN_URL (https://127.0.0.1:port)                                    where blobs are redirected
#         CDN_FRONT_LOG CDN_LOG                                                        the two request logs
#       Both use a certificate from the test CA (TEST_CA_FILE, TEST_CA_DIR). Token requests still go straight to
#       the registry's token server (the realm in its challenge), as with Docker Hub.
#   stop_cdn_front <registry-name>   TERM, 10 s at most, then KILL; fails unless it exited with status 0
#   cdn_front_requests <registry-name> <method> <path-regex> [yes|no|*]
#   cdn_requests <registry-name> <method> <path-regex> [yes|no|*]
#       how many requests the front / the CDN logged with <method> ('*' for any) whose path and query match the awk
#       extended regex (unanchored), with an Authorization header (yes), without (no) or either (*, the default).
#       Exact at once: both log before they answer.
#
# Log lines (cdn_front.py): "METHOD PATH?QUERY AUTH STATUS", AUTH yes|no, STATUS what that server answered, e.g.
#   front: GET /v2/lib/a/blobs/sha256:0f.. yes 307
#   CDN:   GET /blobs/sha256:0f..?expires=1767225600&sig=q%2Bk..%3D no 200

VICARY_SUPPORT_DIR="${VICARY_SUPPORT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
# shellcheck source=auth_registry.sh
declare -f start_token_registry > /dev/null || source "$VICARY_SUPPORT_DIR/auth_registry.sh"

declare -gA CDN_FRONT_PIDS=()
CDN_FRONT_PID="" CDN_FRONT_PORT="" CDN_FRONT_HOST="" CDN_FRONT_URL="" CDN_PORT="" CDN_URL="" CDN_FRONT_LOG="" CDN_LOG=""

start_cdn_front() {
  [ $# -eq 1 ] || fail "start_cdn_front: usage: start_cdn_front <registry-name>"
  local name="$1"
  [ "${AUTH_REGISTRY_SCHEMES[$name]:-}" = https ] || fail "start_cdn_front: '$name' is not an https auth registry"
  [ -z "${CDN_FRONT_PIDS[$name]:-}" ] || fail "start_cdn_front: a front for '$name' is already running"
  make_server_cert "$name-cdn"
  local port_file="$TEST_TMP/$name-cdn.port" out="$TEST_TMP/$name-cdn.out"
  local front_log="$TEST_TMP/$name-front-requests.log" cdn_log="$TEST_TMP/$name-cdn-requests.log"
  rm -f "$port_file"
  : > "$front_log"
  : > "$cdn_log"
  "$SUPPORT_PYTHON" "$VICARY_SUPPORT_DIR/cdn_front.py" --upstream "$(auth_registry_url "$name")" \
    --ca "$TEST_CA_FILE" --storage "$TEST_TMP/$name-data" --tls-cert "$SERVER_CERT_FILE" --tls-key "$SERVER_KEY_FILE" \
    --port-file "$port_file" --front-log "$front_log" --cdn-log "$cdn_log" > "$out" 2>&1 &
  local pid=$! ports=""
  CDN_FRONT_PIDS[$name]="$pid"
  for _ in $(seq 1 100); do
    [ -s "$port_file" ] && ports="$(cat "$port_file")" && break
    if ! kill -0 "$pid" 2> /dev/null; then
      wait "$pid" 2> /dev/null || true
      unset "CDN_FRONT_PIDS[$name]"
      fail "start_cdn_front: the front of '$name' exited during start-up: $(tail -n 5 "$out")"
    fi
    sleep 0.1
  done
  [ -n "$ports" ] || fail "start_cdn_front: the front of '$name' wrote no ports within 10 s"
  read -r CDN_FRONT_PORT CDN_PORT <<< "$ports"
  CDN_FRONT_PID="$pid" CDN_FRONT_HOST="127.0.0.1:$CDN_FRONT_PORT" CDN_FRONT_URL="https://127.0.0.1:$CDN_FRONT_PORT"
  CDN_URL="https://127.0.0.1:$CDN_PORT" CDN_FRONT_LOG="$front_log" CDN_LOG="$cdn_log"
}

stop_cdn_front() {
  local name="$1"
  local pid="${CDN_FRONT_PIDS[$name]:-}"
  [ -n "$pid" ] || fail "stop_cdn_front: no front for '$name' is running"
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
  unset "CDN_FRONT_PIDS[$name]"
  if [ -z "$status" ]; then
    kill_pid "$pid"
    fail "stop_cdn_front: the front of '$name' still running 10 s after SIGTERM"
  fi
  [ "$status" -eq 0 ] || fail "stop_cdn_front: the front of '$name' exited with status $status: $(tail -n 5 \
    "$TEST_TMP/$name-cdn.out")"
}

_cdn_front_stop_all() {
  local name
  for name in "${!CDN_FRONT_PIDS[@]}"; do
    kill_pid "${CDN_FRONT_PIDS[$name]}"
    unset "CDN_FRONT_PIDS[$name]"
  done
}
cleanup_hooks+=(_cdn_front_stop_all)

_cdn_count() {  # <log> <method> <regex> <auth>
  [ -f "$1" ] || fail "no CDN front was started (no $1)"
  awk -v method="$2" -v re="$3" -v auth="$4" '
    (method == "*" || $1 == method) && $2 ~ re && (auth == "*" || $3 == auth) { n++ }
    END { print n + 0 }' "$1"
}

cdn_front_requests() {
  [ $# -ge 3 ] || fail "cdn_front_requests: usage: cdn_front_requests <registry-name> <method> <regex> [yes|no|*]"
  _cdn_count "$TEST_TMP/$1-front-requests.log" "$2" "$3" "${4:-*}"
}

cdn_requests() {
  [ $# -ge 3 ] || fail "cdn_requests: usage: cdn_requests <registry-name> <method> <regex> [yes|no|*]"
  _cdn_count "$TEST_TMP/$1-cdn-requests.log" "$2" "$3" "${4:-*}"
}
