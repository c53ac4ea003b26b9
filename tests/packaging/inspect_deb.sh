# Inspects the built .deb packages field by field and file by file, so that a broken field or a missing file fails.
source "$(dirname "$0")/common.sh"

deb() {  # <package name>: the one .deb of it
  local f="$PKG_OUT/${1}_${PKG_FULL}_${DEB_ARCH}.deb"
  [ -f "$f" ] || fail "no $f (have: $(ls "$PKG_OUT"))"
  echo "$f"
}
field() { dpkg-deb -f "$1" "$2"; }
files() { dpkg-deb -c "$1" | awk '{ print $1 " " $2 " " $6 }'; }
names() { dpkg-deb -c "$1" | awk '{ print $6 }'; }

check_control() {  # <file> <package>
  local f="$1" name="$2" control
  control="$(dpkg-deb -f "$f")"
  [ "$(field "$f" Package)" = "$name" ] || fail "$name: Package is '$(field "$f" Package)'"
  [ "$(field "$f" Version)" = "$PKG_FULL" ] || fail "$name: Version is '$(field "$f" Version)', not $PKG_FULL"
  [ "$(field "$f" Architecture)" = "$DEB_ARCH" ] || fail "$name: Architecture is '$(field "$f" Architecture)'"
  [ -n "$(field "$f" Maintainer)" ] || fail "$name: no Maintainer"
  # No field without a value, no unsubstituted CMake variable.
  ! grep -E '^[A-Za-z-]+:[[:space:]]*$' <<< "$control" || fail "$name: a control field is empty"
  ! grep -E '@[A-Z_]+@|\$\{' <<< "$control" || fail "$name: a control field has an unsubstituted variable"
  # The Description's first line is this package's own summary, not repeated below it.
  local summary
  summary="$(field "$f" Description | head -n1)"
  [ -n "$summary" ] || fail "$name: no summary line in Description"
  [ "$(field "$f" Description | sed -n 2p | sed 's/^ //')" != "$summary" ] || fail "$name: summary repeated"
  pass "$name: Package, Version $PKG_FULL, Architecture $DEB_ARCH, Maintainer, Description"
}

# --- vicary --------------------------------------------------------------------------------------------------------
core="$(deb vicary)"
check_control "$core" vicary
depends="$(field "$core" Depends)"
assert_clean_list "$depends" "vicary: Depends"
for lib in libc6 libstdc++6 libpocofoundation libpoconet libpoconetssl libsqlite3 libc-ares libinih libboost-filesystem; do
  assert_contains "$depends" "$lib" "vicary: Depends computed from the binaries has $lib"
done
recommends="$(field "$core" Recommends)"
assert_clean_list "$recommends" "vicary: Recommends"
for p in "${PKG_PLUGINS[@]}"; do
  assert_contains "$recommends" "vicary-plugin-$p" "vicary recommends vicary-plugin-$p"
done

list="$(names "$core")"
for path in ./usr/bin/vicary ./usr/bin/vicaryctl ./etc/vicary/vicary.ini ./usr/lib/systemd/system/vicary.service \
  ./usr/lib/sysusers.d/vicary.conf ./usr/lib/tmpfiles.d/vicary.conf "./usr/lib/$MULTIARCH/vicary/plugins/" \
  ./usr/share/doc/vicary/OPERATIONS.md ./usr/share/doc/vicary/CONFIGURATION.md ./usr/share/doc/vicary/PLUGINS.md; do
  assert_line "$list" "$path" "vicary ships $path"
done
assert_not_contains "$list" ".so" "vicary ships no plugin (they are in vicary-plugin-*)"
assert_not_contains "$list" "/include/" "vicary ships no SDK header"
assert_not_contains "$list" "/var/" "vicary ships nothing under /var (the scripts create the cache folder)"
! files "$core" | grep -v ' root/root ' || fail "vicary: a file not owned by root/root"
files "$core" | grep -q '^-rwxr-xr-x root/root ./usr/bin/vicary$' || fail "vicary: /usr/bin/vicary is not 0755"
pass "vicary: every file root/root, the binaries 0755"

control="$(mktemp -d)"
data="$(mktemp -d)"
trap 'rm -rf "$control" "$data"' EXIT
dpkg-deb -e "$core" "$control"
dpkg-deb -x "$core" "$data"
[ "$(cat "$control/conffiles")" = "/etc/vicary/vicary.ini" ] ||
  fail "vicary: conffiles is '$(cat "$control/conffiles" 2> /dev/null)', not /etc/vicary/vicary.ini"
pass "vicary: /etc/vicary/vicary.ini is its one conffile"
for script in postinst prerm postrm; do
  [ -x "$control/$script" ] || fail "vicary: no executable $script"
  head -n1 "$control/$script" | grep -qx '#!/bin/sh' || fail "vicary: $script does not start with #!/bin/sh"
  sh -n "$control/$script" || fail "vicary: $script has a syntax error"
  if command -v dash > /dev/null; then dash -n "$control/$script" || fail "vicary: $script is not POSIX sh (dash)"; fi
  ! grep -n '@[A-Z_]*@' "$control/$script" || fail "vicary: $script has an unsubstituted variable"
  pass "vicary: $script exists, is executable and passes sh -n"
done
grep -q 'dpkg-statoverride' "$control/postinst" || fail "postinst ignores dpkg-statoverride"
assert_not_contains "$(grep -v '^ *#' "$control/postinst")" "enable --now" "postinst enables nothing"

unit="$data/usr/lib/systemd/system/vicary.service"
unit_text="$(cat "$unit")"
for line in "Type=exec" "ExecStart=/usr/bin/vicary --config /etc/vicary/vicary.ini" "ExecReload=/bin/kill -HUP \$MAINPID" "User=vicary" "Group=vicary" \
  "CacheDirectory=vicary" "StateDirectory=vicary" "ProtectSystem=strict" "ProtectHome=yes" "NoNewPrivileges=yes" \
  "PrivateTmp=yes" "LimitNOFILE=65536" "Restart=on-failure" "WantedBy=multi-user.target"; do
  assert_line "$unit_text" "$line" "the unit has $line"
done
! grep -n '@[A-Za-z_]*@' "$unit" "$data/usr/lib/sysusers.d/vicary.conf" "$data/usr/lib/tmpfiles.d/vicary.conf" ||
  fail "an unsubstituted variable in the unit, sysusers or tmpfiles file"
assert_line "$(grep -v '^#' "$data/usr/lib/sysusers.d/vicary.conf")" \
  'u vicary - "Vicary pull-through cache" /var/lib/vicary /usr/sbin/nologin' "sysusers.d declares the system user vicary"
assert_line "$(grep -v '^#' "$data/usr/lib/tmpfiles.d/vicary.conf")" "d /var/cache/vicary 0750 vicary vicary -" \
  "tmpfiles.d makes /var/cache/vicary 0750 vicary:vicary"
cmp -s "$data/etc/vicary/vicary.ini" "$VICARY_SOURCE_DIR/etc/vicary.ini" || fail "the packaged vicary.ini is not etc/vicary.ini"
pass "the packaged /etc/vicary/vicary.ini is the shipped etc/vicary.ini"
! readelf -S "$data/usr/bin/vicary" | grep -q ' \.symtab ' || fail "/usr/bin/vicary is not stripped"
pass "/usr/bin/vicary is stripped"

# --- vicary-plugin-<name> --------------------------------------------------------------------------------------------
for p in "${PKG_PLUGINS[@]}"; do
  f="$(deb "vicary-plugin-$p")"
  check_control "$f" "vicary-plugin-$p"
  depends="$(field "$f" Depends)"
  assert_clean_list "$depends" "vicary-plugin-$p: Depends"
  assert_contains "$depends" "vicary (= $PKG_FULL)" "vicary-plugin-$p needs the exact same vicary"
  assert_contains "$depends" "libc6" "vicary-plugin-$p: Depends computed from the plugin"
  list="$(names "$f" | grep -v '/$')"
  [ "$list" = "./usr/lib/$MULTIARCH/vicary/plugins/$p.so" ] || fail "vicary-plugin-$p ships: $list"
  pass "vicary-plugin-$p ships $p.so in the plugins folder and nothing else"
done

# --- vicary-dev ------------------------------------------------------------------------------------------------------
dev="$(deb vicary-dev)"
check_control "$dev" vicary-dev
depends="$(field "$dev" Depends)"
assert_clean_list "$depends" "vicary-dev: Depends"
assert_contains "$depends" "libboost-dev" "vicary-dev needs the Boost headers the SDK includes"
list="$(names "$dev")"
for path in ./usr/include/vicary/abi.h ./usr/include/vicary/RegistryPlugin.h \
  "./usr/lib/$MULTIARCH/cmake/Vicary/VicaryConfig.cmake" "./usr/lib/$MULTIARCH/cmake/Vicary/VicaryConfigVersion.cmake" \
  "./usr/lib/$MULTIARCH/cmake/Vicary/VicaryTargets.cmake" "./usr/lib/$MULTIARCH/cmake/Vicary/VicaryPlugin.cmake"; do
  assert_line "$list" "$path" "vicary-dev ships $path"
done
assert_not_contains "$list" "/bin/" "vicary-dev ships no binary"

n="$(find "$PKG_OUT" -maxdepth 1 -name '*.deb' | wc -l)"
[ "$n" -eq $((2 + ${#PKG_PLUGINS[@]})) ] || fail "expected $((2 + ${#PKG_PLUGINS[@]})) .deb files, found $n"
pass "exactly vicary, vicary-dev and one vicary-plugin-<name> per plugin"
