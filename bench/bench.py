#!/usr/bin/env python3
"""Vicary benchmark harness (issue 10). Start it through bench/run.sh; docs/BENCHMARKS.md explains the tests.

Everything runs on loopback in one temp directory: a seeded upstream (Debian's docker-registry), the three caches
(vicary, docker-registry in proxy mode, nginx proxy_cache) and the limits (nginx sendfile from disk, the upstream
itself, `openssl dgst -sha256`). Each test is repeated --runs times, contenders interleaved within a run; the report
gives medians and the ratios of the same run. Every process started is stopped by PID when the harness ends.
"""

import argparse
import datetime
import hashlib
import http.client
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MiB = 1 << 20
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
GiB = 1 << 30
REPO_NAME = "bench"
CACHES = ["vicary", "registry-proxy", "nginx-cache"]
ACCEPT = ("application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
          "application/vnd.docker.distribution.manifest.v2+json, "
          "application/vnd.docker.distribution.manifest.list.v2+json")
REGISTRY_BIN = "/usr/bin/docker-registry"
NGINX_BIN = shutil.which("nginx") or "/usr/sbin/nginx"

PROFILES = {
    # big blob, mid blob (32 concurrent), small blobs, small images (manifests), wrk seconds, runs
    "full": dict(big=1 * GiB, mid=64 * MiB, small=300, images=20, wrk_seconds=10, runs=5),
    "quick": dict(big=128 * MiB, mid=16 * MiB, small=100, images=10, wrk_seconds=3, runs=3),
}
CONCURRENT = 32
WRK_CONNECTIONS = 64
WRK_THREADS = 2
VICARY_THREADS = 128
VICARY_QUEUE = 256


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fmt_size(n):
    return f"{n // GiB} GiB" if n >= GiB and n % GiB == 0 else f"{n // MiB} MiB"


# ---------------------------------------------------------------------------------------------------- processes

class Processes:
    """Every long-running process the harness starts, stopped by PID (TERM, then KILL) at the end."""

    def __init__(self):
        self.live = {}  # pid -> (Popen, label)

    def start(self, label, argv, log_path, env=None, stdout_path=None):
        out = open(stdout_path or log_path, "ab")
        err = open(log_path, "ab") if stdout_path else subprocess.STDOUT
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        out.close()
        if stdout_path:
            err.close()
        self.live[proc.pid] = (proc, label)
        return proc

    def stop(self, proc, sig=signal.SIGTERM, timeout=60):
        if proc.poll() is None:
            try:
                os.kill(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.live.pop(proc.pid, None)

    def stop_all(self):
        for pid, (proc, label) in list(self.live.items()):
            try:
                self.stop(proc, timeout=15)
            except Exception as e:  # keep stopping the others
                print(f"could not stop {label} (pid {pid}): {e}", file=sys.stderr)


PROCS = Processes()


def wait_http(url, proc, what, timeout=20.0, expect=200):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{what} exited during start-up (status {proc.returncode})")
        try:
            host, port = url.split("/")[2].split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=2)
            conn.request("GET", "/" + url.split("/", 3)[3])
            status = conn.getresponse().status
            conn.close()
            if status == expect:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise BenchError(f"{what} did not answer {expect} at {url} within {timeout} s")


# ---------------------------------------------------------------------------------------------------- seeding

class Seed:
    """Writes blobs and manifests straight into a docker-registry filesystem storage tree (distribution 2.8 layout):
    docker/registry/v2/blobs/sha256/<aa>/<hex>/data, repositories/<repo>/_layers|_manifests links."""

    def __init__(self, data_dir, repo):
        self.root = os.path.join(data_dir, "docker", "registry", "v2")
        self.repo_dir = os.path.join(self.root, "repositories", repo)

    def _blob_path(self, hexd):
        return os.path.join(self.root, "blobs", "sha256", hexd[:2], hexd, "data")

    @staticmethod
    def _link(path, digest):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(digest)

    def add_bytes(self, data, layer=True):
        hexd = hashlib.sha256(data).hexdigest()
        path = self._blob_path(hexd)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        if layer:
            self._link(os.path.join(self.repo_dir, "_layers", "sha256", hexd, "link"), "sha256:" + hexd)
        return "sha256:" + hexd

    def add_random(self, size, tmp_dir):
        """A blob of `size` incompressible bytes (os.urandom), hashed as it is written."""
        tmp = os.path.join(tmp_dir, "blob.partial")
        h = hashlib.sha256()
        chunk = 8 * MiB
        with open(tmp, "wb") as f:
            left = size
            while left > 0:
                data = os.urandom(min(chunk, left))
                h.update(data)
                f.write(data)
                left -= len(data)
        hexd = h.hexdigest()
        path = self._blob_path(hexd)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.rename(tmp, path)
        self._link(os.path.join(self.repo_dir, "_layers", "sha256", hexd, "link"), "sha256:" + hexd)
        return "sha256:" + hexd

    def add_image(self, tag, layers):
        """An OCI image manifest (own config blob + the given (digest, size) layers) tagged `tag`."""
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"bench.tag": tag}},
                             "rootfs": {"type": "layers", "diff_ids": [d for d, _ in layers]}}).encode()
        config_digest = self.add_bytes(config)
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest,
                       "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": s}
                       for d, s in layers],
        }, indent=3).encode()
        digest = self.add_bytes(manifest, layer=False)
        hexd = digest.split(":")[1]
        m = os.path.join(self.repo_dir, "_manifests")
        self._link(os.path.join(m, "revisions", "sha256", hexd, "link"), digest)
        self._link(os.path.join(m, "tags", tag, "current", "link"), digest)
        self._link(os.path.join(m, "tags", tag, "index", "sha256", hexd, "link"), digest)
        return digest, config_digest, len(config)

    def blob_file(self, digest):
        return self._blob_path(digest.split(":")[1])


# ---------------------------------------------------------------------------------------------------- servers

def registry_config(port, data, access_log, proxy_url=None):
    lines = [
        "version: 0.1",
        "log:",
        "  level: warn",
        "  formatter: text",
        "  accesslog:",
        f"    disabled: {'false' if access_log else 'true'}",
        "storage:",
        "  filesystem:",
        f"    rootdirectory: {data}",
        "  delete:",
        "    enabled: true",
        "  maintenance:",
        "    uploadpurging:",
        "      enabled: false",
        "http:",
        f"  addr: 127.0.0.1:{port}",
        "  secret: vicary-bench",
        "health:",
        "  storagedriver:",
        "    enabled: false",
    ]
    if proxy_url:
        lines += ["proxy:", f"  remoteurl: {proxy_url}"]
    return "\n".join(lines) + "\n"


def registry_env():
    # REGISTRY_* variables would override the config file.
    return {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}


def render(template, out_path, values):
    with open(os.path.join(HERE, template)) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise BenchError(f"{template}: unfilled placeholders {left}")
    with open(out_path, "w") as f:
        f.write(text)


def user_directive():
    # As root, nginx's workers would run as nobody and could not read the temp directory.
    return "user root root;" if os.geteuid() == 0 else ""


class Server:
    """A server the harness can (re)start with an empty cache; `url` is its base URL, `proc` the process to measure
    (with its children)."""

    name = "?"

    def __init__(self, work):
        self.work = os.path.join(work, self.name)
        os.makedirs(self.work, exist_ok=True)
        self.proc = None
        self.port = None
        self.url = None

    def start(self):
        raise NotImplementedError

    def stop(self):
        if self.proc is not None:
            PROCS.stop(self.proc)
            self.proc = None

    def cache_dirs(self):
        return []

    def restart_empty(self):
        self.stop()
        for d in self.cache_dirs():
            shutil.rmtree(d, ignore_errors=True)
        self.start()

    def blob_url(self, digest):
        return f"{self.url}/v2/{REPO_NAME}/blobs/{digest}"

    def log_tail(self):
        return ""


class Upstream(Server):
    name = "upstream"

    def __init__(self, work):
        super().__init__(work)
        self.data = os.path.join(self.work, "data")
        self.access_log = os.path.join(self.work, "access.log")
        os.makedirs(self.data, exist_ok=True)

    def start(self):
        self.port = free_port()
        config = os.path.join(self.work, "config.yml")
        with open(config, "w") as f:
            f.write(registry_config(self.port, self.data, access_log=True))
        self.proc = PROCS.start("upstream docker-registry", [REGISTRY_BIN, "serve", config],
                                os.path.join(self.work, "registry.log"), env=registry_env(),
                                stdout_path=self.access_log)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_http(self.url + "/v2/", self.proc, "upstream docker-registry")

    def lines(self):
        try:
            with open(self.access_log, errors="replace") as f:
                return f.readlines()
        except FileNotFoundError:
            return []

    def mark(self):
        time.sleep(0.2)  # let lines of requests that just finished land first
        return len(self.lines())

    def count(self, mark, method, path_part):
        """GETs (or HEADs) the upstream logged since `mark` whose path contains `path_part`; distribution writes a line
        after the response, so read until it stops changing (0.3 s, 5 s at most)."""
        pattern = re.compile(r'"([A-Z]+) (\S+) HTTP/[0-9.]+" (\d+)')

        def count_now():
            n = 0
            for line in self.lines()[mark:]:
                m = pattern.search(line)
                if m and m.group(1) == method and path_part in m.group(2):
                    n += 1
            return n
        before = count_now()
        for _ in range(17):
            time.sleep(0.3)
            after = count_now()
            if after == before:
                break
            before = after
        return before


class Vicary(Server):
    name = "vicary"

    def __init__(self, work, binary, upstream, ini):
        super().__init__(work)
        self.binary = binary
        self.ini = ini
        self.upstream = upstream
        self.cache = os.path.join(self.work, "cache")

    def cache_dirs(self):
        return [self.cache]

    def write_config(self, path):
        with open(self.ini) as f:
            lines = f.read().splitlines()
        plugin_dir = os.path.normpath(os.path.join(os.path.dirname(self.binary), "..", "lib", "vicary", "plugins"))
        values = {
            ("server", "bind"): "127.0.0.1",
            ("server", "port"): str(self.port),
            ("server", "threads"): str(VICARY_THREADS),
            ("server", "queue"): str(VICARY_QUEUE),
            ("cache", "directory"): self.cache,
            ("cache", "min_free"): "0",
            ("cache", "max_size"): "0",
            ("routing", "default"): REPO_NAME,
            ("log", "access"): "off",
            ("log", "level"): "warning",
        }
        if os.path.isdir(plugin_dir):
            values[("plugins", "directory")] = plugin_dir
        out, section, done = [], None, set()
        for line in lines:
            m = re.match(r"^\[(.+)\]$", line)
            if m:
                section = m.group(1)
            km = re.match(r"^[;#]? *([a-z_]+) *=", line)
            if km and (section, km.group(1)) in values and (section, km.group(1)) not in done:
                out.append(f"{km.group(1)} = {values[(section, km.group(1))]}")
                done.add((section, km.group(1)))
                continue
            out.append(line)
        missing = set(values) - done
        if missing:
            raise BenchError(f"{self.ini} has no keys {sorted(missing)}")
        out += ["", f"[registry.{REPO_NAME}]", "plugin = generic", f"upstream = {self.upstream.url}",
                "plain_http = true", f"aliases = 127.0.0.1:{self.upstream.port}", ""]
        with open(path, "w") as f:
            f.write("\n".join(out))

    def start(self):
        self.port = free_port()
        config = os.path.join(self.work, "vicary.ini")
        self.write_config(config)
        self.proc = PROCS.start("vicary", [self.binary, "--config", config], os.path.join(self.work, "vicary.log"))
        self.url = f"http://127.0.0.1:{self.port}"
        wait_http(self.url + "/readyz", self.proc, "vicary")

    def log_tail(self):
        with open(os.path.join(self.work, "vicary.log"), errors="replace") as f:
            return "".join(f.readlines()[-20:])


class RegistryProxy(Server):
    name = "registry-proxy"

    def __init__(self, work, upstream):
        super().__init__(work)
        self.upstream = upstream
        self.data = os.path.join(self.work, "data")

    def cache_dirs(self):
        return [self.data]

    def start(self):
        self.port = free_port()
        os.makedirs(self.data, exist_ok=True)
        config = os.path.join(self.work, "config.yml")
        with open(config, "w") as f:
            f.write(registry_config(self.port, self.data, access_log=False, proxy_url=self.upstream.url))
        self.proc = PROCS.start("docker-registry proxy", [REGISTRY_BIN, "serve", config],
                                os.path.join(self.work, "registry.log"), env=registry_env())
        self.url = f"http://127.0.0.1:{self.port}"
        wait_http(self.url + "/v2/", self.proc, "docker-registry proxy")


class Nginx(Server):
    template = "?"

    def values(self):
        return {}

    def start(self):
        self.port = free_port()
        prefix = os.path.join(self.work, "prefix")
        os.makedirs(prefix, exist_ok=True)
        config = os.path.join(self.work, "nginx.conf")
        values = {"PREFIX": prefix, "PORT": self.port, "USER_DIRECTIVE": user_directive()}
        values.update(self.values())
        render(self.template, config, values)
        self.proc = PROCS.start(self.name, [NGINX_BIN, "-p", prefix, "-c", config],
                                os.path.join(self.work, "nginx.stderr"))
        self.url = f"http://127.0.0.1:{self.port}"
        wait_http(self.url + self.probe, self.proc, self.name, expect=self.probe_status)


class NginxCache(Nginx):
    name = "nginx-cache"
    template = "nginx-cache.conf.in"
    probe = "/v2/"
    probe_status = 200

    def __init__(self, work, upstream):
        super().__init__(work)
        self.upstream = upstream
        self.cache = os.path.join(self.work, "cache")

    def cache_dirs(self):
        return [self.cache]

    def values(self):
        return {"CACHE_DIR": self.cache, "UPSTREAM_PORT": self.upstream.port}


class NginxStatic(Nginx):
    name = "nginx-sendfile"
    template = "nginx-static.conf.in"
    probe = "/files/probe"
    probe_status = 404

    def __init__(self, work, files_dir):
        super().__init__(work)
        self.files_dir = files_dir

    def values(self):
        return {"FILES_DIR": self.files_dir}

    def blob_url(self, digest):
        return f"{self.url}/files/{digest.split(':')[1]}"


class Relay(Server):
    """bench/relay.py: fetch + verify + relay with nothing stored, the floor of test 2 (see its docstring)."""
    name = "relay-floor"

    def __init__(self, work, upstream):
        super().__init__(work)
        self.upstream = upstream

    def start(self):
        port_file = os.path.join(self.work, "port")
        self.proc = PROCS.start(self.name, [sys.executable, os.path.join(HERE, "relay.py"), self.upstream.url],
                                os.path.join(self.work, "relay.log"), stdout_path=port_file)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.port is None:
            if self.proc.poll() is not None:
                raise BenchError(f"relay.py exited during start-up (status {self.proc.returncode})")
            with open(port_file) as f:
                text = f.read()
            if text.endswith("\n"):
                self.port = int(text)
            time.sleep(0.02)
        if self.port is None:
            raise BenchError("relay.py printed no port within 10 s")
        self.url = f"http://127.0.0.1:{self.port}"


def curl_to_file(url, size, path, what):
    """One GET stored into `path` (then removed): the fetch + store floor of test 2; returns seconds to the last byte."""
    try:
        return get_checked(url, size, what, out_path=path)[0]
    finally:
        if os.path.exists(path):
            os.unlink(path)


# ---------------------------------------------------------------------------------------------------- measuring

def process_tree(pid):
    """`pid` and its live descendants (children of any of its threads: nginx's workers)."""
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass  # ended meanwhile
    return tree


class RssMonitor(threading.Thread):
    """Samples every 100 ms, per server, the RSS and PSS summed over its process and all its descendants."""

    def __init__(self, servers):
        super().__init__(daemon=True)
        self.servers = servers
        self.active = False
        self.stopped = threading.Event()
        self.peak_rss = {s.name: 0 for s in servers}
        self.peak_pss = {s.name: 0 for s in servers}
        self.samples = 0

    @staticmethod
    def _kib(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self):
        while not self.stopped.wait(0.1):
            if not self.active:
                continue
            for server in self.servers:
                proc = server.proc
                if proc is None or proc.poll() is not None:
                    continue
                tree = process_tree(proc.pid)
                rss = sum(self._kib(f"/proc/{p}/status", "VmRSS:") for p in tree)
                pss = sum(self._kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree)
                self.peak_rss[server.name] = max(self.peak_rss[server.name], rss * 1024)
                self.peak_pss[server.name] = max(self.peak_pss[server.name], pss * 1024)
            self.samples += 1


def curl(url, timeout=900, out_path="/dev/null"):
    """One GET into `out_path`; returns (status, bytes, seconds to the last byte, bytes/s)."""
    out = subprocess.run(["curl", "-s", "-o", out_path, "--max-time", str(timeout), "-w",
                          "%{http_code} %{size_download} %{time_total} %{speed_download}", url],
                         capture_output=True, text=True, timeout=timeout + 30)
    code, size, total, speed = out.stdout.split()
    return int(code), int(size), float(total), float(speed)


def get_checked(url, size, what, out_path="/dev/null"):
    code, got, total, speed = curl(url, out_path=out_path)
    if code != 200 or got != size:
        raise BenchError(f"{what}: GET {url} answered {code} with {got} bytes, expected 200 with {size}")
    return total, speed


def concurrent_gets(url, size, n, what):
    """n curls started together; returns the wall time until the last one ended."""
    procs = []
    start = time.monotonic()
    try:
        for _ in range(n):
            procs.append(subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--max-time", "900", "-w",
                                           "%{http_code} %{size_download}", url],
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        results = [p.communicate(timeout=930)[0] for p in procs]
        wall = time.monotonic() - start
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    bad = [r for r in results if r.split() != ["200", str(size)]]
    if bad:
        raise BenchError(f"{what}: {len(bad)} of {n} concurrent GETs of {url} failed: {bad[:3]}")
    return wall


def cpu_seconds(pid):
    """User + system CPU seconds of process `pid` (all its threads) and of its live descendants (nginx's workers)."""
    total = 0.0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except OSError:
            pass  # ended meanwhile
    return total


def children_cpu_seconds():
    """CPU seconds of the harness's ended children (the curl processes), so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def openssl_sha256(path, expect_hex):
    start = time.monotonic()
    out = subprocess.run(["openssl", "dgst", "-sha256", "-r", path], capture_output=True, text=True, timeout=600,
                         check=True)
    elapsed = time.monotonic() - start
    if out.stdout.split()[0] != expect_hex:
        raise BenchError("openssl dgst disagrees with the seeded digest")
    return elapsed


def prime_small(server, small, images):
    """Fetches every small blob (checking its digest) and every small image's manifest (GET and HEAD) once."""
    host, port = server.url.split("/")[2].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        for digest, _ in small:
            conn.request("GET", f"/v2/{REPO_NAME}/blobs/{digest}")
            r = conn.getresponse()
            body = r.read()
            if r.status != 200 or "sha256:" + hashlib.sha256(body).hexdigest() != digest:
                raise BenchError(f"{server.name}: GET blob {digest} answered {r.status}, {len(body)} bytes")
        for tag in images:
            for method in ("GET", "HEAD"):
                conn.request(method, f"/v2/{REPO_NAME}/manifests/{tag}", headers={"Accept": ACCEPT})
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    raise BenchError(f"{server.name}: {method} manifest {tag} answered {r.status}")
    finally:
        conn.close()


def run_wrk(server, requests_file, seconds):
    argv = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "--latency",
            "-s", os.path.join(HERE, "wrk-mixed.lua"), server.url, "--", requests_file, str(WRK_THREADS)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^WRK_JSON (\{.*\})$", out.stdout, re.M)
    if out.returncode != 0 or not m:
        raise BenchError(f"wrk against {server.name} failed ({out.returncode}): {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["error_total"] = sum(r["errors"].values())
    return r


AB_PROCESSES = 2


def run_ab(server, images, seconds, work):
    """Manifest HEADs by tag at 64 connections: wrk 4.1 cannot do HEAD (its parser expects the Content-Length body),
    so ApacheBench does them: AB_PROCESSES processes (ab is single-threaded) with 64/AB_PROCESSES keep-alive
    connections each, one tag each, run together. req/s are summed; p50/p99 are the mean of the processes' values."""
    procs = []
    per = WRK_CONNECTIONS // AB_PROCESSES
    try:
        for i in range(AB_PROCESSES):
            csv = os.path.join(work, f"ab-{i}.csv")
            argv = ["ab", "-q", "-k", "-i", "-c", str(per), "-t", str(seconds), "-n", "100000000", "-e", csv,
                    "-H", f"Accept: {ACCEPT}", f"{server.url}/v2/{REPO_NAME}/manifests/{images[i % len(images)]}"]
            procs.append((subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), csv))
        outs = [(p.communicate(timeout=seconds + 60)[0], p.returncode, csv) for p, csv in procs]
    finally:
        for p, _ in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    rps, errors, p50, p99 = 0.0, 0, [], []
    for out, rc, csv in outs:
        m = re.search(r"Requests per second:\s+([0-9.]+)", out)
        if rc != 0 or not m:
            raise BenchError(f"ab against {server.name} failed ({rc}): {out[-500:]}")
        rps += float(m.group(1))
        for key in ("Failed requests:", "Non-2xx responses:"):
            m = re.search(re.escape(key) + r"\s+(\d+)", out)
            errors += int(m.group(1)) if m else 0
        with open(csv) as f:
            pct = dict(line.strip().split(",") for line in f.readlines()[1:] if "," in line)
        p50.append(float(pct["50"]))
        p99.append(float(pct["99"]))
    return {"rps": rps, "p50_us": statistics.mean(p50) * 1000, "p99_us": statistics.mean(p99) * 1000,
            "error_total": errors}


# ---------------------------------------------------------------------------------------------------- reporting

def med(values):
    return statistics.median(values) if values else float("nan")


def machine_description(work, vicary_bin):
    def cmd(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (out.stdout + out.stderr).strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    lscpu = cmd(["lscpu"])
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    cpus = re.search(r"^CPU\(s\):\s*(\d+)$", lscpu, re.M)
    with open("/proc/meminfo") as f:
        mem_kib = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    fs = cmd(["findmnt", "-n", "-o", "FSTYPE,SOURCE", "-T", work]) or cmd(["df", "-T", work])
    return {
        "cpu": model.group(1) if model else platform.processor() or "?",
        "cpus": int(cpus.group(1)) if cpus else os.cpu_count(),
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "os": cmd(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "filesystem": fs,
        "tcp congestion control (system)": cmd(["cat", "/proc/sys/net/ipv4/tcp_congestion_control"]),
        "vicary": cmd([vicary_bin, "--version"]).splitlines()[0],
        "nginx": cmd([NGINX_BIN, "-v"]).replace("nginx version: ", ""),
        "docker-registry": cmd([REGISTRY_BIN, "--version"]),
        "curl": cmd(["curl", "--version"]).splitlines()[0],
        "wrk": cmd(["wrk", "-v"]).splitlines()[0],
        "ab": (cmd(["ab", "-V"]).splitlines() or ["?"])[0],
        "openssl": cmd(["openssl", "version"]),
    }


def check(ok):
    return "✓" if ok else "✗"


def report(results, profile, args, machine):
    r = results
    big, mid = fmt_size(profile["big"]), fmt_size(profile["mid"])
    warm_speed = {k: med(v) for k, v in r["warm_speed"].items()}
    warm_ratio = {k: med(v) for k, v in r["warm_ratio"].items()}
    cold_time = {k: med(v) for k, v in r["cold_time"].items()}
    cold_ratio = {k: med(v) for k, v in r["cold_ratio"].items()}
    conc_wall = {k: med(v) for k, v in r["conc_wall"].items()}
    conc_ratio = {k: med(v) for k, v in r["conc_ratio"].items()}
    rps = {k: med([x["rps"] for x in v]) for k, v in r["wrk"].items()}
    p50 = {k: med([x["p50_us"] / 1000 for x in v]) for k, v in r["wrk"].items()}
    p99 = {k: med([x["p99_us"] / 1000 for x in v]) for k, v in r["wrk"].items()}
    errors = {k: sum(x["error_total"] for x in v) for k, v in r["wrk"].items()}
    ab_rps = {k: med([x["rps"] for x in v]) for k, v in r["ab"].items()}
    ab_p50 = {k: med([x["p50_us"] / 1000 for x in v]) for k, v in r["ab"].items()}
    ab_p99 = {k: med([x["p99_us"] / 1000 for x in v]) for k, v in r["ab"].items()}
    ab_errors = {k: sum(x["error_total"] for x in v) for k, v in r["ab"].items()}
    rss = {k: v / MiB for k, v in r["peak_rss"].items()}
    pss = {k: v / MiB for k, v in r["peak_pss"].items()}
    fetches = r["conc_fetches"]
    limit_cold = max(cold_time["upstream-direct"], cold_time["openssl-sha256"])
    # CPU seconds of one cold fetch, per part (cache, upstream, curl): the median of each part over the runs.
    cold_cpu = {k: [med([x[i] for x in v]) for i in range(3)] for k, v in r["cold_cpu"].items()}
    cpus = os.cpu_count() or 1

    def row(label, fmt, values, limit, target, ok):
        cells = [fmt(values[c]) if c in values else "" for c in CACHES]
        return f"| {label} | " + " | ".join(cells) + f" | {limit} | {target} | {check(ok) if ok is not None else ''} |"

    f1 = lambda x: f"{x:.1f}"
    f2 = lambda x: f"{x:.2f}"
    lines = [
        f"| test | vicary | docker-registry proxy | nginx cache | limit (same run) | target (vicary) | met |",
        "|---|---:|---:|---:|---|---|:-:|",
        row(f"1. warm {big} blob, 1 stream: MiB/s", lambda x: f"{x / MiB:.0f}", warm_speed,
            f"nginx sendfile {warm_speed['nginx-sendfile'] / MiB:.0f}", "", None),
        row("1. … ratio to nginx sendfile", f2, warm_ratio, "1.00", "≥ 1.10", warm_ratio["vicary"] >= 1.10),
        row(f"2. cold {big} blob: s to last byte", f2, cold_time,
            f"direct {cold_time['upstream-direct']:.2f}, sha256 {cold_time['openssl-sha256']:.2f}", "", None),
        row("2. … ratio to max(direct, sha256)", f2, cold_ratio, "1.00", "≤ 1.10", cold_ratio["vicary"] <= 1.10),
        row("2. … floors (same run): s", f2, {}, f"fetch + sha256 + relay, nothing stored {cold_time['relay-floor']:.2f}; "
            f"fetch + store only (curl -o FILE) {cold_time['store-floor']:.2f}", "", None),
        row("2. … CPU s of the fetch: cache + upstream + curl", lambda x: f"{x[0]:.2f} + {x[1]:.2f} + {x[2]:.2f}",
            cold_cpu, f"direct: upstream {cold_cpu['upstream-direct'][1]:.2f} + curl "
            f"{cold_cpu['upstream-direct'][2]:.2f}; relay floor: {cold_cpu['relay-floor'][0]:.2f} + "
            f"{cold_cpu['relay-floor'][1]:.2f} + {cold_cpu['relay-floor'][2]:.2f}", "", None),
        row(f"3. {CONCURRENT} concurrent cold GETs of {mid}: wall s", f2, conc_wall,
            f"nginx sendfile {conc_wall['nginx-sendfile']:.2f}, direct {conc_wall['upstream-direct']:.2f}", "", None),
        row("3. … ratio to nginx sendfile", f2, conc_ratio, "1.00", "≤ 1.30", conc_ratio["vicary"] <= 1.30),
        row("3. … upstream GETs of the blob (each run)", lambda x: ", ".join(str(n) for n in x), fetches, "",
            "1 in every run", all(n == 1 for n in fetches["vicary"])),
        row(f"4a. warm small blobs + manifest GETs by tag (wrk), {WRK_CONNECTIONS} conn.: req/s", f1, rps, "",
            "≥ nginx cache", rps["vicary"] >= rps["nginx-cache"]),
        row("4a. … p50 latency ms", f2, p50, "", "", None),
        row("4a. … p99 latency ms", f2, p99, "", "≤ nginx cache", p99["vicary"] <= p99["nginx-cache"]),
        row("4a. … errors (all runs)", str, errors, "", "0", errors["vicary"] == 0),
        row(f"4b. warm manifest HEADs by tag (ab), {WRK_CONNECTIONS} conn.: req/s", f1, ab_rps, "",
            "≥ nginx cache", ab_rps["vicary"] >= ab_rps["nginx-cache"]),
        row("4b. … p50 latency ms", f2, ab_p50, "", "", None),
        row("4b. … p99 latency ms", f2, ab_p99, "", "≤ nginx cache", ab_p99["vicary"] <= ab_p99["nginx-cache"]),
        row("4b. … errors (all runs)", str, ab_errors, "", "0", ab_errors["vicary"] == 0),
        row("5. peak RSS during 2–4, all processes: MiB", f1, rss, "", "< nginx cache",
            rss["vicary"] < rss["nginx-cache"]),
        row("5. … peak PSS (shared pages split), MiB", f1, pss, "", "", None),
    ]
    table = "\n".join(lines)
    mode = "quick" if args.quick else "full"
    notes = [
        f"Mode **{mode}**: {args.runs} runs, medians shown; ratios are computed within each run, then the median taken. "
        f"Blobs: {big}, {mid}, {profile['small']} small ({fmt_size(1024) if False else '1–128 KiB'}), "
        f"{profile['images']} small images. Test 4 runs {profile['wrk_seconds']} s per run and contender: 4a wrk "
        f"({WRK_THREADS} threads, {WRK_CONNECTIONS} connections, 3 small-blob GETs : 1 manifest GET by tag); 4b "
        f"{AB_PROCESSES} ab processes together ({WRK_CONNECTIONS // AB_PROCESSES} keep-alive connections each, "
        f"HEAD of one tag each; p50/p99 are the mean of the processes'). wrk 4.1 cannot do HEAD: its parser waits "
        f"for the body a HEAD answer announces.",
        f"vicary: `[server] threads = {VICARY_THREADS}`, `queue = {VICARY_QUEUE}`, `[log] access = off`, "
        f"`level = warning`, `congestion_control` as shipped (auto: cubic when allowed; the others keep the system's, "
        f"see Machine); docker-registry proxy: access log off, `level: warn`; nginx: `access_log off`, "
        f"`worker_processes auto`.",
        f"Upstream GETs during test 1's measured runs (should be 0): "
        + ", ".join(f"{k} {v}" for k, v in r["warm_upstream_gets"].items()) + ".",
        f"Upstream GETs of the {big} blob per cold run: "
        + ", ".join(f"{k} {v}" for k, v in r["cold_fetches"].items()) + ".",
        f"Test 2's floors: `bench/relay.py` fetches the blob in 1 MiB pieces, sends them on from one thread and hashes "
        f"them (hashlib, OpenSSL) on another, holding the last piece until the digest matches, and stores nothing: "
        f"{cold_time['relay-floor']:.2f} s against the target 1.1 × {limit_cold:.2f} = {1.1 * limit_cold:.2f} s, "
        f"with CPU s relay {cold_cpu['relay-floor'][0]:.2f} + upstream {cold_cpu['relay-floor'][1]:.2f} + curl "
        f"{cold_cpu['relay-floor'][2]:.2f}. "
        f"`curl -o FILE` into the work directory (the caches' filesystem) stores the blob and does nothing else: "
        f"{cold_time['store-floor']:.2f} s. A verifying cache does both.",
        f"Test 2's CPU: the CPU seconds the cache, the upstream and curl spend on one cold fetch (medians). On "
        f"{cpus} CPUs the time to the last byte cannot be below their sum / {cpus}: for vicary "
        f"{sum(cold_cpu['vicary']) / cpus:.2f} s, against the target {1.1 * limit_cold:.2f} s. SHA-256 alone is "
        f"{cold_time['openssl-sha256']:.2f} s of one CPU.",
    ]
    machine_lines = "\n".join(f"- {k}: {v}" for k, v in machine.items())
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    text = (f"### Run of {when} ({mode})\n\n{table}\n\n" + "\n".join(f"- {n}" for n in notes) +
            f"\n\nMachine:\n\n{machine_lines}\n\nReproduce: `bench/run.sh{' --quick' if args.quick else ''}"
            f" --runs {args.runs}` (took {r['elapsed']:.0f} s)\n")
    return text


def write_docs(text, path):
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    try:
        with open(path) as f:
            doc = f.read()
    except FileNotFoundError:
        doc = "# Benchmarks\n\n"
    block = f"{begin}\n{text}{end}"
    if begin in doc and end in doc:
        doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(doc)


# ---------------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description="Vicary benchmark harness (see docs/BENCHMARKS.md)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter runs (under 3 minutes)")
    parser.add_argument("--runs", type=int, help="repetitions of each test (default 5, quick 3)")
    parser.add_argument("--out", help="also write the markdown report to this file")
    parser.add_argument("--vicary-bin", required=True)
    parser.add_argument("--vicary-ini", default=os.path.join(REPO, "etc", "vicary.ini"),
                        help="configuration the vicary config is made from (default: etc/vicary.ini of this tree; "
                             "it must match the binary)")
    parser.add_argument("--write-docs", action="store_true", help="write docs/BENCHMARKS.md in quick mode too")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    parser.add_argument("--workdir", default=os.environ.get("TMPDIR", "/tmp"),
                        help="where the temp directory goes (its filesystem is the one measured)")
    parser.add_argument("--pause-before-warm", type=float, default=0,
                        help=argparse.SUPPRESS)  # seconds to wait after priming test 1 (to attach perf by hand)
    args = parser.parse_args()
    profile = dict(PROFILES["quick" if args.quick else "full"])
    if args.runs is None:
        args.runs = profile["runs"]
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    work = tempfile.mkdtemp(prefix="vicary-bench-", dir=args.workdir)
    started = time.monotonic()
    monitor = None

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        log(f"work directory {work}")
        machine = machine_description(work, args.vicary_bin)

        # Seed the upstream's storage before it starts.
        upstream = Upstream(work)
        seed = Seed(upstream.data, REPO_NAME)
        log(f"seeding: {fmt_size(profile['big'])} + {fmt_size(profile['mid'])} random blobs, "
            f"{profile['small']} small blobs, {profile['images']} small images")
        big = seed.add_random(profile["big"], work)
        mid = seed.add_random(profile["mid"], work)
        rng = random.Random(10)
        small = []
        for _ in range(profile["small"]):
            size = int(math.exp(rng.uniform(math.log(1024), math.log(128 * 1024))))
            small.append((seed.add_bytes(os.urandom(size)), size))
        seed.add_image("big", [(big, profile["big"])])
        seed.add_image("mid", [(mid, profile["mid"])])
        images = []
        per_image = max(1, len(small) // profile["images"])
        for i in range(profile["images"]):
            tag = f"small-{i:02d}"
            _, config_digest, config_size = seed.add_image(tag, small[i * per_image:(i + 1) * per_image])
            small.append((config_digest, config_size))
            images.append(tag)
        files = os.path.join(work, "files")
        os.makedirs(files)
        for digest in (big, mid):
            os.link(seed.blob_file(digest), os.path.join(files, digest.split(":")[1]))
        requests_file = os.path.join(work, "wrk-requests.txt")
        with open(requests_file, "w") as f:
            for i, (digest, _) in enumerate(small):
                f.write(f"GET /v2/{REPO_NAME}/blobs/{digest}\n")
                if i % 3 == 2:  # GET, not HEAD: wrk 4.1's parser waits for a body after a HEAD answer (see run_ab)
                    f.write(f"GET /v2/{REPO_NAME}/manifests/{images[(i // 3) % len(images)]}\n")

        upstream.start()
        static = NginxStatic(work, files)
        relay = Relay(work, upstream)
        caches = {"vicary": Vicary(work, args.vicary_bin, upstream, args.vicary_ini),
                  "registry-proxy": RegistryProxy(work, upstream),
                  "nginx-cache": NginxCache(work, upstream)}
        for server in [static, relay, *caches.values()]:
            server.start()
        log("servers up: " + ", ".join(f"{s.name} {s.url} (pid {s.proc.pid})"
                                        for s in [upstream, static, relay, *caches.values()]))
        monitor = RssMonitor(list(caches.values()))
        monitor.start()
        res = {k: {} for k in ["warm_speed", "warm_ratio", "cold_time", "cold_ratio", "cold_cpu", "conc_wall",
                               "conc_ratio", "wrk", "ab"]}
        res["conc_fetches"] = {c: [] for c in CACHES}
        res["cold_fetches"] = {c: [] for c in CACHES}
        add = lambda key, name, value: res[key].setdefault(name, []).append(value)
        big_hex = big.split(":")[1]
        mid_hex = mid.split(":")[1]

        # 1. warm big blob, single stream
        log("test 1: warm big blob, single stream (priming the caches)")
        for name, server in caches.items():
            get_checked(server.blob_url(big), profile["big"], name)
        time.sleep(1)  # let the caches finish committing
        if args.pause_before_warm:
            log(f"pausing {args.pause_before_warm} s; vicary pid {caches['vicary'].proc.pid}")
            time.sleep(args.pause_before_warm)
        res["warm_upstream_gets"] = {name: 0 for name in caches}
        for run in range(args.runs):
            _, ref = get_checked(static.blob_url(big), profile["big"], "nginx sendfile")
            add("warm_speed", "nginx-sendfile", ref)
            for name, server in caches.items():
                mark = upstream.mark()
                _, speed = get_checked(server.blob_url(big), profile["big"], name)
                res["warm_upstream_gets"][name] += upstream.count(mark, "GET", "/")
                add("warm_speed", name, speed)
                add("warm_ratio", name, speed / ref)
            log(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1] / MiB:.0f} MiB/s" for k, v in res["warm_speed"].items()))

        # 2. cold big blob
        monitor.active = True
        log("test 2: cold big blob, time to the last byte")
        for run in range(args.runs):
            before = (cpu_seconds(upstream.proc.pid), children_cpu_seconds())
            direct, _ = get_checked(upstream.blob_url(big), profile["big"], "upstream")
            add("cold_cpu", "upstream-direct", (0.0, cpu_seconds(upstream.proc.pid) - before[0],
                                                children_cpu_seconds() - before[1]))
            add("cold_time", "upstream-direct", direct)
            digest_s = openssl_sha256(seed.blob_file(big), big_hex)
            add("cold_time", "openssl-sha256", digest_s)
            before = (cpu_seconds(relay.proc.pid), cpu_seconds(upstream.proc.pid), children_cpu_seconds())
            add("cold_time", "relay-floor", get_checked(relay.blob_url(big), profile["big"], "relay.py")[0])
            add("cold_cpu", "relay-floor", (cpu_seconds(relay.proc.pid) - before[0],
                                            cpu_seconds(upstream.proc.pid) - before[1],
                                            children_cpu_seconds() - before[2]))
            add("cold_time", "store-floor", curl_to_file(upstream.blob_url(big), profile["big"],
                                                         os.path.join(work, "store-floor.tmp"), "curl -o FILE"))
            for name, server in caches.items():
                server.restart_empty()
                mark = upstream.mark()
                before = (cpu_seconds(server.proc.pid), cpu_seconds(upstream.proc.pid), children_cpu_seconds())
                total, _ = get_checked(server.blob_url(big), profile["big"], name)
                add("cold_cpu", name, (cpu_seconds(server.proc.pid) - before[0],
                                       cpu_seconds(upstream.proc.pid) - before[1], children_cpu_seconds() - before[2]))
                add("cold_time", name, total)
                add("cold_ratio", name, total / max(direct, digest_s))
                res["cold_fetches"][name].append(upstream.count(mark, "GET", big_hex))
            log(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in res["cold_time"].items()))

        # 3. 32 concurrent cold requests for the mid blob
        log(f"test 3: {CONCURRENT} concurrent cold GETs of the {fmt_size(profile['mid'])} blob")
        for run in range(args.runs):
            ref = concurrent_gets(static.blob_url(mid), profile["mid"], CONCURRENT, "nginx sendfile")
            add("conc_wall", "nginx-sendfile", ref)
            add("conc_wall", "upstream-direct",
                concurrent_gets(upstream.blob_url(mid), profile["mid"], CONCURRENT, "upstream"))
            for name, server in caches.items():
                server.restart_empty()
                mark = upstream.mark()
                wall = concurrent_gets(server.blob_url(mid), profile["mid"], CONCURRENT, name)
                add("conc_wall", name, wall)
                add("conc_ratio", name, wall / ref)
                res["conc_fetches"][name].append(upstream.count(mark, "GET", mid_hex))
            log(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in res["conc_wall"].items())
                + "; upstream GETs " + ", ".join(f"{k} {v[-1]}" for k, v in res["conc_fetches"].items()))

        # 4. warm small blobs and manifest HEADs
        log(f"test 4: warm small blobs + manifest HEADs, {WRK_CONNECTIONS} connections, "
            f"{profile['wrk_seconds']} s (priming the caches)")
        for name, server in caches.items():
            prime_small(server, small, images)
        time.sleep(1)
        for run in range(args.runs):
            for name, server in caches.items():
                add("wrk", name, run_wrk(server, requests_file, profile["wrk_seconds"]))
                add("ab", name, run_ab(server, images, profile["wrk_seconds"], work))
            for key in ("wrk", "ab"):
                log(f"  run {run + 1} {key}: " + ", ".join(
                    f"{k} {v[-1]['rps']:.0f} req/s p99 {v[-1]['p99_us'] / 1000:.1f} ms err {v[-1]['error_total']}"
                    for k, v in res[key].items()))
        monitor.active = False
        time.sleep(0.2)
        res["peak_rss"] = dict(monitor.peak_rss)
        res["peak_pss"] = dict(monitor.peak_pss)
        res["elapsed"] = time.monotonic() - started

        text = report(res, profile, args, machine)
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
            with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
                json.dump({"profile": profile, "runs": args.runs, "machine": machine, "results": res}, f, indent=1)
        if (not args.quick or args.write_docs) and not args.no_docs:
            write_docs(text, os.path.join(REPO, "docs", "BENCHMARKS.md"))
            log("wrote docs/BENCHMARKS.md")
        log(f"done in {res['elapsed']:.0f} s")
        return 0
    except BenchError as e:
        log(f"error: {e}")
        for name in ("vicary",):
            path = os.path.join(work, name, "vicary.log")
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    print(f"--- {path} (tail)\n" + "".join(f.readlines()[-20:]), file=sys.stderr)
        return 1
    finally:
        if monitor is not None:
            monitor.stopped.set()
        PROCS.stop_all()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
