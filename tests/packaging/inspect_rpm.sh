# Inspects the built .rpm packages: names, versions, computed and exact requirements (no stray commas or empty
# entries), the config file marked %config(noreplace), the file lists and the scriptlets.
source "$(dirname "$0")/common.sh"
command -v rpm > /dev/null || fail "rpm not found (scripts/install-deps.sh installs it)"

RPM_ARCH="$(uname -m)"
rpmfile() {  # <package name>
  local f="$PKG_OUT/$1-$PKG_FULL.$RPM_ARCH.rpm"
  [ -f "$f" ] || fail "no $f (have: $(ls "$PKG_OUT"))"
  echo "$f"
}
q() { rpm -qp --nosignature "$@" 2> /dev/null; }

check_header() {  # <file> <package> <summary part>
  local f="$1" name="$2" info
  [ "$(q --qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH}' "$f")" = "$name $PKG_VERSION $PKG_RELEASE $RPM_ARCH" ] ||
    fail "$name: header is '$(q --qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH}' "$f")'"
  info="$(q --info "$f")"
  for tag in Summary License Group Vendor; do
    grep -qE "^$tag +: +[^ (]" <<< "$info" || fail "$name: $tag empty or (none): $info"
  done
  assert_contains "$(q --qf '%{SUMMARY}' "$f")" "$3" "$name: its own Summary"
  [ -n "$(q --qf '%{DESCRIPTION}' "$f")" ] || fail "$name: no Description"
  ! grep -E '@[A-Z_]+@|\$\{' <<< "$info" || fail "$name: an unsubstituted variable in its header"
  [ "$(q --qf '%{PREFIXES}' "$f")" = "(none)" ] || fail "$name: relocatable (Prefix $(q --qf '%{PREFIXES}' "$f"))"
  pass "$name: Name, Version $PKG_VERSION, Release $PKG_RELEASE, Arch $RPM_ARCH, Summary, License, not relocatable"
}

check_requires() {  # <file> <package>: every entry well formed
  local requires
  requires="$(q --requires "$1")"
  [ -n "$requires" ] || fail "$2: no requirements at all"
  ! grep -nE '^[[:space:]]*$|,|^[<>=]|[<>=][[:space:]]*$' <<< "$requires" ||
    fail "$2: an empty, comma-joined or versionless requirement in: $requires"
  pass "$2: every Requires entry is one well-formed name"
  REQUIRES="$requires"
}

# --- vicary --------------------------------------------------------------------------------------------------------
core="$(rpmfile vicary)"
check_header "$core" vicary "Pull-through cache"
check_requires "$core" vicary
for lib in 'libc.so.6()(64bit)' 'libstdc++.so.6()(64bit)' 'libPocoFoundation.so.80()(64bit)' 'libPocoNetSSL.so.80()(64bit)' \
  'libsqlite3.so.0()(64bit)' 'libcares.so.2()(64bit)' 'libinih.so.1()(64bit)'; do
  case "$(uname -m)" in x86_64 | aarch64) ;; *) lib="${lib%(64bit)}" ;; esac
  assert_line "$REQUIRES" "$lib" "vicary requires $lib (autoreq)"
done
assert_line "$REQUIRES" "/bin/sh" "vicary requires /bin/sh for its scriptlets"

config="$(q --configfiles "$core")"
[ "$config" = "/etc/vicary/vicary.ini" ] || fail "vicary: config files are '$config', not /etc/vicary/vicary.ini"
flags="$(q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$core" | grep ' /etc/vicary/vicary.ini$')"
[ "$flags" = "cn /etc/vicary/vicary.ini" ] || fail "vicary: /etc/vicary/vicary.ini flags '$flags', not %config(noreplace)"
pass "vicary: /etc/vicary/vicary.ini is %config(noreplace)"

list="$(q --list "$core")"
for path in /usr/bin/vicary /usr/bin/vicaryctl /etc/vicary /etc/vicary/vicary.ini /usr/lib/systemd/system/vicary.service \
  /usr/lib/sysusers.d/vicary.conf /usr/lib/tmpfiles.d/vicary.conf "/usr/lib/$MULTIARCH/vicary/plugins" \
  /usr/share/doc/vicary/OPERATIONS.md; do
  assert_line "$list" "$path" "vicary ships $path"
done
for system_dir in / /etc /usr /usr/bin /usr/lib /usr/lib/systemd /usr/lib/systemd/system /usr/lib/sysusers.d \
  /usr/lib/tmpfiles.d "/usr/lib/$MULTIARCH" /usr/share /usr/share/doc; do
  ! grep -qxF "$system_dir" <<< "$list" || fail "vicary owns the system folder $system_dir"
done
pass "vicary owns no system folder"
assert_not_contains "$list" ".so" "vicary ships no plugin"

scripts="$(mktemp -d)"
trap 'rm -rf "$scripts"' EXIT
for tag in POSTIN PREUN POSTUN; do
  q --qf "%{$tag}" "$core" > "$scripts/$tag"
  [ -s "$scripts/$tag" ] && [ "$(cat "$scripts/$tag")" != "(none)" ] || fail "vicary: no %$tag scriptlet"
  [ "$(q --qf "%{${tag}PROG}" "$core")" = /bin/sh ] || fail "vicary: %$tag does not run with /bin/sh"
  sh -n "$scripts/$tag" || fail "vicary: %$tag has a syntax error"
  ! grep -n '@[A-Z_]*@' "$scripts/$tag" || fail "vicary: %$tag has an unsubstituted variable"
  pass "vicary: %$tag exists and passes sh -n"
done
assert_contains "$(q --scripts "$core")" "useradd --system" "%post creates the system user"

# --- vicary-plugin-<name> --------------------------------------------------------------------------------------------
for p in "${PKG_PLUGINS[@]}"; do
  f="$(rpmfile "vicary-plugin-$p")"
  check_header "$f" "vicary-plugin-$p" "plugin $p"
  check_requires "$f" "vicary-plugin-$p"
  assert_line "$REQUIRES" "vicary = $PKG_FULL" "vicary-plugin-$p requires exactly vicary $PKG_FULL"
  assert_contains "$REQUIRES" "libc.so.6" "vicary-plugin-$p: requirements computed from the plugin"
  assert_line "$(q --list "$f")" "/usr/lib/$MULTIARCH/vicary/plugins/$p.so" "vicary-plugin-$p ships $p.so"
  [ -z "$(q --configfiles "$f")" ] || fail "vicary-plugin-$p has config files"
done

# --- vicary-devel ----------------------------------------------------------------------------------------------------
dev="$(rpmfile vicary-devel)"
check_header "$dev" vicary-devel "SDK"
check_requires "$dev" vicary-devel
assert_contains "$REQUIRES" "boost-devel" "vicary-devel requires the Boost headers"
assert_line "$(q --provides "$dev")" "vicary-dev = $PKG_FULL" "vicary-devel provides vicary-dev"
list="$(q --list "$dev")"
assert_line "$list" /usr/include/vicary/abi.h "vicary-devel ships the SDK headers"
assert_line "$list" "/usr/lib/$MULTIARCH/cmake/Vicary/VicaryConfig.cmake" "vicary-devel ships the CMake package"

n="$(find "$PKG_OUT" -maxdepth 1 -name '*.rpm' | wc -l)"
[ "$n" -eq $((2 + ${#PKG_PLUGINS[@]})) ] || fail "expected $((2 + ${#PKG_PLUGINS[@]})) .rpm files, found $n"
pass "exactly vicary, vicary-devel and one vicary-plugin-<name> per plugin"
