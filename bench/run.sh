#!/usr/bin/env bash
# Vicary benchmark harness: vicary, docker-registry in proxy mode and nginx as a pull-through cache against one
# seeded local upstream, with nginx sendfile and the upstream itself as limits. See docs/BENCHMARKS.md.
#
#   bench/run.sh [--quick] [--runs N] [--out FILE] [--vicary-bin PATH] [--vicary-ini FILE] [--write-docs|--no-docs] [--keep]
#
# Builds nothing: the vicary binary is --vicary-bin, else $VICARY_BIN, else build/release/bin/vicary (plugins are
# taken from <bin>/../lib/vicary/plugins); scripts/install-deps.sh installs the tools. A full run (not --quick)
# rewrites the results part of docs/BENCHMARKS.md. Needs nginx, docker-registry, wrk, ab (apache2-utils), curl, openssl, python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

vicary_bin="${VICARY_BIN:-}"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --vicary-bin) [ $# -ge 2 ] || { echo "run.sh: --vicary-bin needs a path" >&2; exit 2; }; vicary_bin="$2"; shift 2 ;;
    --vicary-bin=*) vicary_bin="${1#*=}"; shift ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

if [ -z "$vicary_bin" ]; then
  vicary_bin="$repo/build/release/bin/vicary"
fi
if [ -z "$vicary_bin" ] || [ ! -x "$vicary_bin" ]; then
  echo "run.sh: no vicary binary${vicary_bin:+ at $vicary_bin}; build one (e.g. cmake --preset release &&" \
    "cmake --build build/release) or pass --vicary-bin PATH / set VICARY_BIN" >&2
  exit 2
fi

missing=()
for tool in nginx docker-registry wrk ab curl openssl python3 findmnt; do
  command -v "$tool" > /dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: missing ${missing[*]} (apt-get install nginx docker-registry wrk apache2-utils curl openssl python3)" >&2
  exit 2
fi

# bench.py stops every process it started, by PID, however it ends (signals included).
exec python3 "$here/bench.py" --vicary-bin "$(realpath "$vicary_bin")" "${args[@]}"
