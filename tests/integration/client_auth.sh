# Client authentication ([auth] htpasswd, bcrypt): off by default; on, nothing but /healthz answers without valid
# credentials (401 with a Basic challenge that curl, skopeo, ctr and podman answer), allow_users limits a registry to some users,
# failed attempts are logged without the password and lock a client address out, a SIGHUP turns it off and on, and a
# bad htpasswd file stops start-up naming file and line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"
source "$(dirname "$0")/support/containerd.sh"

build_image authimg v1 --layers 2 --layer-size 100000 --seed 71
layout="$IMAGE_LAYOUT" summary="$IMAGE_SUMMARY"
layer="$(summary_get "$summary" layers.0.digest)"
start_fake_upstream pub "$layout" team/app
start_fake_upstream sec "$layout" team/app

htpasswd -bcB "$TEST_TMP/htpasswd" alice 'alice-Pw1' 2> /dev/null
htpasswd -bB "$TEST_TMP/htpasswd" bob 'bob-Pw2' 2> /dev/null
write_config
add_generic_registry pub "$(fake_upstream_url pub)" pub.vicary.test
add_generic_registry sec "$(fake_upstream_url sec)" sec.vicary.test
add_key "$CONFIG" registry.sec allow_users alice
cp "$CONFIG" "$TEST_TMP/auth-off.ini"
sed -i 's/^allow_users = alice$//' "$TEST_TMP/auth-off.ini"
set_key "$CONFIG" auth htpasswd "$TEST_TMP/htpasswd"
set_key "$CONFIG" auth realm test-mirror
set_key "$CONFIG" auth max_failures 4
set_key "$CONFIG" auth lockout 3s
cp "$CONFIG" "$TEST_TMP/auth-on.ini"
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "client authentication on" "start-up says authentication is on"

code() { curl -sS -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' --max-time 20 "$@"; }

[ "$(code "$v/healthz")" = 200 ] || fail "/healthz needs credentials"
pass "/healthz answers without credentials"
for path in /v2/ /v2 /metrics /readyz "/v2/pub.vicary.test/team/app/manifests/v1" \
  "/v2/pub.vicary.test/team/app/blobs/$layer" /v2/pub.vicary.test/team/app/tags/list /nothing-here; do
  [ "$(code "$v$path")" = 401 ] || fail "$path without credentials answered $(cat "$TEST_TMP/body")"
  grep -qi '^WWW-Authenticate: Basic realm="test-mirror"' "$TEST_TMP/headers" || fail "$path: no Basic challenge"
  assert_contains "$(cat "$TEST_TMP/body")" '"code":"UNAUTHORIZED"' "$path without credentials: 401 UNAUTHORIZED, Basic challenge"
done
[ "$(code -X POST "$v/v2/")" = 401 ] || fail "a POST without credentials was not refused with 401"

[ "$(code -u alice:alice-Pw1 "$v/v2/")" = 200 ] || fail "alice's /v2/ answered $(cat "$TEST_TMP/body")"
[ "$(code -u bob:bob-Pw2 "$v/v2/pub.vicary.test/team/app/blobs/$layer")" = 200 ] || fail "bob's blob GET failed"
[ "sha256:$(sha256sum "$TEST_TMP/body" | cut -d' ' -f1)" = "$layer" ] || fail "the blob has wrong bytes"
[ "$(code -u alice:alice-Pw1 "$v/metrics")" = 200 ] || fail "/metrics with credentials answered $(cat "$TEST_TMP/body")"
pass "curl with valid credentials pulls (and reads /metrics)"

[ "$(code -u bob:bob-Pw2 "$v/v2/sec.vicary.test/team/app/manifests/v1")" = 403 ] || fail "bob pulled from sec"
assert_contains "$(cat "$TEST_TMP/body")" '"code":"DENIED"' "a user outside allow_users gets 403 DENIED"
[ "$(code -u alice:alice-Pw1 "$v/v2/sec.vicary.test/team/app/manifests/v1")" = 200 ] || fail "alice cannot pull from sec"
pass "a user in allow_users pulls from that registry"

skopeo_pull() {  # <dest> <skopeo copy args...>
  local dest="$1"
  shift
  rm -rf "$dest"
  timeout 120 skopeo copy --insecure-policy --src-tls-verify=false "$@" \
    "docker://127.0.0.1:$VICARY_PORT_BOUND/pub.vicary.test/team/app:v1" "dir:$dest" > "$TEST_TMP/skopeo.log" 2>&1
}
skopeo_pull "$TEST_TMP/pulled" --src-creds alice:alice-Pw1 || fail "skopeo with credentials: $(tail -n 3 "$TEST_TMP/skopeo.log")"
cmp -s "$TEST_TMP/pulled/${layer#sha256:}" "$layout/blobs/sha256/${layer#sha256:}" || fail "skopeo pulled a wrong layer"
pass "skopeo copy --src-creds pulls through the Basic challenge"
! skopeo_pull "$TEST_TMP/anon" || fail "skopeo pulled without credentials"
assert_contains "$(cat "$TEST_TMP/skopeo.log")" "unauthorized" "skopeo without credentials is refused as unauthorized"

# containerd answers the Basic challenge with ctr --user.
start_containerd auth
ctr_run auth images pull --plain-http --platform linux/amd64 --user alice:alice-Pw1 \
  "127.0.0.1:$VICARY_PORT_BOUND/pub.vicary.test/team/app:v1"
pass "ctr pull --user pulls through the Basic challenge"
! timeout 120 "$CTR_BIN" --address "$CONTAINERD_SOCK" --namespace vicary-test images pull --plain-http \
  "127.0.0.1:$VICARY_PORT_BOUND/pub.vicary.test/team/app:v1" > "$TEST_TMP/ctr-anon.log" 2>&1 ||
  fail "ctr pulled without credentials"
assert_contains "$(cat "$TEST_TMP/ctr-anon.log")" "401" "ctr pull without credentials is refused (401)"
stop_containerd auth

# podman answers it with --creds (its own storage, registries.conf and auth file under $TEST_TMP).
podman_pull() {  # <podman pull args...>
  mkdir -p "$TEST_TMP/podman/tmp"
  printf 'unqualified-search-registries = []\n' > "$TEST_TMP/podman/registries.conf"
  [ -f "$TEST_TMP/podman/auth.json" ] || echo '{"auths": {}}' > "$TEST_TMP/podman/auth.json"
  REGISTRY_AUTH_FILE="$TEST_TMP/podman/auth.json" CONTAINERS_REGISTRIES_CONF="$TEST_TMP/podman/registries.conf" \
    CONTAINERS_CONF=/dev/null timeout 120 podman \
    --root "$TEST_TMP/podman/root" --runroot "$TEST_TMP/podman/run" --tmpdir "$TEST_TMP/podman/tmp" \
    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file pull --tls-verify=false "$@" \
    "127.0.0.1:$VICARY_PORT_BOUND/pub.vicary.test/team/app:v1" > "$TEST_TMP/podman.log" 2>&1
}
podman_pull --creds alice:alice-Pw1 || fail "podman pull --creds: $(tail -n 3 "$TEST_TMP/podman.log")"
pass "podman pull --creds pulls through the Basic challenge"
! podman_pull || fail "podman pulled without credentials"
assert_contains "$(cat "$TEST_TMP/podman.log")" "unauthorized" "podman pull without credentials is refused as unauthorized"

# Wrong passwords: logged (user, client, why; never the password), and the 4th locks the address out.
for i in 1 2 3; do
  [ "$(code -u "alice:guess-$i-secret" "$v/v2/")" = 401 ] || fail "wrong password $i was not refused with 401"
done
assert_contains "$(cat "$TEST_TMP/vicary.log")" "client 127.0.0.1: authentication failed for user 'alice' (wrong password), failure 3 of 4" \
  "each failure is logged with client, user and why"
[ "$(code -u nobody:whatever "$v/v2/")" = 401 ] || fail "an unknown user was not refused"
! grep -q "guess-\|whatever" "$TEST_TMP/vicary.log" || fail "a password reached the log"
pass "no password reaches the log"
[ "$(code -u alice:alice-Pw1 "$v/v2/")" = 429 ] || fail "after 4 failures a valid login answered $(cat "$TEST_TMP/body")"
grep -qi '^Retry-After: [1-3]' "$TEST_TMP/headers" || fail "the lockout has no Retry-After: $(cat "$TEST_TMP/headers")"
assert_contains "$(cat "$TEST_TMP/body")" '"code":"TOOMANYREQUESTS"' "after max_failures failures the address is locked out (429, Retry-After)"
[ "$(code "$v/healthz")" = 200 ] || fail "/healthz is locked out too"
sleep 3.2
[ "$(code -u alice:alice-Pw1 "$v/v2/")" = 200 ] || fail "after the lockout alice answered $(cat "$TEST_TMP/body")"
pass "after the lockout a valid login works again"
metrics="$(curl -sS --max-time 10 -u alice:alice-Pw1 "$v/metrics")"
failed="$(awk '/^vicary_auth_failures_total\{result="failed"\}/ {print $2}' <<< "$metrics")"
locked="$(awk '/^vicary_auth_failures_total\{result="locked_out"\}/ {print $2}' <<< "$metrics")"
[ "${failed:-0}" -ge 4 ] && [ "${locked:-0}" -ge 1 ] || fail "auth metrics: failed=$failed locked_out=$locked"
pass "/metrics counts failed authentications ($failed) and refusals during the lockout ($locked)"

# A SIGHUP turns authentication off, and on again.
cp "$TEST_TMP/auth-off.ini" "$CONFIG"
kill -HUP "$VICARY_PID"
for _ in $(seq 1 50); do [ "$(code "$v/v2/")" = 200 ] && break; sleep 0.1; done
[ "$(code "$v/v2/pub.vicary.test/team/app/manifests/v1")" = 200 ] || fail "with auth off a pull needs credentials"
pass "auth off (no [auth] htpasswd): pulls need no credentials"
timeout 120 skopeo copy --insecure-policy --src-tls-verify=false \
  "docker://127.0.0.1:$VICARY_PORT_BOUND/pub.vicary.test/team/app:v1" "dir:$TEST_TMP/anon-off" > "$TEST_TMP/skopeo.log" 2>&1 ||
  fail "skopeo without credentials, auth off: $(tail -n 3 "$TEST_TMP/skopeo.log")"
pass "skopeo pulls without credentials when auth is off"
cp "$TEST_TMP/auth-on.ini" "$CONFIG"
kill -HUP "$VICARY_PID"
for _ in $(seq 1 50); do [ "$(code "$v/v2/")" = 401 ] && break; sleep 0.1; done
[ "$(code "$v/v2/")" = 401 ] || fail "a SIGHUP did not turn authentication back on"
pass "a SIGHUP turns authentication on again"
stop_vicary TERM

# A bad htpasswd file stops start-up, naming file and line.
printf 'alice:$apr1$abcdefgh$0123456789abcdefghijkl\n' > "$TEST_TMP/md5.htpasswd"
set_key "$CONFIG" auth htpasswd "$TEST_TMP/md5.htpasswd"
run_vicary --config "$CONFIG"
[ "$RUN_STATUS" -ne 0 ] || fail "vicary started with an MD5 htpasswd"
assert_contains "$RUN_OUTPUT" "$TEST_TMP/md5.htpasswd:1: user 'alice' has a hash that is not bcrypt" \
  "an htpasswd hash that is not bcrypt stops start-up naming file and line"
set_key "$CONFIG" auth htpasswd "$TEST_TMP/missing.htpasswd"
run_vicary --config "$CONFIG"
assert_contains "$RUN_OUTPUT" "[auth] htpasswd" "a missing htpasswd file stops start-up naming the key"
