# The integration-test harness without vicary: a real registry (two instances), images seeded with skopeo, the fake
# upstream and each of its lies, clean-up at exit. If this fails, tests built on tests/integration/support/ cannot pass.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/registry.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

sha_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
assert_eq() {  # <actual> <expected> <what>
  [ "$1" = "$2" ] && pass "$3" || fail "$3: expected '$2', got '$1'"
}

# --- the real registry, two instances
start_registry up1
up1="$REGISTRY_HOST" up1_pid="$REGISTRY_PID"
start_registry up2
up2="$REGISTRY_HOST"
[ "$up1" != "$up2" ] || fail "two registries share $up1"
assert_eq "$(registry_host up1)" "$up1" "registry_host names each instance's address"
assert_eq "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://$up2/v2/")" 200 "a second registry answers"

seed_image up1 test/single v1 --layers 3 --layer-size 200000 --seed 7
single="$SEED_SUMMARY"
seed_image up1 test/multi v2 --layers 2 --layer-size 50000 --platforms linux/amd64,linux/arm64
multi="$SEED_SUMMARY"
assert_eq "$(summary_get "$multi" index.digest)" "$SEED_DIGEST" "a multi-platform image's tag names its index"

inspect="$(timeout 60 skopeo inspect --tls-verify=false "docker://$up1/test/single:v1")" || fail "skopeo inspect"
assert_contains "$inspect" "\"Digest\": \"$(summary_get "$single" digest)\"" "skopeo inspect finds the seeded image"
assert_contains "$inspect" "$(summary_get "$single" layers.2.digest)" "skopeo inspect lists its third layer"
raw="$(timeout 60 skopeo inspect --raw --tls-verify=false "docker://$up1/test/multi:v2")" || fail "skopeo inspect --raw"
assert_eq "sha256:$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)" "$(summary_get "$multi" index.digest)" \
  "the registry serves the index byte for byte (digests preserved)"
arm="$(timeout 60 skopeo inspect --override-arch arm64 --tls-verify=false "docker://$up1/test/multi:v2")"
assert_contains "$arm" "$(summary_get "$multi" platforms.linux/arm64.layers.1.digest)" \
  "skopeo picks the arm64 manifest of the index"

registry_mark up1
layer="$(summary_get "$single" layers.1.digest)"
curl -sS -f --max-time 30 -o "$TEST_TMP/layer1" "http://$up1/v2/test/single/blobs/$layer" || fail "curl a layer"
assert_eq "$(sha_of "$TEST_TMP/layer1")" "$layer" "a layer fetched by digest has that sha256"
assert_eq "$(stat -c %s "$TEST_TMP/layer1")" "$(summary_get "$single" layers.1.size)" "and the size from the summary"
assert_eq "$(registry_requests up1 GET "^/v2/test/single/blobs/$layer\$")" 1 "registry_requests counts that GET"
assert_eq "$(registry_requests up1 '*' '^/v2/test/multi/')" 0 "and no request for another repository after the mark"
# distribution 2.8 answers 404 for an OCI manifest unless the Accept header names the OCI type.
curl -sS -f -I --max-time 10 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$up1/v2/test/single/manifests/v1" > /dev/null || fail "HEAD a manifest"
assert_eq "$(registry_requests up1 HEAD '/manifests/v1$')" 1 "registry_requests tells HEAD from GET"
assert_eq "$(registry_requests up2 '*' '/blobs/')" 0 "each instance has its own access log"

stop_registry up2
! tcp_port_in_use "${REGISTRY_PORTS[up2]}" || fail "registry up2 still listens after stop_registry"
pass "stop_registry stops an instance"

# --- the fake upstream
build_image fake f1 --layers 2 --layer-size 100000 --seed 3
fake="$IMAGE_SUMMARY" layout="$IMAGE_LAYOUT"
l0="$(summary_get "$fake" layers.0.digest)" l1="$(summary_get "$fake" layers.1.digest)"
s0="$(summary_get "$fake" layers.0.size)"

start_fake_upstream drop "$layout" test/fake --drop-once
url="$FAKE_UPSTREAM_URL"
headers="$(curl -sS -i --max-time 10 "$url/v2/test/fake/manifests/f1" | tr -d '\r')"
assert_contains "$headers" "Docker-Content-Digest: $(summary_get "$fake" digest)" "fake upstream serves the tag"
assert_contains "$headers" "Content-Type: application/vnd.oci.image.manifest.v1+json" "with the manifest's type"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url/v2/test/other/manifests/f1")" 404 \
  "fake upstream answers 404 for another repository"

status=0
curl -sS --max-time 10 -o "$TEST_TMP/drop0" "$url/v2/test/fake/blobs/$l0" 2> "$TEST_TMP/curl.err" || status=$?
[ "$status" -ne 0 ] || fail "--drop-once: the first GET of a blob succeeded"
pass "--drop-once: the first GET fails (curl status $status: $(head -c 80 "$TEST_TMP/curl.err"))"
curl -sS -f --max-time 10 -o "$TEST_TMP/drop0" "$url/v2/test/fake/blobs/$l0" || fail "--drop-once: second GET failed"
assert_eq "$(sha_of "$TEST_TMP/drop0")" "$l0" "--drop-once: the second GET gets the whole blob"
assert_eq "$(fake_upstream_requests drop GET "/blobs/$l0\$")" 2 "fake_upstream_requests counts both GETs"

# Resume: the first GET of the other layer breaks off; a Range request for the rest completes it.
curl -sS --max-time 10 -o "$TEST_TMP/drop1" "$url/v2/test/fake/blobs/$l1" 2> /dev/null && fail "--drop-once: no drop"
have="$(stat -c %s "$TEST_TMP/drop1")"
[ "$have" -gt 0 ] || fail "--drop-once sent nothing before closing"
range_headers="$(curl -sS -f -D - --max-time 10 -r "$have-" -o "$TEST_TMP/rest1" "$url/v2/test/fake/blobs/$l1" |
  tr -d '\r')" || fail "the Range request after a drop failed"
assert_contains "$range_headers" "HTTP/1.1 206" "a Range request answers 206"
assert_contains "$range_headers" "Content-Range: bytes $have-" "with Content-Range"
cat "$TEST_TMP/rest1" >> "$TEST_TMP/drop1"
assert_eq "$(sha_of "$TEST_TMP/drop1")" "$l1" "curl -r <offset>- completes a dropped download"
assert_contains "$(grep "/blobs/$l1" "$FAKE_UPSTREAM_LOG")" "GET /v2/test/fake/blobs/$l1 bytes=$have-" \
  "the request log records the Range header"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -r "$((s0 + 10))-" "$url/v2/test/fake/blobs/$l0")" \
  416 "a range past the end answers 416"
assert_eq "$(curl -sS -f -I --max-time 10 "$url/v2/test/fake/blobs/$l0" | tr -d '\r' | sed -n 's/^Content-Length: //p')" \
  "$s0" "HEAD of a blob gives its size"
stop_fake_upstream drop
pass "the fake upstream stops with status 0 on SIGTERM"

start_fake_upstream corrupt "$layout" test/fake --corrupt
curl -sS -f --max-time 10 -o "$TEST_TMP/bad0" "$FAKE_UPSTREAM_URL/v2/test/fake/blobs/$l0" || fail "--corrupt: GET failed"
[ "$(sha_of "$TEST_TMP/bad0")" != "$l0" ] || fail "--corrupt: the sha256 still matches"
assert_eq "$(stat -c %s "$TEST_TMP/bad0")" "$s0" "--corrupt: the sha256 differs, the length is right"
stop_fake_upstream corrupt

start_fake_upstream picky "$layout" test/fake --truncate="$l1" --slow 400000 --slow-only="$l0"
url="$FAKE_UPSTREAM_URL"
timeout 60 skopeo inspect --tls-verify=false "docker://$FAKE_UPSTREAM_HOST/test/fake:f1" > /dev/null ||
  fail "skopeo inspect of the fake upstream"
pass "skopeo reads the fake upstream (manifest and config)"
for try in 1 2; do
  curl -sS --max-time 10 -o /dev/null "$url/v2/test/fake/blobs/$l1" 2> /dev/null && fail "--truncate: GET $try succeeded"
done
pass "--truncate=<digest>: every GET of that blob breaks off"
took="$(curl -sS -f --max-time 10 -o "$TEST_TMP/slow0" -w '%{time_total}' "$url/v2/test/fake/blobs/$l0")" ||
  fail "--slow: GET failed"
assert_eq "$(sha_of "$TEST_TMP/slow0")" "$l0" "--slow-only=<digest>: that blob arrives whole"
awk -v t="$took" 'BEGIN { exit !(t >= 0.2) }' || fail "--slow 400000: $s0 bytes took only ${took} s"
pass "--slow 400000: $s0 bytes took ${took} s"
stop_fake_upstream picky

# --- clean-up at exit stops what a test left running
TMPDIR="$TEST_TMP" bash -c '
  source "$1/lib.sh"; source "$1/support/registry.sh"; source "$1/support/fake_upstream.sh"
  start_registry left; echo "$REGISTRY_PID" > "$2/left.pids"
  start_fake_upstream leftfake "$3" test/fake; echo "$FAKE_UPSTREAM_PID" >> "$2/left.pids"
  exit 0' _ "$(dirname "$0")" "$TEST_TMP" "$layout" || fail "the clean-up child failed"
for pid in $(cat "$TEST_TMP/left.pids"); do
  ! kill -0 "$pid" 2> /dev/null || { kill -KILL "$pid"; fail "pid $pid outlived its test"; }
done
pass "a test's exit stops its registries and fake upstreams"

stop_registry up1
! kill -0 "$up1_pid" 2> /dev/null || fail "registry up1 still running"
pass "stop_registry up1"
