#!/usr/bin/env python3
"""A bounded load generator for vicary: many concurrent keep-alive clients mixing warm, cold and bad requests.

Each client holds one raw HTTP/1.1 keep-alive connection (asyncio, no third-party code) and loops until the deadline,
picking a request kind by weight:

  warm_blob, warm_range, big_range, big_whole, blob_head   blobs already requested once (whole, Range, HEAD)
  cold_blob                      a blob nobody asked for yet; rationed over the run so cold fetches go on to the end
  manifest_tag, manifest_tag_head, manifest_digest, manifest_digest_head
  misc                           /v2/, /healthz, /metrics, tags/list
  bad_digest (400), unknown_blob, unknown_manifest, unknown_repo, unknown_registry (404), traversal (400/404),
  bad_range (200/206/416 exactly as core/http/ByteRange.cpp decides), bad_method (405)
  early_close                    on a second connection: connect and hang up, send half a request and hang up, or
                                 read the head of a large blob and hang up

Every 2xx blob body is checked against its digest (whole) or the same bytes of the known content (Range); every
manifest body against its digest; every status against the set expected for its kind. A JSON summary goes to stdout
(and --summary): requests by kind and status, unexpected statuses and mismatches with examples, latency p50/p99 per
kind, throughput. Exit status 0 only when there was no wrong byte, no unexpected status and no connection error
outside early_close.

  load_client.py --base-url http://127.0.0.1:5050 --upstream upstream.json [--duration 60] [--clients 200]
                 [--weights kind=w,...] [--seed N] [--summary FILE]

upstream.json: {"prefix": "<registry host used in paths>", "repos": [{"name", "tag", "prewarm": bool,
  "manifest": {"digest", "size", "mediaType"}, "blobs": [{"digest", "size", "file"}]}]}; blobs of at least
--big-size bytes are "big"; `file` holds the blob's bytes (read lazily, for Range checks).
"""

import argparse
import asyncio
import bisect
import hashlib
import itertools
import json
import os
import random
import sys
import time
import urllib.parse

DEFAULT_WEIGHTS = {
    "warm_blob": 28, "warm_range": 14, "big_range": 5, "big_whole": 0.4, "blob_head": 5, "cold_blob": 3,
    "manifest_tag": 8, "manifest_tag_head": 4, "manifest_digest": 6, "manifest_digest_head": 3, "misc": 2,
    "bad_digest": 3, "unknown_blob": 2, "unknown_manifest": 2, "unknown_repo": 2, "unknown_registry": 1,
    "traversal": 2, "bad_range": 3, "bad_method": 1, "early_close": 1.5,
}
EXPECTED = {  # kinds whose statuses do not depend on the request's details
    "warm_blob": {200}, "warm_range": {206}, "big_range": {206}, "big_whole": {200}, "blob_head": {200},
    "cold_blob": {200}, "manifest_tag": {200}, "manifest_tag_head": {200}, "manifest_digest": {200},
    "manifest_digest_head": {200}, "misc": {200}, "bad_digest": {400}, "unknown_blob": {404},
    "unknown_manifest": {404}, "unknown_repo": {404}, "unknown_registry": {404}, "traversal": {400, 404},
    "bad_method": {405},
}
ACCEPT = ("application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
          "application/vnd.docker.distribution.manifest.v2+json, "
          "application/vnd.docker.distribution.manifest.list.v2+json")
REQUEST_TIMEOUT = 60.0  # seconds for one whole exchange; beyond it the request counts as a connection error
EXAMPLES = 10           # examples kept per problem list


class ProtocolError(Exception):
    """The server's answer is not valid HTTP/1.1 or ended early."""


# ---- the expected answer to a Range header: a port of core/http/ByteRange.cpp (RFC 9110 14.2)

def _number(text):
    if not text or len(text) > 19 or not all("0" <= c <= "9" for c in text):
        return None
    return int(text)


def parse_range(header, size):
    """Returns ("whole", None), ("partial", (first, last)) or ("unsatisfiable", None), as vicary decides."""
    prefix = "bytes="
    if not header.startswith(prefix) or "," in header:
        return "whole", None
    dash = header.find("-", len(prefix))
    if dash < 0:
        return "whole", None
    first = _number(header[len(prefix):dash])
    last = _number(header[dash + 1:])
    if first is None:
        if dash != len(prefix) or last is None or last == 0:
            return ("unsatisfiable", None) if last == 0 else ("whole", None)
        if size == 0:
            return "unsatisfiable", None
        return "partial", (0 if last >= size else size - last, size - 1)
    if dash + 1 != len(header) and last is None:
        return "whole", None
    if last is not None and last < first:
        return "whole", None
    if first >= size:
        return "unsatisfiable", None
    return "partial", (first, last if last is not None and last < size else size - 1)


# ---- what exists upstream

class Blob:
    def __init__(self, repo, entry):
        self.repo = repo
        self.digest = entry["digest"]
        self.size = int(entry["size"])
        self.file = entry["file"]
        self._data = None

    def data(self):
        if self._data is None:
            with open(self.file, "rb") as f:
                self._data = f.read()
            if len(self._data) != self.size:
                raise SystemExit("load_client: %s holds %d bytes, not %d" % (self.file, len(self._data), self.size))
        return self._data


class World:
    """Repositories and blobs upstream, which blobs were requested already, and the cold-fetch ration."""

    def __init__(self, description, big_size, rng):
        self.prefix = description["prefix"]
        self.repos = description["repos"]
        self.small, self.big, self.prewarm = [], [], []
        cold = []
        for repo in self.repos:
            for entry in repo["blobs"]:
                blob = Blob(repo["name"], entry)
                (self.big if blob.size >= big_size else self.small).append(blob)
                (self.prewarm if repo.get("prewarm") else cold).append(blob)
        rng.shuffle(cold)
        self.cold = cold
        self.cold_total = len(cold)
        self.known = list(self.prewarm)  # requested at least once: warm, or being downloaded (coalesced)
        self.known_big = [b for b in self.known if b in self.big]
        self.start = self.deadline = 0.0

    def path(self, repo, rest):
        return "/v2/%s/%s/%s" % (self.prefix, repo, rest)

    def take_cold(self, now):
        """A blob not requested yet, if the ration (spread evenly over the run) allows one now."""
        elapsed = (now - self.start) / max(self.deadline - self.start, 1e-9)
        allowed = int(self.cold_total * min(1.0, elapsed * 1.1)) + 1
        if not self.cold or self.cold_total - len(self.cold) >= allowed:
            return None
        blob = self.cold.pop()
        self.known.append(blob)
        if blob in self.big:
            self.known_big.append(blob)
        return blob


# ---- one raw HTTP/1.1 connection

class Response:
    def __init__(self, status, headers):
        self.status = status
        self.headers = headers
        self.close = headers.get("connection", "").lower() == "close"


class Connection:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, method, path, headers=()):
        if self.writer is None:
            await self.open()
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (self.host, self.port),
                 "User-Agent: vicary-load"]
        lines += ["%s: %s" % h for h in headers]
        if method not in ("GET", "HEAD"):
            lines.append("Content-Length: 0")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self.writer.drain()

    async def read_head(self):
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            raise ProtocolError("connection closed %s" % ("before the response" if not e.partial
                                                         else "inside the response head"))
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError("bad status line %r" % lines[0][:80])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        return Response(int(parts[1]), headers)

    async def read_body(self, response, sink):
        """Feeds the body to sink(chunk) as it arrives; Content-Length or chunked; returns the byte count."""
        total = 0
        if response.headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    return total
                chunk = await self.reader.readexactly(size)
                sink(chunk)
                total += size
                await self.reader.readexactly(2)
        if "content-length" not in response.headers:
            raise ProtocolError("response without Content-Length or chunked encoding")
        left = int(response.headers["content-length"])
        while left > 0:
            chunk = await self.reader.read(min(left, 1 << 18))
            if not chunk:
                raise ProtocolError("body cut short: %d of %s bytes missing" % (left, response.headers["content-length"]))
            sink(chunk)
            left -= len(chunk)
            total += len(chunk)
        return total


# ---- checks of bodies

class DigestCheck:
    """Hashes a whole body; ok() when it matches the digest."""

    def __init__(self, digest):
        self.digest = digest
        self.hash = hashlib.sha256()

    def __call__(self, chunk):
        self.hash.update(chunk)

    def problem(self, count, size):
        if count != size:
            return "got %d bytes, expected %d" % (count, size)
        got = "sha256:" + self.hash.hexdigest()
        return None if got == self.digest else "body hashes to %s" % got


class SliceCheck:
    """Compares a body with bytes [first, last] of known content as it arrives."""

    def __init__(self, blob, first, last):
        self.digest = blob.digest
        self.data, self.pos, self.end, self.bad_at = blob.data(), first, last + 1, None

    def __call__(self, chunk):
        if self.bad_at is None and self.data[self.pos:self.pos + len(chunk)] != chunk:
            self.bad_at = self.pos
        self.pos += len(chunk)

    def problem(self, count, size):
        if self.pos != self.end:
            return "range body ended at byte %d, expected %d" % (self.pos, self.end)
        return None if self.bad_at is None else "range body differs from the blob near byte %d" % self.bad_at


class HeadCheck:
    """For HEAD: the Content-Length must be the object's size (Docker-Content-Digest is checked for every check)."""

    def __init__(self, digest, size):
        self.digest, self.size = digest, size

    def __call__(self, chunk):
        pass

    def problem(self, _count, length):
        return None if length == self.size else "HEAD Content-Length %d, expected %d" % (length, self.size)


def discard(_chunk):
    pass


# ---- statistics

class Stats:
    def __init__(self):
        self.count, self.statuses, self.latency = {}, {}, {}
        self.unexpected, self.mismatches, self.conn_errors = [], [], []
        self.counts = {"unexpected": 0, "mismatch": 0, "conn_error": 0}
        self.early = {}
        self.bytes = 0

    def note(self, kind, status, seconds):
        self.count[kind] = self.count.get(kind, 0) + 1
        by = self.statuses.setdefault(kind, {})
        by[str(status)] = by.get(str(status), 0) + 1
        self.latency.setdefault(kind, []).append(seconds)

    def problem(self, which, kind, method, path, detail):
        self.counts[which] += 1
        target = {"unexpected": self.unexpected, "mismatch": self.mismatches, "conn_error": self.conn_errors}[which]
        if len(target) < EXAMPLES:
            target.append({"kind": kind, "method": method, "path": path, "detail": detail})

    def summary(self, elapsed, clients):
        total = sum(self.count.values())
        kinds = {}
        for kind in sorted(self.count):
            lat = sorted(self.latency[kind])
            kinds[kind] = {"requests": self.count[kind], "statuses": self.statuses[kind],
                           "p50_ms": round(1000 * percentile(lat, 50), 2), "p99_ms": round(1000 * percentile(lat, 99), 2),
                           "max_ms": round(1000 * lat[-1], 2)}
        return {"clients": clients, "seconds": round(elapsed, 2), "requests": total,
                "requests_per_s": round(total / elapsed, 1) if elapsed > 0 else 0,
                "mib_received": round(self.bytes / 1048576, 1),
                "unexpected_statuses": self.counts["unexpected"], "digest_mismatches": self.counts["mismatch"],
                "connection_errors": self.counts["conn_error"], "early_close": self.early,
                "examples": {"unexpected": self.unexpected, "mismatch": self.mismatches,
                             "conn_error": self.conn_errors},
                "kinds": kinds,
                "ok": self.counts["unexpected"] == 0 and self.counts["mismatch"] == 0 and
                self.counts["conn_error"] == 0 and total > 0}


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


# ---- request kinds: each returns (method, path, headers, expected statuses, check factory or None)

def random_digest(rng):
    return "sha256:%064x" % rng.getrandbits(256)


def plan(kind, world, rng):
    """What to send for one request of `kind`; kinds that cannot be served now fall back to warm_blob."""
    blob_check = None
    if kind == "cold_blob":
        blob = world.take_cold(time.monotonic())
        if blob is None:
            kind = "warm_blob"
        else:
            return kind, "GET", world.path(blob.repo, "blobs/" + blob.digest), [], {200}, whole_check(blob)
    if kind in ("big_range", "big_whole") and not world.known_big:
        kind = "warm_blob"
    if kind == "warm_blob":
        blob = rng.choice(world.known)
        return kind, "GET", world.path(blob.repo, "blobs/" + blob.digest), [], {200}, whole_check(blob)
    if kind == "big_whole":
        blob = rng.choice(world.known_big)
        return kind, "GET", world.path(blob.repo, "blobs/" + blob.digest), [], {200}, whole_check(blob)
    if kind in ("warm_range", "big_range"):
        blob = rng.choice(world.known_big if kind == "big_range" else world.known)
        header, (first, last) = valid_range(blob.size, rng, 1 << 20 if kind == "big_range" else None)
        return (kind, "GET", world.path(blob.repo, "blobs/" + blob.digest), [("Range", header)], {206},
                lambda: SliceCheck(blob, first, last))
    if kind == "bad_range":
        blob = rng.choice(world.known)
        header = bad_range_header(blob.size, rng)
        decision, span = parse_range(header, blob.size)
        if decision == "partial":
            expected, blob_check = {206}, (lambda: SliceCheck(blob, span[0], span[1]))
        elif decision == "whole":
            expected, blob_check = {200}, whole_check(blob)
        else:
            expected = {416}
        return kind, "GET", world.path(blob.repo, "blobs/" + blob.digest), [("Range", header)], expected, blob_check
    if kind == "blob_head":
        blob = rng.choice(world.known)
        return (kind, "HEAD", world.path(blob.repo, "blobs/" + blob.digest), [], {200},
                lambda: HeadCheck(blob.digest, blob.size))
    if kind.startswith("manifest_"):
        repo = rng.choice(world.repos)
        ref = repo["tag"] if kind.startswith("manifest_tag") else repo["manifest"]["digest"]
        method = "HEAD" if kind.endswith("_head") else "GET"
        manifest = repo["manifest"]
        check = ((lambda: HeadCheck(manifest["digest"], manifest["size"])) if method == "HEAD"
                 else (lambda: DigestCheck(manifest["digest"])))
        return kind, method, world.path(repo["name"], "manifests/" + ref), [("Accept", ACCEPT)], {200}, check
    if kind == "misc":
        repo = rng.choice(world.repos)
        path = rng.choice(["/v2/", "/healthz", "/metrics", world.path(repo["name"], "tags/list")])
        return kind, "GET", path, [], {200}, None
    return bad_plan(kind, world, rng)


def whole_check(blob):
    return lambda: DigestCheck(blob.digest)


def bad_plan(kind, world, rng):
    repo = rng.choice(world.repos)["name"]
    if kind == "bad_digest":
        ref = rng.choice(["sha256:xyz", "sha256:" + "A" * 64, "sha256:" + "a" * 63, "md5:" + "a" * 32,
                          "sha256:" + "g" * 64, "notadigest"])
        return kind, "GET", world.path(repo, "blobs/" + ref), [], {400}, None
    if kind == "unknown_blob":
        return kind, "GET", world.path(repo, "blobs/" + random_digest(rng)), [], {404}, None
    if kind == "unknown_manifest":
        ref = rng.choice(["nosuchtag%d" % rng.randrange(50), random_digest(rng)])
        return kind, "GET", world.path(repo, "manifests/" + ref), [("Accept", ACCEPT)], {404}, None
    if kind == "unknown_repo":
        return (kind, "GET", world.path("load/nosuchrepo%d" % rng.randrange(20), "manifests/v1"), [("Accept", ACCEPT)],
                {404}, None)
    if kind == "unknown_registry":
        return kind, "GET", "/v2/evil.example.com/x/manifests/latest", [], {404}, None
    if kind == "traversal":
        path = rng.choice([
            "/v2/../../etc/passwd", "/v2/%s/%s/blobs/../../../../etc/passwd" % (world.prefix, repo),
            "/v2/%s/%s/blobs/sha256:..%%2f..%%2fetc%%2fpasswd" % (world.prefix, repo),
            "/v2/%2e%2e/%2e%2e/blobs/sha256:" + "a" * 64, "/v2/%s/%s/manifests/..%%2fsecret" % (world.prefix, repo),
            "/v2//etc/passwd/manifests/latest", "/v2/%s/../%s/manifests/v1" % (world.prefix, repo)])
        return kind, "GET", path, [], {400, 404}, None
    if kind == "bad_method":
        return kind, rng.choice(["POST", "PUT", "DELETE", "PATCH"]), world.path(repo, "blobs/uploads/"), [], {405}, None
    raise SystemExit("load_client: unknown request kind %r" % kind)


def valid_range(size, rng, span_limit):
    """A satisfiable Range header and the bytes it names."""
    span_limit = span_limit or size
    form = rng.randrange(3)
    if form == 0:
        first = rng.randrange(size)
        last = min(size - 1, first + rng.randrange(span_limit))
        return "bytes=%d-%d" % (first, last), (first, last)
    if form == 1:
        first = max(0, size - 1 - rng.randrange(min(size, span_limit)))
        return "bytes=%d-" % first, (first, size - 1)
    n = 1 + rng.randrange(min(size, span_limit))
    return "bytes=-%d" % n, (size - n, size - 1)


def bad_range_header(size, rng):
    return rng.choice([
        "bytes=abc", "bytes=5-2", "bytes=%d-" % size, "bytes=%d-%d" % (size + 10, size + 20), "bytes=-0",
        "bytes=0-1,3-4", "bits=0-10", "bytes=--5", "bytes=0-99999999999999999999", "bytes=", "bytes=0-%d" % (size * 2),
        "bytes=-%d" % (size + 100), "bytes= 1-2", "bytes=1-2x"])


# ---- one client

async def exchange(conn, world, stats, kind, method, path, headers, expected, check_factory):
    """One request on the client's keep-alive connection; returns False when the connection must be reopened."""
    start = time.monotonic()
    try:
        await conn.send(method, path, headers)
        response = await conn.read_head()
        check = check_factory() if check_factory and 200 <= response.status < 300 else None
        count = 0
        if method != "HEAD":
            count = await conn.read_body(response, check or discard)
        stats.bytes += count
    except (OSError, ProtocolError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
        stats.problem("conn_error", kind, method, path, "%s: %s" % (type(e).__name__, e))
        conn.close()
        return False
    stats.note(kind, response.status, time.monotonic() - start)
    if response.status not in expected:
        stats.problem("unexpected", kind, method, path, "status %d, expected %s" % (response.status, sorted(expected)))
    elif check is not None:
        problem = check.problem(count, int(response.headers.get("content-length", count)))
        if problem is None and response.headers.get("docker-content-digest") not in (None, getattr(check, "digest", None)):
            problem = "Docker-Content-Digest %s" % response.headers.get("docker-content-digest")
        if problem:
            stats.problem("mismatch", kind, method, path, problem)
    if response.status == 416 and not response.headers.get("content-range", "").startswith("bytes */"):
        stats.problem("mismatch", kind, method, path, "416 without Content-Range: bytes */<size>")
    if response.close:
        conn.close()
    return True


async def early_close(world, stats, rng, host, port):
    """A second connection that the client abandons: right away, mid-request, or after a large response's head."""
    variant = rng.choice(["connect", "partial", "head_of_body"])
    stats.early[variant] = stats.early.get(variant, 0) + 1
    conn = Connection(host, port)
    try:
        await conn.open()
        if variant == "partial":
            conn.writer.write(b"GET /v2/%s/x/manifests/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAcc" % world.prefix.encode())
            await conn.writer.drain()
            await asyncio.sleep(rng.random() * 0.2)
        elif variant == "head_of_body":
            blob = rng.choice(world.known_big or world.known)
            await conn.send("GET", world.path(blob.repo, "blobs/" + blob.digest))
            await conn.read_head()
    except (OSError, ProtocolError, asyncio.IncompleteReadError) as e:
        stats.early["error_" + variant] = stats.early.get("error_" + variant, 0) + 1
        if variant == "connect":
            stats.problem("conn_error", "early_close", "-", "-", "cannot connect: %s" % e)
    finally:
        if conn.writer is not None:
            conn.writer.transport.abort() if rng.random() < 0.5 else conn.writer.close()


async def client(world, stats, weights, seed, host, port):
    rng = random.Random(seed)
    kinds = [k for k in weights if weights[k] > 0]
    cum = list(itertools.accumulate(weights[k] for k in kinds))
    conn = Connection(host, port)
    try:
        while time.monotonic() < world.deadline:
            kind = kinds[min(len(kinds) - 1, bisect.bisect_left(cum, rng.random() * cum[-1]))]
            if kind == "early_close":
                await asyncio.wait_for(early_close(world, stats, rng, host, port), REQUEST_TIMEOUT)
                continue
            planned = plan(kind, world, rng)
            try:
                await asyncio.wait_for(exchange(conn, world, stats, *planned), REQUEST_TIMEOUT)
            except asyncio.TimeoutError:
                stats.problem("conn_error", planned[0], planned[1], planned[2], "no complete answer in %d s" %
                              REQUEST_TIMEOUT)
                conn.close()
    finally:
        conn.close()


async def prewarm(world, stats, host, port, parallel=8):
    """Requests every prewarm blob and manifest once (checked), so the warm kinds start warm."""
    queue = list(world.prewarm)

    async def worker():
        conn = Connection(host, port)
        while queue:
            blob = queue.pop()
            await exchange(conn, world, stats, "prewarm", "GET", world.path(blob.repo, "blobs/" + blob.digest), [],
                           {200}, whole_check(blob))
        for repo in world.repos:
            await exchange(conn, world, stats, "prewarm", "GET", world.path(repo["name"], "manifests/" + repo["tag"]),
                           [("Accept", ACCEPT)], {200}, lambda: DigestCheck(repo["manifest"]["digest"]))
        conn.close()

    await asyncio.gather(*(worker() for _ in range(parallel)))


async def run(args):
    with open(args.upstream) as f:
        description = json.load(f)
    rng = random.Random(args.seed)
    world = World(description, args.big_size, rng)
    weights = dict(DEFAULT_WEIGHTS)
    for item in filter(None, (args.weights or "").split(",")):
        name, _, value = item.partition("=")
        if name not in weights:
            raise SystemExit("load_client: unknown kind %r in --weights" % name)
        weights[name] = float(value)
    url = urllib.parse.urlsplit(args.base_url)
    host, port = url.hostname, url.port or 80

    warm_stats = Stats()
    await prewarm(world, warm_stats, host, port)
    if not warm_stats.summary(1, 0)["ok"]:
        return {"phase": "prewarm", **warm_stats.summary(1, 0)}

    stats = Stats()
    world.start = time.monotonic()
    world.deadline = world.start + args.duration
    started = time.time()
    await asyncio.gather(*(client(world, stats, weights, args.seed * 1000 + i, host, port)
                           for i in range(args.clients)))
    summary = stats.summary(time.monotonic() - world.start, args.clients)
    summary["start_unix"], summary["end_unix"] = round(started, 3), round(time.time(), 3)
    summary["cold_fetched"] = world.cold_total - len(world.cold)
    summary["cold_total"] = world.cold_total
    summary["prewarm_requests"] = sum(warm_stats.count.values())
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", required=True, help="vicary's base URL, http://127.0.0.1:PORT")
    ap.add_argument("--upstream", required=True, help="JSON description of what exists upstream")
    ap.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    ap.add_argument("--clients", type=int, default=200, help="concurrent keep-alive clients (default 200)")
    ap.add_argument("--weights", help="kind=weight,... overriding the defaults (0 turns a kind off)")
    ap.add_argument("--big-size", type=int, default=4 << 20, help="blobs this large or larger are big (default 4 MiB)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--summary", help="also write the JSON summary to this file")
    args = ap.parse_args()
    if not 0 < args.duration <= 3600 or not 0 < args.clients <= 2000:
        raise SystemExit("load_client: --duration must be in (0, 3600] and --clients in (0, 2000]")

    summary = asyncio.run(run(args))
    text = json.dumps(summary, indent=2)
    print(text)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text + "\n")
    sys.exit(0 if summary.get("ok") else 1)


if __name__ == "__main__":
    main()
