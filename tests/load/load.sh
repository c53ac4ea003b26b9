# A bounded load test on loopback: LOAD_CLIENTS (default 200) concurrent keep-alive clients for LOAD_SECONDS (default
# 60) mixing warm, cold and bad requests against vicary in front of a real registry (Debian's docker-registry).
# Proves: no crash, no wrong byte (every blob and manifest body checked against its digest or known content), no
# status outside the expected set per kind, no connection error except on connections the client itself abandons,
# memory bounded (peak RSS under LOAD_RSS_LIMIT_MIB, no steady growth between the start and the end of the run), and
# afterwards a normal cold pull works and SIGTERM stops vicary with exit 0.
source "$VICARY_SOURCE_DIR/tests/integration/lib.sh"
source "$VICARY_SOURCE_DIR/tests/integration/support/registry.sh"
source "$VICARY_SOURCE_DIR/tests/integration/support/seed.sh"

LOAD_SECONDS="${LOAD_SECONDS:-60}"
LOAD_CLIENTS="${LOAD_CLIENTS:-200}"
LOAD_RSS_LIMIT_MIB="${LOAD_RSS_LIMIT_MIB:-256}"  # peak VmHWM; see the README note in the report / CMakeLists
LOAD_GROWTH_MARGIN_MIB="${LOAD_GROWTH_MARGIN_MIB:-24}"
PREFIX=load.vicary.test
LOAD_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ "$LOAD_SECONDS" =~ ^[0-9]+$ && "$LOAD_SECONDS" -ge 8 && "$LOAD_SECONDS" -le 600 ]] ||
  fail "LOAD_SECONDS must be 8..600, got '$LOAD_SECONDS'"
[[ "$LOAD_CLIENTS" =~ ^[0-9]+$ && "$LOAD_CLIENTS" -ge 1 && "$LOAD_CLIENTS" -le 500 ]] ||
  fail "LOAD_CLIENTS must be 1..500, got '$LOAD_CLIENTS'"

# small_sizes <seed> <count>: a comma list of mixed small layer payload sizes (300 B to 256 KiB).
small_sizes() {
  "$SUPPORT_PYTHON" -c 'import random, sys
r = random.Random(int(sys.argv[1]))
print(",".join(str(r.choice([300, 2000, 9000, 40000, 120000, 262144])) for _ in range(int(sys.argv[2]))))' "$1" "$2"
}

# seed_repos: pushes the images the load runs on; REPO_SUMMARIES lists "<repo> <prewarm 0|1> <summary.json>".
REPO_SUMMARIES=()
seed_repos() {
  local i
  for i in 0 1 2 3 4 5; do
    seed_image upstream "load/small$i" v1 --layers 50 --layer-size "$(small_sizes "$i" 50)" --seed "$((100 + i))"
    REPO_SUMMARIES+=("load/small$i $([ "$i" -lt 2 ] && echo 1 || echo 0) $SEED_SUMMARY")
  done
  seed_image upstream load/big0 v1 --layers 2 --layer-size $((8 << 20)),$((32 << 20)) --seed 200
  REPO_SUMMARIES+=("load/big0 1 $SEED_SUMMARY")
  seed_image upstream load/big1 v1 --layers 2 --layer-size $((12 << 20)),$((16 << 20)) --seed 201
  REPO_SUMMARIES+=("load/big1 0 $SEED_SUMMARY")
  # Not in the description: pulled (cold) only after the load, to show vicary still works normally.
  seed_image upstream load/after v1 --layers 3 --layer-size 200000 --seed 300
  AFTER_SUMMARY="$SEED_SUMMARY"
}

# write_description <file>: the load client's view of the upstream (repos, tag, manifest, blobs with their files).
write_description() {
  "$SUPPORT_PYTHON" - "$1" "$PREFIX" "${REPO_SUMMARIES[@]}" << 'EOF' || fail "cannot write the upstream description"
import json, os, sys
out, prefix, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
repos = []
for entry in entries:
    name, prewarm, path = entry.split(" ", 2)
    s = json.load(open(path))
    blobs = [s["config"]] + s["layers"]
    repos.append({"name": name, "tag": s["tag"], "prewarm": prewarm == "1", "manifest": s["manifest"],
                  "blobs": [{"digest": b["digest"], "size": b["size"],
                             "file": os.path.join(s["layout"], "blobs", "sha256", b["digest"].split(":")[1])}
                            for b in blobs]})
json.dump({"prefix": prefix, "repos": repos}, open(out, "w"), indent=1)
EOF
}

# sample_memory: in the background, one "<unix time> <VmRSS> <VmHWM> <threads> <RssAnon> <RssFile> <RssShmem>" line
# (sizes in kB) a second into $RSS_LOG, until $TEST_TMP/sampling.stop exists or vicary is gone (bounded by the run's
# length plus a margin).
sample_memory() {
  local _
  for _ in $(seq 1 $((LOAD_SECONDS + 300))); do
    [ -e "$TEST_TMP/sampling.stop" ] && return 0
    awk -v t="$(date +%s.%N)" '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^Threads:/ { n = $2 }
      /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } /^RssShmem:/ { s = $2 }
      END { if (r) print t, r, h, n, a, f, s }' \
      "/proc/$VICARY_PID/status" >> "$RSS_LOG" 2> /dev/null || return 0
    sleep 1
  done
}

# rss_median <from> <to>: median VmRSS (MiB) of the samples taken in [from, to] (unix times).
rss_median() {
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { print $2 }' "$RSS_LOG" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR == 0) print -1; else printf "%.1f\n", v[int((NR + 1) / 2)] / 1024 }'
}

summary_value() {  # <summary.json> <python expression over s>
  "$SUPPORT_PYTHON" -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# print_figures <summary.json>: the run's figures, one line each, in the test output.
print_figures() {
  "$SUPPORT_PYTHON" - "$1" << 'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
if "phase" in s:
    print("load: stopped in the %s phase" % s["phase"])
    sys.exit(0)
print("load: %d clients, %.0f s, %d requests, %.0f requests/s, %.0f MiB received, %d cold blobs fetched of %d"
      % (s["clients"], s["seconds"], s["requests"], s["requests_per_s"], s["mib_received"], s["cold_fetched"],
         s["cold_total"]))
for kind, k in sorted(s["kinds"].items()):
    print("  %-22s %7d requests  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  %s"
          % (kind, k["requests"], k["p50_ms"], k["p99_ms"], k["max_ms"], k["statuses"]))
print("  early_close connections: %s" % s["early_close"])
EOF
}

# ---- the upstream and vicary

start_registry upstream
seed_started=$SECONDS
seed_repos
write_description "$TEST_TMP/upstream.json"
pass "seeded $((${#REPO_SUMMARIES[@]} + 1)) images upstream in $((SECONDS - seed_started)) s"

write_config
add_generic_registry load "$(registry_url upstream)" "$PREFIX"
# POCO serves one connection per thread and closes what exceeds threads + queue: each client holds one keep-alive
# connection plus at most one short early_close connection, so 2 x clients + 16 threads never leave one waiting.
# LOAD_THREADS / LOAD_QUEUE override them, to see what other settings do under this load.
set_key "$CONFIG" server threads "${LOAD_THREADS:-$((2 * LOAD_CLIENTS + 16))}"
set_key "$CONFIG" server queue "${LOAD_QUEUE:-256}"
set_key "$CONFIG" log access_file "$TEST_TMP/access.log"
start_vicary --config "$CONFIG"
v="$(base_url)"

# ---- the load

RSS_LOG="$TEST_TMP/rss.log"
: > "$RSS_LOG"
sample_memory &
sampler_pid=$!
stop_sampler() { touch "$TEST_TMP/sampling.stop"; kill_pid "$sampler_pid"; }
cleanup_hooks+=(stop_sampler)

client_status=0
timeout $((LOAD_SECONDS + 180)) "$SUPPORT_PYTHON" "$LOAD_DIR/load_client.py" --base-url "$v" \
  --upstream "$TEST_TMP/upstream.json" --duration "$LOAD_SECONDS" --clients "$LOAD_CLIENTS" \
  ${LOAD_WEIGHTS:+--weights "$LOAD_WEIGHTS"} --summary "$TEST_TMP/summary.json" > "$TEST_TMP/client.out" 2>&1 || client_status=$?
touch "$TEST_TMP/sampling.stop"
wait "$sampler_pid" 2> /dev/null || true

kill -0 "$VICARY_PID" 2> /dev/null || fail "vicary died under load (client status $client_status)"
pass "vicary is alive after the load"
[ -s "$TEST_TMP/summary.json" ] || fail "the load client wrote no summary (status $client_status): $(tail -n 20 "$TEST_TMP/client.out")"
print_figures "$TEST_TMP/summary.json"
[ "$client_status" -eq 0 ] ||
  fail "the load client found problems (status $client_status): $(summary_value "$TEST_TMP/summary.json" \
    'json.dumps({k: s.get(k) for k in ("unexpected_statuses", "digest_mismatches", "connection_errors", "examples")}, indent=1)')"
pass "no wrong byte, no unexpected status, no connection error in $(summary_value "$TEST_TMP/summary.json" 's["requests"]') requests"
[ "$(summary_value "$TEST_TMP/summary.json" 's["cold_fetched"] > 0 and s["kinds"]["cold_blob"]["requests"] > 0')" = True ] ||
  fail "no cold blob was fetched during the load"

# ---- memory

start="$(summary_value "$TEST_TMP/summary.json" 's["start_unix"]')"
end="$(summary_value "$TEST_TMP/summary.json" 's["end_unix"]')"
window=$((LOAD_SECONDS / 4 < 10 ? LOAD_SECONDS / 4 : 10))
peak_kb="$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$RSS_LOG")"
early="$(rss_median "$(echo "$start + $window" | bc)" "$(echo "$start + 2 * $window" | bc)")"
late="$(rss_median "$(echo "$end - $window" | bc)" "$end")"
echo "memory: every 5 s, VmRSS MiB (anon+file+shmem) threads:" \
  "$(awk 'NR % 5 == 1 { printf "%d(%d+%d+%d) %d, ", $2 / 1024, $5 / 1024, $6 / 1024, $7 / 1024, $4 }' "$RSS_LOG")"
echo "memory: peak VmHWM $((peak_kb / 1024)) MiB, median VmRSS $early MiB after warm-up, $late MiB in the last $window s ($(wc -l < "$RSS_LOG") samples)"
[ "$peak_kb" -gt 0 ] || fail "no memory sample of vicary was taken"
[ "$peak_kb" -lt $((LOAD_RSS_LIMIT_MIB * 1024)) ] || fail "peak RSS $((peak_kb / 1024)) MiB is over $LOAD_RSS_LIMIT_MIB MiB"
pass "peak RSS $((peak_kb / 1024)) MiB is under $LOAD_RSS_LIMIT_MIB MiB"
[ "$(echo "$early > 0 && $late > 0" | bc)" = 1 ] || fail "too few memory samples in the windows compared"
[ "$(echo "$late <= $early * 1.25 + $LOAD_GROWTH_MARGIN_MIB" | bc)" = 1 ] ||
  fail "RSS grew from $early MiB to $late MiB during the run (allowed: 25% + $LOAD_GROWTH_MARGIN_MIB MiB)"
pass "no steady memory growth ($early MiB -> $late MiB)"

# ---- afterwards: a normal pull, then a clean stop

code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$v/healthz" || echo 000)"
[ "$code" = 200 ] || fail "/healthz answered $code after the load"
timeout 120 skopeo copy --insecure-policy --src-tls-verify=false \
  "docker://127.0.0.1:$VICARY_PORT_BOUND/$PREFIX/load/after:v1" "oci:$TEST_TMP/after:t" > "$TEST_TMP/skopeo.log" 2>&1 ||
  fail "a pull after the load failed: $(tail -n 5 "$TEST_TMP/skopeo.log")"
for i in 0 1 2; do
  digest="$(summary_get "$AFTER_SUMMARY" "layers.$i.digest")"
  [ "sha256:$(sha256sum "$TEST_TMP/after/blobs/sha256/${digest#sha256:}" | cut -d' ' -f1)" = "$digest" ] ||
    fail "layer $digest of the pull after the load is wrong or missing"
done
pass "a cold pull after the load gets every layer intact"

warnings="$(grep -c ' Warning \| Error \| Critical \| Fatal ' "$TEST_TMP/vicary.log" || true)"
echo "vicary log: $(wc -l < "$TEST_TMP/vicary.log") lines, $warnings warnings or errors; access log: $(wc -l < "$TEST_TMP/access.log") lines"
stop_vicary TERM
pass "SIGTERM after the load stops vicary with exit 0"
