# Serving HTTPS: curl and skopeo pull through vicary over TLS verified against a test CA; old TLS versions and plain
# HTTP on the TLS port are refused; a bad TLS setting stops start-up naming the key.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"
source "$(dirname "$0")/support/tls.sh"

make_test_ca
make_server_cert vicary
build_image tls v1 --layers 1 --layer-size 3000000 --seed 91
layer="$(summary_get "$IMAGE_SUMMARY" layers.0.digest)"
start_fake_upstream up "$IMAGE_LAYOUT" team/app
write_config
set_key "$CONFIG" server tls_certificate "$SERVER_CERT_FILE"
set_key "$CONFIG" server tls_key "$SERVER_KEY_FILE"
add_generic_registry up "$FAKE_UPSTREAM_URL" up.vicary.test
start_vicary --config "$CONFIG"
v="https://127.0.0.1:$VICARY_PORT_BOUND"

assert_contains "$(curl -sS -i --max-time 10 --cacert "$TEST_CA_FILE" "$v/v2/")" "HTTP/1.1 200" "GET /v2/ over TLS, verified against the test CA"
for round in cold warm; do
  curl -sS -f --max-time 30 --cacert "$TEST_CA_FILE" -o "$TEST_TMP/$round" "$v/v2/up.vicary.test/team/app/blobs/$layer" ||
    fail "the $round blob over TLS"
  [ "sha256:$(sha256sum "$TEST_TMP/$round" | cut -d' ' -f1)" = "$layer" ] || fail "the $round blob over TLS is wrong"
done
pass "a blob pulls over TLS byte for byte, cold (streamed while it downloads) and warm (from the store)"
curl -sS -f --max-time 30 --cacert "$TEST_CA_FILE" -r 1000-1999 -o "$TEST_TMP/range" "$v/v2/up.vicary.test/team/app/blobs/$layer" ||
  fail "a range over TLS"
cmp -s "$TEST_TMP/range" <(tail -c +1001 "$TEST_TMP/warm" | head -c 1000) || fail "the range over TLS has the wrong bytes"
pass "Range over TLS"

timeout 120 skopeo copy --insecure-policy --src-cert-dir "$TEST_CA_DIR" \
  "docker://127.0.0.1:$VICARY_PORT_BOUND/up.vicary.test/team/app:v1" "oci:$TEST_TMP/skopeo:t" > "$TEST_TMP/skopeo.log" 2>&1 ||
  fail "skopeo over TLS: $(tail -n 3 "$TEST_TMP/skopeo.log")"
[ -f "$TEST_TMP/skopeo/blobs/sha256/${layer#sha256:}" ] || fail "skopeo's copy over TLS lacks the layer"
pass "skopeo copies through vicary over TLS with the CA in --src-cert-dir"

! curl -sS --max-time 10 --cacert "$TEST_CA_FILE" --tls-max 1.1 -o /dev/null "$v/v2/" 2>/dev/null || fail "TLS 1.1 was accepted"
pass "TLS 1.1 and older are refused"
! curl -sS --max-time 10 -o /dev/null "http://127.0.0.1:$VICARY_PORT_BOUND/v2/" 2>/dev/null ||
  [ "$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$VICARY_PORT_BOUND/v2/" 2>/dev/null)" != 200 ] ||
  fail "plain HTTP got a 200 on the TLS port"
pass "plain HTTP on the TLS port gets no answer"
kill -0 "$VICARY_PID" || fail "vicary died"
stop_vicary TERM

set_key "$CONFIG" server tls_key ""
run_vicary --config "$CONFIG" --check
[ "$RUN_STATUS" -eq 78 ] || fail "tls_certificate without tls_key: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "[server] tls_key: required" "tls_certificate without tls_key is refused naming the key"
