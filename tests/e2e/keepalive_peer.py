#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A RouterOS EoIP or Cisco GRE peer in the subscriber namespace.

usage: keepalive_peer.py IFACE DST_MAC KIND

KIND:
  eoip-ka    a RouterOS EoIP keepalive from 192.0.2.10, tunnel id 258;
             waits for tungate's answer
  gre-ka     a Cisco GRE keepalive (key 7) from 192.0.2.11; waits for the
             reflected inner packet
  eoip-data  an EoIP frame carrying UDP from 100.64.1.5 to 198.51.100.2

Prints one JSON object: {"answers": N, "exact": N, "first": HEX} where
exact counts the answers equal byte for byte to what the peer's own
implementation sends (RouterOS) or reflects (a router forwarding the
inner packet: TTL - 1), written out here from the formats, not from
tungate.
"""
import json
import struct
import sys
import time

from scapy.all import IP, UDP, AsyncSniffer, Ether, Raw, conf, sendp
from scapy.utils import checksum

LOCAL = "192.0.2.1"
EOIP_REMOTE, EOIP_ID = "192.0.2.10", 258
GRE_REMOTE, GRE_KEY = "192.0.2.11", 7
GW_MAC = "02:74:67:00:00:01"


def ip4(src, dst, proto, payload, ident=0, df=True, ttl=64):
    a = bytes(map(int, src.split("."))) + bytes(map(int, dst.split(".")))
    h = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(payload), ident,
                    0x4000 if df else 0, ttl, proto, 0) + a
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload


def eoip_hdr(length, tid):
    return bytes([0x20, 0x01, 0x64, 0x00]) + struct.pack("!H", length) + \
        struct.pack("<H", tid)


def eoip_keepalive(src, dst):
    """RouterOS keepalive: EoIP length 0, no payload (tungate's: DF, ID 0)."""
    return ip4(src, dst, 47, eoip_hdr(0, EOIP_ID))


def gre_keepalive():
    """Outer R -> C, inner C -> R GRE protocol 0, both keyed."""
    inner = ip4(LOCAL, GRE_REMOTE, 47,
                struct.pack("!HHI", 0x2000, 0, GRE_KEY), ident=0x1234,
                df=False, ttl=255)
    outer = ip4(GRE_REMOTE, LOCAL, 47,
                struct.pack("!HHI", 0x2000, 0x0800, GRE_KEY) + inner,
                ident=0x99, df=False, ttl=255)
    reflected = ip4(LOCAL, GRE_REMOTE, 47,
                    struct.pack("!HHI", 0x2000, 0, GRE_KEY), ident=0x1234,
                    df=False, ttl=254)
    return outer, reflected


def main():
    iface, dst_mac, kind = sys.argv[1], sys.argv[2], sys.argv[3]
    conf.verb = 0
    listen = 2.0
    send = None
    want = None
    if kind == "eoip-ka":
        send = eoip_keepalive(EOIP_REMOTE, LOCAL)
        want = eoip_keepalive(LOCAL, EOIP_REMOTE)
    elif kind == "gre-ka":
        send, want = gre_keepalive()
    elif kind == "eoip-data":
        pkt = IP(src="100.64.1.5", dst="198.51.100.2", ttl=64) / \
            UDP(sport=40000, dport=9999) / Raw(b"eoip data")
        eth = bytes(Ether(dst=GW_MAC, src="02:00:00:e2:00:99") / pkt)
        send = ip4(EOIP_REMOTE, LOCAL, 47, eoip_hdr(len(eth), EOIP_ID) + eth,
                   df=False)
        listen = 0
    else:
        sys.exit("unknown kind " + kind)

    seen = []
    sniffer = None
    if listen:
        src = LOCAL
        dst = GRE_REMOTE if kind == "gre-ka" else EOIP_REMOTE
        sniffer = AsyncSniffer(
            iface=iface, store=False,
            lfilter=lambda p: IP in p and p[IP].src == src and
            p[IP].dst == dst and p[IP].proto == 47,
            prn=lambda p: seen.append(bytes(p[IP])))
        sniffer.start()
        time.sleep(0.3)
    if send:
        sendp(Ether(dst=dst_mac, type=0x0800) / Raw(send), iface=iface,
              verbose=False)
    if sniffer:
        end = time.time() + listen
        while time.time() < end and not seen:
            time.sleep(0.05)
        sniffer.stop()
    # IP datagrams as received: any Ethernet padding cut at total length.
    got = [p[:struct.unpack("!H", p[2:4])[0]] for p in seen]
    print(json.dumps({
        "answers": len(got),
        "exact": sum(1 for p in got if p == want),
        "first": got[0].hex() if got else None,
    }))


if __name__ == "__main__":
    main()
