#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Ping without the ping binary: COUNT echo requests, all must be answered.

usage: icmp_echo.py SRC DST COUNT [SIZE]

SRC and DST are both IPv4 or both IPv6 (ICMPv6 echo then). SIZE is the
echo payload length (default 56). Each request waits up to 2 seconds.
"""
import errno
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tunnel_endpoint import csum  # noqa: E402,F401

TIMEOUT = 2.0


def bind_retry(sock, src):
    """Bind to src, allowing an address that is briefly not yet usable."""
    deadline = time.monotonic() + 2
    while True:
        try:
            sock.bind((src, 0))
            return
        except OSError as e:
            if e.errno != errno.EADDRNOTAVAIL or time.monotonic() > deadline:
                raise
            print("bind %s: %s: retrying" % (src, e))
        time.sleep(0.05)


def echo(sock, v6, dst, ident, seq, size):
    payload = (b"tungate%08d" % seq).ljust(size, b".")[:size]
    req = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, seq) + payload
    if not v6:
        # The kernel fills in the ICMPv6 checksum itself, not the ICMP one.
        req = req[:2] + csum(req) + req[4:]
    try:
        sock.sendto(req, (dst, 0))
    except OSError as e:
        print("echo request %d: %s" % (seq, e))
        return False
    deadline = time.monotonic() + TIMEOUT
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return False
        data, addr = sock.recvfrom(65536)
        if not v6:
            data = data[(data[0] & 0xF) * 4:]
        if len(data) < 8 or addr[0] != dst:
            continue
        typ, _, _, rid, rseq = struct.unpack_from("!BBHHH", data)
        if typ == (129 if v6 else 0) and rid == ident and rseq == seq:
            return data[8:] == payload


def main():
    src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 56
    v6 = ":" in dst
    if v6:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    bind_retry(sock, src)
    dst = socket.getaddrinfo(dst, 0, sock.family)[0][4][0]
    ident = os.getpid() & 0xFFFF
    missed = [seq for seq in range(count) if not echo(sock, v6, dst, ident, seq, size)]
    answered = count - len(missed)
    print("%d of %d echo requests answered%s" %
          (answered, count, " (not: %s)" % " ".join(map(str, missed)) if missed else ""))
    sys.exit(0 if answered == count else 1)


if __name__ == "__main__":
    main()
