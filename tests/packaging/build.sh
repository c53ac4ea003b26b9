# Builds the packages the other packaging tests inspect and install (a CTest fixture): scripts/package.sh.
: "${VICARY_SOURCE_DIR:?}"
set -euo pipefail
start=$SECONDS
bash "$VICARY_SOURCE_DIR/scripts/package.sh"
echo "packaging.build: $((SECONDS - start)) s"
