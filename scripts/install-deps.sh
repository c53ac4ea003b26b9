#!/usr/bin/env bash
# Installs, with apt-get, every Debian package that building, running and testing Vicary needs. Idempotent: installs
# only what is missing, and runs 'apt-get update' only when something is.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries
  libpoco-dev libssl-dev libsqlite3-dev libboost-dev libboost-filesystem-dev libc-ares-dev libinih-dev
  # tests
  libcppunit-dev curl ca-certificates dnsmasq-base
  # metrics test: a Prometheus text-format parser
  python3-prometheus-client
  # integration-test harness (tests/integration/support/): a real registry, a real client, a fake upstream
  docker-registry skopeo python3
  # upstream-auth harness (support/tls.sh, token_server.py, auth_registry.sh, cdn_front.py): TLS, JWTs, htpasswd
  openssl python3-jwt python3-cryptography apache2-utils
  # real clients end to end (tests/integration/clients_*.sh): containerd + ctr, podman (with its runtime and conmon)
  containerd podman crun conmon golang-github-containers-common
  # packages (scripts/package.sh, tests/packaging/): rpmbuild, dpkg-shlibdeps, systemd-analyze and systemd-sysusers
  rpm dpkg-dev systemd
  # congestion_control test: ss(8) shows a connection's TCP congestion control
  iproute2
  # client authentication: crypt(3) from libxcrypt checks htpasswd bcrypt hashes
  libcrypt-dev
  # fuzzing (tests/fuzz/): clang with libFuzzer and its sanitizer runtimes
  clang libclang-rt-14-dev
  # benchmarks (bench/): the alternatives measured side by side, and the load generator
  nginx wrk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
