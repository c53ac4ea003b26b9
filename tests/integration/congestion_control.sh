# [server] congestion_control: client connections get the configured TCP congestion control (the listening socket
# carries it and accepted connections inherit it); auto gives cubic, or reno to a user the kernel does not allow cubic
# (logged); system leaves the kernel's default; a name the kernel does not have stops start-up naming the key; a
# malformed one is a config error.
source "$(dirname "$0")/lib.sh"

system_cc="$(cat /proc/sys/net/ipv4/tcp_congestion_control)"
# reno is always built into Linux; pick cubic when the system default already is reno, so the check can fail.
wanted=reno
[ "$system_cc" = reno ] && wanted=cubic

# Prints the congestion control ss(8) reports for vicary's side of one kept-alive client connection.
server_side_cc() {
  timeout 20 python3 - "$VICARY_PORT_BOUND" <<'PY'
import http.client, subprocess, sys
port = sys.argv[1]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=5)
conn.request("GET", "/v2/")
response = conn.getresponse()
response.read()
assert response.status == 200, response.status
assert not response.will_close, "the connection was not kept alive"
# Vicary's end of the connection: source port = the listening port.
out = subprocess.run(["ss", "-tniH", "state", "established", f"( sport = :{port} )"], capture_output=True,
                     text=True, check=True).stdout
# ss prints the congestion control right before wscale: ("... ts sack cubic wscale:7,7 rto:...").
tokens = out.split()
at = [i for i, t in enumerate(tokens) if t.startswith("wscale:")]
print(tokens[at[0] - 1] if len(at) == 1 and at[0] > 0 else "unclear: " + out.strip())
conn.close()
PY
}

# expect_cc <setting> <expected>: with congestion_control = <setting>, vicary's side of a client connection uses
# <expected>.
expect_cc() {
  set_key "$CONFIG" server congestion_control "$1"
  start_vicary --config "$CONFIG"
  local got
  got="$(server_side_cc)" || fail "could not look at a client connection"
  [ "$got" = "$2" ] || fail "congestion_control = $1: the client connection uses '$got', not $2"
  pass "congestion_control = $1: a client connection uses $2 (system default: $system_cc)"
  stop_vicary
}

write_config
expect_cc "$wanted" "$wanted"
expect_cc system "$system_cc"
expect_cc auto cubic  # as root; the kernel lets root set any congestion control it has

# The same as an unprivileged user (how the packaged service runs): cubic if the kernel allows it to everybody,
# else reno, with a log line saying so.
allowed="$(cat /proc/sys/net/ipv4/tcp_allowed_congestion_control)"
expected=reno
case " $allowed " in *" cubic "*) expected=cubic ;; esac
if [ "$(id -u)" -eq 0 ]; then
  chmod 755 "$TEST_TMP"
  mkdir -p "$TEST_TMP/cache"
  chown -R nobody "$TEST_TMP/cache"
  real_bin="$VICARY_BIN"
  VICARY_BIN=setpriv
  start_vicary --reuid=nobody --regid=nogroup --clear-groups "$real_bin" --config "$CONFIG"
  VICARY_BIN="$real_bin"
  got="$(server_side_cc)" || fail "could not look at a client connection"
  [ "$got" = "$expected" ] || fail "congestion_control = auto as nobody (allowed: $allowed): '$got', not $expected"
  if [ "$expected" = reno ]; then
    assert_contains "$(cat "$TEST_TMP/vicary.log")" "congestion_control = auto: client connections use reno; refused: cubic" \
      "as a user the kernel does not allow cubic (allowed: $allowed), auto falls back to reno and says why"
  else
    pass "as an unprivileged user auto gets cubic (allowed to everybody here: $allowed)"
  fi
  stop_vicary
else
  echo "skip the unprivileged case: it needs root to switch to nobody"
fi

set_key "$CONFIG" server congestion_control nosuchcontrol
run_vicary --config "$CONFIG"
[ "$RUN_STATUS" -ne 0 ] || fail "an unknown congestion control started anyway"
assert_contains "$RUN_OUTPUT" "[server] congestion_control" "an unknown congestion control stops start-up naming the key"
assert_contains "$RUN_OUTPUT" "nosuchcontrol" "... and the value"

set_key "$CONFIG" server congestion_control "Cubic!"
run_vicary --config "$CONFIG" --check
[ "$RUN_STATUS" -eq 78 ] || fail "a malformed congestion control: exit $RUN_STATUS, expected 78: $RUN_OUTPUT"
assert_contains "$RUN_OUTPUT" "congestion_control" "a malformed congestion control is a config error naming the key"
