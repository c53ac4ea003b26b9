# Upstreams that lie or break (fake_upstream.py): a corrupt or truncated blob fails the client and leaves nothing
# cached; a connection dropped halfway is resumed; 20 concurrent cold requests make one upstream fetch; Range on
# warm and in-flight blobs; a download outlives the client that started it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

build_image faults v1 --layers 3 --layer-size 2000000 --seed 21
layout="$IMAGE_LAYOUT" summary="$IMAGE_SUMMARY"
l0="$(summary_get "$summary" layers.0.digest)"
l1="$(summary_get "$summary" layers.1.digest)"
l2="$(summary_get "$summary" layers.2.digest)"
size0="$(summary_get "$summary" layers.0.size)"

start_fake_upstream corrupt "$layout" team/app --corrupt="$l0" --truncate="$l1" --drop-once="$l2"
corrupt_url="$FAKE_UPSTREAM_URL" corrupt_log="$FAKE_UPSTREAM_LOG"
start_fake_upstream slow "$layout" team/app --slow 2000000
slow_url="$FAKE_UPSTREAM_URL"

write_config
add_generic_registry liar "$corrupt_url" liar.vicary.test
add_generic_registry slow "$slow_url" slow.vicary.test
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND/v2"
cached() { [ -f "$TEST_TMP/cache/blobs/sha256/${1:7:2}/${1#sha256:}" ]; }
sha_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }

# A corrupt blob: the client's transfer fails (never a complete bad body), nothing is cached.
status=0
curl -sS -f --max-time 30 -o "$TEST_TMP/corrupt" "$v/liar.vicary.test/team/app/blobs/$l0" 2> "$TEST_TMP/curl.err" || status=$?
[ "$status" -ne 0 ] || fail "a corrupt blob was delivered whole: $(sha_of "$TEST_TMP/corrupt")"
[ "$(stat -c %s "$TEST_TMP/corrupt" 2>/dev/null || echo 0)" -lt "$size0" ] || fail "the client got all bytes of a corrupt blob"
pass "a blob that does not match its digest fails the client's transfer"
! cached "$l0" || fail "a corrupt blob was cached"
pass "a corrupt blob is not cached"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "does not match its digest" "the mismatch is logged"
before="$(fake_upstream_requests corrupt GET "/blobs/$l0")"
curl -sS --max-time 30 -o /dev/null "$v/liar.vicary.test/team/app/blobs/$l0" 2>/dev/null || true
[ "$(fake_upstream_requests corrupt GET "/blobs/$l0")" -gt "$before" ] || fail "a failed blob was served from somewhere"
pass "the next request for a corrupt blob goes upstream again"

# Truncated every time: resumes fail too, the client fails, nothing is cached.
status=0
curl -sS -f --max-time 60 -o "$TEST_TMP/trunc" "$v/liar.vicary.test/team/app/blobs/$l1" 2>/dev/null || status=$?
[ "$status" -ne 0 ] || fail "a truncated blob was delivered as complete"
! cached "$l1" || fail "a truncated blob was cached"
[ "$(fake_upstream_requests corrupt GET "/blobs/$l1")" -ge 2 ] || fail "vicary did not try to resume"
pass "a blob the upstream always truncates fails the client after bounded resumes, nothing cached"

# Dropped once halfway: resumed with a Range request; the client gets the whole blob.
curl -sS -f --max-time 60 -o "$TEST_TMP/dropped" "$v/liar.vicary.test/team/app/blobs/$l2" || fail "a dropped transfer was not resumed"
[ "$(sha_of "$TEST_TMP/dropped")" = "$l2" ] || fail "the resumed blob is wrong"
grep -q "^GET .*/blobs/$l2 bytes=[0-9]*-" "$corrupt_log" || fail "no Range request was sent upstream to resume"
downloads_idle
cached "$l2" || fail "the resumed blob was not cached"
pass "a connection dropped halfway is resumed with Range; the client gets the whole blob"

# 20 concurrent cold requests for one blob: one upstream fetch, 20 identical correct bodies.
pids=()
for i in $(seq 1 20); do
  curl -sS -f --max-time 60 -o "$TEST_TMP/c$i" "$v/slow.vicary.test/team/app/blobs/$l0" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a concurrent request failed"; done
for i in $(seq 1 20); do [ "$(sha_of "$TEST_TMP/c$i")" = "$l0" ] || fail "concurrent body $i is wrong"; done
[ "$(fake_upstream_requests slow GET "/blobs/$l0")" -eq 1 ] ||
  fail "20 concurrent requests made $(fake_upstream_requests slow GET "/blobs/$l0") upstream fetches"
pass "20 concurrent cold requests: one upstream fetch, 20 identical correct bodies"

# Range on a warm blob.
curl -sS -f --max-time 10 -r 100-199 -D "$TEST_TMP/h" -o "$TEST_TMP/r" "$v/slow.vicary.test/team/app/blobs/$l0" || fail "Range on a warm blob"
assert_contains "$(cat "$TEST_TMP/h")" "HTTP/1.1 206" "Range on a warm blob answers 206"
assert_contains "$(cat "$TEST_TMP/h")" "Content-Range: bytes 100-199/$size0" "Range on a warm blob sends Content-Range"
cmp -s "$TEST_TMP/r" <(tail -c +101 "$TEST_TMP/c1" | head -c 100) || fail "the warm range has the wrong bytes"
pass "Range on a warm blob returns exactly those bytes"
code="$(curl -sS -o /dev/null -w '%{http_code}' -r "$size0-" --max-time 10 "$v/slow.vicary.test/team/app/blobs/$l0")"
[ "$code" = 416 ] || fail "a range past the end got $code"
pass "a range past the end gets 416"

# Range on an in-flight blob (1 MB/s upstream: the download is still running) and a client that leaves early:
# the download finishes for the cache anyway.
curl -sS --max-time 1 -o /dev/null "$v/slow.vicary.test/team/app/blobs/$l1" 2>/dev/null || true
curl -sS -f --max-time 60 -r 1500000-1500099 -o "$TEST_TMP/inflight" "$v/slow.vicary.test/team/app/blobs/$l1" ||
  fail "Range on an in-flight blob"
[ "$(stat -c %s "$TEST_TMP/inflight")" -eq 100 ] || fail "the in-flight range has the wrong length"
pass "Range on an in-flight blob waits for those bytes and returns them"
for _ in $(seq 1 100); do cached "$l1" && break; sleep 0.1; done
cached "$l1" || fail "the download did not finish after its first client left"
[ "$(fake_upstream_requests slow GET "/blobs/$l1")" -eq 1 ] || fail "the in-flight blob was fetched more than once"
pass "a download started by a client that left completes for the cache, fetched once"

# HEAD on an uncached blob: answered from an upstream HEAD, nothing downloaded.
headers="$(curl -sS -I --max-time 10 "$v/slow.vicary.test/team/app/blobs/$l2")"
assert_contains "$headers" "HTTP/1.1 200" "HEAD on an uncached blob answers 200"
assert_contains "$headers" "Content-Length: $(summary_get "$summary" layers.2.size)" "HEAD on an uncached blob has its size"
[ "$(fake_upstream_requests slow GET "/blobs/$l2")" -eq 0 ] || fail "HEAD downloaded the blob"
pass "HEAD on an uncached blob makes no upstream GET"

# Referrers (cosign signatures, SBOMs): passed through with the query, remembered briefly.
referrers="$v/slow.vicary.test/team/app/referrers/$l0?artifactType=application/vnd.dev.cosign.artifact.sig.v1%2Bjson"
for _ in 1 2 3; do
  answer="$(curl -sS -f -D "$TEST_TMP/rh" --max-time 10 "$referrers")" || fail "referrers were not served"
  assert_contains "$answer" '"artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json"' "the referrers index is passed through"
done
[ "$(fake_upstream_requests slow GET "/referrers/$l0")" -eq 1 ] || fail "3 referrers requests made $(fake_upstream_requests slow GET "/referrers/") upstream requests"
grep -q "referrers/$l0?artifactType=" "$TEST_TMP/slow-requests.log" || fail "the artifactType query was not passed upstream"
pass "referrers are passed through with their query and remembered briefly (3 requests, 1 upstream)"

stop_vicary TERM
