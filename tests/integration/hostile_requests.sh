# Requests that try to name a file, escape the store or exhaust the server get a 4xx and read nothing; the server
# keeps answering normally afterwards.
source "$(dirname "$0")/lib.sh"

write_config
start_vicary --config "$CONFIG"
v="http://127.0.0.1:$VICARY_PORT_BOUND"
secret="$TEST_TMP/cache/secret-file"
echo "not for clients" > "$secret"

status() { curl -sS --path-as-is -o "$TEST_TMP/body" -w '%{http_code}' --max-time 10 "$@" || echo 000; }
for path in \
  "/v2/../../etc/passwd" \
  "/v2/library/x/blobs/../../../../etc/passwd" \
  "/v2/library/x/blobs/sha256:..%2f..%2f..%2fetc%2fpasswd" \
  "/v2/%2e%2e/%2e%2e/blobs/sha256:$(printf 'a%.0s' $(seq 1 64))" \
  "/v2/library/x/blobs/sha256:$(printf 'a%.0s' $(seq 1 63))/" \
  "/v2/library/x/manifests/..%2fsecret-file" \
  "/v2/library/x/blobs/$TEST_TMP/cache/secret-file" \
  "/v2//etc/passwd/manifests/latest" \
  "/v2/library/x/blobs/sha256:$(printf 'A%.0s' $(seq 1 64))" \
  "/$TEST_TMP/cache/secret-file" \
  "/v2/library/x/manifests/$(printf 'a%.0s' $(seq 1 200))"; do
  code="$(status "$v$path")"
  case "$code" in
    4??) ;;
    *) fail "$path answered $code" ;;
  esac
  ! grep -q "not for clients\|root:" "$TEST_TMP/body" || fail "$path returned a file's content"
done
pass "path traversal and file-naming attempts (.., encoded, absolute, bad digests) all answer 4xx and read nothing"

code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$v/v2/")"
[ "${code:0:1}" = 4 ] || fail "a 20 KB header answered $code"
headers=()
for i in $(seq 1 150); do headers+=(-H "X-H$i: v"); done
code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "${headers[@]}" "$v/v2/")"
[ "${code:0:1}" = 4 ] || fail "150 headers answered $code"
code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$v/v2/$(head -c 20000 /dev/zero | tr '\0' a)/manifests/x")"
[ "${code:0:1}" = 4 ] || fail "a 20 KB URI answered $code"
pass "an oversized header, too many headers and an oversized URI are refused with 4xx"

assert_contains "$(curl -sS -i --max-time 10 "$v/v2/")" "HTTP/1.1 200" "the server answers normally afterwards"
kill -0 "$VICARY_PID" || fail "vicary died"
stop_vicary TERM
