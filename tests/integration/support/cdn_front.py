#!/usr/bin/env python3
"""Docker Hub's blob CDN, for integration tests: an HTTPS front that proxies a registry, and an HTTPS "CDN" it
redirects blob downloads to.

The front (its own port) passes every request to --upstream unchanged: method, path and query, headers (Host and
Authorization included; hop-by-hop headers dropped), body; and passes the answer back unchanged (status, headers,
body). Except: a GET /v2/<name>/blobs/<digest> that the registry answers 200 (or 206) is answered
  307 Location: https://127.0.0.1:<cdn-port>/blobs/<digest>?expires=<unix time>&sig=<signature>
with an empty body, like Docker Hub's redirect to its CDN. The signature is an HMAC-SHA256 of the digest and expiry
time, base64 with '+', '/' and '=' percent-encoded: a client that decodes or re-encodes the query breaks it.
The registry decides who may read a blob (401 stays 401); the front only swaps a 200 for a redirect.

The CDN (another port) serves GET and HEAD of /blobs/<digest>?expires=..&sig=..:
  403 (S3-style XML)  if the request carries an Authorization header (a client leaked the registry token), if the
                      signature does not match, or if the URL has expired (--url-ttl seconds after the redirect)
  404                 if the blob is not in the registry's storage (--storage: <dir>/docker/registry/v2/blobs/...)
  200 / 206           the blob's bytes with Content-Length; one Range is honoured (206 + Content-Range)

Each server logs one line per request to its --front-log / --cdn-log, written before the answer is sent:
  METHOD PATH?QUERY AUTH STATUS
AUTH is "yes" if the request had an Authorization header, else "no"; STATUS is what this server answered (the
front: 307 for a redirect, else the registry's status). Example: GET /v2/lib/a/blobs/sha256:ab.. yes 307

Binds 127.0.0.1 port 0 twice and writes "FRONT_PORT CDN_PORT" to --port-file once both listen. A thread per
connection (TLS handshakes happen there too). Stops cleanly (exit 0) on SIGTERM or SIGINT. Python standard library.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BLOB_GET_RE = re.compile(r"^/v2/.+/blobs/(?P<digest>sha256:[0-9a-f]{64})$")
CDN_RE = re.compile(r"^/blobs/(?P<digest>sha256:[0-9a-f]{64})$")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade"}
COPY_CHUNK = 1 << 16


class Config:
    """What both servers share: upstream, storage, signing secret, logs."""

    def __init__(self, args):
        upstream = urllib.parse.urlsplit(args.upstream)
        if upstream.scheme != "https" or not upstream.port:
            raise SystemExit("cdn_front.py: --upstream must be https://host:port")
        self.upstream_host, self.upstream_port = upstream.hostname, upstream.port
        self.upstream_tls = ssl.create_default_context(cafile=args.ca)
        self.storage = args.storage
        self.url_ttl = args.url_ttl
        self.secret = secrets.token_bytes(32)
        self.cdn_port = None  # set once bound
        self.lock = threading.Lock()
        self.front_log = open(args.front_log, "a", buffering=1) if args.front_log else None
        self.cdn_log = open(args.cdn_log, "a", buffering=1) if args.cdn_log else None

    def log(self, which, handler, status):
        f = self.front_log if which == "front" else self.cdn_log
        if f:
            auth = "yes" if handler.headers.get("Authorization") is not None else "no"
            with self.lock:
                f.write("%s %s %s %d\n" % (handler.command, handler.path, auth, status))

    def signature(self, digest, expires):
        mac = hmac.new(self.secret, ("%s\n%s" % (digest, expires)).encode(), hashlib.sha256).digest()
        return base64.b64encode(mac).decode()

    def signed_url(self, digest):
        expires = int(time.time()) + self.url_ttl
        sig = urllib.parse.quote(self.signature(digest, expires), safe="")
        return "https://127.0.0.1:%d/blobs/%s?expires=%d&sig=%s" % (self.cdn_port, digest, expires, sig)

    def blob_file(self, digest):
        hexdigest = digest.split(":", 1)[1]
        return os.path.join(self.storage, "docker", "registry", "v2", "blobs", "sha256", hexdigest[:2], hexdigest,
                            "data")


def read_request_body(handler):
    """The request body (de-chunked), or None if the request has none."""
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        parts = []
        while True:
            size = int(handler.rfile.readline().split(b";", 1)[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = handler.headers.get("Content-Length")
    return handler.rfile.read(int(length)) if length is not None else None


class FrontHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    config = None  # set in main

    def log_message(self, fmt, *args):
        pass

    def proxy(self):
        cfg = self.config
        body = read_request_body(self)
        conn = http.client.HTTPSConnection(cfg.upstream_host, cfg.upstream_port, context=cfg.upstream_tls,
                                           timeout=60)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    conn.putheader(key, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            return self.bad_gateway(e)
        try:
            m = BLOB_GET_RE.match(self.path.split("?", 1)[0])
            if self.command == "GET" and m and resp.status in (200, 206):
                return self.redirect(m.group("digest"))
            self.relay(resp)
        finally:
            conn.close()

    def bad_gateway(self, error):
        self.config.log("front", self, 502)
        body = ("cdn front: registry unreachable: %s\n" % error).encode()
        self.send_response(502)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, digest):
        self.config.log("front", self, 307)
        self.send_response_only(307)
        self.send_header("Location", self.config.signed_url(digest))
        self.send_header("Content-Length", "0")
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.end_headers()

    def relay(self, resp):
        self.config.log("front", self, resp.status)
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
        length = resp.getheader("Content-Length")
        no_body = self.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
        body = None
        if not no_body and length is None:
            body = resp.read()  # chunked or until close: send it with a length
            headers.append(("Content-Length", str(len(body))))
        self.send_response_only(resp.status, resp.reason)
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        if no_body:
            return
        if body is not None:
            self.wfile.write(body)
            return
        remaining = int(length)
        while remaining > 0:
            chunk = resp.read(min(COPY_CHUNK, remaining))
            if not chunk:
                self.close_connection = True  # the registry broke off: so do we
                return
            self.wfile.write(chunk)
            remaining -= len(chunk)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = proxy


def parse_range(header, size):
    """(start, end inclusive) for one satisfiable range, 'unsatisfiable', or None to send it all."""
    m = re.match(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", header or "")
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None
    if m.group(1) == "":
        length = int(m.group(2))
        return (max(0, size - length), size - 1) if length and size else "unsatisfiable"
    start = int(m.group(1))
    end = size - 1 if m.group(2) == "" else min(int(m.group(2)), size - 1)
    return "unsatisfiable" if start >= size or end < start else (start, end)


class CdnHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    config = None  # set in main

    def log_message(self, fmt, *args):
        pass

    def deny(self, status, code, message, extra=None):
        self.config.log("cdn", self, status)
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n"
                % (code, message)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        cfg = self.config
        path, _, query = self.path.partition("?")
        if self.headers.get("Authorization") is not None:
            return self.deny(403, "AccessDenied", "Only one auth mechanism allowed: the URL is signed, "
                                                  "an Authorization header must not be sent")
        m = CDN_RE.match(path)
        if not m:
            return self.deny(404, "NoSuchKey", "no such object: %s" % path)
        digest = m.group("digest")
        params = urllib.parse.parse_qs(query)
        expires = params.get("expires", [""])[0]
        sig = params.get("sig", [""])[0]
        if not expires.isdigit() or not hmac.compare_digest(sig, cfg.signature(digest, expires)):
            return self.deny(403, "SignatureDoesNotMatch", "the signature in the URL does not match")
        if int(expires) < time.time():
            return self.deny(403, "AccessDenied", "Request has expired")
        try:
            f = open(cfg.blob_file(digest), "rb")
        except OSError:
            return self.deny(404, "NoSuchKey", "no blob %s in the registry's storage" % digest)
        with f:
            size = os.fstat(f.fileno()).st_size
            rng = parse_range(self.headers.get("Range"), size)
            if rng == "unsatisfiable":
                return self.deny(416, "InvalidRange", "range not satisfiable", {"Content-Range": "bytes */%d" % size})
            start, end = rng if rng else (0, size - 1)
            length = end - start + 1 if size else 0
            status = 206 if rng else 200
            cfg.log("cdn", self, status)
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(length))
            if rng:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", '"%s"' % digest)
            self.send_header("Cache-Control", "public, max-age=14400")
            self.end_headers()
            if self.command == "HEAD":
                return
            f.seek(start)
            remaining = length
            while remaining > 0:
                chunk = f.read(min(COPY_CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)

    do_HEAD = do_GET

    def refuse(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.deny(405, "MethodNotAllowed", "the CDN serves GET and HEAD only")

    do_POST = do_PUT = do_PATCH = do_DELETE = refuse


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls = None  # an ssl.SSLContext, set in main

    def finish_request(self, request, client_address):
        # The handshake runs in the connection's own thread, so a stalled or refusing client holds up nobody.
        request.settimeout(60)
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
    ap.add_argument("--upstream", required=True, help="the registry, https://127.0.0.1:PORT")
    ap.add_argument("--ca", required=True, help="PEM CA that signed the registry's certificate")
    ap.add_argument("--storage", required=True, help="the registry's storage.filesystem.rootdirectory")
    ap.add_argument("--tls-cert", required=True, help="PEM certificate for both servers (for IP:127.0.0.1)")
    ap.add_argument("--tls-key", required=True, help="PEM key of --tls-cert")
    ap.add_argument("--url-ttl", type=int, default=600, metavar="SECONDS", help="lifetime of a signed URL")
    ap.add_argument("--port-file", help="write 'FRONT_PORT CDN_PORT' here once both listen")
    ap.add_argument("--front-log", help="the front's request log")
    ap.add_argument("--cdn-log", help="the CDN's request log")
    args = ap.parse_args()

    config = Config(args)
    FrontHandler.config = CdnHandler.config = config
    Server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    Server.tls.load_cert_chain(args.tls_cert, args.tls_key)
    front = Server(("127.0.0.1", 0), FrontHandler)
    cdn = Server(("127.0.0.1", 0), CdnHandler)
    config.cdn_port = cdn.server_address[1]

    def stop(signum, frame):
        for server in (front, cdn):
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    cdn_thread = threading.Thread(target=cdn.serve_forever, kwargs={"poll_interval": 0.1})
    cdn_thread.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d %d\n" % (front.server_address[1], config.cdn_port))
        os.replace(tmp, args.port_file)
    print("cdn front: https://127.0.0.1:%d in front of %s, CDN on https://127.0.0.1:%d"
          % (front.server_address[1], args.upstream, config.cdn_port), flush=True)
    front.serve_forever(poll_interval=0.1)
    cdn_thread.join()
    front.server_close()
    cdn.server_close()
    print("cdn front: stopped", flush=True)


if __name__ == "__main__":
    main()
