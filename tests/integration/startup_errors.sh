# Start-up refuses a broken plugin or a bad config with a message naming the .so, or the file, section and key.
source "$(dirname "$0")/lib.sh"

plugins="$TEST_TMP/plugins"
mkdir -p "$plugins"
cp "$VICARY_PLUGIN_DIR"/*.so "$plugins/"
write_config
config="$CONFIG"
set_key "$config" plugins directory "$plugins"

run_vicary --config "$config" --check
[ "$RUN_STATUS" -eq 0 ] || fail "--check with the built plugins failed: $RUN_OUTPUT"
assert_contains "$RUN_OUTPUT" "configuration OK" "--check accepts the built plugins"

for fixture in fixture_bad_signature fixture_wrong_major fixture_no_entry; do
  cp "$VICARY_FIXTURE_DIR/$fixture.so" "$plugins/zz-$fixture.so"
  run_vicary --config "$config"
  [ "$RUN_STATUS" -eq 78 ] || fail "a plugins folder with $fixture.so: expected exit 78, got $RUN_STATUS: $RUN_OUTPUT"
  assert_contains "$RUN_OUTPUT" "plugin $plugins/zz-$fixture.so: " "start-up stops on $fixture.so and names it"
  rm "$plugins/zz-$fixture.so"
done

cp "$VICARY_PLUGIN_DIR/quay.so" "$plugins/zz-another-quay.so"
run_vicary --config "$config"
[ "$RUN_STATUS" -eq 78 ] || fail "duplicate plugin name: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "plugin $plugins/zz-another-quay.so: name 'quay' is already taken by plugin $plugins/quay.so" \
  "start-up stops on a duplicate plugin name and names both files"
rm "$plugins/zz-another-quay.so"

cp "$config" "$TEST_TMP/badport.ini"
set_key "$TEST_TMP/badport.ini" server port 70000
line="$(grep -n '^port = 70000' "$TEST_TMP/badport.ini" | cut -d: -f1)"
run_vicary --config "$TEST_TMP/badport.ini"
[ "$RUN_STATUS" -eq 78 ] || fail "bad port: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "$TEST_TMP/badport.ini:$line: [server] port: " "a bad port names file, line, section and key"

VICARY_PORT=http run_vicary --config "$config"
[ "$RUN_STATUS" -eq 78 ] || fail "bad VICARY_PORT: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "environment VICARY_PORT: " "a bad VICARY_PORT names the variable"

run_vicary --config "$TEST_TMP/absent.ini"
[ "$RUN_STATUS" -eq 78 ] || fail "missing config: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "$TEST_TMP/absent.ini: cannot read config file" "a missing config file is named"

printf '[server]\nport = 0\nbind = 127.0.0.1\ncolour = blue\n' > "$TEST_TMP/unknown.ini"
run_vicary --config "$TEST_TMP/unknown.ini"
[ "$RUN_STATUS" -eq 78 ] || fail "unknown key: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "$TEST_TMP/unknown.ini:4: [server] colour: " "an unknown key is named with its line"

# A port another process holds: vicary says which address, exits non-zero (71, EX_OSERR), and is not a config error.
write_config
start_vicary --config "$CONFIG"
held_port="$VICARY_PORT_BOUND"
first_pid="$VICARY_PID"
VICARY_PORT="$held_port" run_vicary --config "$CONFIG"
[ "$RUN_STATUS" -eq 71 ] || fail "a port in use: expected exit 71, got $RUN_STATUS: $RUN_OUTPUT"
assert_contains "$RUN_OUTPUT" "cannot listen on 127.0.0.1:$held_port" "a port in use is reported with the address"
VICARY_PID="$first_pid"
stop_vicary TERM
