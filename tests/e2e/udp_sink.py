#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Count UDP datagrams on port 9999 until STOP_FILE appears (or a timeout).

usage: udp_sink.py READY_FILE STOP_FILE [SECONDS]

SECONDS: the time limit (default 60).

Prints one JSON object: {kind: {"count": n, "ttl": [ttls seen],
"bad": n}}, where kind is the first word of the payload "<kind> <index>"
and bad counts payloads that are not of that form or repeat an index.
"""
import json
import os
import socket
import sys
import time

TIMEOUT = 60
# Linux values; the socket module does not export them.
IP_TTL = 2
IP_RECVTTL = 12
SO_RCVBUFFORCE = 33
# Room for seconds of a stream: a receiver starved of CPU (a busy
# machine) must not drop what the network delivered.
RCVBUF = 8 << 20


def main():
    ready, stop = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else TIMEOUT
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    s.bind(("0.0.0.0", 9999))
    s.settimeout(0.2)
    open(ready, "w").close()
    seen = {}
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(4))
        except socket.timeout:
            if os.path.exists(stop):
                break
            continue
        ttl = None
        for level, typ, val in anc:
            if level == socket.IPPROTO_IP and typ == IP_TTL:
                ttl = int.from_bytes(val[:4], sys.byteorder)
        words = data.decode(errors="replace").split()
        kind = words[0] if words else "?"
        e = seen.setdefault(kind, {"count": 0, "ttl": [], "bad": 0, "idx": set()})
        if len(words) != 2 or not words[1].isdigit() or words[1] in e["idx"]:
            e["bad"] += 1
        else:
            e["idx"].add(words[1])
        e["count"] += 1
        if ttl not in e["ttl"]:
            e["ttl"].append(ttl)
    for e in seen.values():
        del e["idx"]
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
