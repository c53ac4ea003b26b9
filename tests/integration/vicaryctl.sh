# vicaryctl on the cache of a running vicary: stats (human and JSON), ls, purge of a layer (the next pull goes
# upstream again), verify of a healthy and of a corrupted cache, and clear refusals of bad caches and bad options.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/seed.sh"
source "$(dirname "$0")/support/fake_upstream.sh"

CTL="$(dirname "$VICARY_BIN")/vicaryctl"
[ -x "$CTL" ] || fail "no vicaryctl next to $VICARY_BIN"

# Runs vicaryctl (bounded by 30 s); sets CTL_STATUS, CTL_OUT (stdout) and CTL_ERR (stderr).
ctl() {
  CTL_STATUS=0
  timeout 30 "$CTL" "$@" > "$TEST_TMP/ctl.out" 2> "$TEST_TMP/ctl.err" || CTL_STATUS=$?
  CTL_OUT="$(cat "$TEST_TMP/ctl.out")" CTL_ERR="$(cat "$TEST_TMP/ctl.err")"
}
ctl_ok() {  # <what> <args...>: vicaryctl must exit 0
  local what="$1"
  shift
  ctl "$@"
  [ "$CTL_STATUS" -eq 0 ] || fail "$what: vicaryctl $* exited with $CTL_STATUS: $CTL_ERR"
}
ctl_status() {  # <expected status> <what> <args...>
  local expected="$1" what="$2"
  shift 2
  ctl "$@"
  [ "$CTL_STATUS" -eq "$expected" ] || fail "$what: vicaryctl $* exited with $CTL_STATUS, not $expected: $CTL_ERR"
}

build_image ctl v1 --layers 2 --layer-size 300000,200000 --seed 31
summary="$IMAGE_SUMMARY"
manifest="$(summary_get "$summary" manifest.digest)"
l0="$(summary_get "$summary" layers.0.digest)"
l1="$(summary_get "$summary" layers.1.digest)"
start_fake_upstream up "$IMAGE_LAYOUT" team/app

write_config
set_key "$CONFIG" cache max_size 0
add_generic_registry up "$FAKE_UPSTREAM_URL" up.vicary.test
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND/v2/up.vicary.test/team/app"
cache="$TEST_TMP/cache"
stored() { echo "$cache/blobs/sha256/${1:7:2}/${1#sha256:}"; }
sha_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }

curl -sS -f --max-time 30 -H 'Accept: application/vnd.oci.image.manifest.v1+json' -o "$TEST_TMP/manifest" \
  "$v/manifests/v1" || fail "the manifest was not served"
for layer in "$l0" "$l1"; do
  curl -sS -f --max-time 30 -o "$TEST_TMP/layer" "$v/blobs/$layer" || fail "layer $layer was not served"
  [ "$(sha_of "$TEST_TMP/layer")" = "$layer" ] || fail "layer $layer was served wrong"
done
sleep 3  # access times are written in batches every 2 s
[ -f "$(stored "$l0")" ] || fail "layer $l0 is not in the cache"

# stats, human and JSON, on the live cache.
ctl_ok "stats" --cache "$cache" stats
objects="$(sed -n 's/^objects *\([0-9][0-9]*\) .*/\1/p' <<< "$CTL_OUT")"
[ "${objects:-0}" -ge 3 ] || fail "stats shows ${objects:-no} objects, expected 3 or more: $CTL_OUT"
grep -q '^up ' <<< "$CTL_OUT" || fail "stats does not show the registry up: $CTL_OUT"
assert_contains "$CTL_OUT" "iB" "stats shows sizes for people"
pass "stats on a live cache shows $objects objects and the registry up"
ctl_ok "json stats" --json --cache "$cache" stats
python3 -m json.tool <<< "$CTL_OUT" > /dev/null || fail "stats --json is not JSON: $CTL_OUT"
python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["objects"] >= 3 and d["registries"]["up"]["bytes"] > 0' \
  <<< "$CTL_OUT" || fail "stats --json has wrong figures: $CTL_OUT"
pass "stats --json is valid JSON with numbers"
ctl_ok "stats through --config" --config "$CONFIG" stats
assert_contains "$CTL_OUT" "$cache" "--config finds the cache directory of the config file"

# ls, and ls --tags.
ctl_ok "ls" --cache "$cache" ls
grep -Eq '^up +team/app +[0-9]+ ' <<< "$CTL_OUT" || fail "ls does not list up team/app: $CTL_OUT"
pass "ls lists up team/app"
ctl_ok "ls up --tags" --cache "$cache" ls up --tags
grep -Eq "^up +team/app +v1 +$manifest " <<< "$CTL_OUT" || fail "ls --tags does not list the tag v1: $CTL_OUT"
pass "ls --tags lists the tag with its manifest digest"
ctl_ok "ls --json" --cache "$cache" --json ls other-registry
python3 -c 'import json, sys; assert json.load(sys.stdin)["repositories"] == []' <<< "$CTL_OUT" ||
  fail "ls of an unknown registry is not an empty list: $CTL_OUT"

# purge --dry-run changes nothing; purge --digest removes the file and row; the next pull goes upstream again.
ctl_ok "purge --dry-run" --cache "$cache" purge --digest "$l0" --dry-run
assert_contains "$CTL_OUT" "would remove blob $l0" "purge --dry-run names the layer"
[ -f "$(stored "$l0")" ] || fail "purge --dry-run removed the file"
ctl_ok "purge" --cache "$cache" purge --digest "$l0"
assert_contains "$CTL_OUT" "purged 1 object" "purge --digest says what it removed"
[ ! -e "$(stored "$l0")" ] || fail "purge left the file of $l0"
pass "purge --digest removes the stored file"
before="$(fake_upstream_requests up GET "/blobs/$l0")"
curl -sS -f --max-time 30 -o "$TEST_TMP/again" "$v/blobs/$l0" || fail "a purged layer was not served again"
[ "$(sha_of "$TEST_TMP/again")" = "$l0" ] || fail "a purged layer was served wrong"
[ "$(fake_upstream_requests up GET "/blobs/$l0")" -gt "$before" ] || fail "a purged layer was not fetched upstream"
pass "a purged layer is fetched from the upstream again and served correctly"
for _ in $(seq 1 100); do [ -f "$(stored "$l0")" ] && break; sleep 0.1; done

# verify: healthy, then with a corrupted file.
ctl_ok "verify of a healthy live cache" --cache "$cache" verify
assert_contains "$CTL_OUT" "all good" "verify of a healthy live cache exits 0"
printf 'garbage' | dd of="$(stored "$l1")" bs=1 seek=1000 conv=notrunc status=none
ctl_status 1 "verify of a corrupted cache" --cache "$cache" verify
assert_contains "$CTL_OUT" "$l1" "verify names the corrupted object"
[ ! -e "$(stored "$l1")" ] || fail "verify left the corrupted file"
pass "verify exits 1 and removes a corrupted object"
ctl_ok "verify after repair" --cache "$cache" --json verify
python3 -c 'import json, sys; assert json.load(sys.stdin)["problems"] == 0' <<< "$CTL_OUT" ||
  fail "verify after repair still finds problems: $CTL_OUT"
curl -sS -f --max-time 30 -o "$TEST_TMP/l1" "$v/blobs/$l1" || fail "the removed corrupt layer was not served again"
[ "$(sha_of "$TEST_TMP/l1")" = "$l1" ] || fail "the removed corrupt layer was served wrong"
pass "a corrupted object verify removed is fetched again correctly"

# Refusals: bad caches (exit 1), bad command lines (exit 2).
ctl_status 1 "a missing cache" --cache /nonexistent stats
assert_contains "$CTL_ERR" "/nonexistent" "a missing cache directory is named"
ctl_status 1 "not a cache" --cache "$TEST_TMP" stats
assert_contains "$CTL_ERR" "$TEST_TMP is not a Vicary cache directory (no index.db)" "a directory that is no cache is refused"
[ ! -e "$TEST_TMP/index.db" ] || fail "vicaryctl created an index in a directory that is no cache"
ctl_status 1 "a missing config" --config "$TEST_TMP/none.ini" stats
assert_contains "$CTL_ERR" "$TEST_TMP/none.ini" "a missing config file is named"
ctl_status 2 "purge without selectors" --cache "$cache" purge
assert_contains "$CTL_ERR" "purge needs at least one of" "purge without selectors is a usage error"
ctl_status 2 "--tag without --repository" --cache "$cache" purge --registry up --tag v1
assert_contains "$CTL_ERR" "--tag v1 needs --repository" "--tag without --repository is a usage error"
ctl_status 2 "a bad duration" --cache "$cache" purge --older-than 7x
assert_contains "$CTL_ERR" "--older-than: '7x'" "a bad duration is named"
ctl_status 2 "an unknown option" --cache "$cache" stats --frobnicate
assert_contains "$CTL_ERR" "unknown option --frobnicate" "an unknown option is named"
ctl_status 2 "an unknown command" --cache "$cache" frobnicate
ctl_ok "help" --help
for word in stats ls purge verify --older-than --dry-run --json --cache --config "hits / (hits + objects)"; do
  assert_contains "$CTL_OUT" "$word" "--help explains $word"
done

# A tag purge with the server still running: the tag row and its manifest go.
ctl_ok "purge --tag" --cache "$cache" purge --registry up --repository team/app --tag v1
assert_contains "$CTL_OUT" "removed manifest $manifest" "purge --tag removes the tag's manifest"
ctl_ok "ls --tags after purge" --cache "$cache" ls --tags
assert_contains "$CTL_OUT" "no tags cached" "purge --tag removes the tag row"

stop_vicary TERM
