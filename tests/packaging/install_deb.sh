# Installs the built .deb packages on this machine (dpkg -i, as root), runs the installed daemon exactly as its
# systemd unit would (ExecStart, User and Group read from the installed unit; setpriv instead of systemd), pulls an
# image through it from a docker-registry on loopback, builds examples/minimal-plugin against the installed vicary-dev
# and drops it in, reinstalls (the modified conffile stays), then purges everything and checks what is left.
# Always purges at exit, pass or fail. Skips (77) unless root; refuses to run if a vicary package is installed.
source "$(dirname "$0")/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: installing packages needs root"; exit 77; }
command -v setpriv > /dev/null || { echo "SKIP: setpriv (util-linux) not found"; exit 77; }

PACKAGES=(vicary-dev)
for p in "${PKG_PLUGINS[@]}"; do PACKAGES+=("vicary-plugin-$p"); done
PACKAGES+=(vicary)
installed_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2> /dev/null | grep -q '^[a-z][^n]' && echo "$p"
  done
  return 0
}
[ -z "$(installed_packages)" ] || fail "vicary packages already installed on this machine ($(installed_packages | xargs)): refusing to touch them"
[ ! -e /usr/bin/vicary ] || fail "/usr/bin/vicary exists but no vicary package is installed: refusing to overwrite it"

PLUGINS_DIR="/usr/lib/$MULTIARCH/vicary/plugins"
export VICARY_BIN=/usr/bin/vicary VICARY_PLUGIN_DIR="$PLUGINS_DIR"
# shellcheck source=../integration/lib.sh
source "$VICARY_SOURCE_DIR/tests/integration/lib.sh"
source "$VICARY_SOURCE_DIR/tests/integration/support/registry.sh"
source "$VICARY_SOURCE_DIR/tests/integration/support/seed.sh"
chmod 0755 "$TEST_TMP" # the service user reads its configs under it

USER_EXISTED=0
getent passwd vicary > /dev/null && USER_EXISTED=1
INSTALLED=0
purge_all() {  # at exit, pass or fail: nothing of the packages stays on this machine
  if [ -n "$VICARY_PID" ]; then kill_pid "$VICARY_PID"; VICARY_PID=""; fi
  [ "$INSTALLED" -eq 1 ] || return 0
  rm -f "$PLUGINS_DIR/minimal.so"
  local left
  left="$(installed_packages | xargs)"
  if [ -n "$left" ]; then
    echo "cleanup: purging $left" >&2
    # shellcheck disable=SC2086
    dpkg --purge $left > "$TEST_TMP/cleanup-purge.log" 2>&1 || cat "$TEST_TMP/cleanup-purge.log" >&2
  fi
  # The packages keep the system user on purge (see docs/OPERATIONS.md); leave this machine as the test found it.
  if [ "$USER_EXISTED" -eq 0 ] && getent passwd vicary > /dev/null; then
    userdel vicary 2> /dev/null || echo "cleanup: userdel vicary failed" >&2
    getent group vicary > /dev/null && groupdel vicary 2> /dev/null || true
  fi
  [ ! -e /usr/bin/vicary ] || echo "cleanup: WARNING /usr/bin/vicary is still there" >&2
}
cleanup_hooks+=(purge_all)

debs=()
for p in "${PACKAGES[@]}"; do
  debs+=("$PKG_OUT/${p}_${PKG_FULL}_${DEB_ARCH}.deb")
  [ -f "${debs[-1]}" ] || fail "no ${debs[-1]}"
done

# --- install -------------------------------------------------------------------------------------------------------
INSTALLED=1
out="$(dpkg -i "${debs[@]}" 2>&1)" || fail "dpkg -i failed: $out"
! grep -i 'warning\|error' <<< "$out" || fail "dpkg -i warned: $out"
pass "dpkg -i installs vicary, vicary-dev and the ${#PKG_PLUGINS[@]} plugins with their dependencies already satisfied"
for p in "${PACKAGES[@]}"; do
  [ "$(dpkg-query -W -f='${Status} ${Version}' "$p")" = "install ok installed $PKG_FULL" ] || fail "$p is not installed"
done
assert_contains "$(dpkg-query -W -f='${Conffiles}' vicary)" "/etc/vicary/vicary.ini" "dpkg records /etc/vicary/vicary.ini as a conffile"

IFS=: read -r _ _ uid gid _ home shell <<< "$(getent passwd vicary)" || fail "postinst created no user vicary"
[ "$uid" -lt 1000 ] || fail "vicary is not a system user (uid $uid)"
[ "$(getent group vicary | cut -d: -f3)" = "$gid" ] || fail "vicary's primary group is not the group vicary"
case "$shell" in */nologin | /bin/false) ;; *) fail "vicary has a login shell: $shell" ;; esac
[ "$home" = /var/lib/vicary ] || fail "vicary's home is $home"
[ "$USER_EXISTED" -eq 1 ] && echo "note: the user vicary existed before the test: its creation was not exercised"
pass "the system user and group vicary exist (uid $uid, no login shell, home /var/lib/vicary)"
for dir in /var/cache/vicary /var/lib/vicary; do
  [ "$(stat -c '%U:%G %a' "$dir")" = "vicary:vicary 750" ] || fail "$dir is $(stat -c '%U:%G %a' "$dir")"
done
pass "/var/cache/vicary and /var/lib/vicary exist, 0750 vicary:vicary"
for f in /usr/bin/vicary /usr/bin/vicaryctl "$PLUGINS_DIR/dockerhub.so" "$PLUGINS_DIR/generic.so" \
  /usr/lib/systemd/system/vicary.service /usr/include/vicary/abi.h "/usr/lib/$MULTIARCH/cmake/Vicary/VicaryConfig.cmake"; do
  [ -f "$f" ] || fail "$f was not installed"
done
pass "the binaries, plugins, unit and SDK are in place"

# --- the unit, run without systemd -----------------------------------------------------------------------------------
UNIT=/usr/lib/systemd/system/vicary.service
exec_line="$(sed -n 's/^ExecStart=//p' "$UNIT")"
unit_user="$(sed -n 's/^User=//p' "$UNIT")"
unit_group="$(sed -n 's/^Group=//p' "$UNIT")"
[ -n "$exec_line" ] && [ -n "$unit_user" ] && [ -n "$unit_group" ] || fail "no ExecStart, User or Group in $UNIT"
read -r -a EXEC_CMD <<< "$exec_line"
[ -x "${EXEC_CMD[0]}" ] || fail "ExecStart names ${EXEC_CMD[0]}, which is not an installed executable"

as_service() {  # <command...>: as systemd would run it: the unit's user and group, clean environment, cwd /, UMask
  (cd / && umask 0027 && exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin LANG=C.UTF-8 \
    HOME=/var/lib/vicary USER="$unit_user" LOGNAME="$unit_user" \
    setpriv --reuid="$unit_user" --regid="$unit_group" --init-groups -- "$@")
}
exec_with_config() {  # <config>: ExecStart with its --config argument replaced
  local cmd=() i
  for ((i = 0; i < ${#EXEC_CMD[@]}; i++)); do
    cmd+=("${EXEC_CMD[i]}")
    if [ "${EXEC_CMD[i]}" = --config ]; then cmd+=("$1"); i=$((i + 1)); fi
  done
  printf '%s\n' "${cmd[@]}"
}
start_as_service() {  # <config>
  local cmd
  mapfile -t cmd < <(exec_with_config "$1")
  # A subshell that execs: $! is vicary itself (env and setpriv exec too), so that it is stopped by its PID.
  (cd / && umask 0027 && exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin LANG=C.UTF-8 \
    HOME=/var/lib/vicary USER="$unit_user" LOGNAME="$unit_user" \
    setpriv --reuid="$unit_user" --regid="$unit_group" --init-groups -- "${cmd[@]}") > "$TEST_TMP/vicary.log" 2>&1 &
  VICARY_PID=$!
  for _ in $(seq 1 100); do
    VICARY_PORT_BOUND="$(sed -n 's/.* listening on [^ ]*:\([0-9][0-9]*\),.*/\1/p' "$TEST_TMP/vicary.log" | head -n1)"
    [ -n "$VICARY_PORT_BOUND" ] && break
    kill -0 "$VICARY_PID" 2> /dev/null || fail "the installed vicary exited during start-up"
    sleep 0.1
  done
  [ -n "$VICARY_PORT_BOUND" ] || fail "the installed vicary did not report a listening port within 10 s"
  [ "$(ps -o user= -p "$VICARY_PID" | tr -d ' ')" = "$unit_user" ] || fail "vicary does not run as $unit_user"
}
service_config() {  # <from> <to>: a copy on 127.0.0.1, a free port, a temp cache owned by the service user
  install -m 0644 "$1" "$2"
  set_key "$2" server bind 127.0.0.1
  set_key "$2" server port 0
  set_key "$2" cache directory "$TEST_TMP/cache"
  set_key "$2" cache min_free 0
  set_key "$2" cache max_size 0
}
install -d -m 0750 -o "$unit_user" -g "$unit_group" "$TEST_TMP/cache"

check="$(as_service "${EXEC_CMD[@]}" --check 2>&1)" || fail "the installed config does not pass --check as the service: $check"
assert_contains "$check" "/etc/vicary/vicary.ini: configuration OK, ${#PKG_PLUGINS[@]} plugins" \
  "ExecStart --check as $unit_user: the installed /etc/vicary/vicary.ini works as is"

start_registry upstream
seed_image upstream library/testimg v1 --layers 2 --layer-size 200000 --seed 31
service_config /etc/vicary/vicary.ini "$TEST_TMP/pull.ini"
cat >> "$TEST_TMP/pull.ini" << INI

[registry.local]
plugin = generic
upstream = $(registry_url upstream)
plain_http = true
aliases = registry.vicary.test
INI
start_as_service "$TEST_TMP/pull.ini"
pass "the installed vicary starts as $unit_user from the unit's ExecStart"
base="$(base_url)/v2/registry.vicary.test/library/testimg"
curl -fsS --max-time 20 -o "$TEST_TMP/manifest" -H "Accept: application/vnd.oci.image.manifest.v1+json" \
  -H "Accept: application/vnd.docker.distribution.manifest.v2+json" "$base/manifests/v1" ||
  fail "pulling the manifest through the installed vicary failed"
[ "sha256:$(sha256sum < "$TEST_TMP/manifest" | cut -d' ' -f1)" = "$SEED_DIGEST" ] || fail "the manifest pulled is not $SEED_DIGEST"
pass "a manifest pulls through the installed vicary"
layer="$(summary_get "$SEED_SUMMARY" layers.0.digest)"
curl -fsSL --max-time 20 -o "$TEST_TMP/layer" "$base/blobs/$layer" || fail "pulling layer $layer failed"
[ "sha256:$(sha256sum < "$TEST_TMP/layer" | cut -d' ' -f1)" = "$layer" ] || fail "the layer pulled is not $layer"
pass "a layer pulls through the installed vicary, byte for byte"
[ -n "$(find "$TEST_TMP/cache" -type f)" ] || fail "nothing was cached in $TEST_TMP/cache"
! find "$TEST_TMP/cache" ! -user "$unit_user" | grep . || fail "files in the cache not owned by $unit_user"
pass "the cache is written as $unit_user"
stop_vicary TERM
pass "SIGTERM stops the installed vicary with status 0"
stats="$(as_service /usr/bin/vicaryctl --cache "$TEST_TMP/cache" stats 2>&1)" || fail "vicaryctl stats failed: $stats"
assert_contains "$stats" "local" "the installed vicaryctl reads the cache as $unit_user"

# --- a plugin built against the installed SDK, dropped in ------------------------------------------------------------
example="$TEST_TMP/minimal-build"
{ cmake -S "$VICARY_SOURCE_DIR/examples/minimal-plugin" -B "$example" -DCMAKE_BUILD_TYPE=Release &&
  cmake --build "$example"; } > "$TEST_TMP/minimal.log" 2>&1 ||
  fail "building examples/minimal-plugin against the installed vicary-dev failed: $(tail -n 20 "$TEST_TMP/minimal.log")"
[ "$(sed -n 's/^Vicary_DIR:PATH=//p' "$example/CMakeCache.txt")" = "/usr/lib/$MULTIARCH/cmake/Vicary" ] ||
  fail "the example found Vicary in $(sed -n 's/^Vicary_DIR:PATH=//p' "$example/CMakeCache.txt"), not the installed package"
pass "examples/minimal-plugin builds against the installed vicary-dev (/usr/lib/$MULTIARCH/cmake/Vicary)"
install -m 0644 "$example/minimal.so" "$PLUGINS_DIR/minimal.so"
cat >> /etc/vicary/vicary.ini << INI

[registry.example]
plugin = minimal
upstream = $(registry_url upstream)
plain_http = true
aliases = mirror.example.test
namespace = library
INI
check="$(as_service "${EXEC_CMD[@]}" --check 2>&1)" || fail "--check with the dropped-in plugin failed: $check"
assert_contains "$check" "configuration OK, $((${#PKG_PLUGINS[@]} + 1)) plugins" "vicary --check loads the dropped-in plugin"

# Reinstalling (an upgrade to the same version) keeps the modified conffile and runs the scripts' upgrade paths.
out="$(dpkg -i "$PKG_OUT/vicary_${PKG_FULL}_${DEB_ARCH}.deb" 2>&1)" || fail "reinstalling vicary failed: $out"
grep -q '^\[registry.example\]$' /etc/vicary/vicary.ini || fail "reinstalling vicary replaced the modified vicary.ini"
[ -z "$(find /etc/vicary -name 'vicary.ini.dpkg-*')" ] || fail "reinstalling left $(find /etc/vicary -name 'vicary.ini.dpkg-*')"
[ "$(stat -c '%U:%G %a' /var/cache/vicary)" = "vicary:vicary 750" ] || fail "reinstalling changed /var/cache/vicary"
[ -f "$PLUGINS_DIR/minimal.so" ] || fail "reinstalling vicary removed the dropped-in plugin"
pass "reinstalling vicary keeps the modified conffile, the cache folder and the dropped-in plugin"

service_config /etc/vicary/vicary.ini "$TEST_TMP/plugin.ini"
start_as_service "$TEST_TMP/plugin.ini"
assert_contains "$(cat "$TEST_TMP/vicary.log")" "registry example: plugin minimal" "the installed vicary serves the dropped-in plugin's registry"
assert_contains "$(curl -sS -i --max-time 10 "$(base_url)/v2/")" "HTTP/1.1 200" "and answers /v2/"
# The plugin maps "testimg" into its namespace: the upstream is asked for library/testimg.
curl -fsS --max-time 20 -o "$TEST_TMP/plugin-manifest" -H "Accept: application/vnd.oci.image.manifest.v1+json" \
  "$(base_url)/v2/mirror.example.test/testimg/manifests/v1" || fail "pulling through the dropped-in plugin failed"
[ "sha256:$(sha256sum < "$TEST_TMP/plugin-manifest" | cut -d' ' -f1)" = "$SEED_DIGEST" ] ||
  fail "the manifest pulled through the dropped-in plugin is not $SEED_DIGEST"
pass "an image pulls through the dropped-in plugin's registry (name mapped by the plugin)"
stop_vicary TERM

# --- systemd-analyze verify ------------------------------------------------------------------------------------------
if command -v systemd-analyze > /dev/null; then
  status=0
  verify="$(systemd-analyze verify "$UNIT" 2>&1)" || status=$?
  if grep -q 'vicary.service' <<< "$verify"; then
    fail "systemd-analyze verify: $verify"
  elif [ "$status" -ne 0 ]; then
    echo "note: systemd-analyze verify could not run here (status $status): $(head -n 3 <<< "$verify")"
  else
    pass "systemd-analyze verify finds nothing wrong with the installed unit"
  fi
else
  echo "SKIP (part): systemd-analyze not installed, the unit is not verified"
fi

# --- purge -----------------------------------------------------------------------------------------------------------
rm -f "$PLUGINS_DIR/minimal.so" # the administrator's file, not a package's (docs/OPERATIONS.md)
out="$(dpkg --purge "${PACKAGES[@]}" 2>&1)" || fail "dpkg --purge failed: $out"
! grep -i 'warning' <<< "$out" || fail "dpkg --purge warned: $out"
[ -z "$(installed_packages)" ] || fail "still installed after purge: $(installed_packages | xargs)"
for path in /usr/bin/vicary /usr/bin/vicaryctl /etc/vicary /var/cache/vicary /var/lib/vicary "/usr/lib/$MULTIARCH/vicary" \
  /usr/include/vicary "/usr/lib/$MULTIARCH/cmake/Vicary" /usr/lib/systemd/system/vicary.service \
  /usr/lib/sysusers.d/vicary.conf /usr/lib/tmpfiles.d/vicary.conf /usr/share/doc/vicary; do
  [ ! -e "$path" ] || fail "$path is still there after dpkg --purge"
done
pass "dpkg --purge removes the binaries, /etc/vicary (modified conffile too), the cache, the state and plugins folders"
getent passwd vicary > /dev/null || fail "purge removed the system user (policy: it stays, see docs/OPERATIONS.md)"
pass "the system user vicary stays after purge, as documented (the test removes it itself)"
