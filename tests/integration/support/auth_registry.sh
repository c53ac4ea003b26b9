# Registries that guard pulls like Docker Hub does: Debian's docker-registry (distribution 2.8) over HTTPS with
# token auth and a token server like auth.docker.io (token_server.py), or with htpasswd (Basic) auth. Named
# instances, stopped by PID (at exit too). Source after lib.sh; sources registry.sh, seed.sh and tls.sh if needed.
#
#   start_token_registry <name> [--public REPO]... [--user NAME:PASSWORD]... [--expires-in SECONDS]
#                        [--token-field token|access_token|both] [--service S]
#       The token server (HTTPS, certificate from the test CA) and the registry (HTTPS, 127.0.0.1, auth: token with
#       realm, service, issuer and the token signing certificate as rootcertbundle). Anonymous users may pull the
#       --public repositories; each --user may pull and push every repository. Sets, for the instance just started:
#         REGISTRY_PORT REGISTRY_PID REGISTRY_HOST (127.0.0.1:port) REGISTRY_URL (https://...) REGISTRY_LOG
#         REGISTRY_ACCESS_LOG REGISTRY_DATA      as start_registry does (registry.sh), and
#         TOKEN_SERVER_PID TOKEN_SERVER_PORT TOKEN_REALM (https://127.0.0.1:port/token) TOKEN_SERVICE
#         TOKEN_ISSUER TOKEN_SERVER_LOG          the token server's
#       TEST_CA_FILE/TEST_CA_DIR (tls.sh) name the CA that clients must trust for both. The instance joins
#       registry.sh's tables, so registry_requests, registry_mark, registry_host, registry_port, registry_dump_log
#       work for it (registry_url does not: it says http; use auth_registry_url).
#   start_htpasswd_registry <name> [--tls] NAME:PASSWORD...
#       A registry with auth: htpasswd (bcrypt file from htpasswd -B), realm "vicary-test". Plain http unless --tls
#       (then https with a certificate from the test CA). Sets the same REGISTRY_* variables.
#   stop_auth_registry <name>        stops the registry and its token server (TERM, 10 s at most, then KILL)
#   auth_registry_url <name>         http(s)://127.0.0.1:port
#   auth_registry_creds <name>       the first user's NAME:PASSWORD (empty if none)
#   fetch_token <name> <scope|-> [NAME:PASSWORD]
#                                    asks the token server (curl, the test CA trusted) for a token for one scope
#                                    (or none), anonymously or as that user; prints the token, fails on non-200
#   token_requests <name> <who> <scope-regex>
#                                    how many token requests (after the last token_mark) came from <who> ('-' for
#                                    anonymous, the Basic user name whether or not the password was right, '?' for
#                                    another scheme or unreadable credentials, '*' for any) with a scope
#                                    matching the awk extended regex (unanchored; '.' also counts requests
#                                    without a scope, whose scope column is '-'). Exact at once: the server logs
#                                    before it answers.
#   token_mark <name>                later token_requests count only requests after this point
#   seed_auth_image <name> <repo> <tag> [make_image.py args...]
#       build_image, then skopeo copy to the registry as its first user (https: trusting the test CA via
#       --dest-cert-dir; http: --dest-tls-verify=false); sets SEED_LAYOUT, SEED_SUMMARY, SEED_DIGEST like seed_image
#
# Token server log: one line per request, "METHOD PATH?QUERY WHO STATUS SCOPE..." (see token_server.py), e.g.
#   GET /token?scope=repository%3Alib%2Fa%3Apull&service=reg.registry.test alice 200 repository:lib/a:pull

VICARY_SUPPORT_DIR="${VICARY_SUPPORT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
# shellcheck source=hooks.sh
source "$VICARY_SUPPORT_DIR/hooks.sh"
# shellcheck source=registry.sh
declare -f start_registry > /dev/null || source "$VICARY_SUPPORT_DIR/registry.sh"
# shellcheck source=seed.sh
declare -f build_image > /dev/null || source "$VICARY_SUPPORT_DIR/seed.sh"
# shellcheck source=tls.sh
declare -f make_test_ca > /dev/null || source "$VICARY_SUPPORT_DIR/tls.sh"

SUPPORT_PYTHON="${SUPPORT_PYTHON:-/usr/bin/python3}"
declare -gA TOKEN_SERVER_PIDS=() TOKEN_SERVER_PORTS=() TOKEN_SERVICES=() TOKEN_MARKS=()
declare -gA AUTH_REGISTRY_SCHEMES=() AUTH_REGISTRY_CREDS=()
TOKEN_SERVER_PID="" TOKEN_SERVER_PORT="" TOKEN_REALM="" TOKEN_SERVICE="" TOKEN_ISSUER="" TOKEN_SERVER_LOG=""

_auth_check_name() {  # <function> <name>
  [[ "$2" =~ ^[A-Za-z0-9_-]+$ ]] && [ "$2" != vicary ] || fail "$1: bad instance name '$2'"
  [ -z "${REGISTRY_PIDS[$2]:-}" ] || fail "$1: instance '$2' is already running"
}

# Starts token_server.py for <name>; sets the TOKEN_* variables.
_token_server_start() {  # <name> <service> <token_server.py args...>
  local name="$1" service="$2"
  shift 2
  local port_file="$TEST_TMP/$name-token.port" log="$TEST_TMP/$name-token.log" out="$TEST_TMP/$name-token.out"
  local issuer="vicary-test-issuer-$name"
  make_server_cert "$name-token"
  local tls_cert="$SERVER_CERT_FILE" tls_key="$SERVER_KEY_FILE"
  make_signing_cert "$name"
  rm -f "$port_file"
  : > "$log"
  "$SUPPORT_PYTHON" "$VICARY_SUPPORT_DIR/token_server.py" --service "$service" --issuer "$issuer" \
    --signing-key "$SIGNING_KEY_FILE" --signing-cert "$SIGNING_CERT_FILE" --tls-cert "$tls_cert" --tls-key "$tls_key" \
    --port-file "$port_file" --log "$log" "$@" > "$out" 2>&1 &
  local pid=$! port=""
  TOKEN_SERVER_PIDS[$name]="$pid"
  for _ in $(seq 1 100); do
    [ -s "$port_file" ] && port="$(cat "$port_file")" && break
    if ! kill -0 "$pid" 2> /dev/null; then
      wait "$pid" 2> /dev/null || true
      unset "TOKEN_SERVER_PIDS[$name]"
      fail "start_token_registry: the token server of '$name' exited during start-up: $(tail -n 5 "$out")"
    fi
    sleep 0.1
  done
  [ -n "$port" ] || fail "start_token_registry: the token server of '$name' wrote no port within 10 s"
  TOKEN_MARKS[$name]=0 TOKEN_SERVER_PORTS[$name]="$port" TOKEN_SERVICES[$name]="$service"
  TOKEN_SERVER_PID="$pid" TOKEN_SERVER_PORT="$port" TOKEN_REALM="https://127.0.0.1:$port/token"
  TOKEN_SERVICE="$service" TOKEN_ISSUER="$issuer" TOKEN_SERVER_LOG="$log"
}

_auth_registry_write_config() {  # <file> <data dir> <port> <scheme> <name> <auth yaml, indented 2>
  {
    _registry_config_head "$@"
    if [ "$4" = https ]; then
      printf '  tls:\n    certificate: %s\n    key: %s\n' "$TEST_TMP/tls/$5.crt" "$TEST_TMP/tls/$5.key"
    fi
    printf 'auth:\n%s\n' "$6"
    printf 'health:\n  storagedriver:\n    enabled: false\n'
  } > "$1"
}

# Waits (10 s at most) until <pid> logs that it listens on <port> and GET /v2/ answers 401 with a challenge.
# Returns 1 as soon as the process has exited, 2 on timeout.
_auth_registry_wait_ready() {  # <pid> <port> <log> <scheme>
  local ca=()
  [ "$4" = http ] || ca=(--cacert "$TEST_CA_FILE")
  for _ in $(seq 1 100); do
    kill -0 "$1" 2> /dev/null || return 1
    if grep -q "listening on 127.0.0.1:$2" "$3" 2> /dev/null &&
      curl -s -o /dev/null -D - --max-time 2 "${ca[@]}" "$4://127.0.0.1:$2/v2/" 2> /dev/null |
      tr -d '\r' | grep -qi '^www-authenticate: '; then
      return 0
    fi
    sleep 0.1
  done
  return 2
}

_auth_registry_start() {  # <function> <name> <scheme> <auth yaml>
  local what="$1" name="$2" scheme="$3" auth="$4"
  [ -x "$REGISTRY_BIN" ] || fail "$what: $REGISTRY_BIN not found (scripts/install-deps.sh installs docker-registry)"
  [ "$scheme" = http ] || make_server_cert "$name"
  local data="$TEST_TMP/$name-data" config="$TEST_TMP/$name-config.yml"
  local log="$TEST_TMP/$name.log" access="$TEST_TMP/$name-access.log"
  mkdir -p "$data"
  local unset_env=() var
  for var in $(compgen -e); do
    case "$var" in REGISTRY_*) unset_env+=(-u "$var") ;; esac
  done
  local port pid status
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 12000)) # below Linux's default ephemeral range (32768-60999), like start_registry
    tcp_port_in_use "$port" && continue
    _auth_registry_write_config "$config" "$data" "$port" "$scheme" "$name" "$auth"
    env "${unset_env[@]}" "$REGISTRY_BIN" serve "$config" > "$access" 2> "$log" &
    pid=$!
    REGISTRY_PIDS[$name]="$pid"
    status=0
    _auth_registry_wait_ready "$pid" "$port" "$log" "$scheme" || status=$?
    if [ "$status" -eq 0 ]; then
      REGISTRY_PORTS[$name]="$port"
      REGISTRY_MARKS[$name]=0
      AUTH_REGISTRY_SCHEMES[$name]="$scheme"
      REGISTRY_PORT="$port" REGISTRY_PID="$pid" REGISTRY_HOST="127.0.0.1:$port" REGISTRY_URL="$scheme://127.0.0.1:$port"
      REGISTRY_LOG="$log" REGISTRY_ACCESS_LOG="$access" REGISTRY_DATA="$data"
      return 0
    fi
    if [ "$status" -eq 2 ]; then
      registry_dump_log "$name"
      kill_pid "$pid"
      unset "REGISTRY_PIDS[$name]"
      fail "$what: '$name' did not answer GET /v2/ with a challenge on 127.0.0.1:$port within 10 s"
    fi
    wait "$pid" 2> /dev/null || true
    unset "REGISTRY_PIDS[$name]"
    grep -q "address already in use" "$log" && continue # lost a race for the port: try another
    registry_dump_log "$name"
    fail "$what: '$name' exited during start-up (config $config)"
  done
  fail "$what: no free port for '$name' after 20 tries"
}

start_token_registry() {
  [ $# -ge 1 ] || fail "start_token_registry: usage: start_token_registry <name> [--public REPO] [--user U:P] ..."
  local name="$1"
  shift
  _auth_check_name start_token_registry "$name"
  local service="$name.registry.test" args=() creds=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --public | --expires-in | --token-field)
        [ $# -ge 2 ] || fail "start_token_registry: $1 needs a value"
        args+=("$1" "$2")
        shift 2
        ;;
      --user)
        [ $# -ge 2 ] && [[ "$2" == ?*:* ]] || fail "start_token_registry: --user needs NAME:PASSWORD"
        args+=("$1" "$2")
        [ -n "$creds" ] || creds="$2"
        shift 2
        ;;
      --service)
        [ $# -ge 2 ] || fail "start_token_registry: --service needs a value"
        service="$2"
        shift 2
        ;;
      *) fail "start_token_registry: unknown argument '$1'" ;;
    esac
  done
  _token_server_start "$name" "$service" "${args[@]}"
  AUTH_REGISTRY_CREDS[$name]="$creds"
  _auth_registry_start start_token_registry "$name" https "  token:
    realm: $TOKEN_REALM
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $SIGNING_CERT_FILE"
}

start_htpasswd_registry() {
  [ $# -ge 2 ] || fail "start_htpasswd_registry: usage: start_htpasswd_registry <name> [--tls] NAME:PASSWORD..."
  local name="$1" scheme=http
  shift
  _auth_check_name start_htpasswd_registry "$name"
  if [ "$1" = --tls ]; then
    scheme=https
    shift
  fi
  [ $# -ge 1 ] || fail "start_htpasswd_registry: no NAME:PASSWORD given"
  command -v htpasswd > /dev/null || fail "start_htpasswd_registry: htpasswd not found (apache2-utils)"
  local file="$TEST_TMP/$name.htpasswd" entry create=-c out
  for entry in "$@"; do
    [[ "$entry" == ?*:* ]] || fail "start_htpasswd_registry: '$entry' is not NAME:PASSWORD"
    out="$(htpasswd -B -C 5 -b $create "$file" "${entry%%:*}" "${entry#*:}" 2>&1)" ||
      fail "start_htpasswd_registry: htpasswd failed: $out"
    create=""
  done
  AUTH_REGISTRY_CREDS[$name]="$1"
  _auth_registry_start start_htpasswd_registry "$name" "$scheme" "  htpasswd:
    realm: vicary-test
    path: $file"
}

stop_auth_registry() {
  local name="$1"
  [ -n "${REGISTRY_PIDS[$name]:-}" ] || fail "stop_auth_registry: instance '$name' is not running"
  stop_registry "$name"
  if [ -n "${TOKEN_SERVER_PIDS[$name]:-}" ]; then
    stop_pid "${TOKEN_SERVER_PIDS[$name]}" "token server '$name'"
    unset "TOKEN_SERVER_PIDS[$name]"
  fi
}

_token_server_stop_all() {
  local name
  for name in "${!TOKEN_SERVER_PIDS[@]}"; do
    kill_pid "${TOKEN_SERVER_PIDS[$name]}"
    unset "TOKEN_SERVER_PIDS[$name]"
  done
}
cleanup_hooks+=(_token_server_stop_all)

auth_registry_url() {
  [ -n "${AUTH_REGISTRY_SCHEMES[${1:-}]:-}" ] || fail "auth registry '${1:-}' was never started"
  echo "${AUTH_REGISTRY_SCHEMES[$1]}://127.0.0.1:${REGISTRY_PORTS[$1]}"
}

auth_registry_creds() {
  [ -n "${AUTH_REGISTRY_SCHEMES[${1:-}]:-}" ] || fail "auth registry '${1:-}' was never started"
  echo "${AUTH_REGISTRY_CREDS[$1]}"
}

_token_known() {
  [ -n "${TOKEN_SERVER_PORTS[${1:-}]:-}" ] || fail "no token server was started for '${1:-}'"
}

fetch_token() {
  [ $# -ge 2 ] || fail "fetch_token: usage: fetch_token <name> <scope|-> [NAME:PASSWORD]"
  _token_known "$1"
  local name="$1" scope="$2" user=() query out status
  [ $# -lt 3 ] || user=(-u "$3")
  query=(--data-urlencode "service=${TOKEN_SERVICES[$name]}")
  [ "$scope" = - ] || query+=(--data-urlencode "scope=$scope")
  out="$TEST_TMP/$name-token.answer"
  status="$(curl -sS -G -o "$out" -w '%{http_code}' --max-time 10 --cacert "$TEST_CA_FILE" "${user[@]}" \
    "${query[@]}" "https://127.0.0.1:${TOKEN_SERVER_PORTS[$name]}/token")" ||
    fail "fetch_token: curl to the token server of '$name' failed"
  [ "$status" = 200 ] || fail "fetch_token: the token server of '$name' answered $status: $(cat "$out")"
  "$SUPPORT_PYTHON" -c 'import json, sys
answer = json.load(open(sys.argv[1]))
print(answer.get("token") or answer["access_token"])' "$out"
}

_token_lines() {  # <name>: lines in the token log now
  wc -l < "$TEST_TMP/$1-token.log"
}

token_requests() {
  [ $# -eq 3 ] || fail "token_requests: usage: token_requests <name> <who> <scope-regex>"
  _token_known "$1"
  awk -v who="$2" -v re="$3" -v skip="${TOKEN_MARKS[$1]:-0}" '
    NR > skip && (who == "*" || $3 == who) {
      for (i = 5; i <= NF; i++) if ($i ~ re) { n++; break }
    }
    END { print n + 0 }' "$TEST_TMP/$1-token.log"
}

token_mark() {
  _token_known "$1"
  TOKEN_MARKS[$1]="$(_token_lines "$1")"
}

seed_auth_image() {
  [ $# -ge 3 ] || fail "seed_auth_image: usage: seed_auth_image <name> <repo> <tag> [make_image.py args...]"
  local registry="$1" repo="$2" tag="$3"
  shift 3
  local url creds host
  url="$(auth_registry_url "$registry")"
  creds="$(auth_registry_creds "$registry")"
  [ -n "$creds" ] || fail "seed_auth_image: registry '$registry' has no user to push as (start it with --user)"
  host="${url#*://}"
  local tls=(--dest-cert-dir "$TEST_CA_DIR")
  [ "${url%%://*}" = https ] || tls=(--dest-tls-verify=false)
  SEED_COUNT=$((${SEED_COUNT:-0} + 1))
  build_image "$registry-${repo//\//_}-$tag-$SEED_COUNT" "$tag" "$@"
  local all=()
  [ "$(summary_get "$IMAGE_SUMMARY" index)" = null ] || all=(--all)
  local out="$IMAGE_LAYOUT.push.log"
  timeout 120 skopeo copy --insecure-policy --preserve-digests --dest-creds "$creds" "${tls[@]}" "${all[@]}" \
    "oci:$IMAGE_LAYOUT:$tag" "docker://$host/$repo:$tag" > "$out" 2>&1 ||
    { registry_dump_log "$registry"; fail "seed_auth_image: skopeo copy to $host/$repo:$tag: $(tail -n 5 "$out")"; }
  SEED_LAYOUT="$IMAGE_LAYOUT" SEED_SUMMARY="$IMAGE_SUMMARY"
  SEED_DIGEST="$(summary_get "$SEED_SUMMARY" digest)"
}
