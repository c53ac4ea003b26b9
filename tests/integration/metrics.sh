# /metrics around real pulls: valid Prometheus text, a cold pull a miss, a warm one a hit, concurrent cold requests
# counted once upstream; /readyz ready.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

build_image metrics v1 --layers 2 --layer-size 2000000 --seed 61
layer0="$(summary_get "$IMAGE_SUMMARY" layers.0.digest)"
layer1="$(summary_get "$IMAGE_SUMMARY" layers.1.digest)"
size0="$(summary_get "$IMAGE_SUMMARY" layers.0.size)"
start_fake_upstream up "$IMAGE_LAYOUT" team/app --slow 4000000
write_config
add_generic_registry up "$FAKE_UPSTREAM_URL" up.vicary.test
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND"

# value <metric name> <label matcher as key=value,...>: the sample's value from a parse of /metrics (0 if absent)
scrape() { curl -sS -f --max-time 10 -o "$TEST_TMP/metrics.txt" "$v/metrics" || fail "GET /metrics"; }
value() {
  /usr/bin/python3 - "$TEST_TMP/metrics.txt" "$1" "$2" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
wanted = dict(kv.split("=", 1) for kv in sys.argv[3].split(",") if kv)
total = 0.0
for family in text_string_to_metric_families(text):
    for sample in family.samples:
        if sample.name == sys.argv[2] and all(sample.labels.get(k) == v for k, v in wanted.items()):
            total += sample.value
print(int(total))
PY
}

scrape
pass "GET /metrics answers"
[ "$(value vicary_requests_total '')" -ge 0 ] || fail "the metrics do not parse as Prometheus text"
pass "the output parses with the Prometheus text-format parser (python3-prometheus-client)"

curl -sS -f --max-time 30 -o /dev/null "$v/v2/up.vicary.test/team/app/blobs/$layer0" || fail "cold pull"
downloads_idle  # a pull before the commit would join the download (coalesced), not hit
curl -sS -f --max-time 30 -o /dev/null "$v/v2/up.vicary.test/team/app/blobs/$layer0" || fail "warm pull"
scrape
[ "$(value vicary_cache_results_total registry=up,kind=blob,result=miss)" -eq 1 ] || fail "the cold pull is not one miss"
[ "$(value vicary_cache_results_total registry=up,kind=blob,result=hit)" -eq 1 ] || fail "the warm pull is not one hit"
[ "$(value vicary_served_bytes_total registry=up,source=cache)" -eq "$size0" ] || fail "bytes from cache: $(value vicary_served_bytes_total registry=up,source=cache)"
[ "$(value vicary_requests_total registry=up,kind=blob,method=GET,status=200)" -eq 2 ] || fail "blob requests not counted"
pass "a cold pull counts as a miss, a warm pull as a hit, with the bytes served from the cache"

pids=()
for i in 1 2 3 4 5; do
  curl -sS -f --max-time 30 -o /dev/null "$v/v2/up.vicary.test/team/app/blobs/$layer1" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a concurrent pull failed"; done
downloads_idle
scrape
[ "$(value vicary_upstream_requests_total registry=up,method=GET,status=200)" -eq 2 ] ||
  fail "upstream GETs: $(value vicary_upstream_requests_total registry=up,method=GET,status=200), expected 2 (one per blob)"
[ "$(value vicary_cache_results_total registry=up,kind=blob,result=coalesced)" -eq 4 ] ||
  fail "coalesced: $(value vicary_cache_results_total registry=up,kind=blob,result=coalesced)"
[ "$(fake_upstream_requests up GET "/blobs/$layer1")" -eq 1 ] || fail "the upstream saw more than one GET"
pass "5 concurrent cold requests: 1 miss + 4 coalesced, one upstream GET counted"
[ "$(value vicary_cache_objects '')" -ge 2 ] || fail "vicary_cache_objects"
[ "$(value vicary_cache_bytes '')" -ge 4000000 ] || fail "vicary_cache_bytes"
pass "cache size and objects are exported"

# The access log: one line per request, text by default.
assert_contains "$(cat "$TEST_TMP/vicary.log")" "GET /v2/up.vicary.test/team/app/blobs/$layer0 registry=up status=200 bytes=$size0" \
  "the access log has a line per request with registry, status and bytes"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "cache=hit upstream_ms=0 id=" "the access log says hit or miss, upstream time and the request id"

code="$(curl -sS -o "$TEST_TMP/ready" -w '%{http_code}' --max-time 10 "$v/readyz")"
[ "$code" = 200 ] || fail "/readyz answered $code: $(cat "$TEST_TMP/ready")"
assert_contains "$(cat "$TEST_TMP/ready")" '"status":"ready"' "/readyz says ready"
chmod 0555 "$TEST_TMP/cache"
code="$(curl -sS -o "$TEST_TMP/ready" -w '%{http_code}' --max-time 10 "$v/readyz")"
chmod 0755 "$TEST_TMP/cache"
if [ "$(id -u)" -ne 0 ]; then
  [ "$code" = 503 ] || fail "/readyz with a read-only cache answered $code"
  pass "/readyz answers 503 when the cache directory is not writable"
fi
stop_vicary TERM

# JSON lines to a file; metrics on another path.
set_key "$CONFIG" log access json
set_key "$CONFIG" server metrics_path /internal/metrics
set_key "$CONFIG" log access_file "$TEST_TMP/access.jsonl"
start_vicary --config "$CONFIG"
headers="$(curl -sS -D - -o /dev/null --max-time 30 "http://127.0.0.1:$VICARY_PORT_BOUND/v2/up.vicary.test/team/app/blobs/$layer0")"
assert_contains "$headers" "X-Request-Id: " "responses carry the request id"
curl -sS -f --max-time 10 -o /dev/null "http://127.0.0.1:$VICARY_PORT_BOUND/internal/metrics" || fail "metrics_path not honoured"
pass "[server] metrics_path moves /metrics"
stop_vicary TERM
/usr/bin/python3 - "$TEST_TMP/access.jsonl" "$layer0" <<'PY' || fail "the JSON access log is wrong: $(cat "$TEST_TMP/access.jsonl")"
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
hit = [l for l in lines if l["path"].endswith(sys.argv[2])]
assert hit and hit[0]["status"] == 200 and hit[0]["cache"] == "hit" and hit[0]["registry"] == "up", lines
assert all(k in hit[0] for k in ("time", "client", "method", "bytes", "duration_ms", "upstream_ms", "request_id")), hit[0]
PY
pass "access=json writes JSON lines to access_file"
