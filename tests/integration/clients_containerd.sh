# containerd (Debian's daemon, started here with its own config, root and socket) pulls through vicary with ctr and a
# hosts.toml mirror over plain http, as Kubernetes nodes do (config_path / --hosts-dir): containerd sends
# ?ns=docker.io / ?ns=quay.io, which routes to the right upstream. One platform and --all-platforms, OCI and Docker
# schema2, unpacked into a snapshotter. Content digests and manifest bytes as pushed; a second pull into a fresh
# containerd reaches no upstream; with vicary stopped, containerd falls back to the hosts.toml server.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/clients.sh"
source "$(dirname "$0")/support/containerd.sh"

clients_setup
start_containerd first
snap="$CONTAINERD_SNAPSHOTTER"
echo "     (snapshotter: $snap)"

# The mirror first; the server after it is a closed loopback port, so a pull that did not go through vicary fails.
hosts="$TEST_TMP/certs.d"
write_hosts_dir "$hosts" docker.io "https://127.0.0.1:9" "$VICARY_URL"
write_hosts_dir "$hosts" quay.io "https://127.0.0.1:9" "$VICARY_URL"

# expected_digests <dir> <os/arch|all>: the digests containerd must hold after pulling that platform (or all).
expected_digests() {
  "$SUPPORT_PYTHON" - "$1" "$2" << 'EOF'
import hashlib, json, os, sys
d, want = sys.argv[1], sys.argv[2]
def sha(path): return "sha256:" + hashlib.sha256(open(path, "rb").read()).hexdigest()
def image(path):
    m = json.load(open(path))
    return [sha(path), m["config"]["digest"]] + [l["digest"] for l in m["layers"]]
top = os.path.join(d, "manifest.json")
doc = json.load(open(top))
if "manifests" not in doc:
    out = image(top)
else:
    out = [sha(top)]
    for m in doc["manifests"]:
        p = "%s/%s" % (m["platform"]["os"], m["platform"]["architecture"])
        if want in ("all", p):
            out += image(os.path.join(d, m["digest"].split(":", 1)[1] + ".manifest.json"))
print("\n".join(sorted(set(out))))
EOF
}

# check_content <instance> <expected dir> <os/arch|all> <what>: every expected digest is in containerd's content store
# and the top manifest's bytes are the pushed ones.
check_content() {
  local instance="$1" dir="$2" platform="$3" what="$4" digest missing=0 count=0
  ctr_run "$instance" content ls -q
  local have="$CTR_OUTPUT"
  while read -r digest; do
    count=$((count + 1))
    grep -qx "$digest" <<< "$have" || { echo "missing: $digest" >&2; missing=$((missing + 1)); }
  done < <(expected_digests "$dir" "$platform")
  [ "$missing" -eq 0 ] || fail "$what: $missing of $count digests missing from containerd's content store"
  ctr_run "$instance" content get "$(dir_top_digest "$dir")"
  [ "$CTR_OUTPUT" = "$(cat "$dir/manifest.json")" ] || fail "$what: the top manifest's bytes differ from the pushed"
  pass "$what: all $count digests in containerd's content store, top manifest as pushed"
}

pull() {  # <instance> <ref> <ctr pull args...>
  local instance="$1" ref="$2"
  shift 2
  ctr_run "$instance" images pull --hosts-dir "$hosts" --snapshotter "$snap" "$@" "$ref"
}

# --- first pulls
start=$SECONDS
pull first docker.io/library/app:v1 --platform linux/amd64
assert_contains "$CTR_OUTPUT" "unpacking linux/amd64" "ctr pull docker.io/library/app:v1 unpacks"
check_content first "$(expected_dir hub library/app:v1)" linux/amd64 "docker.io/library/app:v1 (OCI)"
pull first docker.io/library/multi:v2s2 --platform linux/arm64
check_content first "$(expected_dir hub library/multi:v2s2)" linux/arm64 \
  "docker.io/library/multi:v2s2 --platform linux/arm64 (Docker manifest list)"
pull first docker.io/library/multi:v1 --all-platforms
check_content first "$(expected_dir hub library/multi:v1)" all "docker.io/library/multi:v1 --all-platforms (OCI index)"
pull first quay.io/org/tool:v2s2 --all-platforms
check_content first "$(expected_dir quay org/tool:v2s2)" all "quay.io/org/tool:v2s2 --all-platforms (?ns=quay.io routes)"
ctr_run first snapshots --snapshotter "$snap" ls
snapshots="$(tail -n +2 <<< "$CTR_OUTPUT" | grep -c . || true)"
[ "$snapshots" -ge 3 ] || fail "only $snapshots snapshots after unpacking: $CTR_OUTPUT"
pass "pulled images are unpacked into the $snap snapshotter ($snapshots snapshots)"
ctr_run first images ls -q
for ref in docker.io/library/app:v1 docker.io/library/multi:v2s2 docker.io/library/multi:v1 quay.io/org/tool:v2s2; do
  grep -qx "$ref" <<< "$CTR_OUTPUT" || fail "ctr images ls does not list $ref: $CTR_OUTPUT"
done
pass "ctr images ls lists the four images under their docker.io / quay.io names"
echo "     (first pulls: $((SECONDS - start)) s)"
stop_containerd first

# --- the same pulls into a fresh containerd: no manifest or blob is fetched upstream again. containerd resolves a
# tag with HEAD only (then GETs by digest); vicary answers a HEAD of a tag it has not seen from an upstream HEAD and
# remembers what the tag points at, so the second pulls need no upstream request at all.
upstreams_mark
start_containerd second
pull second docker.io/library/app:v1 --platform linux/amd64
check_content second "$(expected_dir hub library/app:v1)" linux/amd64 "second pull of docker.io/library/app:v1"
pull second docker.io/library/multi:v1 --all-platforms
check_content second "$(expected_dir hub library/multi:v1)" all "second pull of docker.io/library/multi:v1"
pull second quay.io/org/tool:v2s2 --all-platforms
check_content second "$(expected_dir quay org/tool:v2s2)" all "second pull of quay.io/org/tool:v2s2"
gets="$(upstream_requests GET)"
heads="$(registry_requests hub HEAD '/manifests/v') $(registry_requests quay HEAD '/manifests/v')"
[ "$gets" -eq 0 ] || fail "the second pulls sent $gets GET requests upstream:
$(upstream_log_since_mark)"
pass "second pulls into a fresh containerd: 0 upstream GETs (no token, manifest or blob fetched again)"
[ "$heads" = "0 0" ] || fail "the second pulls sent tag HEADs upstream (hub, quay): $heads"
pass "second pulls into a fresh containerd: 0 upstream HEADs (tags resolved from the cache)"
stop_containerd second

# --- vicary down: containerd tries the next host, the hosts.toml server (here the fake Docker Hub on loopback)
stop_vicary TERM
fallback="$TEST_TMP/certs.d-fallback"
write_hosts_dir "$fallback" docker.io "$CDN_FRONT_URL" "$VICARY_URL" "$TEST_CA_FILE"
start_containerd third
upstreams_mark
ctr_run third images pull --hosts-dir "$fallback" --snapshotter "$snap" --platform linux/amd64 docker.io/library/app:v1
check_content third "$(expected_dir hub library/app:v1)" linux/amd64 "with vicary down, docker.io/library/app:v1"
[ "$(upstream_requests)" -gt 0 ] || fail "with vicary down the pull did not reach the hosts.toml server"
pass "with vicary down, containerd falls back to the hosts.toml server (connection refused on the mirror)"
if ctr_try third images pull --hosts-dir "$hosts" --snapshotter "$snap" docker.io/library/multi:v2s2; then
  fail "a pull with vicary down and no reachable server succeeded"
fi
pass "with vicary down and the server unreachable, ctr pull fails: $(tail -n 1 <<< "$CTR_OUTPUT" | cut -c1-160)"
stop_containerd third

# --- every upstream down, vicary up again on the same cache: pulls by digest work
start_vicary --config "$CONFIG"
VICARY_URL="http://127.0.0.1:$VICARY_PORT_BOUND"
write_hosts_dir "$hosts" docker.io "https://127.0.0.1:9" "$VICARY_URL"
write_hosts_dir "$hosts" quay.io "https://127.0.0.1:9" "$VICARY_URL"
stop_upstreams
start_containerd offline
pull offline "docker.io/library/multi@$(dir_top_digest "$(expected_dir hub library/multi:v1)")" --all-platforms
check_content offline "$(expected_dir hub library/multi:v1)" all "upstreams down: docker.io/library/multi@sha256 (index)"
pull offline "quay.io/org/tool@$(dir_top_digest "$(expected_dir quay org/tool:v2s2)")" --platform linux/arm64
check_content offline "$(expected_dir quay org/tool:v2s2)" linux/arm64 "upstreams down: quay.io/org/tool@sha256 arm64"
ctr_try offline images pull --hosts-dir "$hosts" --snapshotter "$snap" docker.io/library/app:v1 ||
  fail "upstreams down: ctr pull docker.io/library/app:v1 by tag failed: $(tail -n 1 <<< "$CTR_OUTPUT" | cut -c1-200)"
pass "upstreams down: a pull by tag works (the tag is served stale from the cache)"
stop_containerd offline
stop_vicary TERM
echo "     (total: $SECONDS s)"
