# VICARY_RESOLVER really changes how vicary resolves upstream names: a DNS server on loopback (dnsmasq) knows a name
# the system resolver does not, and `vicary --resolve` finds it only when the variable points at that server.
source "$(dirname "$0")/lib.sh"

DNSMASQ_PID=""
stop_dnsmasq() {
  if [ -n "$DNSMASQ_PID" ]; then
    kill -TERM "$DNSMASQ_PID" 2>/dev/null || true
    wait "$DNSMASQ_PID" 2>/dev/null || true
    DNSMASQ_PID=""
  fi
}
trap 'stop_dnsmasq; cleanup' EXIT

# Start dnsmasq on a free loopback port: try a few random high ports, each bounded.
for _ in $(seq 1 10); do
  port=$((20000 + RANDOM % 40000))
  user_flag=()
  [ "$(id -u)" -eq 0 ] && user_flag=(--user=root)
  /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
    --listen-address=127.0.0.1 --bind-interfaces --port="$port" --pid-file= "${user_flag[@]}" \
    --local=/vicary.test/ --host-record=registry.vicary.test,127.0.0.7 \
    > "$TEST_TMP/dnsmasq.log" 2>&1 &
  DNSMASQ_PID=$!
  sleep 0.3
  if kill -0 "$DNSMASQ_PID" 2>/dev/null; then break; fi
  wait "$DNSMASQ_PID" 2>/dev/null || true
  DNSMASQ_PID=""
done
[ -n "$DNSMASQ_PID" ] || fail "dnsmasq did not start: $(cat "$TEST_TMP/dnsmasq.log")"

write_config
answer=""
for _ in $(seq 1 50); do  # until dnsmasq answers, 5 s at most
  answer="$(VICARY_RESOLVER="127.0.0.1:$port" timeout 20 "$VICARY_BIN" --config "$CONFIG" --resolve registry.vicary.test 2>&1)" && break
  sleep 0.1
done
[ "$answer" = "127.0.0.7" ] || fail "VICARY_RESOLVER=127.0.0.1:$port: expected 127.0.0.7, got: $answer"
pass "with VICARY_RESOLVER, vicary resolves a name through the given DNS server"

run_vicary --config "$CONFIG" --resolve registry.vicary.test
[ "$RUN_STATUS" -ne 0 ] || fail "without VICARY_RESOLVER the system resolver knew registry.vicary.test: $RUN_OUTPUT"
pass "without VICARY_RESOLVER, the system resolver does not know the name"

set_key "$CONFIG" upstream resolver "127.0.0.1:$port"
run_vicary --config "$CONFIG" --resolve registry.vicary.test
[ "$RUN_OUTPUT" = "127.0.0.7" ] || fail "[upstream] resolver: expected 127.0.0.7, got: $RUN_OUTPUT"
pass "[upstream] resolver in the file does the same"

VICARY_RESOLVER="127.0.0.1:$port" run_vicary --config "$CONFIG" --resolve missing.vicary.test
[ "$RUN_STATUS" -eq 69 ] || fail "an unknown name: expected exit 69 (EX_UNAVAILABLE), got $RUN_STATUS: $RUN_OUTPUT"
assert_contains "$RUN_OUTPUT" "missing.vicary.test" "an unknown name is reported with the name"
assert_contains "$RUN_OUTPUT" "127.0.0.1:$port" "an unknown name is reported with the server asked"

VICARY_RESOLVER="valid=30s" run_vicary --config "$CONFIG" --resolve registry.vicary.test
[ "$RUN_STATUS" -eq 78 ] || fail "a bad VICARY_RESOLVER: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "environment VICARY_RESOLVER: " "a bad VICARY_RESOLVER names the variable"

start_vicary --config "$CONFIG"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "upstream names resolve through DNS servers 127.0.0.1:$port" \
  "the daemon logs which resolver it uses"
stop_vicary TERM
