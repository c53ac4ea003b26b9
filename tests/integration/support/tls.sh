# Test certificates made with the openssl CLI in $TEST_TMP/tls: a CA, server certificates it signs, a second unrelated
# CA for "wrong CA" tests, and self-signed certificates for signing registry tokens. Source after lib.sh.
#
#   make_test_ca      the test CA (once; later calls do nothing). Sets TEST_CA_FILE (PEM cert), TEST_CA_KEY and
#                     TEST_CA_DIR (a directory holding only ca.crt: skopeo's --src-cert-dir/--dest-cert-dir, curl's
#                     --capath needs c_rehash, so give curl --cacert "$TEST_CA_FILE")
#   make_other_ca     the same for an unrelated CA: OTHER_CA_FILE, OTHER_CA_KEY, OTHER_CA_DIR
#   make_server_cert [--other-ca] <name> [SAN...]
#                     a server key and certificate for <name>, signed by the test CA (or the other CA), valid for
#                     IP:127.0.0.1, DNS:localhost and each SAN (an IPv4/IPv6 address, a DNS name, or an explicit
#                     "IP:..."/"DNS:..."). Writes $TEST_TMP/tls/<name>.crt and <name>.key; sets SERVER_CERT_FILE,
#                     SERVER_KEY_FILE. Makes the CA first if needed.
#   make_signing_cert <name>
#                     a self-signed RSA key and certificate for signing JWTs (not a CA, not for TLS): sets
#                     SIGNING_CERT_FILE ($TEST_TMP/tls/<name>-signing.crt) and SIGNING_KEY_FILE
#
# Keys are RSA 2048, unencrypted PEM (PKCS#8); certificates last 3 days and have no CN-only names (Go needs a SAN).

TEST_CA_FILE="" TEST_CA_KEY="" TEST_CA_DIR="" OTHER_CA_FILE="" OTHER_CA_KEY="" OTHER_CA_DIR=""
SERVER_CERT_FILE="" SERVER_KEY_FILE="" SIGNING_CERT_FILE="" SIGNING_KEY_FILE=""

_tls_dir() {
  mkdir -p "$TEST_TMP/tls"
  echo "$TEST_TMP/tls"
}

_tls_openssl() {  # <what> <openssl args...>: runs openssl, fails the test with its output
  local what="$1" out
  shift
  out="$(timeout 60 openssl "$@" 2>&1)" || fail "$what: openssl $1 failed: $out"
}

_tls_make_ca() {  # <base name> <subject CN>: $dir/<base>.crt, .key, <base>.d/ca.crt
  local dir
  dir="$(_tls_dir)"
  if [ ! -s "$dir/$1.crt" ]; then
    _tls_openssl "make CA $1" req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3 \
      -keyout "$dir/$1.key" -out "$dir/$1.crt" -subj "/O=Vicary tests/CN=$2" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "subjectKeyIdentifier=hash"
    mkdir -p "$dir/$1.d"
    cp "$dir/$1.crt" "$dir/$1.d/ca.crt"
  fi
}

make_test_ca() {
  _tls_make_ca ca "Vicary test CA"
  TEST_CA_FILE="$TEST_TMP/tls/ca.crt" TEST_CA_KEY="$TEST_TMP/tls/ca.key" TEST_CA_DIR="$TEST_TMP/tls/ca.d"
}

make_other_ca() {
  _tls_make_ca other-ca "Unrelated CA"
  OTHER_CA_FILE="$TEST_TMP/tls/other-ca.crt" OTHER_CA_KEY="$TEST_TMP/tls/other-ca.key"
  OTHER_CA_DIR="$TEST_TMP/tls/other-ca.d"
}

make_server_cert() {
  local ca=ca
  if [ "${1:-}" = --other-ca ]; then
    ca=other-ca
    shift
  fi
  [ $# -ge 1 ] || fail "make_server_cert: usage: make_server_cert [--other-ca] <name> [SAN...]"
  local name="$1" san="IP:127.0.0.1,DNS:localhost" entry
  shift
  [[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || fail "make_server_cert: bad name '$name'"
  for entry in "$@"; do
    case "$entry" in
      IP:* | DNS:*) san+=",$entry" ;;
      *:* | [0-9]*.[0-9]*.[0-9]*.[0-9]*) san+=",IP:$entry" ;;
      *) san+=",DNS:$entry" ;;
    esac
  done
  if [ "$ca" = ca ]; then make_test_ca; else make_other_ca; fi
  local dir
  dir="$(_tls_dir)"
  printf '%s\n' "subjectAltName=$san" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "authorityKeyIdentifier=keyid" > "$dir/$name.ext"
  _tls_openssl "make_server_cert $name" req -new -newkey rsa:2048 -nodes -sha256 \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/O=Vicary tests/CN=$name"
  _tls_openssl "make_server_cert $name" x509 -req -sha256 -days 3 -in "$dir/$name.csr" \
    -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
    -extfile "$dir/$name.ext" -out "$dir/$name.crt"
  SERVER_CERT_FILE="$dir/$name.crt" SERVER_KEY_FILE="$dir/$name.key"
}

make_signing_cert() {
  [ $# -eq 1 ] || fail "make_signing_cert: usage: make_signing_cert <name>"
  local dir
  dir="$(_tls_dir)"
  _tls_openssl "make_signing_cert $1" req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3 \
    -keyout "$dir/$1-signing.key" -out "$dir/$1-signing.crt" -subj "/O=Vicary tests/CN=$1 token signer" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature"
  SIGNING_CERT_FILE="$dir/$1-signing.crt" SIGNING_KEY_FILE="$dir/$1-signing.key"
}
