# Request limits: the request target length, header count and size (414/431), requests per kept-alive connection,
# the idle and header timeouts that cut off slowloris clients, and the connection bound (threads + queue); the server
# answers normally after each.
source "$(dirname "$0")/lib.sh"

write_config
set_key "$CONFIG" server threads 2
set_key "$CONFIG" server queue 2
set_key "$CONFIG" server keep_alive_timeout 2s
set_key "$CONFIG" server max_keep_alive_requests 3
set_key "$CONFIG" server header_timeout 2s
set_key "$CONFIG" server max_uri_length 512
set_key "$CONFIG" server max_headers 20
set_key "$CONFIG" server max_header_bytes 2048
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND"
status() { curl -sS -o "$TEST_TMP/body" -w '%{http_code}' --max-time 10 "$@" || echo 000; }

[ "$(status "$v/v2/library/$(head -c 600 /dev/zero | tr '\0' a)/manifests/x")" = 414 ] || fail "a 600-byte target was not 414"
[ "$(status "$v/v2/library/$(head -c 400 /dev/zero | tr '\0' a)/manifests/x")" != 414 ] || fail "a 400-byte target was refused"
pass "a request target over max_uri_length gets 414, one under it does not"
headers=()
for i in $(seq 1 25); do headers+=(-H "X-H$i: v"); done
[ "$(status "${headers[@]}" "$v/v2/")" = 431 ] || fail "25 headers were not 431"
assert_contains "$(cat "$TEST_TMP/body")" "more than 20 header fields" "more than max_headers header fields get 431"
[ "$(status -H "X-Big: $(head -c 3000 /dev/zero | tr '\0' a)" "$v/v2/")" = 431 ] || fail "a 3000-byte header was not 431"
pass "headers over max_header_bytes get 431"
[ "$(status -H "X-Fine: $(head -c 1000 /dev/zero | tr '\0' a)" "$v/v2/")" = 200 ] || fail "a 1000-byte header was refused"

# Four requests on one curl: max_keep_alive_requests = 3 makes the fourth open a second connection.
connects=0
while read -r n; do connects=$((connects + n)); done < <(curl -sS -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
  -w '%{num_connects}\n' --max-time 10 "$v/v2/" "$v/v2/" "$v/v2/" "$v/v2/")
[ "$connects" = 2 ] || fail "4 requests with max_keep_alive_requests = 3 used $connects connections"
pass "max_keep_alive_requests ends a connection after that many requests"

# Slow and idle clients, timed from the client: the server must close each within its timeout (+ 1.5 s slack).
timeout 60 python3 - "$VICARY_PORT_BOUND" > "$TEST_TMP/timing.log" 2>&1 <<'PY' || fail "timeouts: $(cat "$TEST_TMP/timing.log")"
import socket, sys, time
port = int(sys.argv[1])

def closed_after(sock, trickle=None, limit=10.0):
    """Seconds until the server closes `sock` (EOF or reset), sending one byte of `trickle` every 0.3 s."""
    start = time.monotonic()
    sock.settimeout(0.3)
    sent = 0
    while time.monotonic() - start < limit:
        try:
            if trickle and sent < len(trickle):
                sock.send(trickle[sent:sent + 1])
                sent += 1
            data = sock.recv(4096)
            if not data:
                return time.monotonic() - start, b""
            return time.monotonic() - start, data
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start, b""
    raise SystemExit("the server kept the connection open for %.0f s" % limit)

def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=5)

# slowloris: a head that never ends, a byte at a time
head = b"GET /v2/ HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200
took, data = closed_after(connect(), trickle=head)
assert took < 3.5 and b"200 OK" not in data, "slow head: closed after %.1f s, got %r" % (took, data[:40])
print("slow head closed after %.1f s" % took)
# idle: connects and sends nothing
took, _ = closed_after(connect())
assert took < 3.5, "idle connection closed after %.1f s" % took
print("idle connection closed after %.1f s" % took)
# kept alive after a request, then silent: keep_alive_timeout
s = connect()
s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")
took, data = closed_after(s)
assert data.startswith(b"HTTP/1.1 200"), data[:40]
took, _ = closed_after(s)
assert took < 3.5, "kept-alive idle connection closed after %.1f s" % took
print("kept-alive idle connection closed after %.1f s" % took)
PY
cat "$TEST_TMP/timing.log"
pass "a slowloris head, an idle connection and an idle kept-alive one are closed within their timeouts"

# threads 2 + queue 2: of six idle connections, the ones beyond four are closed at once.
timeout 60 python3 - "$VICARY_PORT_BOUND" > "$TEST_TMP/bound.log" 2>&1 <<'PY' || fail "connection bound: $(cat "$TEST_TMP/bound.log")"
import socket, sys, time
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(6)]
time.sleep(1.0)
closed = 0
for s in socks:
    s.settimeout(0.2)
    try:
        if s.recv(1) == b"":
            closed += 1
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed += 1
print("closed at once: %d of 6" % closed)
assert closed >= 2, "only %d of 6 connections were refused with threads 2 + queue 2" % closed
PY
cat "$TEST_TMP/bound.log"
pass "connections beyond threads + queue are closed at once"
sleep 2.5  # the idle ones run into header_timeout
[ "$(status "$v/v2/")" = 200 ] || fail "the server does not answer after the limits were hit"
pass "the server answers normally afterwards"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "no complete request head within the header timeout" "cut-off connections are logged"
cut="$(curl -sS --max-time 10 "$v/metrics" | awk '/^vicary_http_header_timeouts_total/ {print $2}')"
[ "${cut:-0}" -ge 2 ] || fail "vicary_http_header_timeouts_total is '$cut' after a slow and an idle connection"
pass "/metrics counts the cut-off connections ($cut)"
kill -0 "$VICARY_PID" || fail "vicary died"
stop_vicary TERM
