# podman (as root, storage and run root under $TEST_TMP, vfs driver, its own registries.conf and signature policy)
# pulls through vicary as a registries.conf mirror: a bare mirror for docker.io (127.0.0.1:PORT, requests
# /v2/library/x: the default registry) and a mirror with a path for quay.io (127.0.0.1:PORT/quay.io, requests
# /v2/quay.io/org/x: the prefix form). Image IDs (config digests), manifest digests and layer diff IDs as pushed;
# --arch arm64 picks the arm64 image of a list; a second pull into fresh storage reaches no upstream; with vicary
# down podman falls back to the registry's own location.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/clients.sh"

command -v podman > /dev/null || fail "podman not found (scripts/install-deps.sh installs it)"
[ "$(id -u)" -eq 0 ] || fail "this test runs podman as root"
clients_setup

policy="$TEST_TMP/policy.json"
echo '{"default": [{"type": "insecureAcceptAnything"}]}' > "$policy"

# write_registries_conf <file> <docker.io location> <mirror host:port>: docker.io and quay.io, each with vicary as
# mirror. The location is where podman goes when the mirror fails (here a loopback address, never the internet).
write_registries_conf() {
  cat > "$1" << EOF
unqualified-search-registries = []

[[registry]]
prefix = "docker.io"
location = "$2"
[[registry.mirror]]
location = "$3"
insecure = true

[[registry]]
prefix = "quay.io"
location = "127.0.0.1:9/quay.io"
[[registry.mirror]]
location = "$3/quay.io"
insecure = true
EOF
}

PODMAN_OUTPUT=""
podman_try() {  # <storage name> <registries.conf> <podman args...>
  local store="$TEST_TMP/podman-$1" conf="$2" status=0
  shift 2
  mkdir -p "$store/tmp"
  PODMAN_OUTPUT="$(CONTAINERS_REGISTRIES_CONF="$conf" CONTAINERS_CONF=/dev/null timeout 120 podman \
    --root "$store/root" --runroot "$store/run" --tmpdir "$store/tmp" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend file "$@" 2>&1)" || status=$?
  return "$status"
}
podman_run() {
  podman_try "$@" || fail "podman ${*:3}: $(tail -n 5 <<< "$PODMAN_OUTPUT")"
}

# check_image <store> <conf> <ref> <expected dir> <os/arch> <what>: the image ID is the platform's config digest,
# the digest podman recorded is the top manifest's, the layers' diff IDs are the config's.
check_image() {
  local store="$1" conf="$2" ref="$3" dir="$4" platform="$5" what="$6" manifest config id digest
  manifest="$(dir_manifest "$dir" "$platform")"
  config="$("$SUPPORT_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["digest"])' "$manifest")"
  podman_run "$store" "$conf" image inspect --format '{{.ID}} {{.Digest}}' "$ref"
  read -r id digest <<< "$PODMAN_OUTPUT"
  [ "sha256:$id" = "$config" ] || fail "$what: image ID $id, expected the config digest $config"
  [ "$digest" = "$(dir_top_digest "$dir")" ] || fail "$what: digest $digest, expected $(dir_top_digest "$dir")"
  podman_run "$store" "$conf" image inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' "$ref"
  local want
  want="$("$SUPPORT_PYTHON" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"]))' \
    "$dir/${config#sha256:}")"
  [ "$(echo $PODMAN_OUTPUT)" = "$want" ] || fail "$what: layer diff IDs '$PODMAN_OUTPUT', expected '$want'"
  pass "$what: image ID = config digest, digest = pushed manifest, layer diff IDs as in the config"
}

conf="$TEST_TMP/registries.conf"
write_registries_conf "$conf" "127.0.0.1:9" "$VICARY_HOST"

# --- first pulls
start=$SECONDS
podman_run first "$conf" pull docker.io/library/app:v2s2
check_image first "$conf" docker.io/library/app:v2s2 "$(expected_dir hub library/app:v2s2)" linux/amd64 \
  "podman pull docker.io/library/app:v2s2 (bare mirror, Docker schema2)"
podman_run first "$conf" pull docker.io/library/multi:v1
check_image first "$conf" docker.io/library/multi:v1 "$(expected_dir hub library/multi:v1)" linux/amd64 \
  "podman pull docker.io/library/multi:v1 (OCI index, amd64)"
podman_run first "$conf" pull --arch arm64 docker.io/library/multi:v2s2
check_image first "$conf" docker.io/library/multi:v2s2 "$(expected_dir hub library/multi:v2s2)" linux/arm64 \
  "podman pull --arch arm64 docker.io/library/multi:v2s2 (manifest list)"
podman_run first "$conf" pull quay.io/org/tool:v1
check_image first "$conf" quay.io/org/tool:v1 "$(expected_dir quay org/tool:v1)" linux/amd64 \
  "podman pull quay.io/org/tool:v1 (mirror with a path: 127.0.0.1:PORT/quay.io)"
echo "     (first pulls: $((SECONDS - start)) s)"

# --- the same pulls into fresh storage: nothing reaches an upstream
upstreams_mark
podman_run second "$conf" pull docker.io/library/app:v2s2
check_image second "$conf" docker.io/library/app:v2s2 "$(expected_dir hub library/app:v2s2)" linux/amd64 \
  "second pull of docker.io/library/app:v2s2"
podman_run second "$conf" pull --arch arm64 docker.io/library/multi:v2s2
podman_run second "$conf" pull quay.io/org/tool:v1
check_image second "$conf" quay.io/org/tool:v1 "$(expected_dir quay org/tool:v1)" linux/amd64 \
  "second pull of quay.io/org/tool:v1"
requests="$(upstream_requests)"
[ "$requests" -eq 0 ] || fail "the second pulls sent $requests requests upstream:
$(upstream_log_since_mark)"
pass "second pulls into fresh storage: 0 upstream requests"

# --- vicary down: podman tries the mirror, then the registry's location (here the fake Docker Hub on loopback)
stop_vicary TERM
fallback="$TEST_TMP/registries-fallback.conf"
write_registries_conf "$fallback" "$CDN_FRONT_HOST" "$VICARY_HOST"
upstreams_mark
podman_run third "$fallback" pull --cert-dir "$TEST_CA_DIR" docker.io/library/app:v1
check_image third "$fallback" docker.io/library/app:v1 "$(expected_dir hub library/app:v1)" linux/amd64 \
  "with vicary down, docker.io/library/app:v1"
[ "$(upstream_requests)" -gt 0 ] || fail "with vicary down the pull did not reach the registry's location"
pass "with vicary down, podman falls back to the registry's location"
if podman_try fourth "$conf" pull docker.io/library/multi:v1; then
  fail "a pull with vicary down and the location unreachable succeeded"
fi
pass "with vicary down and the location unreachable, podman pull fails: $(tail -n 1 <<< "$PODMAN_OUTPUT" | cut -c1-160)"
echo "     (total: $SECONDS s)"
