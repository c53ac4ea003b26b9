# Three upstreams on loopback, seeded with test images, and a vicary in front of them: what the clients_*.sh tests
# pull through with real clients (skopeo, ctr, podman, curl playing dockerd). Source after lib.sh; sources
# registry.sh, seed.sh, auth_registry.sh, cdn_front.sh and tls.sh.
#
#   clients_setup     starts, seeds and configures everything once (about 35 MB of images):
#       "hub"     token auth over HTTPS (test CA), anonymous pulls of library/*, blobs redirected to a CDN front:
#                 plays Docker Hub; vicary's [registry.dockerhub] has upstream = the front and ca_file
#       "quay"    a second token registry, anonymous (--public) pulls of org/*: plays quay.io ([registry.quay])
#       "private" htpasswd (Basic) over plain http: a private registry, [registry.private] (generic) with
#                 username/password and the alias registry.corp.test
#     Images (tag v1: OCI media types as built; tag v2s2: the same image converted to Docker schema2 media types):
#       hub     library/app:v1, library/app:v2s2      one platform, layers of 4 KB, 256 KB and 12 MB
#               library/multi:v1, library/multi:v2s2  OCI index / Docker manifest list, linux/amd64 + linux/arm64,
#                                                     layers 8 KB + 3 MB per platform
#               acme/widget:v2s2                      a non-library repository: manifest list, amd64 + arm64,
#                                                     layers 2 KB + 1 MB per platform
#       quay    org/tool:v1, org/tool:v2s2           index / list, amd64 + arm64, layers 16 KB + 2 MB per platform
#       private team/secret:v2s2                      one platform, layers 512 KB and 5 MB
#     Sets VICARY_HOST (127.0.0.1:port, plain http), VICARY_URL (http://...), and EXPECTED[<upstream>/<repo>:<tag>]:
#     a skopeo dir: copy of exactly what was pushed (manifest.json = what the tag names, <hex>.manifest.json = each
#     platform's manifest of a list, <hex> = each blob), to compare pulls with.
#   expected_dir <upstream> <repo:tag>        prints EXPECTED's dir for that image
#   dir_top_digest <dir>                      sha256:... of the dir's manifest.json
#   dir_manifest <dir> <os/arch>              the platform's manifest file in a dir of a list (manifest.json if single)
#   compare_dirs <expected dir> <pulled dir>  fails unless every file of the expected dir is in the pulled one byte for
#                                             byte, and every blob file's sha256 is its name
#   upstreams_mark                            later upstream_requests count only requests after this point
#   upstream_requests [METHOD]                how many requests (of METHOD: GET, HEAD; default any) all upstreams, token
#                                             servers (GET) and the CDN front/CDN got since the last upstreams_mark
#                                             (registry logs settled as registry.sh does)
#   upstream_log_since_mark                   what they logged since then, for failure messages
#   stop_upstreams                            stops every upstream (registries, token servers, CDN front) by PID

VICARY_SUPPORT_DIR="${VICARY_SUPPORT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
# shellcheck source=cdn_front.sh
declare -f start_cdn_front > /dev/null || source "$VICARY_SUPPORT_DIR/cdn_front.sh"

declare -gA EXPECTED=()
VICARY_HOST="" VICARY_URL=""
CLIENTS_PUSHER="pusher:s3cret-push"
CLIENTS_PRIVATE_USER="builder" CLIENTS_PRIVATE_PASSWORD="s3cret-private"
declare -gA _CLIENTS_MARKS=()

# _clients_seed <upstream> <repo> <tag> <oci|v2s2> <make_image.py args...>: builds, converts (v2s2) into a dir:,
# pushes that dir with --preserve-digests, so the dir holds byte for byte what the upstream serves.
_clients_seed() {
  local name="$1" repo="$2" tag="$3" format="$4"
  shift 4
  build_image "$name-${repo//\//_}-$tag" "$tag" "$@"
  local dir="$TEST_TMP/expected/$name-${repo//\//_}-$tag" log="$TEST_TMP/expected/$name-${repo//\//_}-$tag.log"
  local conv=(--preserve-digests)
  [ "$format" = oci ] || conv=(--format v2s2)
  mkdir -p "$TEST_TMP/expected"
  timeout 120 skopeo copy --insecure-policy --all "${conv[@]}" "oci:$IMAGE_LAYOUT:$tag" "dir:$dir" > "$log" 2>&1 ||
    fail "clients_setup: converting $repo:$tag to $format: $(tail -n 3 "$log")"
  local push_opts=(--dest-tls-verify=false --dest-creds "$CLIENTS_PRIVATE_USER:$CLIENTS_PRIVATE_PASSWORD")
  if [ "$name" != private ]; then push_opts=(--dest-cert-dir "$TEST_CA_DIR" --dest-creds "$CLIENTS_PUSHER"); fi
  timeout 120 skopeo copy --insecure-policy --all --preserve-digests "${push_opts[@]}" \
    "dir:$dir" "docker://$(registry_host "$name")/$repo:$tag" >> "$log" 2>&1 ||
    { registry_dump_log "$name"; fail "clients_setup: pushing $repo:$tag to $name: $(tail -n 3 "$log")"; }
  EXPECTED["$name/$repo:$tag"]="$dir"
}

clients_setup() {
  make_test_ca
  start_token_registry hub --public library/app --public library/multi --public acme/widget --public library/big --user "$CLIENTS_PUSHER"
  start_token_registry quay --public org/tool --user "$CLIENTS_PUSHER" --service quay.registry.test
  start_htpasswd_registry private "$CLIENTS_PRIVATE_USER:$CLIENTS_PRIVATE_PASSWORD"

  local fmt
  for fmt in oci v2s2; do
    local tag=v1
    [ "$fmt" = oci ] || tag=v2s2
    _clients_seed hub library/app "$tag" "$fmt" --layers 3 --layer-size 4096,262144,12000000 --seed 71
    _clients_seed hub library/multi "$tag" "$fmt" --layers 2 --layer-size 8192,3000000 --seed 72 \
      --platforms linux/amd64,linux/arm64
    _clients_seed quay org/tool "$tag" "$fmt" --layers 2 --layer-size 16384,2000000 --seed 73 \
      --platforms linux/amd64,linux/arm64
  done
  _clients_seed hub acme/widget v2s2 v2s2 --layers 2 --layer-size 2048,1000000 --seed 75 \
    --platforms linux/amd64,linux/arm64
  _clients_seed private team/secret v2s2 v2s2 --layers 2 --layer-size 524288,5000000 --seed 74
  start_cdn_front hub

  write_config
  add_key "$CONFIG" registry.dockerhub upstream "$CDN_FRONT_URL"
  add_key "$CONFIG" registry.dockerhub ca_file "$TEST_CA_FILE"
  add_key "$CONFIG" registry.dockerhub allow_private_redirects true  # realm and CDN on loopback
  add_key "$CONFIG" registry.quay upstream "$(auth_registry_url quay)"
  add_key "$CONFIG" registry.quay ca_file "$TEST_CA_FILE"
  add_key "$CONFIG" registry.quay allow_private_redirects true
  cat >> "$CONFIG" << INI

[registry.private]
plugin = generic
upstream = $(registry_url private)
plain_http = true
aliases = registry.corp.test
username = $CLIENTS_PRIVATE_USER
password = $CLIENTS_PRIVATE_PASSWORD
INI
  start_vicary --config "$CONFIG"
  VICARY_HOST="127.0.0.1:$VICARY_PORT_BOUND" VICARY_URL="http://127.0.0.1:$VICARY_PORT_BOUND"
}

expected_dir() {
  [ -n "${EXPECTED[$1/$2]:-}" ] || fail "expected_dir: no image $1/$2 was seeded"
  echo "${EXPECTED[$1/$2]}"
}

dir_top_digest() { echo "sha256:$(sha256sum "$1/manifest.json" | cut -d' ' -f1)"; }

dir_manifest() {  # <dir> <os/arch>
  "$SUPPORT_PYTHON" - "$1" "$2" << 'EOF' || fail "dir_manifest: no $2 manifest in $1"
import json, os, sys
d, platform = sys.argv[1], sys.argv[2]
top = json.load(open(os.path.join(d, "manifest.json")))
if "manifests" not in top:
    print(os.path.join(d, "manifest.json"))
    sys.exit(0)
for m in top["manifests"]:
    p = m.get("platform", {})
    if "%s/%s" % (p.get("os"), p.get("architecture")) == platform:
        print(os.path.join(d, m["digest"].split(":", 1)[1] + ".manifest.json"))
        sys.exit(0)
sys.exit(1)
EOF
}

compare_dirs() {  # <expected> <pulled>
  local f base n=0
  for f in "$1"/*; do
    base="$(basename "$f")"
    [ "$base" != version ] || continue
    [ -f "$2/$base" ] || fail "compare_dirs: $base (from $1) is missing in $2"
    cmp -s "$f" "$2/$base" || fail "compare_dirs: $base differs between $1 and $2"
    if [[ "$base" =~ ^[0-9a-f]{64}$ ]]; then
      [ "$(sha256sum "$2/$base" | cut -d' ' -f1)" = "$base" ] || fail "compare_dirs: blob $base has another sha256"
    fi
    n=$((n + 1))
  done
  [ "$n" -ge 3 ] || fail "compare_dirs: only $n files in $1"
}

_clients_lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }

upstreams_mark() {
  local name
  for name in hub quay private; do registry_mark "$name"; done
  for name in hub quay; do token_mark "$name"; done
  _CLIENTS_MARKS[front]="$(_clients_lines "$TEST_TMP/hub-front-requests.log")"
  _CLIENTS_MARKS[cdn]="$(_clients_lines "$TEST_TMP/hub-cdn-requests.log")"
}

upstream_requests() {  # [method]: '*' (default) for any; token servers count as GET
  local method="${1:-*}" total=0 name n
  for name in hub quay private; do
    n="$(registry_requests "$name" "$method" '.')"
    total=$((total + n))
  done
  if [ "$method" = '*' ] || [ "$method" = GET ]; then
    for name in hub quay; do
      n="$(token_requests "$name" '*' '.')"
      total=$((total + n))
    done
  fi
  local log mark
  for log in front cdn; do
    [ "$log" = front ] && mark="$TEST_TMP/hub-front-requests.log" || mark="$TEST_TMP/hub-cdn-requests.log"
    n="$(tail -n +"$((${_CLIENTS_MARKS[$log]:-0} + 1))" "$mark" | awk -v m="$method" 'm == "*" || $1 == m' | grep -c . || true)"
    total=$((total + n))
  done
  echo "$total"
}

stop_upstreams() {
  stop_cdn_front hub
  stop_auth_registry hub
  stop_auth_registry quay
  stop_auth_registry private
}

# upstream_log_since_mark: prints, for a failure message, what each upstream logged since the last upstreams_mark.
upstream_log_since_mark() {
  local name
  for name in hub quay private; do
    tail -n +"$((${REGISTRY_MARKS[$name]:-0} + 1))" "$TEST_TMP/$name-access.log" | sed "s/^/$name: /" | cut -c1-220
  done
  for name in hub quay; do
    tail -n +"$((${TOKEN_MARKS[$name]:-0} + 1))" "$TEST_TMP/$name-token.log" | sed "s/^/$name token: /" | cut -c1-220
  done
  tail -n +"$((${_CLIENTS_MARKS[front]:-0} + 1))" "$TEST_TMP/hub-front-requests.log" | sed 's/^/hub front: /'
  tail -n +"$((${_CLIENTS_MARKS[cdn]:-0} + 1))" "$TEST_TMP/hub-cdn-requests.log" | sed 's/^/hub CDN: /' | cut -c1-220
}
