#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""TCP transfers checked by SHA-256.

usage: tcp_transfer.py serve PORT READY_FILE
       tcp_transfer.py put|get SRC DST PORT BYTES

serve listens on PORT (IPv4 and IPv6) and creates READY_FILE once it
listens; it serves until killed. put sends BYTES random bytes to the server,
which answers with their SHA-256; get asks the server for BYTES random
bytes, preceded by their SHA-256. The client exits 0 when the digests agree.
Socket timeout: env TG_TCP_TIMEOUT seconds (default 30).
"""
import hashlib
import os
import socket
import sys
import threading
import time

TIMEOUT = float(os.environ.get("TG_TCP_TIMEOUT", "30"))
CHUNK = 65536


def recv_line(c):
    line = b""
    while not line.endswith(b"\n"):
        b = c.recv(1)
        if not b:
            raise ConnectionError("connection closed before the end of a line")
        line += b
    return line.decode().strip()


def recv_sha256(c, n):
    """The SHA-256 (hex) of the next n bytes of c (fewer: it closed)."""
    h = hashlib.sha256()
    left = n
    while left:
        b = c.recv(min(CHUNK, left))
        if not b:
            break
        h.update(b)
        left -= len(b)
    return h.hexdigest()


def serve_one(c):
    try:
        c.settimeout(TIMEOUT)
        verb, n = recv_line(c).split()
        n = int(n)
        if verb == "PUT":
            c.sendall((recv_sha256(c, n) + "\n").encode())
        elif verb == "GET":
            data = os.urandom(n)
            c.sendall((hashlib.sha256(data).hexdigest() + "\n").encode() + data)
    except (OSError, ValueError):
        pass
    finally:
        c.close()


def serve(port, ready):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(16)
    open(ready, "w").close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_one, args=(c,), daemon=True).start()


def client(verb, src, dst, port, n):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.settimeout(TIMEOUT)
    c.bind((src, 0))
    start = time.monotonic()
    c.connect((dst, port))
    c.sendall(("%s %d\n" % (verb.upper(), n)).encode())
    if verb == "put":
        data = os.urandom(n)
        c.sendall(data)
        want = hashlib.sha256(data).hexdigest()
        got = recv_line(c)
    else:
        got = recv_line(c)
        want = recv_sha256(c, n)
    c.close()
    ok = got == want
    print("%s %d bytes %s -> %s in %.2f s: sha256 %s" %
          (verb, n, src, dst, time.monotonic() - start, "ok" if ok else "MISMATCH"))
    return ok


def main():
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    try:
        ok = client(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    except OSError as e:
        print("%s %s -> %s: %s" % (sys.argv[1], sys.argv[2], sys.argv[3], e))
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
