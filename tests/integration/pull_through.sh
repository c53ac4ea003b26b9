# Pulls through vicary from a real registry on loopback (Debian's docker-registry) with a real client (skopeo), in
# registry-mirrors mode, prefix mode and containerd's ?ns= mode; the second pull makes no upstream request at all.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/registry.sh"
source "$(dirname "$0")/support/seed.sh"

start_registry hub
seed_image hub library/testimg v1 --layers 3 --layer-size 300000 --seed 11
single="$SEED_SUMMARY"
seed_image hub team/multi v2 --layers 2 --layer-size 100000 --seed 12 --platforms linux/amd64,linux/arm64
multi="$SEED_SUMMARY"
start_registry other
seed_image other team/app v3 --layers 2 --layer-size 150000 --seed 13
other="$SEED_SUMMARY"

write_config
add_key "$CONFIG" registry.dockerhub upstream "$(registry_url hub)"
add_key "$CONFIG" registry.dockerhub plain_http true
add_generic_registry other "$(registry_url other)" registry.vicary.test
start_vicary --config "$CONFIG"
vicary="127.0.0.1:$VICARY_PORT_BOUND"

copy() {  # <source reference> <destination dir> [extra skopeo args]
  local src="$1" dest="$2"
  shift 2
  timeout 120 skopeo copy --insecure-policy --src-tls-verify=false "$@" "docker://$src" "oci:$dest:t" \
    > "$TEST_TMP/skopeo.log" 2>&1 || fail "skopeo copy $src: $(tail -n 5 "$TEST_TMP/skopeo.log")"
}
layer_files_match() {  # <oci dir> <summary>: every layer of the summary is in the copy, byte for byte
  local dir="$1" summary="$2" i digest
  for i in 0 1 2; do
    digest="$(summary_get "$summary" "layers.$i.digest" 2>/dev/null)" || break
    [ -n "$digest" ] || break
    [ "sha256:$(sha256sum "$dir/blobs/sha256/${digest#sha256:}" | cut -d' ' -f1)" = "$digest" ] ||
      fail "layer $digest of the copy in $dir is wrong or missing"
  done
}

# 1. registry-mirrors mode: no host in the path, the default registry (dockerhub, pointed at the local upstream).
copy "$vicary/library/testimg:v1" "$TEST_TMP/cold"
layer_files_match "$TEST_TMP/cold" "$single"
pass "registry-mirrors mode: a cold pull through vicary gets every layer"

registry_mark hub
copy "$vicary/library/testimg:v1" "$TEST_TMP/warm"
layer_files_match "$TEST_TMP/warm" "$single"
warm="$(registry_requests hub '*' '/v2/')"
[ "$warm" -eq 0 ] || fail "the warm pull made $warm upstream requests: $(registry_dump_log hub | tail -n 5)"
pass "registry-mirrors mode: the warm pull makes zero upstream requests"

copy "$vicary/testimg:v1" "$TEST_TMP/short"
pass "a single-component name is an official image (library/)"

# Multi-arch: the index, then each platform's manifest and layers.
copy "$vicary/team/multi:v2" "$TEST_TMP/multi" --all
for platform in linux/amd64 linux/arm64; do
  digest="$(summary_get "$multi" "platforms.$platform.layers.0.digest")"
  [ -f "$TEST_TMP/multi/blobs/sha256/${digest#sha256:}" ] || fail "multi-arch copy lacks $platform's layer"
done
pass "a multi-arch image copies whole (--all)"

# 2. prefix mode: /v2/<registry host>/<name>.
copy "$vicary/registry.vicary.test/team/app:v3" "$TEST_TMP/prefix"
layer_files_match "$TEST_TMP/prefix" "$other"
pass "prefix mode: /v2/registry.vicary.test/team/app reaches the other registry"

registry_mark other
copy "$vicary/registry.vicary.test/team/app:v3" "$TEST_TMP/prefix-warm"
[ "$(registry_requests other '*' '/v2/')" -eq 0 ] || fail "the warm prefix-mode pull went upstream"
pass "prefix mode: the warm pull makes zero upstream requests"

# 3. containerd mode: ?ns=<registry host> picks the registry and is echoed in OCI-Namespace.
accept='application/vnd.oci.image.manifest.v1+json'
headers="$(curl -sS -D - -o "$TEST_TMP/ns-manifest" --max-time 30 -H "Accept: $accept" \
  "http://$vicary/v2/team/app/manifests/v3?ns=registry.vicary.test")"
assert_contains "$headers" "HTTP/1.1 200" "ns mode: the manifest is served"
assert_contains "$headers" "OCI-Namespace: registry.vicary.test" "ns mode: the namespace is echoed"
assert_contains "$headers" "Docker-Content-Digest: $(summary_get "$other" digest)" "ns mode: the digest header is right"
layer="$(summary_get "$other" layers.0.digest)"
curl -sS -f --max-time 30 -o "$TEST_TMP/ns-layer" "http://$vicary/v2/team/app/blobs/$layer?ns=registry.vicary.test" ||
  fail "ns mode: the layer was not served"
[ "sha256:$(sha256sum "$TEST_TMP/ns-layer" | cut -d' ' -f1)" = "$layer" ] || fail "ns mode: the layer is wrong"
pass "ns mode: a layer is served"

# Never an open proxy.
code="$(curl -sS -o "$TEST_TMP/evil" -w '%{http_code}' --max-time 10 "http://$vicary/v2/evil.example.com/x/manifests/latest")"
[ "$code" = 404 ] || fail "an unconfigured registry host got $code"
assert_contains "$(cat "$TEST_TMP/evil")" '"code":"NAME_UNKNOWN"' "an unconfigured registry host is NAME_UNKNOWN"

stop_vicary TERM
