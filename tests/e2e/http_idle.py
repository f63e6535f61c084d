#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Hold many idle TCP connections to a server and report when it closes them.

usage: http_idle.py HOST PORT N SECONDS [SOURCE]

Opens N connections (from SOURCE when given) that send nothing, prints
"connected N" once all are, then waits up to SECONDS for the server to
close them and prints "closed K of N FIRST LAST": K connections closed
by the server (EOF or reset), FIRST and LAST the seconds from the last
connect to the first and last close ("-" when none). A connection the
server closes at once (refused for a limit) counts as closed, at about 0.
"""
import os
import selectors
import socket
import sys
import time


def main():
    host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    source = sys.argv[5] if len(sys.argv) > 5 else None
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        if source:
            s.bind((source, 0))
        s.settimeout(5)
        s.connect((host, port))
        s.setblocking(False)
        socks.append(s)
    start = time.time()
    print("connected %d" % len(socks), flush=True)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    closed = []
    while len(closed) < n and time.time() - start < hold:
        for key, _ in sel.select(timeout=0.1):
            try:
                data = key.fileobj.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if data:
                continue
            closed.append(time.time() - start)
            sel.unregister(key.fileobj)
    if closed:
        print("closed %d of %d %.1f %.1f" % (len(closed), n, min(closed), max(closed)))
    else:
        print("closed 0 of %d - -" % n)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
