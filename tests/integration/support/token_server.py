#!/usr/bin/env python3
"""A registry token server like auth.docker.io, over HTTPS, for integration tests of upstream authentication.

  GET /token?service=S[&scope=repository:NAME:ACTIONS]...[&account=..&client_id=..&offline_token=..]
    service missing or not --service                      400 {"details": ...}
    no Authorization                                      anonymous: "pull" on --public repositories only
    Authorization: Basic user:password, right password    "pull" and "push" on every repository
    Authorization: Basic with an unknown user or a wrong password, or any other scheme
                                                          401 {"details": "incorrect username or password"}
    answer 200 {"token": JWT, "access_token": JWT, "expires_in": N, "issued_at": RFC 3339}
      (--token-field token|access_token|both picks which of the two token fields are sent). Like Docker Hub, a scope
      that grants nothing still gets 200: the token's access list leaves that repository out, and the registry says 401.
  Anything else: 404 (POST /token too, so OAuth2-speaking clients fall back to GET, as the Docker spec allows).

The JWT is RS256, signed with --signing-key; its header carries x5c = [base64 DER of --signing-cert], which
distribution (2.8) verifies against its auth.token.rootcertbundle (put the signing certificate there). Claims: iss
(--issuer), sub (the user, "" when anonymous), aud (the service), iat, nbf (iat - 1), exp, jti, access =
[{"type": "repository", "name": NAME, "actions": [...]}]. distribution accepts a token until exp + 60 s (its leeway),
so exp is set to iat + expires_in - --registry-leeway (default 60): the registry then refuses the token expires_in
seconds after it was issued, which is what "expires_in" promises the client.

--log FILE gets one line per request, written before the answer is sent (so counts are exact once a client has it):
  METHOD PATH?QUERY WHO STATUS SCOPES
WHO is "-" without Authorization, the Basic user name (never the password), or "?" for another scheme; SCOPES are the
URL-decoded scope parameters joined by spaces, "-" when there are none. Example:
  GET /token?scope=repository%3Alib%2Fa%3Apull&service=hub.test alice 200 repository:lib/a:pull

Binds 127.0.0.1 port 0 (or --port), serves HTTPS with --tls-cert/--tls-key, writes the port to --port-file once it
listens. A thread per connection (TLS handshakes happen there too). Stops cleanly (exit 0) on SIGTERM or SIGINT.
Needs python3-jwt and python3-cryptography (Debian packages).
"""

import argparse
import base64
import datetime
import json
import os
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization


class Authority:
    """Users, public repositories and the signing key; shared by all handler threads."""

    def __init__(self, args):
        self.service = args.service
        self.issuer = args.issuer
        self.expires_in = args.expires_in
        self.leeway = args.registry_leeway
        self.token_field = args.token_field
        self.public = set(args.public)
        self.users = {}
        for entry in args.user:
            name, sep, password = entry.partition(":")
            if not sep or not name:
                raise SystemExit("token_server.py: --user wants name:password, got %r" % entry)
            self.users[name] = password
        with open(args.signing_key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(args.signing_cert, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        self.lock = threading.Lock()
        self.log_file = open(args.log, "a", buffering=1) if args.log else None

    def log(self, line):
        if self.log_file:
            with self.lock:
                self.log_file.write(line + "\n")

    def grant(self, user, scope):
        """The access entry a scope string earns, or None. user is None for anonymous."""
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        if kind != "repository" or not name:
            return None
        if user is None:
            allowed = {"pull"} if name in self.public else set()
        else:
            allowed = {"pull", "push"}
        wanted = [a for a in actions.split(",") if a]
        granted = [a for a in wanted if a in allowed or (a == "*" and user is not None)]
        if not granted:
            return None
        return {"type": "repository", "name": name, "actions": granted}

    def token(self, user, scopes):
        now = int(time.time())
        access = [entry for entry in (self.grant(user, s) for s in scopes) if entry]
        claims = {
            "iss": self.issuer,
            "sub": user or "",
            "aud": self.service,
            "iat": now,
            "nbf": now - 1,
            "exp": now + self.expires_in - self.leeway,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        encoded = jwt.encode(claims, self.key, algorithm="RS256", headers={"typ": "JWT", "x5c": self.x5c})
        issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        answer = {"expires_in": self.expires_in, "issued_at": issued}
        if self.token_field in ("token", "both"):
            answer["token"] = encoded
        if self.token_field in ("access_token", "both"):
            answer["access_token"] = encoded
        return answer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "token-server/1"
    authority = None  # set in main

    def log_message(self, fmt, *args):  # the request log is --log; keep stderr for errors
        pass

    def answer(self, status, obj, who, scopes):
        self.authority.log("%s %s %s %d %s" % (self.command, self.path, who, status, " ".join(scopes) or "-"))
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        auth = self.authority
        path, _, query = self.path.partition("?")
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        scopes = [s for value in params.get("scope", []) for s in value.split(" ") if s]
        header = self.headers.get("Authorization")
        user, who = None, "-"
        if header:
            scheme, _, credentials = header.partition(" ")
            who = "?"
            if scheme.lower() == "basic":
                try:
                    name, sep, password = base64.b64decode(credentials.strip(), validate=True).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    name, sep, password = "", "", ""
                who = name if sep and name and " " not in name else "?"
                if sep and auth.users.get(name) == password:
                    user = name
        if path != "/token":
            return self.answer(404, {"details": "not found: %s" % path}, who, scopes)
        if params.get("service", [None])[0] != auth.service:
            return self.answer(400, {"details": "service must be %s" % auth.service}, who, scopes)
        if header and user is None:
            return self.answer(401, {"details": "incorrect username or password"}, who, scopes)
        self.answer(200, auth.token(user, scopes), who, scopes)

    def refuse(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.answer(404, {"details": "only GET /token"}, "-" if not self.headers.get("Authorization") else "?", [])

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = refuse


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls = None  # an ssl.SSLContext, set in main

    def finish_request(self, request, client_address):
        # The handshake runs in the connection's own thread: a client that stalls or refuses our certificate cannot
        # hold up the accept loop.
        request.settimeout(30)
        try:
            request = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--service", required=True, help="the only service accepted (the registry's auth.token.service)")
    ap.add_argument("--issuer", required=True, help="the iss claim (the registry's auth.token.issuer)")
    ap.add_argument("--signing-key", required=True, help="PEM RSA private key that signs tokens")
    ap.add_argument("--signing-cert", required=True, help="PEM certificate of that key (sent as x5c)")
    ap.add_argument("--tls-cert", required=True, help="PEM server certificate for HTTPS")
    ap.add_argument("--tls-key", required=True, help="PEM key of --tls-cert")
    ap.add_argument("--public", action="append", default=[], metavar="REPO", help="anonymous users may pull REPO")
    ap.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD", help="a user with pull and push")
    ap.add_argument("--expires-in", type=int, default=300, metavar="SECONDS", help="token lifetime (default 300)")
    ap.add_argument("--registry-leeway", type=int, default=60, metavar="SECONDS",
                    help="subtracted from exp: distribution accepts tokens this long after exp (default 60)")
    ap.add_argument("--token-field", choices=("token", "access_token", "both"), default="both")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: any free port)")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--log", help="request log, one line per request (see above)")
    args = ap.parse_args()
    if args.expires_in <= 0:
        raise SystemExit("token_server.py: --expires-in must be positive")

    Handler.authority = Authority(args)
    Server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    Server.tls.load_cert_chain(args.tls_cert, args.tls_key)
    server = Server(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print("token server: service %s on https://127.0.0.1:%d/token" % (args.service, port), flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    print("token server: stopped", flush=True)


if __name__ == "__main__":
    main()
