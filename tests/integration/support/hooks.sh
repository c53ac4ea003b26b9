# Clean-up hooks for the integration-test support files. Sourced (once) by registry.sh and fake_upstream.sh, after
# lib.sh. A support file appends a function name to cleanup_hooks; each runs at exit, before lib.sh's cleanup removes
# $TEST_TMP. If lib.sh's cleanup() already runs cleanup_hooks itself, this file leaves its trap alone; otherwise it
# replaces the EXIT trap with one that runs the hooks and then lib.sh's cleanup.

if [ -z "${VICARY_SUPPORT_HOOKS_LOADED:-}" ]; then
  VICARY_SUPPORT_HOOKS_LOADED=1
  declare -p cleanup_hooks > /dev/null 2>&1 || cleanup_hooks=()

  run_cleanup_hooks() {
    local hook
    for hook in "${cleanup_hooks[@]}"; do
      "$hook" || true
    done
  }

  if ! declare -f cleanup | grep -q cleanup_hooks; then
    support_cleanup() {
      run_cleanup_hooks
      cleanup
    }
    trap support_cleanup EXIT
  fi
fi

# stop_pid <pid> <what>: TERM, then up to 10 s for it to exit, then KILL. Reaps it if it is our child.
stop_pid() {
  local pid="$1" what="$2"
  kill -0 "$pid" 2> /dev/null || { wait "$pid" 2> /dev/null || true; return 0; }
  kill -TERM "$pid" 2> /dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2> /dev/null; then
    echo "note: $what (pid $pid) still running 10 s after SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2> /dev/null || true
  fi
  wait "$pid" 2> /dev/null || true
}

# kill_pid <pid>: KILL and reap at once (used at exit, where speed matters more than grace).
kill_pid() {
  kill -KILL "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
}

# tcp_port_in_use <port>: true if something accepts connections on 127.0.0.1:<port>.
tcp_port_in_use() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2> /dev/null
}
