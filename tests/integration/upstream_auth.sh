# Pulls through vicary from upstreams that guard them like Docker Hub: HTTPS with a test CA, token auth (anonymous
# and with credentials), blob GETs redirected to a "CDN" on another port that refuses Authorization, and a Basic
# (htpasswd) registry. Credentials go only where they belong and never into logs; tokens are fetched once per scope
# and renewed when they expire; a wrong CA and wrong credentials give clear JSON errors naming the registry.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/registry.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/auth_registry.sh"
source "$(dirname "$0")/support/cdn_front.sh"

make_test_ca
make_other_ca

# A Docker-Hub-like upstream: token realm, HTTPS, CDN redirects for blobs.
start_token_registry hub --public library/testimg --user builder:s3cret-hub-pass
seed_auth_image hub library/testimg v1 --layers 2 --layer-size 200000 --seed 41
public="$SEED_SUMMARY"
seed_auth_image hub team/private v1 --layers 1 --layer-size 100000 --seed 42
private="$SEED_SUMMARY"
start_cdn_front hub
front="$CDN_FRONT_URL"

# A registry with short-lived tokens, and a Basic-auth one.
start_token_registry brief --public team/app --user builder:s3cret-brief --expires-in 2
seed_auth_image brief team/app v1 --layers 1 --layer-size 50000 --seed 43
brief_url="$(auth_registry_url brief)"
start_htpasswd_registry basic builder:s3cret-basic
seed_image_basic_user="builder:s3cret-basic"
basic_url="$(registry_url basic)"
build_image basic-app2 v1 --layers 1 --layer-size 60000 --seed 44
basic_summary="$IMAGE_SUMMARY"
timeout 120 skopeo copy --insecure-policy --dest-tls-verify=false --dest-creds "$seed_image_basic_user" \
  "oci:$IMAGE_LAYOUT:v1" "docker://$(registry_host basic)/team/app:v1" > "$TEST_TMP/basic-seed.log" 2>&1 ||
  fail "seeding the Basic-auth registry: $(tail -n 3 "$TEST_TMP/basic-seed.log")"

write_config
add_key "$CONFIG" registry.dockerhub upstream "$front"
add_key "$CONFIG" registry.dockerhub ca_file "$TEST_CA_FILE"
# The token realm and the CDN are on loopback too.
add_key "$CONFIG" registry.dockerhub allow_private_redirects true
cat >> "$CONFIG" <<INI

[registry.anon]
plugin = generic
allow_private_redirects = true
upstream = $front
ca_file = $TEST_CA_FILE
aliases = anon.vicary.test

[registry.bad]
plugin = generic
allow_private_redirects = true
upstream = ${front/127.0.0.1/localhost}
ca_file = $TEST_CA_FILE
aliases = bad.vicary.test
username = builder
password = wrong-password-xyz

[registry.wrongca]
plugin = generic
allow_private_redirects = true
upstream = ${brief_url/127.0.0.1/localhost}
ca_file = $OTHER_CA_FILE
aliases = wrongca.vicary.test

[registry.brief]
plugin = generic
allow_private_redirects = true
upstream = $brief_url
ca_file = $TEST_CA_FILE
aliases = brief.vicary.test

[registry.basic]
plugin = generic
upstream = $basic_url
plain_http = true
aliases = basic.vicary.test
username = builder
password = s3cret-basic
INI
# (A generic registry also serves its upstream's host, so each section here names the servers differently:
# 127.0.0.1 or localhost.) Docker Hub credentials the way the original Vicary took them.
VICARY_DOCKER_IO_B64_AUTH="$(printf 'builder:s3cret-hub-pass' | base64)" start_vicary --config "$CONFIG"
vicary="127.0.0.1:$VICARY_PORT_BOUND"

copy() {  # <source> <dest dir>
  timeout 120 skopeo copy --insecure-policy --src-tls-verify=false "docker://$1" "oci:$2:t" > "$TEST_TMP/skopeo.log" 2>&1 ||
    fail "skopeo copy $1: $(tail -n 5 "$TEST_TMP/skopeo.log")"
}
has_layers() {  # <dir> <summary>
  local digest
  digest="$(summary_get "$2" layers.0.digest)"
  [ "sha256:$(sha256sum "$1/blobs/sha256/${digest#sha256:}" | cut -d' ' -f1)" = "$digest" ] || fail "layer missing in $1"
}
json_error() {  # <url> -> "<status> <code>"
  local body status
  body="$(curl -sS --max-time 60 -w '\n%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$1")"
  status="$(tail -n 1 <<< "$body")"
  echo "$status $(sed -n 's/.*"code":"\([A-Z_]*\)".*/\1/p' <<< "$body" | head -n 1)"
  sed '$d' <<< "$body" > "$TEST_TMP/error.json"
}

# --- anonymous token flow over HTTPS, blobs through the CDN redirect
token_mark hub
copy "$vicary/anon.vicary.test/library/testimg:v1" "$TEST_TMP/anon"
has_layers "$TEST_TMP/anon" "$public"
pass "anonymous pull through a token-auth HTTPS upstream with CDN redirects"
[ "$(token_requests hub - 'repository:library/testimg:pull')" -eq 1 ] ||
  fail "the anonymous pull fetched $(token_requests hub - 'repository:library/testimg:pull') tokens for one scope"
pass "a token is fetched once per scope, not per request"
[ "$(cdn_requests hub GET '/blobs/' yes)" -eq 0 ] || fail "Authorization was sent to the CDN"
[ "$(cdn_requests hub GET '/blobs/' no)" -ge 2 ] || fail "the blobs did not come from the CDN"
pass "blobs come from the CDN without Authorization (it answers 403 to any)"

# --- credentials: VICARY_DOCKER_IO_B64_AUTH for the default (Docker Hub) registry
copy "$vicary/team/private:v1" "$TEST_TMP/private"
has_layers "$TEST_TMP/private" "$private"
[ "$(token_requests hub builder 'repository:team/private:pull')" -ge 1 ] || fail "the private pull did not use the user"
pass "a private repository pulls with VICARY_DOCKER_IO_B64_AUTH credentials (token realm, Basic)"
[ "$(json_error "http://$vicary/v2/anon.vicary.test/team/private/manifests/v1")" = "401 UNAUTHORIZED" ] ||
  fail "an anonymous pull of a private repository: $(cat "$TEST_TMP/error.json")"
assert_contains "$(cat "$TEST_TMP/error.json")" "registry anon" "without credentials a private repository is 401 naming the registry"

# --- wrong credentials: a clear 401 naming the registry, the secret nowhere
[ "$(json_error "http://$vicary/v2/bad.vicary.test/team/private/manifests/v1")" = "401 UNAUTHORIZED" ] ||
  fail "wrong credentials: $(cat "$TEST_TMP/error.json")"
assert_contains "$(cat "$TEST_TMP/error.json")" "registry bad" "wrong credentials: the error names the registry"
assert_contains "$(cat "$TEST_TMP/error.json")" "user builder" "wrong credentials: the error names the user"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "answering 401: registry bad: token server" "wrong credentials are logged"
for secret in wrong-password-xyz s3cret-hub-pass s3cret-basic "$(printf 'builder:s3cret-hub-pass' | base64)"; do
  ! grep -q -- "$secret" "$TEST_TMP/vicary.log" "$TEST_TMP/error.json" || fail "a secret appears in the log or an error"
done
pass "no secret appears in vicary's log or its errors"

# --- the upstream's certificate is verified
[ "$(json_error "http://$vicary/v2/wrongca.vicary.test/team/app/manifests/v1" | cut -d' ' -f1)" = 502 ] ||
  fail "a wrong CA did not fail: $(cat "$TEST_TMP/error.json")"
assert_contains "$(cat "$TEST_TMP/error.json")" "registry wrongca" "a wrong CA fails with an error naming the registry"
assert_contains "$(tr 'A-Z' 'a-z' < "$TEST_TMP/error.json")" "certificate" "a wrong CA fails saying the certificate is not trusted"

# --- expired tokens are renewed
curl -sS -f --max-time 30 -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$vicary/v2/brief.vicary.test/team/app/manifests/v1" || fail "first pull from the short-token registry"
sleep 3
curl -sS -f --max-time 30 -o /dev/null "http://$vicary/v2/brief.vicary.test/team/app/tags/list" ||
  fail "a request after the token expired failed"
[ "$(token_requests brief '*' 'repository:team/app:pull')" -ge 2 ] || fail "the expired token was not renewed"
pass "an expired token is renewed"

# --- Basic auth (htpasswd)
copy "$vicary/basic.vicary.test/team/app:v1" "$TEST_TMP/basic"
has_layers "$TEST_TMP/basic" "$basic_summary"
pass "a pull through a Basic-auth (htpasswd) upstream works with the configured credentials"

stop_vicary TERM
