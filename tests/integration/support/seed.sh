# Test images: built with make_image.py into $TEST_TMP/images, pushed with skopeo into a registry from registry.sh.
# Source after lib.sh and registry.sh.
#
#   build_image <label> <tag> [make_image.py args...]
#                     writes an OCI layout; sets IMAGE_LAYOUT (dir) and IMAGE_SUMMARY (JSON summary file)
#   seed_image <registry-name> <repo> <tag> [make_image.py args...]
#                     build_image, then skopeo copy (--all for a multi-platform image, --preserve-digests) to
#                     127.0.0.1:<port>/<repo>:<tag>; sets SEED_LAYOUT, SEED_SUMMARY, SEED_DIGEST (what the tag names)
#   summary_get <summary.json> <key.path>
#                     prints one value, path parts split on '.', list items by number, e.g.
#                     digest | manifest.digest | layers.0.digest | layers.2.size | index.digest |
#                     platforms.linux/arm64.layers.1.digest | blobs.0.digest   (objects and lists print as JSON)
#
# make_image.py args: --layers N --layer-size BYTES[,BYTES...] --seed S --platforms linux/amd64,linux/arm64

VICARY_SUPPORT_DIR="${VICARY_SUPPORT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
SUPPORT_PYTHON="${SUPPORT_PYTHON:-/usr/bin/python3}"
IMAGE_LAYOUT="" IMAGE_SUMMARY="" SEED_LAYOUT="" SEED_SUMMARY="" SEED_DIGEST=""

build_image() {
  local label="$1" tag="$2"
  shift 2
  local dir="$TEST_TMP/images/$label"
  [ ! -e "$dir" ] || fail "build_image: $dir already exists (use another label)"
  mkdir -p "$TEST_TMP/images"
  timeout 120 "$SUPPORT_PYTHON" "$VICARY_SUPPORT_DIR/make_image.py" --out "$dir" --tag "$tag" \
    --summary "$dir.json" "$@" > "$TEST_TMP/images/$label.out" 2>&1 ||
    fail "build_image: make_image.py failed: $(cat "$TEST_TMP/images/$label.out")"
  IMAGE_LAYOUT="$dir" IMAGE_SUMMARY="$dir.json"
}

seed_image() {
  [ $# -ge 3 ] || fail "seed_image: usage: seed_image <registry-name> <repo> <tag> [make_image.py args...]"
  local registry="$1" repo="$2" tag="$3"
  shift 3
  local host
  host="$(registry_host "$registry")"
  SEED_COUNT=$((${SEED_COUNT:-0} + 1))  # a tag may be pushed again with another image
  build_image "$registry-${repo//\//_}-$tag-$SEED_COUNT" "$tag" "$@"
  local all=()
  [ "$(summary_get "$IMAGE_SUMMARY" index)" = null ] || all=(--all)
  local out="$IMAGE_LAYOUT.push.log"
  timeout 120 skopeo copy --insecure-policy --preserve-digests --dest-tls-verify=false "${all[@]}" \
    "oci:$IMAGE_LAYOUT:$tag" "docker://$host/$repo:$tag" > "$out" 2>&1 ||
    { registry_dump_log "$registry"; fail "seed_image: skopeo copy to $host/$repo:$tag failed: $(tail -n 5 "$out")"; }
  SEED_LAYOUT="$IMAGE_LAYOUT" SEED_SUMMARY="$IMAGE_SUMMARY"
  SEED_DIGEST="$(summary_get "$SEED_SUMMARY" digest)"
}

summary_get() {
  "$SUPPORT_PYTHON" - "$1" "$2" << 'EOF' || fail "summary_get: no '$2' in $1"
import json, sys
value = json.load(open(sys.argv[1]))
for part in sys.argv[2].split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(value if isinstance(value, (str, int)) else json.dumps(value))
EOF
}
