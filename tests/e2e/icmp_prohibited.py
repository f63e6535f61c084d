#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Ping a destination the network refuses: COUNT echo requests, each must be
answered with ICMP destination unreachable "communication administratively
prohibited" (type 3 code 13; ICMPv6 type 1 code 1) quoting that request.
With --none, nothing at all may come back (no reply, no error).

usage: icmp_prohibited.py SRC DST COUNT [--none]

SRC and DST are both IPv4 or both IPv6. Each request waits up to 2
seconds. Prints what came back, from which address.
"""
import os
import select
import socket
import struct
import sys
import time

# The sibling's checksum and bind: leave no __pycache__ in the tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from icmp_echo import TIMEOUT, bind_retry, csum  # noqa: E402


def quoted_echo(data, v6):
    """(id, seq) of the echo request an ICMP error (from its type on)
    quotes, or None."""
    q = data[8:]
    if v6:
        if len(q) < 48 or q[0] >> 4 != 6 or q[6] != 58 or q[40] != 128:
            return None
        return struct.unpack_from("!HH", q, 44)
    if len(q) < 20 or q[0] >> 4 != 4 or q[9] != 1:
        return None
    ihl = (q[0] & 0xF) * 4
    if len(q) < ihl + 8 or q[ihl] != 8:
        return None
    return struct.unpack_from("!HH", q, ihl + 4)


def probe(sock, v6, dst, ident, seq):
    """What came back for one request: 'prohibited', 'reply', 'other', or
    None for nothing."""
    payload = (b"tungate%08d" % seq).ljust(56, b".")
    req = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, seq) + payload
    if not v6:
        req = req[:2] + csum(req) + req[4:]
    sock.sendto(req, (dst, 0))
    deadline = time.monotonic() + TIMEOUT
    got = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return got
        data, addr = sock.recvfrom(65536)
        if not v6:
            data = data[(data[0] & 0xF) * 4:]
        if len(data) < 8:
            continue
        typ, code, _, rid, rseq = struct.unpack_from("!BBHHH", data)
        if typ == (129 if v6 else 0) and rid == ident and rseq == seq:
            print("request %d: echo reply from %s" % (seq, addr[0]))
            return "reply"
        if quoted_echo(data, v6) != (ident, seq):
            continue
        print("request %d: ICMP%s type %d code %d from %s" %
              (seq, "v6" if v6 else "", typ, code, addr[0]))
        if (typ, code) == ((1, 1) if v6 else (3, 13)):
            return "prohibited"
        got = "other"


def main():
    src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    none = "--none" in sys.argv[4:]
    v6 = ":" in dst
    if v6:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                             socket.IPPROTO_ICMPV6)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                             socket.IPPROTO_ICMP)
    bind_retry(sock, src)
    dst = socket.getaddrinfo(dst, 0, sock.family)[0][4][0]
    ident = os.getpid() & 0xFFFF
    want = None if none else "prohibited"
    results = [probe(sock, v6, dst, ident, seq) for seq in range(count)]
    ok = sum(r == want for r in results)
    print("%d of %d requests got %s" %
          (ok, count, "nothing back" if none else
           "administratively prohibited"))
    sys.exit(0 if ok == count else 1)


if __name__ == "__main__":
    main()
