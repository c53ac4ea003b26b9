# The command line: --version, --help, --check, and an unknown option.
source "$(dirname "$0")/lib.sh"

run_vicary --version
[ "$RUN_STATUS" -eq 0 ] || fail "--version exited $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "vicary 0." "--version prints the version"
assert_contains "$RUN_OUTPUT" "plugin ABI 1." "--version prints the plugin ABI"

run_vicary --help
[ "$RUN_STATUS" -eq 0 ] || fail "--help exited $RUN_STATUS"
for option in --config --check --version --help; do
  assert_contains "$RUN_OUTPUT" "$option" "--help lists $option"
done
assert_contains "$RUN_OUTPUT" "VICARY_RESOLVER" "--help names the environment variables"

write_config
run_vicary --config "$CONFIG" --check
[ "$RUN_STATUS" -eq 0 ] || fail "--check on the shipped config exited $RUN_STATUS: $RUN_OUTPUT"
assert_contains "$RUN_OUTPUT" "$CONFIG: configuration OK, 4 plugins" "--check accepts the shipped config"

run_vicary --no-such-option
[ "$RUN_STATUS" -ne 0 ] || fail "an unknown option was accepted"
assert_contains "$RUN_OUTPUT" "no-such-option" "an unknown option is named"
