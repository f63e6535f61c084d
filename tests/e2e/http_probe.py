#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send one (possibly bad) HTTP request and print what came back.

usage: http_probe.py HOST PORT KIND

KIND:
  get        GET /metrics; prints the status code and the body length
  path       GET /nothing
  method     POST /metrics with a small body
  version    GET /metrics HTTP/2.0
  garbage    a line that is no request
  huge       1 MB request line without an end
  hugeheader a request line, then a 1 MB header without an end
  hugebody   POST /metrics with a 1 MB body
  idle       connect and send nothing
  trickle    a valid request, one byte every 0.5 s
Prints "STATUS SECONDS" (the status code of the answer, or "closed" when
the connection was closed without one, "timeout" when nothing came in 20
s), SECONDS being the time from connecting to the answer.
"""
import socket
import sys
import time


def request(kind):
    if kind == "get":
        return b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"
    if kind == "path":
        return b"GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n"
    if kind == "method":
        return b"POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
    if kind == "version":
        return b"GET /metrics HTTP/2.0\r\nHost: t\r\n\r\n"
    if kind == "garbage":
        return b"\x16\x03\x01 hello there\r\n\r\n"
    if kind == "huge":
        return b"GET /" + b"a" * (1 << 20)
    if kind == "hugeheader":
        return b"GET /metrics HTTP/1.1\r\nHost: t\r\nX-Flood: " + b"a" * (1 << 20)
    if kind == "hugebody":
        body = b"x" * (1 << 20)
        return b"POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    if kind in ("idle", "trickle"):
        return b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"
    raise SystemExit("unknown kind " + kind)


def main():
    host, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    data = request(kind)
    s = socket.create_connection((host, port), timeout=20)
    start = time.time()
    try:
        if kind == "trickle":
            for b in data:
                s.sendall(bytes([b]))
                time.sleep(0.5)
                if time.time() - start > 15:
                    break
        elif kind != "idle":
            s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    reply = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    except socket.timeout:
        print("timeout %.1f" % (time.time() - start))
        return
    except ConnectionResetError:
        pass
    took = time.time() - start
    if not reply.startswith(b"HTTP/1.1 "):
        print("closed %.1f" % took)
        return
    status = reply.split(b" ")[1].decode()
    head, _, body = reply.partition(b"\r\n\r\n")
    if kind == "get":
        print("%s %.1f %d" % (status, took, len(body)))
    else:
        print("%s %.1f" % (status, took))


if __name__ == "__main__":
    main()
