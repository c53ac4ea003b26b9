# Debian's containerd daemon for integration tests: one or more named instances, each with its own config, root,
# state and gRPC socket under $TEST_TMP (nothing of the machine's /var/lib/containerd or /run/containerd is touched),
# stopped by PID (at exit too). Source after lib.sh (and registry.sh or hooks.sh).
#
#   start_containerd <name>       starts instance <name> with a fresh root; waits (15 s at most) until 'ctr version'
#                                 answers. Sets CONTAINERD_SOCK, CONTAINERD_PID, CONTAINERD_LOG for it.
#                                 CONTAINERD_SNAPSHOTTER is overlayfs if an overlay mount works under $TEST_TMP, else
#                                 native (probed once).
#   stop_containerd <name>        TERM, 10 s at most, then KILL
#   ctr_run <name> <ctr args...>  ctr --address <its socket> --namespace vicary-test <args>, bounded by 120 s;
#                                 output in CTR_OUTPUT, fails the test with it on a non-zero exit
#   write_hosts_dir <dir> <registry host> <server url> <mirror url> [ca file for the server]
#                                 <dir>/<registry host>/hosts.toml: the mirror first (plain http, pull + resolve),
#                                 then the server containerd falls back to

VICARY_SUPPORT_DIR="${VICARY_SUPPORT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
# shellcheck source=hooks.sh
source "$VICARY_SUPPORT_DIR/hooks.sh"

CONTAINERD_BIN="${CONTAINERD_BIN:-/usr/bin/containerd}"
CTR_BIN="${CTR_BIN:-/usr/bin/ctr}"
declare -gA CONTAINERD_PIDS=() CONTAINERD_SOCKS=()
CONTAINERD_SOCK="" CONTAINERD_PID="" CONTAINERD_LOG="" CONTAINERD_SNAPSHOTTER="" CTR_OUTPUT=""

_containerd_probe_snapshotter() {
  [ -z "$CONTAINERD_SNAPSHOTTER" ] || return 0
  local d="$TEST_TMP/overlay-probe"
  mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/merged"
  if mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2> /dev/null; then
    umount "$d/merged"
    CONTAINERD_SNAPSHOTTER=overlayfs
  else
    CONTAINERD_SNAPSHOTTER=native
  fi
  rm -rf "$d"
}

start_containerd() {
  local name="$1"
  [[ "$name" =~ ^[A-Za-z0-9_-]+$ ]] || fail "start_containerd: bad instance name '$name'"
  [ -z "${CONTAINERD_PIDS[$name]:-}" ] || fail "start_containerd: instance '$name' is already running"
  [ -x "$CONTAINERD_BIN" ] && [ -x "$CTR_BIN" ] ||
    fail "start_containerd: $CONTAINERD_BIN or $CTR_BIN not found (scripts/install-deps.sh installs containerd)"
  [ "$(id -u)" -eq 0 ] || fail "start_containerd: containerd needs root"
  _containerd_probe_snapshotter
  local dir="$TEST_TMP/containerd-$name"
  rm -rf "$dir"
  mkdir -p "$dir/root" "$dir/state"
  local sock="$dir/c.sock" log="$dir/containerd.log"
  # Only what pulling needs: no CRI, no snapshotters this machine may lack, no tracing.
  cat > "$dir/config.toml" << EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
  level = "info"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
EOF
  "$CONTAINERD_BIN" --config "$dir/config.toml" > "$log" 2>&1 &
  local pid=$!
  CONTAINERD_PIDS[$name]="$pid"
  CONTAINERD_SOCKS[$name]="$sock"
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2> /dev/null; then
      wait "$pid" 2> /dev/null || true
      unset "CONTAINERD_PIDS[$name]"
      fail "start_containerd: '$name' exited during start-up: $(tail -n 10 "$log")"
    fi
    if [ -S "$sock" ] && timeout 5 "$CTR_BIN" --address "$sock" version > /dev/null 2>&1; then
      CONTAINERD_SOCK="$sock" CONTAINERD_PID="$pid" CONTAINERD_LOG="$log"
      return 0
    fi
    sleep 0.1
  done
  fail "start_containerd: '$name' did not answer on $sock within 15 s: $(tail -n 10 "$log")"
}

stop_containerd() {
  local name="$1"
  local pid="${CONTAINERD_PIDS[$name]:-}"
  [ -n "$pid" ] || fail "stop_containerd: instance '$name' is not running"
  stop_pid "$pid" "containerd '$name'"
  unset "CONTAINERD_PIDS[$name]"
}

_containerd_stop_all() {
  local name
  for name in "${!CONTAINERD_PIDS[@]}"; do
    kill_pid "${CONTAINERD_PIDS[$name]}"
    unset "CONTAINERD_PIDS[$name]"
  done
}
cleanup_hooks+=(_containerd_stop_all)

# ctr_try <name> <args...>: like ctr_run but returns ctr's status instead of failing.
ctr_try() {
  local name="$1"
  shift
  [ -n "${CONTAINERD_SOCKS[$name]:-}" ] || fail "ctr: containerd '$name' was never started"
  local status=0
  CTR_OUTPUT="$(timeout 120 "$CTR_BIN" --address "${CONTAINERD_SOCKS[$name]}" --namespace vicary-test "$@" 2>&1)" ||
    status=$?
  return "$status"
}

ctr_run() {
  ctr_try "$@" || fail "ctr ${*:2}: $(tail -n 10 <<< "$CTR_OUTPUT")"
}

write_hosts_dir() {
  local dir="$1/$2"
  mkdir -p "$dir"
  {
    echo "server = \"$3\""
    [ -z "${5:-}" ] || echo "ca = \"$5\""
    echo
    echo "[host.\"$4\"]"
    echo '  capabilities = ["pull", "resolve"]'
  } > "$dir/hosts.toml"
}
