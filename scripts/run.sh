#!/usr/bin/env bash
# Installs what is missing, builds the release preset and runs vicary in the foreground on the shipped default config
# (etc/vicary.ini, port 5050), with the cache in ./cache unless VICARY_STORE says otherwise. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
export VICARY_STORE="${VICARY_STORE:-$PWD/cache}"
exec build/release/bin/vicary --config etc/vicary.ini "$@"
