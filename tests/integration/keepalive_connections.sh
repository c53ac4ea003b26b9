# Kept-alive connections do not hold a worker thread between requests: with [server] threads = 4, forty clients that
# keep their connections open are all served, twice; and requests stuck behind a slow upstream do not hold up the
# quick ones of other clients (a worker is woken or started for them).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

build_image slowimg v1 --layers 3 --layer-size 3000000 --seed 41
summary="$IMAGE_SUMMARY"
start_fake_upstream slow "$IMAGE_LAYOUT" team/app --slow 1000000
write_config
set_key "$CONFIG" server threads 4
set_key "$CONFIG" server queue 100
add_generic_registry slow "$FAKE_UPSTREAM_URL" slow.vicary.test
start_vicary --config "$CONFIG"

# Forty kept-alive connections, each asks twice; with a thread per connection, 36 of them would wait for the first
# four to go idle for keep_alive_timeout (15 s) before their first answer.
timeout 60 python3 - "$VICARY_PORT_BOUND" > "$TEST_TMP/many.log" 2>&1 <<'PY' || fail "kept-alive clients: $(cat "$TEST_TMP/many.log")"
import http.client, sys, time
port = int(sys.argv[1])
conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(40)]
start = time.monotonic()
for rnd in range(2):
    for c in conns:
        c.request("GET", "/v2/")
    for i, c in enumerate(conns):
        r = c.getresponse()
        r.read()
        assert r.status == 200, "connection %d, round %d: status %d" % (i, rnd, r.status)
        assert not r.will_close, "connection %d was not kept alive" % i
took = time.monotonic() - start
print("80 requests on 40 kept-alive connections in %.2f s" % took)
assert took < 5, "80 requests on 40 kept-alive connections took %.1f s" % took
PY
cat "$TEST_TMP/many.log"
pass "forty kept-alive connections are served with four worker threads"

# Three cold layers at 1 MB/s keep three workers busy for about 3 s; quick requests on other connections meanwhile
# are answered at once.
pids=()
for i in 0 1 2; do
  d="$(summary_get "$summary" "layers.$i.digest")"
  curl -sS -f --max-time 60 -o "$TEST_TMP/layer$i" "http://127.0.0.1:$VICARY_PORT_BOUND/v2/slow.vicary.test/team/app/blobs/$d" &
  pids+=($!)
done
sleep 0.5
timeout 60 python3 - "$VICARY_PORT_BOUND" > "$TEST_TMP/quick.log" 2>&1 <<'PY' || fail "quick requests beside slow ones: $(cat "$TEST_TMP/quick.log")"
import http.client, sys, time
port = int(sys.argv[1])
conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(10)]
worst = 0.0
for rnd in range(3):
    for c in conns:
        t = time.monotonic()
        c.request("GET", "/v2/")
        r = c.getresponse()
        r.read()
        worst = max(worst, time.monotonic() - t)
        assert r.status == 200, "status %d" % r.status
print("slowest of 30 quick requests beside 3 slow downloads: %.3f s" % worst)
assert worst < 1.0, "a quick request waited %.2f s behind slow ones" % worst
PY
cat "$TEST_TMP/quick.log"
for pid in "${pids[@]}"; do wait "$pid" || fail "a slow layer download failed"; done
for i in 0 1 2; do
  d="$(summary_get "$summary" "layers.$i.digest")"
  [ "sha256:$(sha256sum "$TEST_TMP/layer$i" | cut -d' ' -f1)" = "$d" ] || fail "layer $i arrived corrupt"
done
pass "requests behind a slow upstream do not hold up quick ones on other connections"

kill -0 "$VICARY_PID" || fail "vicary died"
stop_vicary TERM
stop_fake_upstream slow
