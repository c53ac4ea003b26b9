# A plugin built outside the tree against the installed SDK only (find_package(Vicary)), dropped into the plugins
# folder next to the built-in ones and turned on by a config section: no core rebuild.
source "$(dirname "$0")/lib.sh"

prefix="$TEST_TMP/prefix"
cmake --install "$VICARY_BUILD_DIR" --prefix "$prefix" --component dev > "$TEST_TMP/install.log" 2>&1 ||
  fail "installing the SDK failed: $(cat "$TEST_TMP/install.log")"
[ -f "$prefix/include/vicary/abi.h" ] || fail "the SDK headers were not installed"
pass "the SDK installs into a prefix"

example="$TEST_TMP/example-build"
{ cmake -S "$VICARY_SOURCE_DIR/examples/minimal-plugin" -B "$example" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON && cmake --build "$example"; } > "$TEST_TMP/example.log" 2>&1 ||
  fail "building the example plugin against the installed SDK failed: $(tail -n 30 "$TEST_TMP/example.log")"
[ -f "$example/compile_commands.json" ] || fail "the example build wrote no compile_commands.json"
grep -q -- "$VICARY_SOURCE_DIR/include" "$example/compile_commands.json" &&
  fail "the example plugin compiled against the source tree, not the installed SDK"
grep -q -- "$prefix/include" "$example/compile_commands.json" ||
  fail "the example plugin did not compile against the installed SDK in $prefix"
[ -f "$example/minimal.so" ] || fail "the example build made no minimal.so"
pass "the example plugin builds out of tree against the installed SDK"

cmake --install "$example" > /dev/null 2>&1 || fail "installing the example plugin failed"
[ -f "$prefix/lib/vicary/plugins/minimal.so" ] || [ -n "$(find "$prefix" -path '*/vicary/plugins/minimal.so')" ] ||
  fail "the example plugin did not install into the SDK's plugin folder"
pass "the example plugin installs into the plugin folder of the SDK it was built against"

cat > "$TEST_TMP/sample.ini" <<INI
[routing]
default =

[registry.example]
plugin = minimal
upstream = https://registry.example.test
namespace = mirrored
INI
verify="$("$VICARY_VERIFY_BIN" "$example/minimal.so" "$TEST_TMP/sample.ini" 2>&1)" ||
  fail "the plugin contract checks failed: $verify"
assert_contains "$verify" "plugin contract holds" "the example plugin keeps the plugin contract"

plugins="$TEST_TMP/plugins"
mkdir -p "$plugins"
cp "$VICARY_PLUGIN_DIR"/*.so "$example/minimal.so" "$plugins/"
write_config
set_key "$CONFIG" plugins directory "$plugins"
cat >> "$CONFIG" <<INI

[registry.example]
plugin = minimal
upstream = https://registry.example.test
aliases = mirror.example.test
namespace = mirrored
INI
run_vicary --config "$CONFIG" --check
[ "$RUN_STATUS" -eq 0 ] || fail "--check with the dropped-in plugin failed: $RUN_OUTPUT"
assert_contains "$RUN_OUTPUT" "configuration OK, 5 plugins" "vicary loads the dropped-in plugin"

start_vicary --config "$CONFIG"
log="$(cat "$TEST_TMP/vicary.log")"
assert_contains "$log" "registry example: plugin minimal, upstream https://registry.example.test, hosts minimal.example.test mirror.example.test" \
  "the new registry is served with the plugin's hosts and the configured alias"
assert_contains "$log" "registry.example: repositories map into namespace mirrored" "the plugin logs through the host, under its registry's name"
assert_contains "$(curl -sS -i --max-time 10 "$(base_url)/v2/")" "HTTP/1.1 200" "vicary serves with the plugin loaded"
stop_vicary TERM

sed -i 's/^namespace = mirrored$/namespace =/' "$CONFIG"
run_vicary --config "$CONFIG"
[ "$RUN_STATUS" -eq 78 ] || fail "an empty namespace: expected exit 78, got $RUN_STATUS"
assert_contains "$RUN_OUTPUT" "[registry.example] plugin minimal (" "a refusal by the plugin names the section and plugin"
assert_contains "$RUN_OUTPUT" "namespace: required for plugin minimal" "a refusal by the plugin carries its message"
