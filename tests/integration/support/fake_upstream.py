#!/usr/bin/env python3
"""A read-only registry (OCI distribution pull API) that can lie, for integration tests of the pull-through engine.

Serves one repository from an OCI image layout written by make_image.py:
  GET|HEAD /v2/                               200 {}
  GET|HEAD /v2/<repo>/manifests/<tag|digest>  the tag is index.json's org.opencontainers.image.ref.name annotation
  GET|HEAD /v2/<repo>/blobs/<digest>          with Range: one range gives 206 and Content-Range; several are ignored
  GET|HEAD /v2/<repo>/tags/list               {"name": repo, "tags": [...]}
Anything else gets a registry-style JSON error (404 NAME_UNKNOWN / MANIFEST_UNKNOWN / BLOB_UNKNOWN, 405 UNSUPPORTED).

Misbehaviour, on GET of blobs only (manifests are always served correctly). Each mode applies to every blob, or, given
as --mode=DIGEST[,DIGEST...], only to those blobs:
  --corrupt      flips the byte at offset size/2 of the blob (if the body covers it); the length stays right
  --truncate     sends the full Content-Length but closes the connection after half the body, every time
  --drop-once    the first GET of each blob closes the connection after half the body; later GETs (Range too) succeed
  --slow RATE    sends bodies at RATE bytes per second (--slow-only DIGEST[,...] limits it to those blobs)
  --redirect BASE  blob and tags/list requests (GET and HEAD) answer 307 with Location: BASE + the request's path,
                 as a registry sending blobs to a CDN does (and one trying to send a client somewhere else)

Binds 127.0.0.1 port 0 (or --port) and writes the port to --port-file once it listens. --log FILE gets one line per
request, written when the request arrives: "METHOD PATH RANGE" (RANGE is the Range header, or '-').
HTTP/1.1 with keep-alive; a thread per connection. Stops cleanly (exit 0) on SIGTERM or SIGINT.
Python standard library only.
"""

import argparse
import json
import os
import re
import urllib.parse
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REF_NAME = "org.opencontainers.image.ref.name"
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
ROUTE_RE = re.compile(r"^/v2/(?P<name>.+)/(?P<kind>manifests|blobs|tags|referrers)/(?P<ref>[^/]+)$")
# What the referrers API answers for any digest: one signature, as cosign would have pushed it.
SIGNATURE_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json"


class Selector:
    """Which blobs a misbehaviour mode applies to: none, all, or a set of digests."""

    def __init__(self, value):
        if value is None:
            self.all, self.digests = False, set()
        elif value == "all":
            self.all, self.digests = True, set()
        else:
            self.all = False
            self.digests = {d.strip() for d in value.split(",") if d.strip()}
            bad = [d for d in self.digests if not DIGEST_RE.match(d)]
            if bad:
                raise SystemExit("fake_upstream.py: not a sha256 digest: %s" % ", ".join(bad))

    def __call__(self, digest):
        return self.all or digest in self.digests


class Upstream:
    """The layout being served, the chosen misbehaviour, the request log; shared by all handler threads."""

    def __init__(self, args):
        self.layout = args.layout
        self.repo = args.repo
        with open(os.path.join(self.layout, "index.json")) as f:
            index = json.load(f)
        self.tags = {}
        for desc in index.get("manifests", []):
            tag = desc.get("annotations", {}).get(REF_NAME)
            if tag:
                self.tags[tag] = desc["digest"]
        # Manifests reachable by digest: every blob whose JSON has a manifest media type.
        self.manifest_types = {}
        blob_dir = os.path.join(self.layout, "blobs", "sha256")
        for hexdigest in os.listdir(blob_dir):
            path = os.path.join(blob_dir, hexdigest)
            if os.path.getsize(path) > 1 << 20:
                continue
            try:
                with open(path, "rb") as f:
                    media_type = json.loads(f.read()).get("mediaType")
            except (ValueError, UnicodeDecodeError, AttributeError):
                continue
            if media_type in MANIFEST_TYPES:
                self.manifest_types["sha256:" + hexdigest] = media_type
        self.corrupt = Selector(args.corrupt)
        self.truncate = Selector(args.truncate)
        self.drop_once = Selector(args.drop_once)
        self.slow_rate = args.slow
        self.slow = Selector(args.slow_only if args.slow_only else ("all" if args.slow else None))
        self.redirect = args.redirect
        self.lock = threading.Lock()
        self.dropped = set()
        self.log_file = open(args.log, "a", buffering=1) if args.log else None

    def log(self, method, path, range_header):
        if self.log_file:
            with self.lock:
                self.log_file.write("%s %s %s\n" % (method, path, range_header or "-"))

    def blob_path(self, digest):
        if not DIGEST_RE.match(digest):
            return None
        path = os.path.join(self.layout, "blobs", "sha256", digest.split(":", 1)[1])
        return path if os.path.isfile(path) else None

    def first_get(self, digest):
        """True the first time it is asked for digest (for --drop-once)."""
        with self.lock:
            if digest in self.dropped:
                return False
            self.dropped.add(digest)
            return True


def parse_range(header, size):
    """Returns (start, end inclusive) for one satisfiable byte range, 'unsatisfiable', or None to send it all."""
    if not header:
        return None
    m = re.match(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", header)
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None  # several ranges or not understood: RFC 9110 lets a server ignore Range
    first, last = m.group(1), m.group(2)
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-upstream/1"
    upstream = None  # set in main

    def log_message(self, fmt, *args):  # the request log is --log; keep stderr for errors
        pass

    def send_json(self, status, obj, head=False, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def send_error_json(self, status, code, message, head=False, headers=None):
        self.send_json(status, {"errors": [{"code": code, "message": message}]}, head, headers)

    def do_GET(self):
        self.handle_read(head=False)

    def do_HEAD(self):
        self.handle_read(head=True)

    def refuse(self):
        self.upstream.log(self.command, self.path, self.headers.get("Range"))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_error_json(405, "UNSUPPORTED", "fake upstream is read-only")

    do_POST = do_PUT = do_PATCH = do_DELETE = refuse

    def handle_read(self, head):
        up = self.upstream
        range_header = self.headers.get("Range")
        up.log(self.command, self.path, range_header)
        path = self.path.split("?", 1)[0]
        if path in ("/v2/", "/v2"):
            return self.send_json(200, {}, head)
        m = ROUTE_RE.match(path)
        if not m:
            return self.send_error_json(404, "NAME_UNKNOWN", "no route for %s" % path, head)
        if m.group("name") != up.repo:
            return self.send_error_json(404, "NAME_UNKNOWN", "repository %s not known" % m.group("name"), head)
        ref = m.group("ref")
        if up.redirect and m.group("kind") in ("blobs", "tags"):
            self.send_response(307)
            self.send_header("Location", up.redirect + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if m.group("kind") == "tags":
            if ref != "list":
                return self.send_error_json(404, "NAME_UNKNOWN", "no route for %s" % path, head)
            return self.send_json(200, {"name": up.repo, "tags": sorted(up.tags)}, head)
        if m.group("kind") == "referrers":
            query = urllib.parse.parse_qs(self.path.split("?", 1)[1] if "?" in self.path else "")
            index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                    "digest": "sha256:" + "f" * 64, "size": 1,
                                    "artifactType": SIGNATURE_ARTIFACT, "annotations": {"subject": ref}}]}
            headers = {"OCI-Filters-Applied": "artifactType"} if "artifactType" in query else None
            return self.send_json(200, index, head, headers)
        if m.group("kind") == "manifests":
            return self.serve_manifest(ref, head)
        return self.serve_blob(ref, range_header, head)

    def serve_manifest(self, ref, head):
        up = self.upstream
        digest = up.tags.get(ref, ref)
        media_type = up.manifest_types.get(digest)
        path = up.blob_path(digest) if media_type else None
        if not path:
            return self.send_error_json(404, "MANIFEST_UNKNOWN", "manifest unknown: %s" % ref, head)
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Content-Digest", digest)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("ETag", '"%s"' % digest)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def serve_blob(self, digest, range_header, head):
        up = self.upstream
        path = up.blob_path(digest)
        if not path:
            return self.send_error_json(404, "BLOB_UNKNOWN", "blob unknown: %s" % digest, head)
        size = os.path.getsize(path)
        rng = parse_range(range_header, size)
        if rng == "unsatisfiable":
            return self.send_error_json(416, "RANGE_INVALID", "range %s not satisfiable" % range_header, head,
                                        {"Content-Range": "bytes */%d" % size})
        start, end = rng if rng else (0, size - 1)
        length = end - start + 1 if size else 0
        self.send_response(206 if rng else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Docker-Content-Digest", digest)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("ETag", '"%s"' % digest)
        self.end_headers()
        if head:
            return
        cut = None  # bytes of the body to send before closing the connection
        if up.truncate(digest) or (up.drop_once(digest) and up.first_get(digest)):
            cut = length // 2
        with open(path, "rb") as f:
            f.seek(start)
            body = f.read(length)
        if up.corrupt(digest) and size and start <= size // 2 <= end:
            i = size // 2 - start
            body = body[:i] + bytes([body[i] ^ 0xFF]) + body[i + 1:]
        if cut is not None:
            body = body[:cut]
        self.send_body(body, up.slow_rate if up.slow(digest) else None)
        if cut is not None:
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def send_body(self, body, rate):
        if not rate:
            self.wfile.write(body)
            return
        chunk = max(1, rate // 20)  # 20 writes a second
        for offset in range(0, len(body), chunk):
            self.wfile.write(body[offset:offset + chunk])
            self.wfile.flush()
            time.sleep(len(body[offset:offset + chunk]) / rate)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-body (or a connection we drop on purpose) is expected here.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layout", required=True, help="OCI image layout directory (from make_image.py)")
    ap.add_argument("--repo", required=True, help="repository name served, e.g. library/test")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: any free port)")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--log", help="request log: one line 'METHOD PATH RANGE' per request")
    for mode in ("corrupt", "truncate", "drop-once"):
        ap.add_argument("--" + mode, nargs="?", const="all", default=None, metavar="DIGESTS",
                        help="misbehave on every blob, or on a comma list of digests")
    ap.add_argument("--slow", type=int, default=0, metavar="BYTES_PER_SEC", help="throttle blob bodies")
    ap.add_argument("--redirect", default=None, metavar="BASE", help="send blobs and tags/list to BASE + path")
    ap.add_argument("--slow-only", default=None, metavar="DIGESTS", help="throttle only these blobs")
    args = ap.parse_args()
    if args.slow < 0:
        raise SystemExit("fake_upstream.py: --slow must be positive")

    Handler.upstream = Upstream(args)
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
    print("fake upstream: serving %s from %s on 127.0.0.1:%d" % (args.repo, args.layout, port), flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    print("fake upstream: stopped", flush=True)


if __name__ == "__main__":
    main()
