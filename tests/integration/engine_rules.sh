# The cache's rules against a real registry: a re-pushed tag is seen after its TTL and not before (revalidated with
# HEAD), a client HEAD never becomes an upstream GET, Accept keeps a manifest list and a single manifest apart,
# missing tags are remembered, tags are served stale and digests still work when the upstream is down, every error
# is the spec's JSON.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/registry.sh"
source "$(dirname "$0")/support/seed.sh"

oci_manifest='application/vnd.oci.image.manifest.v1+json'
oci_index='application/vnd.oci.image.index.v1+json'

start_registry up
seed_image up team/app v1 --layers 1 --layer-size 50000 --seed 31
first="$SEED_DIGEST" first_summary="$SEED_SUMMARY"
seed_image up team/multi v1 --layers 1 --layer-size 40000 --seed 32 --platforms linux/amd64,linux/arm64
multi_index="$SEED_DIGEST"

write_config
cat >> "$CONFIG" <<INI

[registry.up]
plugin = generic
upstream = $(registry_url up)
plain_http = true
aliases = up.vicary.test
tag_ttl = 2s
INI
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND/v2/up.vicary.test"

digest_of() {  # <url> [accept] -> Docker-Content-Digest of a GET (empty when not 200)
  curl -sS -o /dev/null -D - --max-time 30 -H "Accept: ${2:-$oci_manifest}" "$1" |
    tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}'
}
json_code() { curl -sS --max-time 30 "$@" | sed -n 's/.*"code":"\([A-Z_]*\)".*/\1/p'; }
status_of() { curl -sS -o /dev/null -w '%{http_code}' --max-time 30 "$@"; }

# --- tag freshness
[ "$(digest_of "$v/team/app/manifests/v1")" = "$first" ] || fail "the first pull got the wrong manifest"
seed_image up team/app v1 --layers 1 --layer-size 50000 --seed 99
second="$SEED_DIGEST"
[ "$first" != "$second" ] || fail "re-pushing did not change the digest"
registry_mark up
[ "$(digest_of "$v/team/app/manifests/v1")" = "$first" ] || fail "within its TTL the tag was not served from cache"
[ "$(registry_requests up '*' '/manifests/')" -eq 0 ] || fail "a fresh tag went upstream"
pass "within tag_ttl a tag is served from the cache without asking upstream"
sleep 2.5
registry_mark up
[ "$(digest_of "$v/team/app/manifests/v1")" = "$second" ] || fail "after its TTL the re-pushed tag was not seen"
[ "$(registry_requests up HEAD '/manifests/v1')" -eq 1 ] || fail "the stale tag was not revalidated with one HEAD"
[ "$(registry_requests up GET '/manifests/v1')" -eq 0 ] || fail "revalidation used a GET of the tag"
[ "$(registry_requests up GET "/manifests/$second")" -eq 1 ] || fail "the new manifest was not fetched by digest"
pass "after tag_ttl a re-pushed tag is seen: one upstream HEAD, then a GET by digest"

sleep 2.5
registry_mark up
headers="$(curl -sS -I --max-time 30 -H "Accept: $oci_manifest" "$v/team/app/manifests/v1")"
assert_contains "$headers" "Docker-Content-Digest: $second" "a client HEAD of a stale tag answers the digest"
[ "$(registry_requests up GET '/manifests/')" -eq 0 ] || fail "a client HEAD became an upstream GET"
pass "a client HEAD is never turned into an upstream GET"

# --- content negotiation: the index for a client that takes one, not for one that does not
[ "$(digest_of "$v/team/multi/manifests/v1" "$oci_index, $oci_manifest")" = "$multi_index" ] ||
  fail "a client accepting an index did not get it"
direct="$(digest_of "$(registry_url up)/v2/team/multi/manifests/v1" "$oci_manifest")"
[ "$direct" != "$multi_index" ] || fail "the upstream gives the index to a client that does not accept one"
[ "$(digest_of "$v/team/multi/manifests/v1" "$oci_manifest")" = "$direct" ] ||
  fail "a client accepting only a single manifest got something else than the upstream gives it"
pass "Accept is part of a tag's cache key: an index and a single manifest are kept apart"

# --- missing tags are remembered
registry_mark up
for _ in 1 2 3 4 5; do
  [ "$(json_code -H "Accept: $oci_manifest" "$v/team/app/manifests/nope")" = MANIFEST_UNKNOWN ] ||
    fail "a missing tag is not MANIFEST_UNKNOWN"
done
[ "$(registry_requests up '*' '/manifests/nope')" -eq 1 ] ||
  fail "5 pulls of a missing tag made $(registry_requests up '*' '/manifests/nope') upstream requests"
pass "a burst of pulls of a missing tag costs one upstream request"

# --- errors are the spec's JSON
[ "$(json_code "$v/Team/App/manifests/v1")" = NAME_INVALID ] || fail "NAME_INVALID"
[ "$(status_of "$v/Team/App/manifests/v1")" = 400 ] || fail "NAME_INVALID is not 400"
[ "$(json_code "$v/team/app/manifests/-x")" = TAG_INVALID ] || fail "TAG_INVALID"
[ "$(json_code "$v/team/app/blobs/sha256:1234")" = DIGEST_INVALID ] || fail "DIGEST_INVALID"
[ "$(json_code "$v/team/app/blobs/sha256:$(printf '0%.0s' $(seq 1 64))")" = BLOB_UNKNOWN ] || fail "BLOB_UNKNOWN"
[ "$(status_of "$v/team/app/blobs/sha256:$(printf '0%.0s' $(seq 1 64))")" = 404 ] || fail "BLOB_UNKNOWN is not 404"
[ "$(json_code -X DELETE "$v/team/app/manifests/v1")" = UNSUPPORTED ] || fail "UNSUPPORTED"
pass "NAME_INVALID, TAG_INVALID, DIGEST_INVALID, BLOB_UNKNOWN, MANIFEST_UNKNOWN, UNSUPPORTED as the spec's JSON"

# --- tags/list is passed through
tags="$(curl -sS --max-time 30 "$v/team/app/tags/list")"
assert_contains "$tags" '"tags":["v1"]' "tags/list is passed through"
registry_mark up
curl -sS -f --max-time 30 -o /dev/null "$v/team/app/tags/list?n=1" || fail "tags/list?n=1"
[ "$(registry_requests up GET 'tags/list[?]n=1')" -eq 1 ] || fail "tags/list's n was not passed upstream"
pass "tags/list passes n on to the upstream"

# --- upstream down: tags stale, digests fine, uncached things a JSON 502 naming the registry
layer="$(summary_get "$first_summary" layers.0.digest)"
curl -sS -f --max-time 30 -o /dev/null "$v/team/app/blobs/$layer" || fail "warming a layer"
stop_registry up
sleep 2.5
headers="$(curl -sS -D - -o "$TEST_TMP/stale" --max-time 60 -H "Accept: $oci_manifest" "$v/team/app/manifests/v1")"
assert_contains "$headers" "HTTP/1.1 200" "with the upstream down a stale tag is still served"
assert_contains "$headers" "Docker-Content-Digest: $second" "the stale tag is the last one seen"
assert_contains "$headers" "Warning: 110" "a stale answer says so in a Warning header"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "past its freshness" "serving stale is logged"
[ "$(digest_of "$v/team/app/manifests/$first")" = "$first" ] || fail "a manifest by digest needed the upstream"
curl -sS -f --max-time 30 -o /dev/null "$v/team/app/blobs/$layer" || fail "a cached blob needed the upstream"
pass "with the upstream down, manifests and blobs by digest are served from the cache"
body="$(curl -sS --max-time 60 -w ' %{http_code}' -H "Accept: $oci_manifest" "$v/team/app/manifests/never-seen")"
assert_contains "$body" '"code":"UNAVAILABLE"' "an uncached tag with the upstream down is UNAVAILABLE"
assert_contains "$body" 'registry up' "the error names the registry"
assert_contains "$body" ' 502' "an unreachable upstream is 502"

stop_vicary TERM
