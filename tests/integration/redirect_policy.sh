# No SSRF through redirects: an upstream that redirects a blob to a loopback address is refused unless its registry
# sets allow_private_redirects; redirects are followed for blobs and manifests only, never for tags/list.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

build_image redirects v1 --layers 1 --layer-size 300000 --seed 61
layout="$IMAGE_LAYOUT" summary="$IMAGE_SUMMARY"
layer="$(summary_get "$summary" layers.0.digest)"

# "inside" plays a service on the cache's own network; "outer" is the configured upstream and sends blobs there.
start_fake_upstream inside "$layout" team/app
inside_url="$FAKE_UPSTREAM_URL"
# (Two of them: a generic registry also serves its upstream's host, so two registries cannot share one.)
start_fake_upstream outer1 "$layout" team/app --redirect "$inside_url"
start_fake_upstream outer2 "$layout" team/app --redirect "$inside_url"

write_config
add_generic_registry strict "$(fake_upstream_url outer1)" strict.vicary.test
add_generic_registry lenient "$(fake_upstream_url outer2)" lenient.vicary.test
add_key "$CONFIG" registry.lenient allow_private_redirects true
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND/v2"

code="$(curl -sS -o "$TEST_TMP/strict" -w '%{http_code}' --max-time 30 "$v/strict.vicary.test/team/app/blobs/$layer")"
[ "${code:0:1}" = 5 ] || fail "a blob redirected to 127.0.0.1 answered $code"
assert_contains "$(cat "$TEST_TMP/strict")" '"errors"' "the refusal is an OCI JSON error"
[ "$(fake_upstream_requests inside '*' /blobs/)" -eq 0 ] || fail "vicary followed a redirect to a loopback address"
pass "a redirect to a loopback address is refused and nothing is fetched there"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "allow_private_redirects" "the log names the setting that allows it"

code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 "$v/strict.vicary.test/team/app/manifests/v1")"
[ "$code" = 200 ] || fail "the manifest of the strict registry answered $code"
pass "the configured upstream itself is reachable on loopback (the operator chose it)"

code="$(curl -sS -o "$TEST_TMP/lenient" -w '%{http_code}' --max-time 30 "$v/lenient.vicary.test/team/app/blobs/$layer")"
[ "$code" = 200 ] || fail "with allow_private_redirects the blob answered $code"
[ "sha256:$(sha256sum "$TEST_TMP/lenient" | cut -d' ' -f1)" = "$layer" ] || fail "the redirected blob has wrong bytes"
[ "$(fake_upstream_requests inside GET "/blobs/$layer")" -eq 1 ] || fail "the blob did not come from the redirect target"
pass "with allow_private_redirects = true the same redirect is followed"

code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 "$v/lenient.vicary.test/team/app/tags/list")"
[ "$code" != 200 ] || fail "a redirected tags/list was followed"
[ "$(fake_upstream_requests inside '*' /tags/)" -eq 0 ] || fail "vicary followed a tags/list redirect"
pass "redirects are not followed for tags/list, even where private redirects are allowed"

kill -0 "$VICARY_PID" || fail "vicary died"
stop_vicary TERM
