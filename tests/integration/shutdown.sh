# SIGTERM: responses in progress finish within [server] shutdown_timeout; past it their connections close, the
# downloads behind them are abandoned, and no temp file is left in the store. Exit status 0 either way.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

build_image shutdown v1 --layers 2 --layer-size 1500000,4000000 --seed 71
small="$(summary_get "$IMAGE_SUMMARY" layers.0.digest)"
large="$(summary_get "$IMAGE_SUMMARY" layers.1.digest)"
start_fake_upstream up "$IMAGE_LAYOUT" team/app --slow 1000000
write_config
add_generic_registry up "$FAKE_UPSTREAM_URL" up.vicary.test

stop_timed() {  # sends TERM; sets TOOK to how many seconds vicary took to exit (fails unless exit 0)
  local start end
  start=$(date +%s.%N)
  stop_vicary TERM
  end=$(date +%s.%N)
  TOOK="$(echo "$end - $start" | bc)"
}

# 1. A response in progress finishes.
start_vicary --config "$CONFIG"
curl -sS -f --max-time 30 -o "$TEST_TMP/small" "http://127.0.0.1:$VICARY_PORT_BOUND/v2/up.vicary.test/team/app/blobs/$small" &
client=$!
for _ in $(seq 1 50); do [ -n "$(ls -A "$TEST_TMP/cache/tmp" 2>/dev/null)" ] && break; sleep 0.05; done
stop_timed
wait "$client" || fail "a response in progress did not finish after SIGTERM"
[ "sha256:$(sha256sum "$TEST_TMP/small" | cut -d' ' -f1)" = "$small" ] || fail "the finished response is wrong"
pass "SIGTERM lets a response in progress finish (exit 0 after $TOOK s)"
[ -z "$(ls -A "$TEST_TMP/cache/tmp")" ] || fail "temp files left: $(ls "$TEST_TMP/cache/tmp")"

# 2. Past the deadline the connection closes and the download is abandoned without leaving a temp file.
set_key "$CONFIG" server shutdown_timeout 1s
start_vicary --config "$CONFIG"
curl -sS --max-time 30 -o "$TEST_TMP/large" "http://127.0.0.1:$VICARY_PORT_BOUND/v2/up.vicary.test/team/app/blobs/$large" &
client=$!
for _ in $(seq 1 50); do [ -n "$(ls -A "$TEST_TMP/cache/tmp" 2>/dev/null)" ] && break; sleep 0.05; done
stop_timed
status=0
wait "$client" || status=$?
[ "$status" -ne 0 ] || fail "the client of an abandoned response got a complete answer"
[ "$(echo "$TOOK < 8" | bc)" = 1 ] || fail "vicary took $TOOK s to stop with shutdown_timeout = 1s"
pass "past shutdown_timeout the connection is closed and vicary exits 0 (after $TOOK s)"
[ -z "$(ls -A "$TEST_TMP/cache/tmp")" ] || fail "the abandoned download left temp files: $(ls "$TEST_TMP/cache/tmp")"
! [ -f "$TEST_TMP/cache/blobs/sha256/${large:7:2}/${large#sha256:}" ] || fail "the abandoned blob was committed"
pass "the abandoned download leaves no temp file and nothing in the store"
