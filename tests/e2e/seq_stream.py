#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send numbered tunnel frames at a fixed rate until STOP_FILE appears.

usage: seq_stream.py IFACE DST_MAC STOP_FILE KIND:PPS [KIND:PPS ...]

KIND: ipip or gre-key, as in send_tunnels.py (its frames); each kind is sent
at PPS frames per second, numbered 10000000, 10000001, ... so that every
payload "<KIND> <index>" has the same length. Prints one JSON object:
{kind: {"sent": n, "seconds": time from the first frame to the last}}.
"""
import json
import os
import socket
import struct
import sys
import time

from send_tunnels import KINDS, frame
from tunnel_endpoint import csum
from scapy.all import UDP, Ether

FIRST = 10000000
CHECK_STOP = 0.05  # seconds between looks at STOP_FILE
MAX_SECONDS = 300


class Stream:
    """One kind's frames: a template whose index digits and UDP checksum
    are rewritten per frame."""

    def __init__(self, dst_mac, kind, pps):
        remote, src = KINDS[kind]
        pkt = Ether(dst=dst_mac) / frame(kind, remote, src, FIRST)
        self.kind, self.pps = kind, pps
        self.tmpl = bytearray(bytes(pkt))
        # ipip and gre-key: the first UDP header is the inner one, last.
        inner = pkt[UDP].underlayer
        self.ulen = 8 + len(bytes(pkt[UDP].payload))
        self.uoff = len(self.tmpl) - self.ulen
        self.pseudo = (socket.inet_aton(inner.src) + socket.inet_aton(inner.dst)
                       + struct.pack("!BBH", 0, 17, self.ulen))
        self.digits = len(str(FIRST))
        self.sent = 0
        self.t0 = self.t1 = None

    def next(self):
        buf = self.tmpl
        idx = str(FIRST + self.sent).encode()
        buf[len(buf) - self.digits:] = idx
        buf[self.uoff + 6:self.uoff + 8] = b"\0\0"
        c = csum(self.pseudo + bytes(buf[self.uoff:]))
        buf[self.uoff + 6:self.uoff + 8] = c if c != b"\0\0" else b"\xff\xff"
        self.sent += 1
        return bytes(buf)


def main():
    iface, dst_mac, stop = sys.argv[1], sys.argv[2], sys.argv[3]
    streams = []
    for arg in sys.argv[4:]:
        kind, pps = arg.split(":")
        streams.append(Stream(dst_mac, kind, int(pps)))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    start = time.monotonic()
    last_check = start
    while True:
        now = time.monotonic()
        if now - last_check >= CHECK_STOP:
            last_check = now
            if os.path.exists(stop) or now - start > MAX_SECONDS:
                break
        for st in streams:
            due = int((now - start) * st.pps) + 1
            while st.sent < due:
                s.send(st.next())
                st.t1 = time.monotonic()
                if st.t0 is None:
                    st.t0 = st.t1
        time.sleep(0.0005)
    print(json.dumps({st.kind: {"sent": st.sent,
                                "seconds": (st.t1 - st.t0) if st.t0 else 0}
                      for st in streams}))


if __name__ == "__main__":
    main()
