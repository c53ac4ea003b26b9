#!/usr/bin/env python3
"""The floor of test 2: what fetching, verifying and relaying a blob costs on this machine with nothing stored.

    relay.py UPSTREAM_BASE_URL   (prints the port it listens on, on 127.0.0.1, then serves until killed)

A GET for /v2/<name>/blobs/<alg>:<hex> is fetched from the upstream in 1 MiB pieces (recv_into a ring of eight
buffers); one thread sends each piece to the client while another hashes it with hashlib (OpenSSL's EVP), and the
last piece is held back until the digest matches, as a verifying cache must. Every heavy call (recv_into, sendall,
update of a large buffer) releases the GIL, so the three overlap as a native program's threads would. Nothing
touches the disk. One connection at a time, Connection: close. The harness (bench.py)
starts and stops it by PID.
"""

import hashlib
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


def upstream_get(upstream, path):
    """Sends GET `path` to the upstream on a raw socket; returns (socket, status, length, body bytes already read)."""
    sock = socket.create_connection((upstream.hostname, upstream.port), timeout=60)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {upstream.netloc}\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk or len(data) > 65536:
            sock.close()
            raise OSError("the upstream sent no complete response head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return sock, status, length, rest


def relay(conn, upstream, path):
    """Three threads, as a cache would overlap them: this one receives pieces, one hashes them, one sends them on."""
    algorithm, _, expected = path.rsplit("/", 1)[-1].partition(":")
    if algorithm not in ("sha256", "sha512") or not expected:
        answer(conn, "404 Not Found", "not a blob path")
        return
    up, status, length, rest = upstream_get(upstream, path)
    try:
        if status != 200 or length is None:
            answer(conn, "502 Bad Gateway", f"upstream answered {status}")
            return
        hasher = hashlib.new(algorithm)
        buffers = [bytearray(PIECE) for _ in range(8)]
        pool, to_hash, to_send = queue.Queue(), queue.Queue(), queue.Queue()
        for index in range(len(buffers)):
            pool.put(index)
        users, lock = [0] * len(buffers), threading.Lock()
        verified = threading.Event()
        result = {"ok": False, "sent": 0}

        def release(index):  # a piece's buffer is free again once both the hasher and the sender are done with it
            with lock:
                users[index] -= 1
                if users[index] == 0:
                    pool.put(index)

        def hash_pieces():
            while (piece := to_hash.get()) is not None:
                hasher.update(memoryview(buffers[piece[0]])[:piece[1]])
                release(piece[0])
            result["ok"] = hasher.hexdigest() == expected
            verified.set()

        def send_pieces():
            try:
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n".encode())
                while (piece := to_send.get()) is not None:
                    index, size, last = piece
                    if last:  # the last piece goes out only once the digest matched
                        verified.wait()
                        if not result["ok"]:
                            return
                    conn.sendall(memoryview(buffers[index])[:size])
                    result["sent"] += size
                    release(index)
            except OSError as e:
                print(f"relay: client: {e}", file=sys.stderr, flush=True)

        hashing, sending = threading.Thread(target=hash_pieces), threading.Thread(target=send_pieces)
        hashing.start()
        sending.start()
        left = length
        try:
            while left > 0:
                index = pool.get()
                view = memoryview(buffers[index])
                size = min(len(rest), PIECE, left)
                view[:size] = rest[:size]
                rest = rest[size:]
                want = min(PIECE, left)
                while size < want:
                    got = up.recv_into(view[size:want])
                    if not got:
                        break
                    size += got
                if size == 0:
                    pool.put(index)
                    break
                left -= size
                with lock:
                    users[index] = 2
                to_hash.put((index, size))
                to_send.put((index, size, left == 0))
                if size < want:
                    break
        finally:
            to_hash.put(None)
            to_send.put(None)
            hashing.join()
            sending.join()
        if left != 0 or not result["ok"]:
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
