#!/usr/bin/env bash
# Builds the .deb and .rpm packages (CPack, see cmake/VicaryPackaging.cmake and packaging/README.md) in a dedicated
# Release build, build/package, with the install paths of a system package. The packages land in build/package/out.
#   scripts/package.sh            configure (if needed), build, package
# Needs dpkg-dev (dpkg-shlibdeps) and rpm (rpmbuild): scripts/install-deps.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

build="${VICARY_PACKAGE_BUILD_DIR:-build/package}"
out="$build/out"
for tool in dpkg-deb dpkg-shlibdeps rpmbuild; do
  command -v "$tool" > /dev/null || { echo "package.sh: $tool not found (run scripts/install-deps.sh)" >&2; exit 1; }
done
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
generator=()
[ -f "$build/CMakeCache.txt" ] || { command -v ninja > /dev/null && generator=(-G Ninja); }

cmake -S . -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_INSTALL_SYSCONFDIR=/etc \
  -DCMAKE_INSTALL_LOCALSTATEDIR=/var \
  -DVICARY_BUILD_TESTS=OFF \
  -DVICARY_WERROR="$werror"
cmake --build "$build" -j "$(nproc)"

# Old packages would linger next to new ones with another version in their names.
rm -rf "$out"
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$PWD/out" && cpack -G RPM -B "$PWD/out")
rm -rf "$out/_CPack_Packages"
echo "package.sh: packages in $out:"
ls -1 "$out"
