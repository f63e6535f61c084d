#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send tunnel frames from the subscriber namespace to the concentrator.

usage: send_tunnels.py IFACE DST_MAC KIND COUNT

KIND: ipip, gre-key, l2tpv2 (each from its own subscriber), spoof (alice's
ipip tunnel carrying bob's source address). Every frame carries UDP to
198.51.100.2:9999 with the payload "<KIND> <index>"; the inner TTL is 64.
"""
import struct
import sys

from scapy.all import GRE, IP, UDP, Ether, Raw, conf, sendp

DST = "198.51.100.2"
LOCAL = "192.0.2.1"

# kind: (outer source, inner source)
KINDS = {
    "ipip": ("192.0.2.10", "100.64.1.5"),
    "gre-key": ("192.0.2.11", "100.64.2.5"),
    "l2tpv2": ("192.0.2.12", "100.64.3.5"),
    "spoof": ("192.0.2.10", "100.64.2.5"),
}
GRE_KEY = 7
L2TP_TUNNEL, L2TP_SESSION = 10, 20


def inner(src, payload):
    return IP(src=src, dst=DST, ttl=64) / UDP(sport=40000, dport=9999) / Raw(payload)


def frame(kind, remote, src, i):
    pkt = inner(src, ("%s %d" % (kind, i)).encode())
    if kind in ("ipip", "spoof"):
        return IP(src=remote, dst=LOCAL) / pkt
    if kind == "gre-key":
        return IP(src=remote, dst=LOCAL) / GRE(key_present=1, key=GRE_KEY, proto=0x0800) / pkt
    # L2TPv2 data message: L bit + version 2, length, tunnel, session; PPP FF03 0021.
    body = b"\xff\x03\x00\x21" + bytes(pkt)
    hdr = struct.pack("!HHHH", 0x4002, 8 + len(body), L2TP_TUNNEL, L2TP_SESSION)
    return IP(src=remote, dst=LOCAL) / UDP(sport=1701, dport=1701) / Raw(hdr + body)


def main():
    iface, dst_mac, kind, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    remote, src = KINDS[kind]
    conf.verb = 0
    frames = [Ether(dst=dst_mac) / frame(kind, remote, src, i) for i in range(count)]
    sendp(frames, iface=iface, verbose=False)


if __name__ == "__main__":
    main()
