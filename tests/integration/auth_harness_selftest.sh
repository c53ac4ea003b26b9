# The upstream-auth harness without vicary: a token-auth registry over HTTPS with its token server, Docker Hub's CDN
# redirect in front of it, an htpasswd registry, test certificates and a wrong CA; checked with curl and skopeo.
# If this fails, upstream-auth tests built on tests/integration/support/ cannot pass.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/registry.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/auth_registry.sh"
source "$(dirname "$0")/support/cdn_front.sh"

sha_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
assert_eq() {  # <actual> <expected> <what>
  [ "$1" = "$2" ] && pass "$3" || fail "$3: expected '$2', got '$1'"
}
MANIFEST_ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
# http_code <curl args...>: prints the HTTP status (000 if no answer); body and headers go to $TEST_TMP/body, headers
http_code() {
  curl -s -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' --max-time 20 "$@" || true
}
header() {  # <name>: a header of the last http_code call
  tr -d '\r' < "$TEST_TMP/headers" | sed -n "s/^$1: //Ip" | tail -n 1
}
json_get() {  # <file> <key>
  "$SUPPORT_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], "<none>"))' "$1" "$2"
}
jwt_part() {  # <token> <0|1>: the decoded JWT header (0) or claims (1) as JSON
  "$SUPPORT_PYTHON" -c 'import base64, sys; p = sys.argv[1].split(".")[int(sys.argv[2])]
import json; print(json.dumps(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))))' "$1" "$2"
}

# --- certificates
make_test_ca
make_other_ca
make_server_cert plain example.test 10.9.8.7
sans="$(openssl x509 -in "$SERVER_CERT_FILE" -noout -ext subjectAltName)"
assert_contains "$sans" "IP Address:127.0.0.1" "make_server_cert: IP:127.0.0.1 always"
assert_contains "$sans" "DNS:example.test" "make_server_cert: DNS SANs"
assert_contains "$sans" "IP Address:10.9.8.7" "make_server_cert: IP SANs"
openssl verify -CAfile "$TEST_CA_FILE" "$SERVER_CERT_FILE" > /dev/null || fail "the test CA does not verify its cert"
! openssl verify -CAfile "$OTHER_CA_FILE" "$SERVER_CERT_FILE" > /dev/null 2>&1 || fail "the other CA verifies it"
pass "the other CA is unrelated"

# --- a token registry: lib/pub is public, team/priv is not, alice may do anything
start_token_registry hub --public lib/pub --user alice:s3cret --user bob:hunter2
hub="$REGISTRY_URL" realm="$TOKEN_REALM" service="$TOKEN_SERVICE"
assert_eq "$hub" "$(auth_registry_url hub)" "auth_registry_url names the https address"
seed_auth_image hub lib/pub v1 --layers 2 --layer-size 120000 --seed 21
pub="$SEED_SUMMARY"
seed_auth_image hub team/priv v1 --layers 2 --layer-size 50000 --seed 22 --platforms linux/amd64,linux/arm64
priv="$SEED_SUMMARY"
pass "seed_auth_image pushes as the first user (one image, one multi-platform index)"
assert_eq "$(token_requests hub alice 'repository:team/priv:.*push')" 1 "the push asked for a push token once"

assert_eq "$(http_code --cacert "$TEST_CA_FILE" "$hub/v2/")" 401 "the registry wants a token for /v2/"
assert_contains "$(header WWW-Authenticate)" "Bearer realm=\"$realm\",service=\"$service\"" \
  "its challenge names the token server and service"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "$MANIFEST_ACCEPT" "$hub/v2/lib/pub/manifests/v1")" 401 \
  "a manifest without a token: 401"
assert_contains "$(header WWW-Authenticate)" 'scope="repository:lib/pub:pull"' "the challenge names the scope"

token_mark hub
anon="$(fetch_token hub repository:lib/pub:pull)"
assert_contains "$(jwt_part "$anon" 0)" '"x5c": [' "the JWT header carries x5c"
claims="$(jwt_part "$anon" 1)"
assert_contains "$claims" "\"aud\": \"$service\"" "aud is the service"
assert_contains "$claims" '"access": [{"type": "repository", "name": "lib/pub", "actions": ["pull"]}]' \
  "an anonymous token grants pull on a public repository"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "$MANIFEST_ACCEPT" -H "Authorization: Bearer $anon" \
  "$hub/v2/lib/pub/manifests/v1")" 200 "the registry accepts it (distribution verifies the x5c chain)"
assert_eq "$(sha_of "$TEST_TMP/body")" "$(summary_get "$pub" digest)" "and serves the seeded manifest"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "Authorization: Bearer $anon" \
  "$hub/v2/lib/pub/blobs/$(summary_get "$pub" layers.0.digest)")" 200 "a blob with the same token"

anon_priv="$(fetch_token hub repository:team/priv:pull)"
assert_contains "$(jwt_part "$anon_priv" 1)" '"access": []' "anonymous on a private repository: 200, no access"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H 'Accept: application/vnd.oci.image.index.v1+json' \
  -H "Authorization: Bearer $anon_priv" "$hub/v2/team/priv/manifests/v1")" 401 "and the registry refuses it"
alice="$(fetch_token hub repository:team/priv:pull alice:s3cret)"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H 'Accept: application/vnd.oci.image.index.v1+json' \
  -H "Authorization: Bearer $alice" "$hub/v2/team/priv/manifests/v1")" 200 "alice's token pulls the private index"
assert_eq "$(sha_of "$TEST_TMP/body")" "$(summary_get "$priv" index.digest)" "byte for byte"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "Authorization: Bearer $alice" \
  "$hub/v2/lib/pub/manifests/v1")" 401 "a token for one repository does not open another"

token_url="$realm?service=$service&scope=repository:team/priv:pull"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -u alice:wrong "$token_url")" 401 "wrong password: 401"
assert_eq "$(json_get "$TEST_TMP/body" details)" "incorrect username or password" "with a JSON error"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -u mallory:s3cret "$token_url")" 401 "unknown user: 401"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -u bob:hunter2 "$realm?service=other&scope=repository:a:pull")" 400 \
  "another service: 400"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -u bob:hunter2 "$realm?service=$service")" 200 "no scope: 200"
assert_contains "$(jwt_part "$(json_get "$TEST_TMP/body" token)" 1)" '"access": []' "with no access"
for field in token access_token expires_in issued_at; do
  [ "$(json_get "$TEST_TMP/body" "$field")" != "<none>" ] || fail "the token answer has no $field"
done
pass "the answer has token, access_token, expires_in and issued_at"
assert_eq "$(json_get "$TEST_TMP/body" expires_in)" 300 "expires_in defaults to 300"

assert_eq "$(token_requests hub - 'repository:lib/pub:pull')" 1 "token_requests: one anonymous lib/pub token"
assert_eq "$(token_requests hub alice 'repository:team/priv:pull$')" 2 "two for alice on team/priv (one refused)"
assert_eq "$(token_requests hub mallory '.')" 1 "one for an unknown user, logged by name"
assert_eq "$(token_requests hub '?' '.')" 0 "none with unreadable credentials"
assert_eq "$(token_requests hub '*' 'team/priv')" 4 "four asked for team/priv, whoever asked"
assert_eq "$(grep -c 'wrong\|s3cret\|hunter2' "$TOKEN_SERVER_LOG" || true)" 0 "the log holds no password"

# --- CDN front: blob GETs redirect to signed URLs on another port, which refuse an Authorization header
start_cdn_front hub
layer="$(summary_get "$pub" layers.1.digest)"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "Authorization: Bearer $anon" \
  "$CDN_FRONT_URL/v2/lib/pub/blobs/$layer")" 307 "the front redirects a blob GET"
location="$(header Location)"
assert_contains "$location" "$CDN_URL/blobs/$layer?expires=" "to the CDN"
assert_contains "$location" "&sig=" "with a signature in the query"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "Authorization: Bearer $anon" "$location")" 403 \
  "the CDN refuses a request with Authorization"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" "$location")" 200 "and serves it without"
assert_eq "$(sha_of "$TEST_TMP/body")" "$layer" "the blob's sha256"
assert_eq "$(header Content-Length)" "$(summary_get "$pub" layers.1.size)" "with Content-Length"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" "${location%=*}x")" 403 "a tampered signature: 403"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -r 10-19 "$location")" 206 "a Range request: 206"
assert_eq "$(stat -c %s "$TEST_TMP/body")" 10 "with just that range"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -L -H "Authorization: Bearer $anon" \
  "$CDN_FRONT_URL/v2/lib/pub/blobs/$layer")" 200 "curl -L follows the redirect"
assert_eq "$(sha_of "$TEST_TMP/body")" "$layer" "and gets the blob"
assert_eq "$(cdn_requests hub GET "^/blobs/$layer" yes)" 1 "curl -L dropped Authorization for the other port"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "Authorization: Bearer $anon" -H "$MANIFEST_ACCEPT" \
  "$CDN_FRONT_URL/v2/lib/pub/manifests/v1")" 200 "the front passes manifests through"
assert_eq "$(header Docker-Content-Digest)" "$(summary_get "$pub" digest)" "with the registry's headers"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" "$CDN_FRONT_URL/v2/team/priv/blobs/$layer")" 401 \
  "the front passes a 401 through (no redirect without access)"
assert_contains "$(header WWW-Authenticate)" "realm=\"$realm\"" "with the registry's challenge"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -I -H "Authorization: Bearer $anon" \
  "$CDN_FRONT_URL/v2/lib/pub/blobs/$layer")" 200 "a HEAD of a blob is not redirected"

timeout 120 skopeo copy --insecure-policy --src-creds alice:s3cret --src-cert-dir "$TEST_CA_DIR" \
  "docker://$CDN_FRONT_HOST/team/priv:v1" "oci:$TEST_TMP/copy:t" > "$TEST_TMP/skopeo.log" 2>&1 ||
  fail "skopeo copy from the front: $(tail -n 5 "$TEST_TMP/skopeo.log")"
pass "skopeo copy --src-creds from the front follows the redirects"
amd_layer="$(summary_get "$priv" platforms.linux/amd64.layers.0.digest)"
assert_eq "$(sha_of "$TEST_TMP/copy/blobs/sha256/${amd_layer#sha256:}")" "$amd_layer" "the copied layer is whole"
assert_eq "$(cdn_front_requests hub GET "/v2/team/priv/blobs/$amd_layer\$" yes)" 1 "the front saw skopeo's GET"
assert_eq "$(cdn_requests hub GET "^/blobs/$amd_layer" no)" 1 "the CDN served it, without Authorization"
assert_eq "$(cdn_requests hub '*' '/blobs/' yes)" 1 "only the explicit curl ever sent Authorization to the CDN"
registry_mark hub
timeout 60 skopeo inspect --cert-dir "$TEST_CA_DIR" "docker://$CDN_FRONT_HOST/lib/pub:v1" > /dev/null ||
  fail "anonymous skopeo inspect through the front"
assert_eq "$(registry_requests hub GET '^/v2/lib/pub/manifests/v1$')" 1 "registry_requests counts the registry's side"
stop_cdn_front hub
pass "stop_cdn_front"

# --- wrong CA
status=0
curl -sS -o /dev/null --max-time 10 --cacert "$OTHER_CA_FILE" "$hub/v2/" 2> "$TEST_TMP/curl.err" || status=$?
assert_eq "$status" 60 "curl trusting the other CA refuses the registry's certificate"
timeout 60 skopeo inspect --cert-dir "$OTHER_CA_DIR" "docker://$REGISTRY_HOST/lib/pub:v1" > /dev/null 2>&1 &&
  fail "skopeo trusting the other CA reached the registry"
pass "so does skopeo"

# --- short-lived tokens, answered in access_token only
start_token_registry brief --public lib/pub --user carol:pw --expires-in 2 --token-field access_token
http_code --cacert "$TEST_CA_FILE" "$TOKEN_REALM?service=$TOKEN_SERVICE&scope=repository:lib/pub:pull" > /dev/null
assert_eq "$(json_get "$TEST_TMP/body" token)" "<none>" "--token-field access_token: no token field"
assert_eq "$(json_get "$TEST_TMP/body" expires_in)" 2 "--expires-in 2"
seed_auth_image brief lib/pub v1 --layers 1 --layer-size 1000 --seed 23
short="$(fetch_token brief repository:lib/pub:pull)"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "$MANIFEST_ACCEPT" -H "Authorization: Bearer $short" \
  "$REGISTRY_URL/v2/lib/pub/manifests/v1")" 200 "a fresh short-lived token works"
sleep 3
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -H "$MANIFEST_ACCEPT" -H "Authorization: Bearer $short" \
  "$REGISTRY_URL/v2/lib/pub/manifests/v1")" 401 "3 s later the registry refuses it"
assert_contains "$(header WWW-Authenticate)" 'error="invalid_token"' "as an invalid token"
brief_token_pid="$TOKEN_SERVER_PID" brief_pid="$REGISTRY_PID"
stop_auth_registry brief
! kill -0 "$brief_token_pid" 2> /dev/null && ! kill -0 "$brief_pid" 2> /dev/null ||
  fail "stop_auth_registry left a process running"
pass "stop_auth_registry stops the registry and its token server"

# --- htpasswd registries: plain http, and https
start_htpasswd_registry basic dave:letmein erin:opensesame
basic="$REGISTRY_URL"
assert_contains "$basic" "http://" "start_htpasswd_registry: plain http by default"
assert_eq "$(http_code "$basic/v2/")" 401 "htpasswd: 401 without credentials"
assert_contains "$(header WWW-Authenticate)" 'Basic realm="vicary-test"' "with a Basic challenge"
assert_eq "$(http_code -u dave:wrong "$basic/v2/")" 401 "401 with a wrong password"
assert_eq "$(http_code -u erin:opensesame "$basic/v2/")" 200 "200 with a user's password"
seed_auth_image basic lib/app v1 --layers 1 --layer-size 5000 --seed 24
timeout 60 skopeo inspect --tls-verify=false --creds erin:opensesame "docker://$REGISTRY_HOST/lib/app:v1" > /dev/null ||
  fail "skopeo inspect of the htpasswd registry"
pass "seed_auth_image and skopeo --creds on the htpasswd registry"
start_htpasswd_registry basictls --tls frank:pw
assert_contains "$REGISTRY_URL" "https://" "start_htpasswd_registry --tls: https"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" "$REGISTRY_URL/v2/")" 401 "401 without credentials"
assert_eq "$(http_code --cacert "$TEST_CA_FILE" -u frank:pw "$REGISTRY_URL/v2/")" 200 "200 with"

# --- clean-up at exit stops what a test left running
TMPDIR="$TEST_TMP" bash -c '
  source "$1/lib.sh"; source "$1/support/auth_registry.sh"; source "$1/support/cdn_front.sh"
  start_token_registry left --user u:p
  echo "$REGISTRY_PID $TOKEN_SERVER_PID" > "$2/left.pids"
  start_cdn_front left; echo "$CDN_FRONT_PID" >> "$2/left.pids"
  exit 0' _ "$(dirname "$0")" "$TEST_TMP" || fail "the clean-up child failed"
for pid in $(cat "$TEST_TMP/left.pids"); do
  ! kill -0 "$pid" 2> /dev/null || { kill -KILL "$pid"; fail "pid $pid outlived its test"; }
done
pass "a test's exit stops its token servers, auth registries and CDN fronts"
