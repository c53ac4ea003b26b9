# The cache under a size cap: least recently used objects go first, the cap holds after every pull, a blob larger
# than the cap still reaches the client, a hard kill mid-download leaves nothing bad behind, and a disk that fills up
# under a download still gives the client its blob.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

vicaryctl="$(dirname "$VICARY_BIN")/vicaryctl"
MB=1000000
build_image limits v1 --layers 5 --layer-size "$MB,$MB,$MB,$MB,3000000" --seed 51
layout="$IMAGE_LAYOUT" summary="$IMAGE_SUMMARY"
layer() { summary_get "$summary" "layers.$1.digest"; }
start_fake_upstream up "$layout" team/app
start_fake_upstream slow "$layout" team/app --slow 1500000

configure() {  # <cache dir> <max_size> <min_free>
  write_config
  set_key "$CONFIG" cache directory "$1"
  set_key "$CONFIG" cache max_size "$2"
  set_key "$CONFIG" cache min_free "$3"
  add_generic_registry up "$(fake_upstream_url up)" up.vicary.test
  add_generic_registry slow "$(fake_upstream_url slow)" slow.vicary.test
}
pull() {  # <registry alias> <layer index> -> the blob, checked against its digest
  local digest
  digest="$(layer "$2")"
  curl -sS -f --max-time 60 -o "$TEST_TMP/pulled" "http://127.0.0.1:$VICARY_PORT_BOUND/v2/$1/team/app/blobs/$digest" ||
    fail "pulling layer $2 through $1"
  downloads_idle  # the store and the index change at the commit, after the last byte
  [ "sha256:$(sha256sum "$TEST_TMP/pulled" | cut -d' ' -f1)" = "$digest" ] || fail "layer $2 came back wrong"
}
cached() { [ -f "$1/blobs/sha256/$(layer "$2" | cut -c8-9)/$(layer "$2" | cut -c8-)" ]; }
disk_use() { du -sb "$1/blobs" "$1/tmp" | awk '{s += $1} END {print s}'; }

# --- the cap, LRU order
cache="$TEST_TMP/cache"
configure "$cache" 2500000 0
start_vicary --config "$CONFIG"
pull up.vicary.test 0
pull up.vicary.test 1
sleep 0.5
pull up.vicary.test 0  # layer 0 is now more recently used than layer 1
sleep 2.5              # access times reach the index in batches
pull up.vicary.test 2  # 3 MB > 2.5 MB: one must go, the least recently used
cached "$cache" 0 || fail "the recently used layer 0 was evicted"
! cached "$cache" 1 || fail "the least recently used layer 1 was kept"
cached "$cache" 2 || fail "the new layer 2 was not cached"
pass "over the cap, the least recently used blob goes first"
for round in 1 2 3; do
  for i in 3 1 0 2 3 0; do
    pull up.vicary.test "$i"
    use="$(disk_use "$cache")"
    [ "$use" -le 2500000 ] || fail "round $round: the cache uses $use bytes, over its 2500000 cap"
  done
done
pass "18 pulls of 1 MB blobs under a 2.5 MB cap: the cap holds after every one"

pull up.vicary.test 4  # 3 MB: larger than the whole cap
! cached "$cache" 4 || fail "a blob larger than the cap was cached"
pass "a blob larger than the cap reaches the client from the upstream and is not cached"
stats="$("$vicaryctl" --cache "$cache" --json stats)" || fail "vicaryctl stats"
bytes="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes"])' <<< "$stats")"
[ "$bytes" -le 2500000 ] || fail "the index counts $bytes bytes"
stop_vicary TERM

# --- kill -9 in the middle of a download, then restart on the same cache
configure "$cache" 0 0
start_vicary --config "$CONFIG"
curl -sS --max-time 30 -o /dev/null "http://127.0.0.1:$VICARY_PORT_BOUND/v2/slow.vicary.test/team/app/blobs/$(layer 4)" &
client=$!
for _ in $(seq 1 50); do [ -n "$(ls -A "$cache/tmp" 2>/dev/null)" ] && break; sleep 0.1; done
[ -n "$(ls -A "$cache/tmp")" ] || fail "the slow download did not start"
kill -KILL "$VICARY_PID"
wait "$VICARY_PID" 2>/dev/null || true
VICARY_PID=""
wait "$client" 2>/dev/null || true
! cached "$cache" 4 || fail "a download killed halfway left its blob in the store"
start_vicary --config "$CONFIG"
[ -z "$(ls -A "$cache/tmp")" ] || fail "the restart left temp files: $(ls "$cache/tmp")"
pass "after kill -9 mid-download the restart removes the partial file"
pull slow.vicary.test 4
cached "$cache" 4 || fail "the blob was not cached after the restart"
"$vicaryctl" --cache "$cache" verify > "$TEST_TMP/verify.out" 2>&1 || fail "verify after the crash: $(cat "$TEST_TMP/verify.out")"
pass "after the restart the blob pulls whole and every stored object verifies"
stop_vicary TERM

# --- a disk that fills up under a download (tmpfs; needs root, as CI is)
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the disk-full case needs root to mount a tmpfs"
  exit 0
fi
small="$TEST_TMP/small"
mkdir -p "$small"
mount -t tmpfs -o size=6m tmpfs "$small" || fail "cannot mount a tmpfs"
unmount_small() { umount "$small" 2>/dev/null || umount -l "$small" 2>/dev/null || true; }
cleanup_hooks+=(unmount_small)
configure "$small/cache" 0 0
start_vicary --config "$CONFIG"
curl -sS -f --max-time 60 -o "$TEST_TMP/full" "http://127.0.0.1:$VICARY_PORT_BOUND/v2/slow.vicary.test/team/app/blobs/$(layer 4)" &
client=$!
for _ in $(seq 1 50); do [ -n "$(ls -A "$small/cache/tmp" 2>/dev/null)" ] && break; sleep 0.1; done
dd if=/dev/zero of="$small/filler" bs=64k 2>/dev/null || true  # fills the filesystem
wait "$client" || fail "the client's pull failed when the disk filled up"
downloads_idle
[ "sha256:$(sha256sum "$TEST_TMP/full" | cut -d' ' -f1)" = "$(layer 4)" ] || fail "the pull during disk-full is wrong"
pass "when the disk fills up during a download the client still gets the whole blob"
[ -z "$(ls -A "$small/cache/tmp")" ] || fail "the partial file was left behind"
! cached "$small/cache" 4 || fail "the blob was cached although the disk was full"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "cannot write to the cache" "the disk-full event is logged"
rm -f "$small/filler"
pull slow.vicary.test 4
cached "$small/cache" 4 || fail "with space again, the blob was not cached"
pass "with space again the blob is cached"
stop_vicary TERM
