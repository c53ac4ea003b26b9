# SIGHUP re-reads the config: credentials, TTLs, limits and log settings take effect without dropping connections;
# a bad config is refused with the reason logged and the running one stays.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/registry.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/auth_registry.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

start_htpasswd_registry basic builder:right-password
build_image basic-app v1 --layers 1 --layer-size 50000 --seed 81
timeout 120 skopeo copy --insecure-policy --dest-tls-verify=false --dest-creds builder:right-password \
  "oci:$IMAGE_LAYOUT:v1" "docker://$(registry_host basic)/team/app:v1" > "$TEST_TMP/seed.log" 2>&1 ||
  fail "seeding: $(tail -n 3 "$TEST_TMP/seed.log")"
build_image slow v1 --layers 1 --layer-size 3000000 --seed 82
slow_layer="$(summary_get "$IMAGE_SUMMARY" layers.0.digest)"
start_fake_upstream slow "$IMAGE_LAYOUT" team/app --slow 1000000

write_config
cat >> "$CONFIG" <<INI

[registry.priv]
plugin = generic
upstream = $(registry_url basic)
plain_http = true
aliases = priv.vicary.test
username = builder
password = wrong-password

[registry.slow]
plugin = generic
upstream = $FAKE_UPSTREAM_URL
plain_http = true
aliases = slow.vicary.test
INI
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND/v2"
manifest() { curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "$v/priv.vicary.test/team/app/manifests/v1"; }
sighup_and_wait() {  # <log text to wait for>
  local before
  before="$(grep -c "$1" "$TEST_TMP/vicary.log" || true)"
  kill -HUP "$VICARY_PID"
  for _ in $(seq 1 100); do
    [ "$(grep -c "$1" "$TEST_TMP/vicary.log" || true)" -gt "$before" ] && return 0
    sleep 0.1
  done
  fail "no '$1' in the log 10 s after SIGHUP"
}

[ "$(manifest)" = 401 ] || fail "with the wrong password the pull was not refused"
pass "with the wrong password configured, the pull is refused (401)"

# A download in progress while the config is reloaded finishes.
curl -sS -f --max-time 60 -o "$TEST_TMP/slow" "$v/slow.vicary.test/team/app/blobs/$slow_layer" &
client=$!
sleep 0.5
set_key "$CONFIG" registry.priv password right-password
sighup_and_wait "reloaded "
[ "$(manifest)" = 200 ] || fail "after fixing the password and SIGHUP the pull still fails"
pass "after fixing the password and SIGHUP, the pull works (credentials reloaded)"
wait "$client" || fail "the download in progress during the reload failed"
[ "sha256:$(sha256sum "$TEST_TMP/slow" | cut -d' ' -f1)" = "$slow_layer" ] || fail "the download during the reload is wrong"
pass "a download in progress during the reload completes, byte for byte"
kill -0 "$VICARY_PID" || fail "vicary died on SIGHUP"

# A bad config is refused; the running one stays.
sed -i 's/^\[server\]$/[server]\ncolour = blue/' "$CONFIG"
sighup_and_wait "reload refused"
assert_contains "$(grep 'reload refused' "$TEST_TMP/vicary.log" | tail -n 1)" "[server] colour" "a bad config is refused with the file, section and key"
[ "$(manifest)" = 200 ] || fail "after a refused reload vicary does not serve as before"
pass "after a refused reload the running configuration stays"
sed -i '/^colour = blue$/d' "$CONFIG"

# A setting that needs a restart says so.
set_key "$CONFIG" server port 1
set_key "$CONFIG" server congestion_control reno
sighup_and_wait "reloaded "
assert_contains "$(cat "$TEST_TMP/vicary.log")" "[server] bind/port changed; that takes a restart" "a change that needs a restart is named"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "[server] congestion_control changed; that takes a restart" "... congestion_control too"
set_key "$CONFIG" server congestion_control auto
assert_contains "$(curl -sS -i --max-time 10 "http://127.0.0.1:$VICARY_PORT_BOUND/v2/")" "HTTP/1.1 200" "and the server keeps its port"

# Log settings: the access log switches to JSON lines.
set_key "$CONFIG" server port 0
set_key "$CONFIG" log access json
sighup_and_wait "reloaded "
manifest > /dev/null
for _ in $(seq 1 20); do grep -q '"registry":"priv"' "$TEST_TMP/vicary.log" && break; sleep 0.1; done
grep -q '"registry":"priv"' "$TEST_TMP/vicary.log" || fail "after reloading [log] access = json no JSON access line appeared"
pass "log settings are reloaded (the access log became JSON lines)"
stop_vicary TERM
