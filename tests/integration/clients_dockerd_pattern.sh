# dockerd's request pattern (docker 20+ as a registry-mirrors client, and with the prefix form), played with curl since
# no Docker engine runs here: GET /v2/, HEAD then GET of the manifest by tag with dockerd's Accept list, then GETs by
# digest of the platform's manifest, its config and its layers (following redirects as dockerd does). Every answer is
# compared byte for byte with what was pushed, headers (Docker-Content-Digest, Content-Type, Content-Length) too; the
# same sequence again reaches no upstream; with every upstream stopped it still works.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/clients.sh"

clients_setup

ua="docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.1.0 os/linux arch/amd64 UpstreamClient(Docker-Client/24.0.7 \\(linux\\))"
accept=(-H "Accept: application/vnd.docker.distribution.manifest.v2+json"
  -H "Accept: application/vnd.docker.distribution.manifest.list.v2+json"
  -H "Accept: application/vnd.oci.image.index.v1+json"
  -H "Accept: application/vnd.oci.image.manifest.v1+json"
  -H "Accept: application/vnd.docker.distribution.manifest.v1+prettyjws")

# fetch <method> <path> <out body> <out headers>: one request as dockerd makes it; prints the status code.
fetch() {
  local method=(-X "$1")
  [ "$1" != HEAD ] || method=(-I)
  curl -sS -L --max-time 60 "${method[@]}" -A "$ua" "${accept[@]}" -o "$3" -D "$4" -w '%{http_code}' "$VICARY_URL$2" ||
    fail "curl $1 $2 failed"
}
header() { tr -d '\r' < "$1" | awk -v h="$(tr 'A-Z' 'a-z' <<< "$2"):" 'tolower($1) == h { v = $2 } END { print v }'; }

# docker_pull <repo path on vicary> <expected dir> <tag> <what>: the whole sequence for the linux/amd64 image.
docker_pull() {
  local repo="$1" dir="$2" tag="$3" what="$4" status
  local body="$TEST_TMP/body" hdr="$TEST_TMP/headers"
  status="$(fetch GET /v2/ "$body" "$hdr")"
  [ "$status" = 200 ] && [ "$(header "$hdr" Docker-Distribution-API-Version)" = registry/2.0 ] ||
    fail "$what: GET /v2/ answered $status"
  local top_digest top_type top_size
  top_digest="$(dir_top_digest "$dir")"
  top_type="$("$SUPPORT_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["mediaType"])' "$dir/manifest.json")"
  top_size="$(stat -c %s "$dir/manifest.json")"
  status="$(fetch HEAD "/v2/$repo/manifests/$tag" "$body" "$hdr")"
  [ "$status" = 200 ] || fail "$what: HEAD manifests/$tag answered $status"
  [ "$(header "$hdr" Docker-Content-Digest)" = "$top_digest" ] &&
    [ "$(header "$hdr" Content-Type)" = "$top_type" ] && [ "$(header "$hdr" Content-Length)" = "$top_size" ] ||
    fail "$what: HEAD manifests/$tag headers: $(tr -d '\r' < "$hdr" | tr '\n' ' ')"
  status="$(fetch GET "/v2/$repo/manifests/$tag" "$body" "$hdr")"
  [ "$status" = 200 ] && cmp -s "$body" "$dir/manifest.json" ||
    fail "$what: GET manifests/$tag: $status, or not the pushed bytes"
  [ "$(header "$hdr" Docker-Content-Digest)" = "$top_digest" ] && [ "$(header "$hdr" Content-Type)" = "$top_type" ] ||
    fail "$what: GET manifests/$tag headers: $(tr -d '\r' < "$hdr" | tr '\n' ' ')"
  local manifest digest n=0
  manifest="$(dir_manifest "$dir" linux/amd64)"
  if [ "$manifest" != "$dir/manifest.json" ]; then
    digest="sha256:$(basename "$manifest" .manifest.json)"
    status="$(fetch GET "/v2/$repo/manifests/$digest" "$body" "$hdr")"
    [ "$status" = 200 ] && cmp -s "$body" "$manifest" || fail "$what: GET manifests/$digest: $status, or other bytes"
    [ "$(header "$hdr" Docker-Content-Digest)" = "$digest" ] || fail "$what: GET manifests/$digest: wrong digest header"
  fi
  for digest in $("$SUPPORT_PYTHON" -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join([m["config"]["digest"]] + [l["digest"] for l in m["layers"]]))' "$manifest"); do
    status="$(fetch GET "/v2/$repo/blobs/$digest" "$body" "$hdr")"
    [ "$status" = 200 ] && cmp -s "$body" "$dir/${digest#sha256:}" || fail "$what: GET blobs/$digest: $status, or other bytes"
    n=$((n + 1))
  done
  pass "$what: GET /v2/, HEAD + GET manifests/$tag, platform manifest, $n blobs: all as pushed, headers right"
}

pulls=(
  "acme/widget hub acme/widget:v2s2 v2s2 registry-mirrors: docker pull acme/widget:v2s2 (manifest list)"
  "library/app hub library/app:v1 v1 registry-mirrors: docker pull app:v1 (OCI manifest)"
  "library/multi hub library/multi:v1 v1 registry-mirrors: docker pull multi:v1 (OCI index)"
  "quay.io/org/tool quay org/tool:v2s2 v2s2 prefix form: docker pull 127.0.0.1:PORT/quay.io/org/tool:v2s2"
  "registry.corp.test/team/secret private team/secret:v2s2 v2s2 prefix form, Basic upstream: docker pull 127.0.0.1:PORT/registry.corp.test/team/secret:v2s2"
)
run_all() {
  local entry repo upstream image tag what
  for entry in "${pulls[@]}"; do
    read -r repo upstream image tag what <<< "$entry"
    docker_pull "$repo" "$(expected_dir "$upstream" "$image")" "$tag" "$1$what"
  done
}

start=$SECONDS
run_all ""
echo "     (first pulls: $((SECONDS - start)) s)"

upstreams_mark
run_all "again: "
requests="$(upstream_requests)"
[ "$requests" -eq 0 ] || fail "the same pulls again sent $requests requests upstream:
$(upstream_log_since_mark)"
pass "the same request sequences again: 0 upstream requests"

stop_upstreams
run_all "upstreams down: "
pass "with every upstream stopped, dockerd's sequence (by tag, from the cache) still works"
stop_vicary TERM
echo "     (total: $SECONDS s)"
