# Shared by the packaging tests: where the packages are, what they should be called, assertions.
# Needs VICARY_SOURCE_DIR in the environment (set by CTest); the packages come from scripts/package.sh.
set -euo pipefail

: "${VICARY_SOURCE_DIR:?}"
PKG_OUT="${VICARY_PACKAGE_OUT:-$VICARY_SOURCE_DIR/build/package/out}"
PKG_VERSION="$(sed -n 's/^project(Vicary VERSION \([0-9][0-9.]*\).*/\1/p' "$VICARY_SOURCE_DIR/CMakeLists.txt")"
PKG_RELEASE=1
PKG_FULL="$PKG_VERSION-$PKG_RELEASE"
PKG_PLUGINS=(dockerhub quay gcr generic)
DEB_ARCH="$(dpkg --print-architecture)"
MULTIARCH="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2> /dev/null || gcc -print-multiarch)"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok   $*"; }
assert_contains() {  # <text> <part> <what>
  case "$1" in
    *"$2"*) pass "$3" ;;
    *) fail "$3: expected to find '$2' in: $1" ;;
  esac
}
assert_not_contains() {  # <text> <part> <what>
  case "$1" in
    *"$2"*) fail "$3: did not expect '$2' in: $1" ;;
    *) pass "$3" ;;
  esac
}
assert_line() {  # <text> <exact line> <what>
  grep -qxF -- "$2" <<< "$1" || fail "$3: no line '$2' in: $1"
  pass "$3"
}

[ -n "$PKG_VERSION" ] || fail "no project(Vicary VERSION ...) in CMakeLists.txt"
[ -d "$PKG_OUT" ] || fail "no packages in $PKG_OUT: run scripts/package.sh (the packaging.build test does)"

# A dependency list (Depends:, Requires) must have no empty entries: no leading, trailing or doubled commas.
assert_clean_list() {  # <list> <what>
  local list="$1"
  [ -n "${list//[[:space:]]/}" ] || fail "$2: empty"
  case "$list" in
    ,* | *, | *,,* | *", ,"* | *" ," | " "*) fail "$2: stray comma or blank in '$list'" ;;
  esac
  pass "$2 has no empty entries"
}
