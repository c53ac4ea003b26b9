# The daemon on the shipped config: /v2/, /healthz, JSON errors, clean stop on SIGTERM and SIGINT.
source "$(dirname "$0")/lib.sh"

write_config
config="$CONFIG"
start_vicary --config "$config"
url="$(base_url)"

headers="$(curl -sS -i --max-time 10 "$url/v2/")"
assert_contains "$headers" "HTTP/1.1 200" "GET /v2/ answers 200"
assert_contains "$headers" "Docker-Distribution-API-Version: registry/2.0" "GET /v2/ sends the API version header"
head_reply="$(curl -sS -I --max-time 10 "$url/v2/")"
assert_contains "$head_reply" "HTTP/1.1 200" "HEAD /v2/ answers 200"

health="$(curl -sS -w ' %{http_code}' --max-time 10 "$url/healthz")"
assert_contains "$health" '{"status":"ok"} 200' "GET /healthz answers 200"

missing="$(curl -sS -w ' %{http_code} %{content_type}' --max-time 10 "$url/nope")"
assert_contains "$missing" '{"errors":[{"code":"NAME_UNKNOWN"' "an unknown path gets an OCI JSON error"
assert_contains "$missing" ' 404 application/json' "an unknown path gets 404 with a JSON content type"

put="$(curl -sS -X PUT -d x -w ' %{http_code}' --max-time 10 "$url/v2/library/alpine/manifests/latest")"
assert_contains "$put" '"code":"UNSUPPORTED"' "a write method gets UNSUPPORTED"
assert_contains "$put" ' 405' "a write method gets 405"

[ -d "$TEST_TMP/cache" ] || fail "the cache directory was not created"
pass "the cache directory from the config was created"

stop_vicary TERM
assert_contains "$(cat "$TEST_TMP/vicary.log")" "stopped" "SIGTERM stops vicary cleanly (exit 0)"

start_vicary --config "$config"
stop_vicary INT
pass "SIGINT stops vicary cleanly (exit 0)"
