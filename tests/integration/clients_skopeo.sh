# skopeo (copy, copy --all, inspect, inspect --raw) through vicary, in the registry-mirrors form
# (127.0.0.1:PORT/library/x, the default registry) and the prefix form (127.0.0.1:PORT/quay.io/org/x), from a
# Docker-Hub-like token/CDN upstream, a quay-like anonymous-token upstream and a Basic-auth private registry, with OCI
# and Docker schema2 manifests, single images and multi-arch lists. Every manifest and blob pulled is compared byte
# for byte with what was pushed; a second pull reaches no upstream; with every upstream stopped, pulls by digest work.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/clients.sh"

clients_setup

pull() {  # <reference without docker://> <dest dir> [skopeo copy args...]
  local ref="$1" dest="$2"
  shift 2
  rm -rf "$dest"
  timeout 120 skopeo copy --insecure-policy --src-tls-verify=false --preserve-digests "$@" "docker://$ref" "dir:$dest" \
    > "$TEST_TMP/skopeo.log" 2>&1 || fail "skopeo copy docker://$ref: $(tail -n 5 "$TEST_TMP/skopeo.log")"
}

# <upstream> <repo:tag> <reference through vicary>
images=(
  "hub library/app:v1 $VICARY_HOST/library/app:v1"
  "hub library/app:v2s2 $VICARY_HOST/library/app:v2s2"
  "hub library/multi:v1 $VICARY_HOST/library/multi:v1"
  "hub library/multi:v2s2 $VICARY_HOST/library/multi:v2s2"
  "hub library/app:v1 $VICARY_HOST/docker.io/library/app:v1"
  "quay org/tool:v1 $VICARY_HOST/quay.io/org/tool:v1"
  "quay org/tool:v2s2 $VICARY_HOST/quay.io/org/tool:v2s2"
  "private team/secret:v2s2 $VICARY_HOST/registry.corp.test/team/secret:v2s2"
)

# --- first pulls: every manifest (list and per platform) and blob equal to what was pushed
start=$SECONDS
n=0
for entry in "${images[@]}"; do
  read -r upstream image ref <<< "$entry"
  n=$((n + 1))
  pull "$ref" "$TEST_TMP/pull$n" --all
  compare_dirs "$(expected_dir "$upstream" "$image")" "$TEST_TMP/pull$n"
  pass "skopeo copy --all docker://$ref: every manifest and blob as pushed to $upstream"
done
echo "     (first pulls: $((SECONDS - start)) s)"

# --- one platform of a list, as skopeo picks it (--override-arch)
pull "$VICARY_HOST/library/multi:v1" "$TEST_TMP/arm64" --override-arch arm64 --override-os linux
cmp -s "$(dir_manifest "$(expected_dir hub library/multi:v1)" linux/arm64)" "$TEST_TMP/arm64/manifest.json" ||
  fail "skopeo --override-arch arm64 did not get the arm64 manifest"
pass "skopeo copy --override-arch arm64 of an OCI index gets the arm64 manifest as pushed"

# --- inspect
for entry in "hub library/app:v2s2 $VICARY_HOST/library/app:v2s2" "quay org/tool:v1 $VICARY_HOST/quay.io/org/tool:v1"; do
  read -r upstream image ref <<< "$entry"
  expected="$(expected_dir "$upstream" "$image")"
  timeout 60 skopeo inspect --tls-verify=false --raw "docker://$ref" > "$TEST_TMP/raw.json" 2> "$TEST_TMP/inspect.err" ||
    fail "skopeo inspect --raw $ref: $(cat "$TEST_TMP/inspect.err")"
  cmp -s "$TEST_TMP/raw.json" "$expected/manifest.json" || fail "skopeo inspect --raw $ref: not the pushed manifest"
  timeout 60 skopeo inspect --tls-verify=false "docker://$ref" > "$TEST_TMP/inspect.json" 2> "$TEST_TMP/inspect.err" ||
    fail "skopeo inspect $ref: $(cat "$TEST_TMP/inspect.err")"
  assert_contains "$(cat "$TEST_TMP/inspect.json")" "\"Digest\": \"$(dir_top_digest "$expected")\"" \
    "skopeo inspect $ref: raw manifest as pushed, Digest is its sha256"
done

# --- second pulls (tags within tag_ttl): nothing reaches an upstream
upstreams_mark
n=0
for entry in "${images[@]}"; do
  read -r upstream image ref <<< "$entry"
  n=$((n + 1))
  pull "$ref" "$TEST_TMP/again$n" --all
  compare_dirs "$(expected_dir "$upstream" "$image")" "$TEST_TMP/again$n"
done
requests="$(upstream_requests)"
[ "$requests" -eq 0 ] || fail "second pulls sent $requests requests upstream:
$(upstream_log_since_mark)"
pass "second pulls of all ${#images[@]} images: same bytes, 0 upstream requests (registries, token servers, CDN)"

# A layer of hundreds of megabytes goes the same way: streamed while it downloads, verified, then warm.
_clients_seed hub library/big v1 oci --layers 2 --layer-size 4096,200000000 --seed 79
pull "$VICARY_HOST/library/big:v1" "$TEST_TMP/big" --all
compare_dirs "$(expected_dir hub library/big:v1)" "$TEST_TMP/big"
upstreams_mark
pull "$VICARY_HOST/library/big:v1" "$TEST_TMP/big-warm" --all
compare_dirs "$(expected_dir hub library/big:v1)" "$TEST_TMP/big-warm"
[ "$(upstream_requests)" -eq 0 ] || fail "the warm pull of the 200 MB image went upstream"
rm -rf "$TEST_TMP/big" "$TEST_TMP/big-warm"
pass "an image with a 200 MB layer pulls through vicary byte for byte, cold and then warm with 0 upstream requests"

# --- every upstream stopped: pulls by digest (and by tag, served from the cache) still work
stop_upstreams
n=0
for entry in "${images[@]}"; do
  read -r upstream image ref <<< "$entry"
  n=$((n + 1))
  expected="$(expected_dir "$upstream" "$image")"
  pull "${ref%:*}@$(dir_top_digest "$expected")" "$TEST_TMP/offline$n" --all
  compare_dirs "$expected" "$TEST_TMP/offline$n"
done
pass "with every upstream stopped, skopeo copy --all by digest of all ${#images[@]} images works, bytes as pushed"
pull "$VICARY_HOST/quay.io/org/tool:v2s2" "$TEST_TMP/offline-tag" --all
compare_dirs "$(expected_dir quay org/tool:v2s2)" "$TEST_TMP/offline-tag"
pass "with every upstream stopped, a pull by tag is served from the cache"

stop_vicary TERM
echo "     (total: $SECONDS s)"
