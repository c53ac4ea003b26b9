#!/usr/bin/env python3
"""The floor of test 2: what fetching, verifying and relaying a blob costs on this machine with nothing stored.

    relay.py UPSTREAM_BASE_URL   (prints the port it listens on, on 127.0.0.1, then serves until killed)

A GET for /v2/<name>/blobs/<alg>:<hex> is fetched from the upstream and relayed to the client in 1 MiB pieces while
a second thread hashes them with hashlib (OpenSSL's EVP); the last piece is held back until the digest matches, as a
verifying cache must. Nothing touches the disk. One connection at a time, Connection: close. The harness (bench.py)
starts and stops it by PID.
"""

import hashlib
import http.client
import queue
import socket
import sys
import threading
import urllib.parse

PIECE = 1 << 20


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    return data.split(b"\r\n", 1)[0].decode("latin-1").split()


def answer(conn, status, text):
    body = (text + "\n").encode()
    conn.sendall(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)


def relay(conn, upstream, path):
    algorithm, _, expected = path.rsplit("/", 1)[-1].partition(":")
    if algorithm not in ("sha256", "sha512") or not expected:
        answer(conn, "404 Not Found", "not a blob path")
        return
    up = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
    try:
        up.request("GET", path)
        response = up.getresponse()
        if response.status != 200:
            answer(conn, "502 Bad Gateway", f"upstream answered {response.status}")
            return
        length = int(response.getheader("Content-Length"))
        hasher = hashlib.new(algorithm)
        pieces, pool = queue.Queue(), queue.Queue()
        for _ in range(8):
            pool.put(bytearray(PIECE))

        def hash_pieces():  # hashes pieces in order and hands their buffers back
            while (piece := pieces.get()) is not None:
                hasher.update(piece[1])
                pool.put(piece[0])

        worker = threading.Thread(target=hash_pieces)
        worker.start()
        try:
            conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n".encode())
            left, view, got = length, b"", 0
            while left > 0:
                buffer = pool.get()
                view = memoryview(buffer)[:min(PIECE, left)]
                got = response.readinto(view)
                if not got:
                    break
                left -= got
                if left > 0:  # the last piece goes out only once the digest matched
                    conn.sendall(view[:got])
                pieces.put((buffer, view[:got]))
        finally:
            pieces.put(None)
            worker.join()
        if left == 0 and hasher.hexdigest() == expected:
            conn.sendall(view[:got])
        else:
            print(f"relay: {path}: short or mismatching body, connection cut", file=sys.stderr, flush=True)
    finally:
        up.close()


def main():
    upstream = urllib.parse.urlsplit(sys.argv[1])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    print(server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                request = read_head(conn)
                if request and len(request) >= 2 and request[0] == "GET":
                    relay(conn, upstream, request[1])
                elif request:
                    answer(conn, "405 Method Not Allowed", "GET only")
            except OSError as e:
                print(f"relay: {e}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
