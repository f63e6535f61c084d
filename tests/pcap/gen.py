#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate the pcap regression cases of tungate's subscriber-side program.

Every case is a row: a name, a one-line description, the subscribers and
settings of its database, optional routing lines for `tungate replay --topo`,
and its packets. Each packet carries what replay must print for it (verdict,
reason, subscriber, egress) and the bytes the program must leave behind.
Expected packets are built here, with scapy, from the inner packet: never by
running tungate.

One directory per case is written:
  in.pcap        the input frames
  expected.pcap  one record per input frame, the bytes the program leaves
  expected.txt   `<index> <verdict> <reason> <sub|-> <egress|->` per frame
  expected_tc.txt    the same for the TC build (`replay --hook tc`),
                     worked out from the XDP rows by tc_expect()
  expected_tc.pcap   its output frames, only when they differ from
                     expected.pcap
  db.sh          database commands, run with $TUNGATE and $TUNGATE_DB set
  topo           replay routing lines (only when the case needs them)

Output is deterministic: fixed timestamps, IP ids and payloads.

Usage: gen.py [OUTDIR]    (default: the directory holding this script)
"""

import ipaddress
import os
import struct
import sys
import textwrap

from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_Router_Alert
from scapy.layers.inet6 import (
    ICMPv6NDOptDstLLAddr,
    IPv6,
    ICMPv6EchoRequest,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6ND_RA,
    ICMPv6ND_Redirect,
    ICMPv6ND_RS,
)
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw
from scapy.utils import rdpcap

# Outer Ethernet: to sub0 from the subscriber's router.
SUB0_MAC = "02:00:00:00:00:01"
PEER_MAC = "02:00:00:00:00:aa"
# Forwarded packets leave on up0 toward the default gateway up0p.
UP0_MAC = "02:00:00:00:01:01"
UP0P_MAC = "02:00:00:00:01:02"
# Inner Ethernet of the Ethernet-carrying tunnels.
IN_DST_MAC = "02:00:00:00:10:01"
IN_SRC_MAC = "02:00:00:00:10:02"

LOCAL = "192.0.2.1"
# tungate's own address inside Ethernet tunnels (setting gateway-mac).
GW_MAC = "02:74:67:00:00:01"
DST4 = "203.0.113.20"
DST6 = "2001:db8:ffff::20"
TS0 = 1700000000

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
ETH_P_TEB = 0x6558
ETH_P_EOIP = 0x6400
ETH_P_PPTP = 0x880B

COOKIE4 = bytes.fromhex("0a0b0c0d")
COOKIE8 = bytes.fromhex("1122334455667788")


# --------------------------------------------------------------------------
# Subscribers: every case picks the ones it needs for its db.sh.

class Sub:
    def __init__(self, name, n, kind, remote, args="", extra=(),
                 local=LOCAL):
        self.name = name
        self.local = local
        self.extra = list(extra)
        self.kind = kind
        self.remote = remote
        self.args = args
        self.p4 = "100.64.%d.0/24" % n
        self.p6 = "2001:db8:%d::/48" % n
        self.h4 = "100.64.%d.10" % n
        self.h6 = "2001:db8:%d::10" % n

    def cli(self):
        args = " " + self.args if self.args else ""
        # IPIP carries only IPv4, 6in4 only IPv6.
        prefixes = []
        if self.kind != "sit":
            prefixes.append(self.p4)
        if self.kind != "ipip":
            prefixes.append(self.p6)
        prefixes += self.extra
        return ('"$TUNGATE" sub add %s --type %s --remote %s --local %s%s%s'
                % (self.name, self.kind, self.remote, self.local, args,
                   "".join(" --prefix " + p for p in prefixes)))


SUBS = {}


def def_sub(name, n, kind, remote, args="", extra=(), local=LOCAL):
    SUBS[name] = Sub(name, n, kind, remote, args, extra, local)


def_sub("ipip", 10, "ipip", "192.0.2.10")
def_sub("sit", 11, "sit", "192.0.2.11")
def_sub("gre", 12, "gre", "192.0.2.12")
def_sub("grek7", 13, "gre", "192.0.2.12", "--key 7")
def_sub("grekbig", 14, "gre", "192.0.2.12", "--key 305419896")
def_sub("tap", 15, "gretap", "192.0.2.13")
def_sub("tapk9", 16, "gretap", "192.0.2.13", "--key 9")
def_sub("eoip", 17, "eoip", "192.0.2.14", "--tunnel-id 258")
# L2TPv3 over IP: cookie 0/4/8 bytes x sublayer default/none.
def_sub("l3ip", 18, "l2tpv3-ip", "192.0.2.15", "--session 16909060")
def_sub("l3ipn", 19, "l2tpv3-ip", "192.0.2.15", "--session 19 --sublayer none")
def_sub("l3ipc4", 20, "l2tpv3-ip", "192.0.2.15",
        "--session 20 --cookie 0a0b0c0d")
def_sub("l3ipc4n", 21, "l2tpv3-ip", "192.0.2.15",
        "--session 21 --cookie 0a0b0c0d --sublayer none")
def_sub("l3ipc8", 22, "l2tpv3-ip", "192.0.2.15",
        "--session 22 --cookie 1122334455667788")
def_sub("l3ipc8n", 23, "l2tpv3-ip", "192.0.2.15",
        "--session 23 --cookie 1122334455667788 --sublayer none")
# L2TPv3 over UDP: the same matrix.
def_sub("l3udp", 24, "l2tpv3-udp", "192.0.2.16", "--session 168496141")
def_sub("l3udpn", 25, "l2tpv3-udp", "192.0.2.16",
        "--session 25 --sublayer none")
def_sub("l3udpc4", 26, "l2tpv3-udp", "192.0.2.16",
        "--session 26 --cookie 0a0b0c0d")
def_sub("l3udpc4n", 27, "l2tpv3-udp", "192.0.2.16",
        "--session 27 --cookie 0a0b0c0d --sublayer none")
def_sub("l3udpc8", 28, "l2tpv3-udp", "192.0.2.16",
        "--session 28 --cookie 1122334455667788")
def_sub("l3udpc8n", 29, "l2tpv3-udp", "192.0.2.16",
        "--session 29 --cookie 1122334455667788 --sublayer none")
def_sub("l2tp", 30, "l2tpv2", "192.0.2.17", "--tunnel-id 5 --session 6")
def_sub("l2tpb", 31, "l2tpv2", "192.0.2.17", "--tunnel-id 5 --session 7")
# One remote with a tunnel of every type, all with id 7.
def_sub("sripip", 40, "ipip", "192.0.2.40")
def_sub("srsit", 41, "sit", "192.0.2.40")
def_sub("srgre", 42, "gre", "192.0.2.40", "--key 7",
        extra=["100.64.142.0/24", "198.51.100.128/25"])
def_sub("srtap", 43, "gretap", "192.0.2.40", "--key 7")
def_sub("sreoip", 44, "eoip", "192.0.2.40", "--tunnel-id 7")
def_sub("srl3ip", 45, "l2tpv3-ip", "192.0.2.40", "--session 7")
def_sub("srl3udp", 46, "l2tpv3-udp", "192.0.2.40", "--session 7")
def_sub("srl2tp", 47, "l2tpv2", "192.0.2.40", "--tunnel-id 7 --session 7")
def_sub("srgre0", 48, "gre", "192.0.2.40")
# Keepalives: an EoIP tunnel with its own outer TTL, and the two ends of
# the Cisco capture tcpdump's various_gre.pcap (keyed GRE, key 40).
def_sub("eoipttl", 52, "eoip", "192.0.2.52", "--tunnel-id 4660 --ttl 200")
def_sub("cisco", 53, "gre", "10.172.64.7", "--key 40", local="10.172.64.6")
# Disabled, and added then deleted.
def_sub("off", 50, "ipip", "192.0.2.50", "--disabled")
def_sub("gone", 51, "gre", "192.0.2.51")



class DialIn(Sub):
    """A dial-in member of the LNS: no tunnel of its own until the LNS has
    its session up (a row of the session table gives it)."""

    def __init__(self, name, user, prefixes):
        Sub.__init__(self, name, 0, "l2tpv2", None)
        self.user = user
        self.prefixes = prefixes

    def cli(self):
        return ('"$TUNGATE" sub add %s --type l2tpv2 --user %s --password '
                'secret%s' % (self.name, self.user,
                              "".join(" --prefix " + p
                                      for p in self.prefixes)))


# alice of tests/lns/vm_client.sh.
SUBS["alice"] = DialIn("alice", "alice@exo.cat",
                       ["100.64.1.2/32", "2001:db8:1:1::/64",
                        "2001:db8:1:100::/56"])

# Session id, cookie and sublayer presence of the L2TPv3 subscribers.
L3 = {
    "l3ip": (16909060, b"", True), "l3ipn": (19, b"", False),
    "l3ipc4": (20, COOKIE4, True), "l3ipc4n": (21, COOKIE4, False),
    "l3ipc8": (22, COOKIE8, True), "l3ipc8n": (23, COOKIE8, False),
    "l3udp": (168496141, b"", True), "l3udpn": (25, b"", False),
    "l3udpc4": (26, COOKIE4, True), "l3udpc4n": (27, COOKIE4, False),
    "l3udpc8": (28, COOKIE8, True), "l3udpc8n": (29, COOKIE8, False),
    "srl3ip": (7, b"", True), "srl3udp": (7, b"", True),
}


# --------------------------------------------------------------------------
# Checksums and small wire helpers.

def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def a4(addr):
    return ipaddress.IPv4Address(addr).packed


def mac(m):
    return bytes.fromhex(m.replace(":", ""))


def ipv4_hdr(src, dst, proto, plen, ident=0x1000, frag=0, ttl=64,
             opts=b"", tot_len=None, ihl=None, version=4):
    """Outer IPv4 header; frag is the 16-bit flags + fragment offset word."""
    if ihl is None:
        ihl = 5 + len(opts) // 4
    if tot_len is None:
        tot_len = 20 + len(opts) + plen
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, tot_len, ident,
                    frag, ttl, proto, 0, a4(src), a4(dst)) + opts
    c = csum16(h)
    return h[:10] + struct.pack("!H", c) + h[12:]


def udp_hdr(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    h = struct.pack("!HHHH", sport, dport, length, 0)
    pseudo = a4(src) + a4(dst) + struct.pack("!BBH", 0, 17, length)
    c = csum16(pseudo + h + payload) or 0xFFFF
    return h[:6] + struct.pack("!H", c)


# --------------------------------------------------------------------------
# Packets as lists of segments (kind, bytes). Kinds drive the truncation
# cases: 'l2' outer Ethernet/VLAN, 'ip' outer IPv4 header, 'tun' tunnel
# header up to the identity used for the lookup, 'post' what is parsed after
# the lookup (cookie, sublayer, PPP, inner Ethernet), 'inner' the inner IP
# header, 'l4' everything after it.

def seg_ip(p):
    """Segments of an inner IP packet (scapy object or bytes)."""
    b = bytes(p)
    if b and b[0] >> 4 == 4 and (b[0] & 15) >= 5:
        hl = (b[0] & 15) * 4
    elif b and b[0] >> 4 == 6:
        hl = 40
    else:
        hl = len(b)
    return [("inner", b[:hl]), ("l4", b[hl:])]


def l2_segs(kind, dst, src, vlans, etype):
    """Ethernet header + VLAN tags [(tpid, vid)...] ending in etype."""
    types = [t for t, _ in vlans] + [etype]
    segs = [(kind, mac(dst) + mac(src) + struct.pack("!H", types[0]))]
    for i, (_, vid) in enumerate(vlans):
        segs.append((kind, struct.pack("!HH", vid, types[i + 1])))
    return segs


def eth(p, vlans=(), etype=None, dst=IN_DST_MAC, src=IN_SRC_MAC):
    """Inner Ethernet frame around p (scapy IP/IPv6/ARP or segments)."""
    if isinstance(p, list):
        segs = p
    elif isinstance(p, (IP, IPv6)):
        segs = seg_ip(p)
    else:
        segs = [("l4", bytes(p))]
    if etype is None:
        if isinstance(p, IP):
            etype = ETH_P_IP
        elif isinstance(p, IPv6):
            etype = ETH_P_IPV6
        elif isinstance(p, ARP):
            etype = ETH_P_ARP
        else:
            raise ValueError("eth: give etype")
    return l2_segs("post", dst, src, vlans, etype) + segs


def body(p):
    if isinstance(p, list):
        return p
    if isinstance(p, (IP, IPv6)):
        return seg_ip(p)
    return [("l4", bytes(p))]


def gre(p, proto=None, key=None, seq=None, csum=False, bad_csum=False,
        word=None, extra=b""):
    """GRE header (RFC 2784/2890) in front of p. word overrides the first
    16 bits; extra is appended after the optional fields."""
    segs = body(p)
    if proto is None:
        proto = ETH_P_IP if isinstance(p, IP) else ETH_P_IPV6
    if word is None:
        word = ((0x8000 if csum else 0) | (0x2000 if key is not None else 0) |
                (0x1000 if seq is not None else 0))
    hdr = [("tun", struct.pack("!HH", word, proto))]
    if word & 0xC000:
        hdr.append(("tun", b"\0\0\0\0"))
    if key is not None:
        hdr.append(("tun", struct.pack("!I", key)))
    if seq is not None:
        hdr.append(("tun", struct.pack("!I", seq)))
    if extra:
        hdr.append(("tun", extra))
    if csum:
        payload = b"".join(b for _, b in hdr + segs)
        c = csum16(payload)
        if bad_csum:
            c ^= 0x5555
        hdr[1] = ("tun", struct.pack("!HH", c, 0))
    return hdr + segs


def eoip(p, tid, proto=ETH_P_EOIP):
    """MikroTik EoIP: 0x2001, protocol, payload length BE, tunnel id LE."""
    segs = body(p)
    plen = sum(len(b) for _, b in segs)
    return [("tun", struct.pack("!HHH", 0x2001, proto, plen) +
             struct.pack("<H", tid))] + segs


def sublayer(seq=None):
    return struct.pack("!I", 0 if seq is None else 0x40000000 | seq)


def l2tpv3_ip(p, session, cookie=b"", sl=True, seq=None):
    segs = [("tun", struct.pack("!I", session))]
    if cookie:
        segs.append(("post", cookie))
    if sl:
        segs.append(("post", sublayer(seq)))
    return segs + body(p)


def l2tpv3_udp(p, session, cookie=b"", sl=True, seq=None):
    segs = [("tun", struct.pack("!HH", 0x0003, 0)),
            ("tun", struct.pack("!I", session))]
    if cookie:
        segs.append(("post", cookie))
    if sl:
        segs.append(("post", sublayer(seq)))
    return segs + body(p)


def l3(name, p, seq=None):
    """L2TPv3 data of subscriber name (over IP or UDP as it is set up)."""
    session, cookie, sl = L3[name]
    if SUBS[name].kind == "l2tpv3-ip":
        return l2tpv3_ip(p, session, cookie, sl, seq)
    return l2tpv3_udp(p, session, cookie, sl, seq)


def ppp(p, proto=None, ff03=True, pfc=False):
    segs = body(p)
    if proto is None:
        proto = 0x0021 if isinstance(p, IP) else 0x0057
    hdr = []
    if ff03:
        hdr.append(("post", b"\xff\x03"))
    if pfc:
        hdr.append(("post", struct.pack("!B", proto)))
    else:
        hdr.append(("post", struct.pack("!H", proto)))
    return hdr + segs


def l2tpv2(p, tid, sid, L=False, S=False, O=None, P=False, ns=3, nr=4,
           T=False):
    """L2TPv2 header (RFC 2661); O is the offset size (pad bytes 0xee)."""
    segs = body(p)
    word = ((0x8000 if T else 0) | (0x4000 if L else 0) |
            (0x0800 if S else 0) | (0x0200 if O is not None else 0) |
            (0x0100 if P else 0) | 2)
    hdr = []
    rest = sum(len(b) for _, b in segs)
    hlen = 2 + (2 if L else 0) + 4 + (4 if S else 0)
    if O is not None:
        hlen += 2 + O
    first = struct.pack("!H", word)
    if L:
        first += struct.pack("!H", hlen + rest)
    hdr.append(("tun", first))
    hdr.append(("tun", struct.pack("!HH", tid, sid)))
    if S:
        hdr.append(("tun", struct.pack("!HH", ns, nr)))
    if O is not None:
        hdr.append(("tun", struct.pack("!H", O) + b"\xee" * O))
    return hdr + segs


class Pkt:
    """A frame plus what the truncation and expectation helpers need."""

    def __init__(self, data, segs, sub, eth_dst, eth_src, ip_off, udp_off,
                 gre_off, gre_csum):
        self.data = data
        self.segs = segs            # [(start, end, kind)]
        self.sub = sub              # subscriber the tunnel belongs to
        self.eth_dst = eth_dst
        self.eth_src = eth_src
        self.ip_off = ip_off
        self.udp_off = udp_off
        self.gre_off = gre_off
        self.gre_csum = gre_csum
        self.inner_off = None
        for s, _, k in segs:
            if k == "inner":
                self.inner_off = s
                break


def frame(p, proto=None, src=None, dst=LOCAL, sub=None, vlans=(), opts=b"",
          frag=0, ident=0x1000, udp=None, trailer=b"", tot_len=None,
          ihl=None, eth_dst=SUB0_MAC, eth_src=PEER_MAC, etype=ETH_P_IP):
    """Outer Ethernet [+ VLANs] + IPv4 [+ UDP] around segments p.
    sub names the subscriber (source address and truncation expectations)."""
    segs = body(p)
    if src is None:
        src = SUBS[sub].remote
    if udp is not None:
        payload = b"".join(b for _, b in segs)
        segs = [("tun", udp_hdr(src, dst, udp[0], udp[1], payload))] + segs
        proto = 17
    payload = b"".join(b for _, b in segs)
    iph = ipv4_hdr(src, dst, proto, len(payload), ident=ident, frag=frag,
                   opts=opts, tot_len=tot_len, ihl=ihl)
    all_segs = l2_segs("l2", eth_dst, eth_src, vlans, etype) + [("ip", iph)]
    all_segs += segs
    data = b""
    offs = []
    gre_off = None
    for k, b in all_segs:
        offs.append((len(data), len(data) + len(b), k))
        data += b
    ip_off = sum(len(b) for k, b in all_segs if k == "l2")
    l4_off = ip_off + len(iph)
    udp_off = l4_off if udp is not None else None
    gre_csum = False
    if proto == 47:
        gre_off = l4_off
        gre_csum = bool(data[gre_off] & 0x80)
    return Pkt(data + trailer, offs, sub, eth_dst, eth_src, ip_off, udp_off,
               gre_off, gre_csum)


# --------------------------------------------------------------------------
# Inner packets.

def in4(sub=None, l4="udp", src=None, dst=DST4, ttl=64, ident=0x2000,
        payload=b"tungate payload", **kw):
    if src is None:
        src = SUBS[sub].h4
    ip = IP(src=src, dst=dst, ttl=ttl, id=ident, **kw)
    if l4 == "udp":
        return ip / UDP(sport=40000, dport=7) / Raw(payload)
    if l4 == "tcp":
        return ip / TCP(sport=40001, dport=443, seq=1000, ack=0, flags="S",
                        window=64240) / Raw(payload)
    if l4 == "icmp":
        return ip / ICMP(type=8, id=7, seq=1) / Raw(payload)
    if l4 == "gre":
        inner = IP(src="198.51.100.200", dst="203.0.113.200", id=1) / \
            UDP(sport=1, dport=7) / Raw(payload)
        return ip / Raw(struct.pack("!HH", 0, 0x0800) + bytes(inner))
    return ip / Raw(payload)


def in4_with_csum(sub, target):
    """Inner IPv4 whose header checksum is target, found by the IP id."""
    hdr = bytearray(bytes(in4(sub, ident=0))[:20])
    hdr[10:12] = b"\0\0"
    for ident in range(0x10000):
        struct.pack_into("!H", hdr, 4, ident)
        if csum16(bytes(hdr)) == target:
            p = in4(sub, ident=ident)
            assert IP(bytes(p)).chksum == target
            return p
    raise ValueError("no id gives checksum 0x%04x" % target)


def in4_gre_csum0(sub):
    """Inner IPv4 (protocol 253, 101 bytes of payload) whose keyless GRE
    checksum is 0x0000: its first two payload bytes make the sum 0xffff."""
    rest = bytes(range(99))
    hdr = struct.pack("!HHI", 0x8000, ETH_P_IP, 0)
    c = csum16(hdr + bytes(in4(sub, "raw", proto=253, payload=b"\0\0" + rest)))
    p = in4(sub, "raw", proto=253, payload=struct.pack("!H", c) + rest)
    assert csum16(hdr + bytes(p)) == 0
    return p


def in6(sub=None, l4="udp", src=None, dst=DST6, hlim=64,
        payload=b"tungate payload", **kw):
    if src is None:
        src = SUBS[sub].h6
    ip = IPv6(src=src, dst=dst, hlim=hlim, **kw)
    if l4 == "udp":
        return ip / UDP(sport=40000, dport=7) / Raw(payload)
    if l4 == "tcp":
        return ip / TCP(sport=40001, dport=443, seq=1000, ack=0, flags="S",
                        window=64240) / Raw(payload)
    if l4 == "icmp":
        return ip / ICMPv6EchoRequest(id=7, seq=1, data=payload)
    return ip / Raw(payload)


def arp(sub):
    return ARP(op=1, hwsrc=IN_SRC_MAC, psrc=SUBS[sub].h4,
               hwdst="00:00:00:00:00:00", pdst="100.64.0.1")


def nd(sub, icmp):
    return IPv6(src="fe80::10", dst="ff02::1", hlim=255) / icmp


ND_MSGS = [
    ICMPv6ND_RS(),
    ICMPv6ND_RA(routerlifetime=0),
    ICMPv6ND_NS(tgt="fe80::1"),
    ICMPv6ND_NA(tgt="fe80::10", R=0, S=1, O=1),
    ICMPv6ND_Redirect(tgt="fe80::1", dst="2001:db8:ffff::1"),
]


# --------------------------------------------------------------------------
# Expectations. Each returns (verdict, reason, sub, egress, bytes).

def inner_bytes(p):
    b = p.data[p.inner_off:]
    if b[0] >> 4 == 4:
        n = struct.unpack("!H", b[2:4])[0]
    else:
        n = 40 + struct.unpack("!H", b[4:6])[0]
    return b[:n], b[n:]


def fwd(p, dmac=UP0P_MAC, smac=UP0_MAC):
    """The inner packet as forwarded: new MACs, TTL/hop limit - 1."""
    ib, tail = inner_bytes(p)
    if ib[0] >> 4 == 4:
        ip = IP(ib)
        ip.ttl -= 1
        del ip.chksum
    else:
        ip = IPv6(ib)
        ip.hlim -= 1
    out = bytes(Ether(dst=dmac, src=smac) / ip) + tail
    assert len(out) == 14 + len(ib) + len(tail)
    return out


def decap_bytes(p):
    """Decapsulated, not forwarded: outer MACs, inner ethertype, TTL kept."""
    ib, tail = inner_bytes(p)
    et = ETH_P_IP if ib[0] >> 4 == 4 else ETH_P_IPV6
    return bytes(Ether(dst=p.eth_dst, src=p.eth_src, type=et) / Raw(ib + tail))


def ok(p, egress="up0", **kw):
    return (p, "redirect", "ok", p.sub, egress, fwd(p, **kw))


def untouched(p, verdict, reason, sub=None):
    return (p, verdict, reason, sub, None, p.data)


def passed(p, reason, sub=None):
    return untouched(p, "pass", reason, sub)


def dropped(p, reason, sub=None):
    return untouched(p, "drop", reason, sub)


def control(p):
    return passed(p, "control", p.sub)


def neigh_reply(p, inner, key=None):
    """ARP / neighbour solicitation p answered with inner (scapy ARP or
    IPv6) in the same tunnel: outer addresses and MACs swapped, outer IPv4
    id 0 with DF and TTL 64, the subscriber's own tunnel header, inner
    Ethernet from the gateway MAC to the asker."""
    s = SUBS[p.sub]
    segs = eth(inner, dst=IN_SRC_MAC, src=GW_MAC)
    if s.kind == "gretap":
        segs, proto = gre(segs, ETH_P_TEB, key=key), 47
    elif s.kind == "eoip":
        segs, proto = eoip(segs, 258), 47
    elif s.kind == "l2tpv3-ip":
        segs, proto = l3(p.sub, segs), 115
    else:
        # L2TPv3 over UDP: from the configured port to the asker's, no
        # UDP checksum (the subscriber's default).
        segs, proto = l3(p.sub, segs), 17
        payload = b"".join(b for _, b in segs)
        segs = [("tun", struct.pack("!HHHH", 1701, 1701, 8 + len(payload),
                                    0))] + segs
    r = frame(segs, proto, src=LOCAL, dst=s.remote, ident=0, frag=0x4000,
              eth_dst=p.eth_src, eth_src=p.eth_dst)
    return (p, "tx", "neigh_reply", p.sub, None, r.data)


def eoip_keepalive(p, ttl=64):
    """EoIP keepalive p answered with tungate's own, written out from its
    format (bpf/lib/keepalive.h): the L2 header as received, MACs swapped,
    then IPv4 (IHL 5, TOS 0, length 28, id 0, DF, the subscriber's TTL,
    protocol 47, from --local to --remote) and the EoIP header 20 01 64 00,
    length 0, the tunnel id little endian; no padding."""
    s = SUBS[p.sub]
    tid = int(dict(zip(s.args.split()[::2], s.args.split()[1::2]))
              ["--tunnel-id"])
    l2 = mac(p.eth_src) + mac(p.eth_dst) + p.data[12:p.ip_off]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0x4000, ttl, 47, 0,
                      a4(s.local), a4(s.remote))
    iph = iph[:10] + struct.pack("!H", csum16(iph)) + iph[12:]
    ka = iph + bytes([0x20, 0x01, 0x64, 0x00, 0x00, 0x00, tid & 0xFF,
                      tid >> 8])
    assert len(ka) == 28
    return (p, "tx", "keepalive", p.sub, None, l2 + ka)


def gre_reflection(p):
    """GRE keepalive p reflected: outer IPv4 and GRE headers gone, the L2
    header as received with the MACs swapped, the inner packet with its
    TTL one lower and its header checksum computed afresh (the program
    updates it incrementally: the two must agree)."""
    ib, tail = inner_bytes(p)
    hl = (ib[0] & 15) * 4
    h = bytearray(ib[:hl])
    h[8] -= 1
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack("!H", csum16(bytes(h)))
    l2 = mac(p.eth_src) + mac(p.eth_dst) + p.data[12:p.ip_off]
    return (p, "tx", "keepalive", p.sub, None, l2 + bytes(h) + ib[hl:] + tail)


def decap(p, verdict, reason):
    return (p, verdict, reason, p.sub, None, decap_bytes(p))


def truncations(p):
    """Cut p at every header boundary and in the middle of every header,
    once with the outer IPv4 total length still claiming the original length
    (always truncated) and once with it (and UDP length, GRE checksum)
    adjusted to the cut."""
    cuts = set()
    for s, e, _ in p.segs:
        cuts.add(s)
        if e - s >= 2:
            cuts.add(s + (e - s) // 2)
    rows = []
    for c in sorted(cuts):
        if c < 14 or c >= len(p.data):
            continue
        q = Pkt(p.data[:c], p.segs, p.sub, p.eth_dst, p.eth_src, p.ip_off,
                p.udp_off, p.gre_off, p.gre_csum)
        rows.append(passed(q, "truncated"))
    for c in sorted(cuts):
        ihl = (p.data[p.ip_off] & 15) * 4
        if c < p.ip_off + ihl or c >= len(p.data):
            continue
        d = bytearray(p.data[:c])
        struct.pack_into("!H", d, p.ip_off + 2, c - p.ip_off)
        struct.pack_into("!H", d, p.ip_off + 10, 0)
        struct.pack_into("!H", d, p.ip_off + 10,
                         csum16(bytes(d[p.ip_off:p.ip_off + ihl])))
        if p.udp_off is not None and c >= p.udp_off + 8:
            struct.pack_into("!HH", d, p.udp_off + 4, c - p.udp_off, 0)
            src = bytes(d[p.ip_off + 12:p.ip_off + 16])
            dst = bytes(d[p.ip_off + 16:p.ip_off + 20])
            pseudo = src + dst + struct.pack("!BBH", 0, 17, c - p.udp_off)
            u = csum16(pseudo + bytes(d[p.udp_off:])) or 0xFFFF
            struct.pack_into("!H", d, p.udp_off + 6, u)
        if p.gre_csum and c >= p.gre_off + 8:
            struct.pack_into("!H", d, p.gre_off + 4, 0)
            struct.pack_into("!H", d, p.gre_off + 4,
                             csum16(bytes(d[p.gre_off:])))
        kind = [k for s, e, k in p.segs if s <= c < e][0]
        q = Pkt(bytes(d), p.segs, p.sub, p.eth_dst, p.eth_src, p.ip_off,
                p.udp_off, p.gre_off, p.gre_csum)
        if kind == "tun":
            rows.append(passed(q, "truncated"))
        elif kind == "post":
            rows.append(passed(q, "truncated", p.sub))
        elif kind in ("inner", "l4"):
            rows.append(dropped(q, "inner_malformed", p.sub))
        else:
            raise AssertionError("cut at %d in %s" % (c, kind))
    return rows


# --------------------------------------------------------------------------
# The cases.

CASES = []


def case(name, desc, rows, subs=(), config=(), topo=(), cli=(), sql=()):
    names = list(subs)
    for r in rows:
        if r[3] and r[3] not in names:
            names.append(r[3])
    CASES.append(dict(name=name, desc=desc, rows=rows, subs=names,
                      config=list(config), topo=list(topo), cli=list(cli),
                      sql=list(sql)))


def fr(sub, p, **kw):
    """Frame of the subscriber's own tunnel type around inner p."""
    s = SUBS[sub]
    a = s.args.split()
    opt = dict(zip(a[::2], a[1::2]))
    if s.kind in ("ipip",):
        return frame(p, 4, sub=sub, **kw)
    if s.kind == "sit":
        return frame(p, 41, sub=sub, **kw)
    if s.kind in ("gre", "gretap"):
        key = int(opt["--key"]) if "--key" in opt else None
        if s.kind == "gretap":
            p = eth(p) if isinstance(p, (IP, IPv6, ARP)) else p
            return frame(gre(p, ETH_P_TEB, key=key), 47, sub=sub, **kw)
        return frame(gre(p, key=key), 47, sub=sub, **kw)
    if s.kind == "eoip":
        p = eth(p) if isinstance(p, (IP, IPv6, ARP)) else p
        return frame(eoip(p, int(opt["--tunnel-id"])), 47, sub=sub, **kw)
    if s.kind.startswith("l2tpv3"):
        p = eth(p) if isinstance(p, (IP, IPv6, ARP)) else p
        if s.kind == "l2tpv3-ip":
            return frame(l3(sub, p), 115, sub=sub, **kw)
        return frame(l3(sub, p), sub=sub, udp=(1701, 1701), **kw)
    if s.kind == "l2tpv2":
        return frame(l2tpv2(ppp(p), int(opt["--tunnel-id"]),
                            int(opt["--session"])), sub=sub,
                     udp=(1701, 1701), **kw)
    raise ValueError(sub)


# The Cisco keepalive of tcpdump's various_gre.pcap (frame 11, its payload
# without the Cisco MetaData header 0x8909 around it: GRE protocol IPv4
# here), and the far end's reflection of it (frame 12), byte for byte.
CISCO_KA_IN = bytes.fromhex(
    "aabbcc000100aabbcc000200810004bd080045c0003800a40000ff2f24ce0aac4007"
    "0aac40062000080000000028"
    "45c0001c00a30000ff2f24eb0aac40060aac40072000000000000028")
CISCO_KA_OUT = bytes.fromhex(
    "aabbcc000200aabbcc000100810004bd080045c0001c00a30000fe2f25eb0aac4006"
    "0aac40072000000000000028")


def ka_inner(sub, src=None, dst=None, ttl=255, ident=0x00A3, proto=47,
             word=None, gproto=0, key=None, frag=0, ihl=None, opts=b"",
             tot_len=None, gre_bytes=None):
    """Segments of a GRE keepalive request of subscriber sub: inner IPv4
    from our end (src) to the subscriber's (dst), protocol 47, carrying a
    GRE header (version 0, protocol gproto, the key if given)."""
    s = SUBS[sub]
    src = s.local if src is None else src
    dst = s.remote if dst is None else dst
    if gre_bytes is None:
        if word is None:
            word = 0x2000 if key is not None else 0
        g = struct.pack("!HH", word, gproto)
        if word & 0x8000:
            g += b"\0\0\0\0"
        if word & 0x2000:
            g += struct.pack("!I", key or 0)
        if word & 0x1000:
            g += struct.pack("!I", 1)
        if word & 0x8000:
            g = g[:4] + struct.pack("!H", csum16(g)) + g[6:]
    else:
        g = gre_bytes
    iph = ipv4_hdr(src, dst, proto, len(g), ident=ident, frag=frag, ttl=ttl,
                   opts=opts, ihl=ihl, tot_len=tot_len)
    return [("inner", iph), ("l4", g)]


def gre_ka(sub, vlans=(), csum=False, outer_key=None, **kw):
    """A GRE keepalive request in the subscriber's own tunnel."""
    s = SUBS[sub]
    a = s.args.split()
    opt = dict(zip(a[::2], a[1::2]))
    key = int(opt["--key"]) if "--key" in opt else None
    if outer_key is not None:
        key = outer_key
    return frame(gre(ka_inner(sub, **kw), ETH_P_IP, key=key, csum=csum), 47,
                 sub=sub, src=s.remote, dst=s.local, vlans=vlans)


def ka_ident_for_csum(sub, target):
    """The IP id giving the keepalive request's inner header checksum
    target (to reach the edges of the incremental update)."""
    for ident in range(0x10000):
        h = ka_inner(sub, ident=ident)[0][1]
        if struct.unpack("!H", h[10:12])[0] == target:
            return ident
    raise ValueError("no id gives checksum 0x%04x" % target)


def eoip_ka(sub, tid=None, length=0, payload=None, pad=0, vlans=(), **kw):
    """A RouterOS EoIP keepalive (header only, length 0) of sub, with
    Ethernet padding after it; length and payload make the near misses."""
    s = SUBS[sub]
    if tid is None:
        a = s.args.split()
        tid = int(dict(zip(a[::2], a[1::2]))["--tunnel-id"])
    segs = [("tun", struct.pack("!HHH", 0x2001, ETH_P_EOIP, length) +
             struct.pack("<H", tid))]
    if payload is not None:
        segs += payload
    return frame(segs, 47, sub=sub, vlans=vlans, trailer=b"\0" * pad, **kw)


def build_keepalive():
    Q = [(ETH_P_8021Q, 100)]
    QQ = [(ETH_P_8021AD, 200), (ETH_P_8021Q, 100)]
    rows = []
    # EoIP: answered with ours (28 bytes, padding cut), tags kept.
    rows.append(eoip_keepalive(eoip_ka("eoip")))
    rows.append(eoip_keepalive(eoip_ka("eoip", pad=18)))
    rows.append(eoip_keepalive(eoip_ka("eoip", pad=14, vlans=Q)))
    rows.append(eoip_keepalive(eoip_ka("eoip", pad=10, vlans=QQ)))
    rows.append(eoip_keepalive(eoip_ka("eoip", frag=0x4000, ident=0)))
    rows.append(eoip_keepalive(eoip_ka("eoipttl", pad=18), ttl=200))
    # Outer IPv4 options: the answer has none, the frame gets shorter.
    rows.append(eoip_keepalive(eoip_ka("eoip", opts=b"\x94\x04\0\0",
                                       pad=14)))
    # Near misses: unknown id, an outer fragment, length 0 with a payload
    # (data: the length is not used), length 0 with a cut one, a length
    # with nothing after (padded or not): as before.
    rows.append(passed(eoip_ka("eoip", tid=259, pad=18), "unknown_tunnel"))
    rows.append(passed(eoip_ka("eoip", frag=0x2000, pad=18),
                       "outer_fragment"))
    rows.append(ok(eoip_ka("eoip", payload=eth(in4("eoip")))))
    rows.append(passed(eoip_ka("eoip", payload=[("post", b"\x02\0\0\0")],
                               pad=14), "truncated", "eoip"))
    rows.append(passed(eoip_ka("eoip", length=60), "truncated", "eoip"))
    rows.append(passed(eoip_ka("eoip", length=60, pad=18), "truncated",
                       "eoip"))
    rows.append(passed(eoip_ka("eoip", length=1), "truncated", "eoip"))

    # GRE: reflected, keyless and keyed (the inner GRE with the key or not),
    # tagged, outer checksum, inner C/K/S, inner options, TTL 2, the
    # checksum edges of the incremental update.
    rows.append(gre_reflection(gre_ka("gre")))
    rows.append(gre_reflection(gre_ka("grek7", key=7)))
    rows.append(gre_reflection(gre_ka("grek7")))
    rows.append(gre_reflection(gre_ka("gre", vlans=Q)))
    rows.append(gre_reflection(gre_ka("grek7", vlans=QQ, key=7)))
    rows.append(gre_reflection(gre_ka("gre", csum=True)))
    rows.append(gre_reflection(gre_ka("grek7", word=0xB000, key=7)))
    rows.append(gre_reflection(gre_ka("gre", opts=b"\x94\x04\0\0")))
    rows.append(gre_reflection(gre_ka("gre", ttl=2)))
    for target in (0xFEFF, 0xFF00, 0x0000, 0xFFFE):
        ident = ka_ident_for_csum("gre", target)
        rows.append(gre_reflection(gre_ka("gre", ident=ident)))
    # The real one: Cisco's request in, what the Cisco far end sent back
    # out, to the byte (MACs swapped, 802.1Q tag kept, TTL 255 -> 254).
    cisco = Pkt(CISCO_KA_IN, [(0, 18, "l2"), (18, 38, "ip"), (38, 46, "tun"),
                              (46, 66, "inner"), (66, 74, "l4")], "cisco",
                "aa:bb:cc:00:01:00", "aa:bb:cc:00:02:00", 18, None, 38, False)
    r = gre_reflection(cisco)
    assert r[5] == CISCO_KA_OUT, r[5].hex()
    rows.append(r)

    # Not keepalives: on to the anti-spoof check like any packet.
    rows.append(dropped(gre_ka("gre", dst="192.0.2.99"), "spoofed_src",
                        "gre"))
    rows.append(dropped(gre_ka("gre", gproto=ETH_P_IP), "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", word=0x0001), "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", word=0x4000), "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", gre_bytes=b"\0\0"), "spoofed_src",
                        "gre"))
    rows.append(dropped(gre_ka("gre", gre_bytes=b"\x20\0\0\0"),
                        "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", ttl=1), "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", ttl=0), "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", frag=0x2000), "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", proto=17), "spoofed_src", "gre"))
    rows.append(dropped(gre_ka("gre", src="192.0.2.99"), "spoofed_src",
                        "gre"))
    rows.append(dropped(fr("tap", IP(src=LOCAL, dst=SUBS["tap"].remote,
                                     ttl=255, proto=47) /
                           Raw(b"\0\0\0\0")), "spoofed_src", "tap"))
    # Broken inner headers: malformed, as before.
    rows.append(dropped(gre_ka("gre", ihl=4), "inner_malformed", "gre"))
    rows.append(dropped(gre_ka("gre", tot_len=60), "inner_malformed", "gre"))
    # From the member's own address: its traffic, decapsulated (the
    # remote lies on sub0's network, with no neighbour entry: to the
    # kernel).
    rows.append(decap(gre_ka("gre", src=SUBS["gre"].h4), "pass",
                      "fib_no_neigh"))
    # Unknown key, bad outer checksum, a keepalive reply.
    rows.append(passed(gre_ka("grek7", outer_key=8), "unknown_tunnel"))
    p = frame(gre(ka_inner("gre"), ETH_P_IP, csum=True, bad_csum=True), 47,
              sub="gre")
    rows.append(dropped(p, "gre_bad_csum", "gre"))
    rows.append(control(frame(gre([], proto=0), 47, sub="gre")))
    case("keepalive", "EoIP keepalives (length 0, no payload; padded, "
         "tagged, own TTL, outer options) answered with tungate's own, near "
         "misses as before (unknown id, fragment, payload after length 0, "
         "length with nothing after); GRE keepalives keyless and keyed "
         "(tagged, outer checksum, inner C/K/S and options, TTL 2, checksum "
         "edges, Cisco's real one) reflected with the inner TTL - 1; "
         "anything near them that is not one goes to the anti-spoof check "
         "(spoofed_src), or is malformed, unknown, a bad checksum or a "
         "keepalive reply (control)", rows,
         subs=["eoip", "eoipttl", "gre", "grek7", "tap", "cisco"])

    rows = [eoip_keepalive(eoip_ka("eoip", pad=18), ttl=99),
            eoip_keepalive(eoip_ka("eoipttl", pad=18), ttl=200)]
    case("keepalive_ttl", "EoIP keepalive answers with the ttl setting "
         "(99) and a subscriber's own (200)", rows, config=["ttl 99"])


def build_cases():
    L4S = ("tcp", "udp", "icmp")

    # IPIP and 6in4.
    rows = [ok(fr("ipip", in4("ipip", l4))) for l4 in L4S]
    rows.append(ok(fr("ipip", in4("ipip", "udp"), frag=0x4000)))
    rows.append(ok(fr("ipip", in4("ipip", "tcp",
                                  options=[IPOption_Router_Alert()]))))
    rows.append(ok(fr("ipip", in4("ipip", "udp", flags="MF"))))
    rows.append(ok(fr("ipip", in4("ipip", "raw", frag=100, proto=17))))
    rows.append(ok(fr("ipip", in4("ipip", "gre", proto=47))))
    rows.append(ok(fr("ipip", in4("ipip", "udp", dst="198.51.100.2"))))
    # Header checksums where the TTL decrement carries or wraps.
    for c in (0xFEFF, 0xFF00, 0xFF42, 0xFEFE, 0x0000, 0x00FF):
        rows.append(ok(fr("ipip", in4_with_csum("ipip", c))))
    case("ipip", "IPIP (proto 4): inner TCP, UDP, ICMP, outer DF, inner "
         "options, inner fragments, inner GRE, to the gateway itself; inner "
         "checksums 0xfeff, 0xff00, 0xff42, 0xfefe, 0x0000, 0x00ff before "
         "the TTL decrement", rows)

    rows = [ok(fr("sit", in6("sit", l4))) for l4 in L4S]
    rows.append(ok(fr("sit", in6("sit", "udp", tc=0xb8, fl=0x12345))))
    hbh = in6("sit", "raw", nh=0) / IPv6ExtHdrHopByHop(nh=17) / \
        UDP(sport=40000, dport=7) / Raw(b"hop by hop")
    rows.append(ok(fr("sit", hbh)))
    fh = in6("sit", "raw", nh=44) / IPv6ExtHdrFragment(nh=17, m=1, id=7) / \
        UDP(sport=40000, dport=7) / Raw(b"fragment")
    rows.append(ok(fr("sit", fh)))
    case("sit", "6in4 (proto 41): inner TCP, UDP, ICMPv6, traffic class "
         "and flow label, hop-by-hop and fragment headers", rows)

    # GRE keyless / keyed.
    rows = [ok(fr("gre", in4("gre", l4))) for l4 in L4S]
    rows += [ok(fr("gre", in6("gre", l4))) for l4 in L4S]
    case("gre_keyless", "GRE without key, inner IPv4 and IPv6, TCP, UDP, "
         "ICMP", rows)

    rows = [ok(fr("grek7", in4("grek7", l4))) for l4 in L4S]
    rows += [ok(fr("grek7", in6("grek7", l4))) for l4 in L4S]
    rows.append(ok(fr("grekbig", in4("grekbig"))))
    rows.append(ok(fr("grekbig", in6("grekbig"))))
    rows.append(ok(fr("gre", in4("gre"))))
    p = frame(gre(in4("grek7"), key=8), 47, sub="grek7")
    rows.append(passed(p, "unknown_tunnel"))
    p = frame(gre(in4("grekbig"), key=0x78563412), 47, sub="grekbig")
    rows.append(passed(p, "unknown_tunnel"))
    p = frame(gre(in4("gre"), key=0), 47, sub="gre")
    rows.append(passed(p, "unknown_tunnel"))
    case("gre_keyed", "GRE keys 7 and 0x12345678 beside a keyless tunnel on "
         "the same addresses; other key, byte-swapped key and key 0 are "
         "unknown tunnels", rows, subs=["gre", "grek7", "grekbig"])

    rows = []
    for c in (False, True):
        for k in (False, True):
            for s in (False, True):
                sub = "grek7" if k else "gre"
                for inner in (in4(sub, "udp"), in6(sub, "tcp")):
                    p = frame(gre(inner, key=7 if k else None,
                                  seq=0x01020304 if s else None, csum=c),
                              47, sub=sub)
                    rows.append(ok(p))
    case("gre_flags", "GRE with every combination of the C, K, S bits, "
         "inner IPv4 and IPv6", rows)

    rows = []
    p = frame(gre(in4("gre", payload=b"odd length!"), csum=True), 47,
              sub="gre")
    rows.append(ok(p))
    p = frame(gre(in6("gre", payload=b"x" * 1357), csum=True), 47, sub="gre")
    rows.append(ok(p))
    p = frame(gre(in4("gre", payload=bytes(range(256)) * 5), csum=True,
                  key=None), 47, sub="gre")
    rows.append(ok(p))
    # Checksummed spans (GRE header + payload) around the 4-byte words and
    # 512-byte chunks of the summing loop.
    for span in (37, 38, 39, 40, 41, 511, 512, 513, 514, 515, 1023, 1024,
                 1025, 1026, 1480):
        pl = (bytes(range(256)) * 6)[:span - 36]
        p = frame(gre(in4("gre", payload=pl), csum=True), 47, sub="gre")
        assert len(p.data) - p.gre_off == span
        rows.append(ok(p))
    # Inner UDP payloads around the summing's powers of two and 512-byte
    # chunks, up to a 1500-byte inner packet.
    for n in (0, 1, 255, 256, 257, 511, 512, 513, 1472):
        pl = (bytes(range(1, 256)) * 6)[:n]
        rows.append(ok(frame(gre(in4("gre", payload=pl), csum=True), 47,
                             sub="gre")))
    # A checksum of 0x0000, and the same sent as 0xffff (also zero in ones'
    # complement): both accepted.
    good = frame(gre(in4_gre_csum0("gre"), csum=True), 47, sub="gre")
    c = good.gre_off + 4
    assert good.data[c:c + 2] == b"\0\0"
    rows.append(ok(good))
    d = good.data[:c] + b"\xff\xff" + good.data[c + 2:]
    rows.append(ok(Pkt(d, good.segs, "gre", SUB0_MAC, PEER_MAC, good.ip_off,
                       None, good.gre_off, True)))
    # Longer than up0's MTU: checked, decapsulated, then left to the kernel.
    p = frame(gre(in6("gre", payload=bytes(range(251)) * 13), csum=True),
              47, sub="gre")
    rows.append(decap(p, "pass", "fib_frag_needed"))
    p = frame(gre(in4("grek7"), csum=True, key=7, seq=9), 47, sub="grek7",
              trailer=b"\xa5\x5a\xa5\x5a\x01\x02")
    rows.append(ok(p))
    p = frame(gre(in4("gre"), csum=True, bad_csum=True), 47, sub="gre")
    rows.append(dropped(p, "gre_bad_csum", "gre"))
    p = frame(gre(in6("gre", "tcp"), csum=True, bad_csum=True), 47,
              sub="gre")
    rows.append(dropped(p, "gre_bad_csum", "gre"))
    p = frame(gre(in4("grek7", payload=b"x" * 1001), csum=True,
                  bad_csum=True, key=7, seq=1), 47, sub="grek7")
    rows.append(dropped(p, "gre_bad_csum", "grek7"))
    # Checksum covering the Ethernet trailer too: wrong over tot_len.
    inner = in4("gre")
    segs = gre(inner, csum=True)
    good = frame(segs, 47, sub="gre")
    tr = b"\x12\x34"
    d = bytearray(good.data + tr)
    d[good.gre_off + 4:good.gre_off + 6] = b"\0\0"
    wrong = csum16(bytes(d[good.gre_off:])).to_bytes(2, "big")
    d[good.gre_off + 4:good.gre_off + 6] = wrong
    if wrong != good.data[good.gre_off + 4:good.gre_off + 6]:
        p = Pkt(bytes(d), good.segs, "gre", SUB0_MAC, PEER_MAC, good.ip_off,
                None, good.gre_off, True)
        rows.append(dropped(p, "gre_bad_csum", "gre"))
    case("gre_csum", "GRE checksum: odd length, 1.4k, 1.3k and 3.3k "
         "payloads, spans of 37..41, 511..515, 1023..1026 and 1480 bytes, "
         "inner UDP payloads of 0, 1, 255..257, 511..513 and 1472 bytes, "
         "a checksum of 0x0000 also sent as 0xffff, "
         "Ethernet trailer outside tot_len ignored (3.3k: fib_frag_needed "
         "after the check); wrong checksums (also "
         "one valid only when the trailer is included) are dropped", rows,
         subs=["gre", "grek7"])

    rows = []
    # R bit (RFC 1701 routing present), with checksum/offset + a null SRE.
    p = frame(gre(in4("gre"), word=0x4000, extra=b"\0\0\0\0"), 47, sub="gre")
    rows.append(passed(p, "gre_unsupported"))
    p = frame(gre(in4("gre"), word=0xC000, extra=b"\0\0\0\0"), 47, sub="gre")
    rows.append(passed(p, "gre_unsupported"))
    # PPTP enhanced GRE: K S A + version 1, 0x880b, length, call id, seq, ack.
    pptp = (struct.pack("!HHHHII", 0x3081, ETH_P_PPTP, 4, 0x0102, 1, 1) +
            b"\xff\x03\x00\x21")
    rows.append(passed(frame([("tun", pptp)] + seg_ip(in4("gre")), 47,
                             sub="gre"), "gre_unsupported"))
    # Version 1 with the EoIP first word but PPTP protocol.
    p = frame(eoip(eth(in4("eoip")), 258, proto=ETH_P_PPTP), 47, sub="eoip")
    rows.append(passed(p, "gre_unsupported"))
    # Versions 2 and 7.
    for v in (2, 7):
        p = frame(gre(in4("gre"), word=v), 47, sub="gre")
        rows.append(passed(p, "gre_unsupported"))
    # Reserved flag bits: strict source route, recursion, flags, version 1
    # EoIP word with S set.
    for w in (0x0800, 0x0100, 0x0400, 0x0080, 0x0008, 0x2000 | 0x0040):
        segs = gre(in4("grek7"), word=w,
                   extra=struct.pack("!I", 7) if w & 0x2000 else b"")
        rows.append(passed(frame(segs, 47, sub="gre"), "gre_unsupported"))
    p = frame([("tun", struct.pack("!HHHHI", 0x3001, ETH_P_EOIP, 60, 0x0201,
                                   1))] + eth(in4("eoip")), 47, sub="eoip")
    rows.append(passed(p, "gre_unsupported"))
    case("gre_unsupported", "GRE routing bit, PPTP (version 1 0x880b), "
         "versions 2 and 7, reserved flag bits, EoIP word with extra flags: "
         "passed untouched", rows, subs=["gre", "grek7", "eoip"])

    rows = []
    # Keepalive request: inner IPv4 proto 47 back to the subscriber,
    # reflected (the keepalive case has the rest).
    for sub, key in (("gre", None), ("grek7", 7)):
        ka = IP(src=LOCAL, dst=SUBS[sub].remote, ttl=255, id=0, proto=47) / \
            Raw(struct.pack("!HH", 0, 0))
        rows.append(gre_reflection(frame(gre(ka, key=key), 47, sub=sub)))
        # Keepalive reply: GRE protocol 0.
        rows.append(control(frame(gre([], proto=0, key=key), 47, sub=sub)))
    # GRE in GRE that is not a keepalive: forwarded.
    rows.append(ok(fr("gre", in4("gre", "gre", proto=47))))
    # Other protocol types of a known tunnel.
    mpls = struct.pack("!I", 100 << 12 | 0x100 | 64) + bytes(in4("gre"))
    lcp_echo = b"\xff\x03\xc0\x21\x09\x01\x00\x08\x01\x02\x03\x04"
    for proto, pl in ((0x8847, mpls), (ETH_P_ARP, bytes(arp("gre"))),
                      (0x880B, lcp_echo)):
        p = frame(gre([("l4", pl)], proto=proto), 47, sub="gre")
        rows.append(passed(p, "unsupported_payload", "gre"))
    case("gre_control", "GRE keepalive request (reflected: keepalive) "
         "and reply (protocol 0: control), keyless and keyed; GRE-in-GRE "
         "forwarded; MPLS, ARP, 0x880b payloads: unsupported_payload", rows)

    build_keepalive()

    # gretap.
    rows = []
    for sub in ("tap", "tapk9"):
        rows += [ok(fr(sub, in4(sub, l4))) for l4 in L4S]
        rows += [ok(fr(sub, in6(sub, l4))) for l4 in L4S]
        key = 9 if sub == "tapk9" else None
        for vl in ([(ETH_P_8021Q, 100)],
                   [(ETH_P_8021AD, 200), (ETH_P_8021Q, 100)],
                   [(ETH_P_8021Q, 10), (ETH_P_8021Q, 20)]):
            rows.append(ok(frame(gre(eth(in4(sub), vlans=vl), ETH_P_TEB,
                                     key=key), 47, sub=sub)))
            rows.append(ok(frame(gre(eth(in6(sub), vlans=vl), ETH_P_TEB,
                                     key=key), 47, sub=sub)))
    p = frame(gre(eth(in4("tap")), ETH_P_TEB, csum=True, seq=5), 47,
              sub="tap")
    rows.append(ok(p))
    case("gretap", "gretap keyless and keyed, inner IPv4/IPv6 TCP, UDP, "
         "ICMP, inner 802.1Q, QinQ and double 802.1Q, with checksum and "
         "sequence", rows)

    rows = []
    for sub in ("tap", "tapk9", "eoip", "l3ip", "l3udpc4n"):
        key = 9 if sub == "tapk9" else None

        def wrap(segs, sub=sub, key=key):
            if sub.startswith("tap"):
                return frame(gre(segs, ETH_P_TEB, key=key), 47, sub=sub)
            if sub == "eoip":
                return frame(eoip(segs, 258), 47, sub=sub)
            if SUBS[sub].kind == "l2tpv3-ip":
                return frame(l3(sub, segs), 115, sub=sub)
            return frame(l3(sub, segs), sub=sub, udp=(1701, 1701))
        rows.append(neigh_reply(
            wrap(eth(arp(sub), dst="ff:ff:ff:ff:ff:ff")),
            ARP(op=2, hwsrc=GW_MAC, psrc="100.64.0.1", hwdst=IN_SRC_MAC,
                pdst=SUBS[sub].h4), key))
        rows.append(control(wrap(eth(arp(sub), vlans=[(ETH_P_8021Q, 5)]))))
        for m in ND_MSGS:
            if isinstance(m, ICMPv6ND_NS):
                na = IPv6(src="fe80::1", dst="fe80::10", hlim=255) / \
                    ICMPv6ND_NA(tgt="fe80::1", R=1, S=1, O=1) / \
                    ICMPv6NDOptDstLLAddr(lladdr=GW_MAC)
                rows.append(neigh_reply(wrap(eth(nd(sub, m))), na, key))
            else:
                rows.append(control(wrap(eth(nd(sub, m)))))
        rows.append(control(wrap(eth([("l4", b"\x01" * 46)], etype=0x88B5))))
        rows.append(control(wrap(eth(in4(sub), vlans=[
            (ETH_P_8021AD, 1), (ETH_P_8021Q, 2), (ETH_P_8021Q, 3)]))))
        rows.append(ok(wrap(eth(in6(sub, "icmp")))))
    case("l2_control", "ARP request and IPv6 neighbour solicitation "
         "inside gretap, EoIP, L2TPv3: answered in the tunnel; ARP in a "
         "VLAN, IPv6 ND (RS, RA, NA, redirect), a local experimental "
         "ethertype and a third VLAN tag: control, untouched; "
         "ICMPv6 echo still forwarded", rows)

    # EoIP.
    rows = [ok(fr("eoip", in4("eoip", l4))) for l4 in L4S]
    rows += [ok(fr("eoip", in6("eoip", l4))) for l4 in L4S]
    rows.append(ok(frame(eoip(eth(in4("eoip"), vlans=[(ETH_P_8021Q, 7)]),
                              258), 47, sub="eoip")))
    rows.append(ok(frame(eoip(eth(in6("eoip"), vlans=[
        (ETH_P_8021AD, 7), (ETH_P_8021Q, 8)]), 258), 47, sub="eoip")))
    # Tunnel id in the wrong byte order: 0x0102 read big endian is 258.
    p = frame([("tun", struct.pack("!HHHH", 0x2001, ETH_P_EOIP, 60, 258))] +
              eth(in4("eoip")), 47, sub="eoip")
    rows.append(passed(p, "unknown_tunnel"))
    case("eoip", "MikroTik EoIP, tunnel id 258 little endian, inner IPv4/"
         "IPv6, VLANs; the id written big endian is an unknown tunnel", rows)

    # L2TPv3 over IP and over UDP.
    for over, names in (("ip", ("l3ip", "l3ipn", "l3ipc4", "l3ipc4n",
                                "l3ipc8", "l3ipc8n")),
                        ("udp", ("l3udp", "l3udpn", "l3udpc4", "l3udpc4n",
                                 "l3udpc8", "l3udpc8n"))):
        rows = []
        for sub in names:
            wrapper = (lambda segs, sub=sub, seq=None:
                       frame(l3(sub, segs, seq), 115, sub=sub)
                       if over == "ip" else
                       frame(l3(sub, segs, seq), sub=sub, udp=(1701, 1701)))
            rows.append(ok(wrapper(eth(in4(sub, "udp")))))
            rows.append(ok(wrapper(eth(in6(sub, "tcp")))))
            if L3[sub][2]:
                rows.append(ok(wrapper(eth(in4(sub, "icmp")), seq=0x123456)))
            rows.append(ok(wrapper(eth(in6(sub, "icmp"),
                                       vlans=[(ETH_P_8021Q, 3)]))))
            rows.append(ok(wrapper(eth(in4(sub, "tcp"), vlans=[
                (ETH_P_8021AD, 3), (ETH_P_8021Q, 4)]))))
        for sub in names:
            session, cookie, sl = L3[sub]
            if not cookie:
                continue
            bad = cookie[:-1] + bytes([cookie[-1] ^ 1])
            segs = (l2tpv3_ip if over == "ip" else l2tpv3_udp)(
                eth(in4(sub)), session, bad, sl)
            p = (frame(segs, 115, sub=sub) if over == "ip" else
                 frame(segs, sub=sub, udp=(1701, 1701)))
            rows.append(dropped(p, "bad_cookie", sub))
        # Unknown session.
        segs = (l2tpv3_ip if over == "ip" else l2tpv3_udp)(
            eth(in4(names[0])), 999, b"", True)
        p = (frame(segs, 115, sub=names[0]) if over == "ip" else
             frame(segs, sub=names[0], udp=(1701, 1701)))
        rows.append(passed(p, "unknown_tunnel"))
        # Control messages: SCCRQ with one AVP.
        avp = struct.pack("!HHHH", 0x8008, 0, 0, 1)
        if over == "ip":
            msg = struct.pack("!IHHIHH", 0, 0xC803, 12 + len(avp), 0, 0, 0)
            p = frame([("tun", msg + avp)], 115, sub=names[0])
        else:
            msg = struct.pack("!HHIHH", 0xC803, 12 + len(avp), 0, 0, 0)
            p = frame([("tun", msg + avp)], sub=names[0], udp=(1701, 1701))
        rows.append(passed(p, "control"))
        # ZLB ack on the control connection.
        if over == "ip":
            msg = struct.pack("!IHHIHH", 0, 0xC803, 12, 0x01020304, 1, 1)
            p = frame([("tun", msg)], 115, sub=names[0])
        else:
            msg = struct.pack("!HHIHH", 0xC803, 12, 0x01020304, 1, 1)
            p = frame([("tun", msg)], sub=names[0], udp=(1701, 1701))
        rows.append(passed(p, "control"))
        case("l2tpv3_" + over, "L2TPv3 over %s: cookie 0, 4, 8 bytes x "
             "sublayer default (S bit clear and set) or none, inner "
             "IPv4/IPv6, "
             "one and two VLAN tags; wrong cookies, unknown session, control "
             "messages" % ("IP (proto 115)" if over == "ip" else "UDP 1701"),
             rows, subs=list(names))

    rows = []
    for sub in ("l3udp", "l3udpc8"):
        session, cookie, sl = L3[sub]
        rows.append(ok(frame(l2tpv3_udp(eth(in4(sub)), session, cookie, sl),
                             sub=sub, udp=(1701, 1234))))
        rows.append(ok(frame(l2tpv3_udp(eth(in6(sub)), session, cookie, sl),
                             sub=sub, udp=(50000, 1234))))
    p = frame(l2tpv3_udp(eth(in4("l3udp")), L3["l3udp"][0]), sub="l3udp",
              udp=(1234, 1235))
    rows.append(passed(p, "not_tunnel"))
    rows.append(ok(fr("l2tp", in4("l2tp"))))
    # With the ports apart, each version is only looked for on its own port.
    p = frame(l2tpv3_udp(eth(in4("l3udp")), L3["l3udp"][0]), sub="l3udp",
              udp=(1701, 1701))
    rows.append(passed(p, "not_tunnel"))
    p = frame(l2tpv2(ppp(in4("l2tp")), 5, 6), sub="l2tp", udp=(1701, 1234))
    rows.append(passed(p, "not_tunnel"))
    case("l2tpv3_udp_port", "L2TPv3 over UDP on port 1234 set with config "
         "set l2tpv3-udp-port; port 1235 is not a tunnel; L2TPv2 stays on "
         "1701; L2TPv3 to 1701 and L2TPv2 to 1234 are not tunnels", rows,
         config=["l2tpv3-udp-port 1234"])

    rows = [ok(frame(l2tpv2(ppp(in4("l2tp")), 5, 6), sub="l2tp",
                     udp=(1701, 1702))),
            ok(frame(l2tpv2(ppp(in6("l2tp")), 5, 6, L=True), sub="l2tp",
                     udp=(40000, 1702))),
            ok(fr("l3udp", in4("l3udp"))),
            passed(frame(l2tpv2(ppp(in4("l2tp")), 5, 6), sub="l2tp",
                         udp=(1701, 1701)), "not_tunnel"),
            passed(frame(l2tpv3_udp(eth(in4("l3udp")), L3["l3udp"][0]),
                         sub="l3udp", udp=(1701, 1702)), "not_tunnel")]
    case("l2tpv2_udp_port", "L2TPv2 on port 1702 set with config set "
         "l2tpv2-udp-port; L2TPv3 stays on 1701; L2TPv2 to 1701 and L2TPv3 "
         "to 1702 are not tunnels", rows, config=["l2tpv2-udp-port 1702"])

    # L2TPv2 data: every L, S, O combination x PPP framing x family.
    rows = []
    for L in (False, True):
        for S in (False, True):
            for O in (None, 0, 3):
                for ff03 in (True, False):
                    for pfc in (False, True):
                        for inner in (in4("l2tp", "udp"), in6("l2tp", "tcp")):
                            segs = l2tpv2(ppp(inner, ff03=ff03, pfc=pfc),
                                          5, 6, L=L, S=S, O=O)
                            rows.append(ok(frame(segs, sub="l2tp",
                                                 udp=(1701, 1701))))
    rows.append(ok(frame(l2tpv2(ppp(in4("l2tp", "icmp")), 5, 6, L=True,
                                P=True), sub="l2tp", udp=(1701, 1701))))
    rows.append(ok(frame(l2tpv2(ppp(in6("l2tpb", "icmp")), 5, 7, S=True),
                         sub="l2tpb", udp=(1701, 1701))))
    case("l2tpv2", "L2TPv2 data over UDP 1701: every combination of the L, S, "
         "O bits (offset 0 and 3 with pad), P bit, PPP with and without "
         "FF03, 1- and 2-byte protocol, IPv4 and IPv6; two sessions of one "
         "tunnel", rows)

    rows = []
    avp = struct.pack("!HHHH", 0x8008, 0, 0, 1)
    msg = struct.pack("!HHHHHH", 0xC802, 12 + len(avp), 0, 0, 0, 0) + avp
    rows.append(passed(frame([("tun", msg)], sub="l2tp", udp=(1701, 1701)),
                       "control"))
    msg = struct.pack("!HHHHHH", 0xC802, 12, 5, 0, 2, 3)
    rows.append(passed(frame([("tun", msg)], sub="l2tp", udp=(1701, 1701)),
                       "control"))
    lcp = struct.pack("!BBHI", 9, 1, 8, 0x01020304)      # echo request
    ipcp = struct.pack("!BBHBB4s", 1, 1, 10, 3, 6, a4("100.64.30.10"))
    ipv6cp = struct.pack("!BBHBB8s", 1, 1, 14, 1, 10, b"\0" * 7 + b"\x10")
    pap = struct.pack("!BBHB5sB4s", 1, 1, 15, 5, b"alice", 4, b"pass")
    chap = struct.pack("!BBHB16s", 1, 1, 21, 16, b"\x5a" * 16)
    ccp = struct.pack("!BBH", 1, 1, 4)
    for proto, payload in ((0xC021, lcp), (0x8021, ipcp), (0x8057, ipv6cp),
                           (0xC023, pap), (0xC223, chap), (0x80FD, ccp)):
        for ff03 in (True, False):
            segs = l2tpv2(ppp([("l4", payload)], proto, ff03=ff03), 5, 6,
                          L=True)
            rows.append(control(frame(segs, sub="l2tp", udp=(1701, 1701))))
    # FF not followed by 03: no address/control field, protocol 0xff.
    segs = l2tpv2([("post", b"\xff\x00\x21")] + seg_ip(in4("l2tp")), 5, 6)
    rows.append(control(frame(segs, sub="l2tp", udp=(1701, 1701))))
    # Unknown tunnel and swapped tunnel/session ids.
    for tid, sid in ((5, 9), (9, 6), (6, 5)):
        segs = l2tpv2(ppp(in4("l2tp")), tid, sid)
        rows.append(passed(frame(segs, sub="l2tp", udp=(1701, 1701)),
                           "unknown_tunnel"))
    # Versions other than 2 and 3 on the L2TP port: not a tunnel.
    for ver in (0, 1, 4):
        segs = [("tun", struct.pack("!HHH", ver, 5, 6))] + ppp(in4("l2tp"))
        rows.append(passed(frame(segs, sub="l2tp", udp=(1701, 1701)),
                           "not_tunnel"))
    case("l2tpv2_control", "L2TPv2 control (T bit: SCCRQ, ZLB), PPP LCP, "
         "IPCP, IPV6CP, PAP, CHAP, CCP with and without FF03, FF not "
         "followed by 03 (protocol 0xff): control; "
         "unknown and swapped tunnel/session ids; L2TP versions 0, 1, 4",
         rows)

    # Outer VLANs and IPv4 options.
    rows = []
    for vl in ([(ETH_P_8021Q, 100)], [(ETH_P_8021AD, 100), (ETH_P_8021Q, 200)],
               [(ETH_P_8021Q, 100), (ETH_P_8021Q, 200)],
               [(ETH_P_8021Q, 100), (ETH_P_8021AD, 200)]):
        rows.append(ok(fr("ipip", in4("ipip"), vlans=vl)))
        rows.append(ok(fr("gre", in6("gre"), vlans=vl)))
        rows.append(ok(fr("tap", in4("tap", "tcp"), vlans=vl)))
        rows.append(ok(fr("l3udpc4", in6("l3udpc4", "icmp"), vlans=vl)))
        rows.append(ok(fr("l2tp", in4("l2tp", "icmp"), vlans=vl)))
    p = fr("ipip", in4("ipip"), vlans=[(ETH_P_8021Q, 1), (ETH_P_8021Q, 2),
                                       (ETH_P_8021Q, 3)])
    rows.append(passed(p, "not_tunnel"))
    p = fr("ipip", in4("ipip"), vlans=[(ETH_P_8021Q, 1)], etype=ETH_P_ARP)
    rows.append(passed(p, "not_tunnel"))
    case("outer_vlan", "outer 802.1Q, QinQ (802.1ad + 802.1Q), double "
         "802.1Q, 802.1Q + 802.1ad around IPIP, GRE, gretap, L2TPv3, L2TPv2; "
         "three tags and a tagged non-IPv4 ethertype are not tunnels", rows)

    rows = []
    ra = b"\x94\x04\x00\x00"
    for opts in (ra, b"\x01" * 39 + b"\x00", b"\x01\x01\x01\x00"):
        rows.append(ok(fr("ipip", in4("ipip"), opts=opts)))
        rows.append(ok(frame(gre(in6("gre"), csum=True), 47, sub="gre",
                             opts=opts)))
        rows.append(ok(fr("l3udpc8", in4("l3udpc8", "tcp"), opts=opts)))
        rows.append(ok(fr("l3ipc4", in6("l3ipc4"), opts=opts)))
        rows.append(ok(fr("l2tp", in6("l2tp"), opts=opts)))
    p = fr("ipip", in4("ipip"), ihl=4)
    rows.append(passed(p, "truncated"))
    p = fr("ipip", in4("ipip"), opts=ra, ihl=6, tot_len=22)
    rows.append(passed(p, "truncated"))
    p = fr("ipip", in4("ipip"), tot_len=19)
    rows.append(passed(p, "truncated"))
    case("outer_ipopts", "outer IPv4 with options (router alert, 40 bytes "
         "of NOPs, NOPs + EOL) around IPIP, GRE with checksum, L2TPv3, "
         "L2TPv2; ihl 4 and total lengths shorter than the header are "
         "truncated", rows)

    # Outer fragments.
    rows = []
    for fragw in (0x2000, 0x0010, 0x2010):
        rows.append(passed(fr("ipip", in4("ipip"), frag=fragw),
                           "outer_fragment"))
        rows.append(passed(fr("sit", in6("sit"), frag=fragw),
                           "outer_fragment"))
        rows.append(passed(fr("gre", in4("gre"), frag=fragw),
                           "outer_fragment"))
        rows.append(passed(fr("l3ip", in4("l3ip"), frag=fragw),
                           "outer_fragment"))
        rows.append(passed(fr("l3udp", in4("l3udp"), frag=fragw),
                           "outer_fragment"))
        rows.append(passed(fr("l2tp", in4("l2tp"), frag=fragw),
                           "outer_fragment"))
        p = frame([("l4", bytes(UDP(sport=5353, dport=7) / Raw(b"q" * 20)))],
                  17, src="192.0.2.50", frag=fragw)
        rows.append(passed(p, "outer_fragment"))
        p = frame([("l4", bytes(TCP(sport=5353, dport=80)))], 6,
                  src="192.0.2.50", frag=fragw)
        rows.append(passed(p, "not_tunnel"))
    rows.append(ok(fr("gre", in4("gre"), frag=0x4000)))
    case("outer_fragment", "outer IPv4 fragments (MF, offset, both) of IPIP, "
         "6in4, GRE, L2TPv3, L2TPv2 and any UDP: outer_fragment; a TCP "
         "fragment is not a tunnel; DF alone is not a fragment", rows,
         subs=["ipip", "sit", "gre", "l3ip", "l3udp", "l2tp"])

    # Unknown tunnels, passed and dropped.
    def unknown_rows():
        r = []
        r.append(frame(seg_ip(in4("ipip")), 4, src="192.0.2.99", sub="ipip"))
        r.append(frame(seg_ip(in4("ipip")), 4, sub="ipip", dst="192.0.2.2"))
        r.append(frame(seg_ip(in6("sit")), 41, sub="ipip"))
        r.append(frame(seg_ip(in4("gre")), 4, sub="gre"))
        r.append(frame(gre(in4("ipip")), 47, sub="ipip"))
        r.append(frame(gre(in4("gre"), key=77), 47, sub="gre"))
        r.append(frame(gre(in4("gre"), ETH_P_IP), 47, sub="tap"))
        r.append(frame(gre(eth(in4("tap")), ETH_P_TEB), 47, sub="gre"))
        r.append(frame(gre(eth(in4("tap")), ETH_P_TEB, key=9), 47, sub="tap"))
        r.append(frame(eoip(eth(in4("eoip")), 259), 47, sub="eoip"))
        r.append(frame(l2tpv3_ip(eth(in4("l3ip")), 77), 115, sub="l3ip"))
        r.append(frame(l2tpv3_udp(eth(in4("l3ip")), L3["l3ip"][0]),
                       sub="l3ip", udp=(1701, 1701)))
        r.append(frame(l2tpv2(ppp(in4("l2tp")), 5, 8), sub="l2tp",
                       udp=(1701, 1701)))
        r.append(frame(l2tpv2(ppp(in4("l2tp")), 5, 6), src="192.0.2.99",
                       sub="l2tp", udp=(1701, 1701)))
        return r

    subs = ["ipip", "gre", "tap", "eoip", "l3ip", "l2tp"]
    rows = [passed(p, "unknown_tunnel") for p in unknown_rows()]
    rows.append(ok(fr("ipip", in4("ipip"))))
    case("unknown_pass", "tunnels not in the database: unknown remote or "
         "local, type mismatches, gretap/GRE confusion, unknown key, EoIP "
         "id, L2TPv3 session, L2TPv2 session: passed by default", rows,
         subs=subs)
    rows = [dropped(p, "unknown_tunnel") for p in unknown_rows()]
    rows.append(ok(fr("ipip", in4("ipip"))))
    rows.append(passed(frame([("l4", bytes(TCP(sport=1, dport=22)))], 6,
                             src="192.0.2.99"), "not_tunnel"))
    case("unknown_drop", "the same unknown tunnels dropped with config set "
         "unknown-tunnel drop; known tunnels and non-tunnel traffic are "
         "unaffected", rows, subs=subs, config=["unknown-tunnel drop"])

    # Anti-spoofing.
    rows = []
    for sub in ("ipip", "gre", "tap", "eoip", "l3ipc4", "l3udp", "l2tp"):
        if sub != "ipip":
            rows.append(dropped(fr(sub, in6(sub, src="2001:db8:ffff::1")),
                                "spoofed_src", sub))
            rows.append(dropped(fr(sub, in6(sub, src=SUBS["sit"].h6)),
                                "spoofed_src", sub))
        rows.append(dropped(fr(sub, in4(sub, src="100.64.99.1")),
                            "spoofed_src", sub))
        rows.append(dropped(fr(sub, in4(sub, src=SUBS["grek7"].h4)),
                            "spoofed_src", sub))
    rows.append(dropped(fr("sit", in6("sit", src="2001:db8:12::1")),
                        "spoofed_src", "sit"))
    rows.append(ok(fr("ipip", in4("ipip", src="100.64.10.255"))))
    rows.append(dropped(fr("ipip", in4("ipip", src="100.64.11.0")),
                        "spoofed_src", "ipip"))
    rows.append(dropped(fr("ipip", in4("ipip", src="100.64.9.255")),
                        "spoofed_src", "ipip"))
    rows.append(dropped(fr("gre", in4("gre", src="100.64.99.1", ttl=1)),
                        "spoofed_src", "gre"))
    rows.append(dropped(fr("ipip", in4("ipip", src="0.0.0.0")),
                        "spoofed_src", "ipip"))
    case("spoofed", "inner sources outside the subscriber's prefixes (no "
         "one's, another subscriber's, just outside the /24) are dropped "
         "untouched for every tunnel type, before the TTL check", rows,
         subs=["grek7", "sit"])

    # Destinations no one has, next to the nearest ordinary ones.
    rows = []
    for dst in ("0.0.0.1", "0.255.255.255", "169.254.0.1", "224.0.0.5",
                "239.255.255.250", "240.0.0.1", "255.255.255.255"):
        rows.append(dropped(fr("ipip", in4("ipip", dst=dst)),
                            "reserved_dst", "ipip"))
    for dst in ("1.0.0.1", "169.253.255.255", "169.255.0.1",
                "223.255.255.254"):
        rows.append(ok(fr("ipip", in4("ipip", dst=dst))))
    for dst in ("::", "::ffff:192.0.2.1", "::ffff:0:0"):
        rows.append(dropped(fr("gre", in6("gre", dst=dst)),
                            "reserved_dst", "gre"))
    for dst in ("::1:0:0", "64:ff9b::c000:201", "::fffe:c000:201"):
        rows.append(ok(fr("gre", in6("gre", dst=dst))))
    case("reserved_dst", "inner destinations no one has (0.0.0.0/8, "
         "169.254.0.0/16, 224.0.0.0/4, 240.0.0.0/4 with the broadcast, ::, "
         "::ffff:0:0/96) are dropped as reserved_dst, after anti-spoofing; "
         "the addresses next to them are forwarded", rows)

    # TTL / hop limit.
    rows = []
    for sub in ("ipip", "gre", "tap", "eoip", "l3ipc8", "l3udpn", "l2tp"):
        for ttl in (0, 1):
            rows.append(decap(fr(sub, in4(sub, ttl=ttl)), "pass",
                              "ttl_expired"))
        rows.append(ok(fr(sub, in4(sub, ttl=2))))
        rows.append(ok(fr(sub, in4(sub, "tcp", ttl=255))))
        if sub == "ipip":
            continue
        for hlim in (0, 1):
            rows.append(decap(fr(sub, in6(sub, hlim=hlim)), "pass",
                              "ttl_expired"))
        rows.append(ok(fr(sub, in6(sub, hlim=2))))
    for hlim in (0, 1):
        rows.append(decap(fr("sit", in6("sit", "icmp", hlim=hlim)), "pass",
                          "ttl_expired"))
    rows.append(ok(fr("sit", in6("sit", hlim=2))))
    case("ttl", "inner TTL / hop limit 0 and 1: passed decapsulated, not "
         "decremented, outer MACs; 2 and 255 forwarded with one less", rows)

    # Inner headers that are not valid.
    rows = []
    bad = []
    b4 = bytes(in4("ipip"))
    bad.append(("ipip", b"\x54" + b4[1:]))                   # version 5
    bad.append(("ipip", b"\x44" + b4[1:]))                   # ihl 4
    bad.append(("ipip", b"\x46" + b4[1:20]))                 # ihl 6, 20 bytes
    bad.append(("ipip", b4[:2] + struct.pack("!H", len(b4) + 1) + b4[4:]))
    bad.append(("ipip", b4[:2] + struct.pack("!H", 19) + b4[4:]))
    bad.append(("ipip", b4[:19]))
    bad.append(("ipip", bytes(in6("ipip"))))                 # v6 in IPIP
    b6 = bytes(in6("sit"))
    bad.append(("sit", bytes(in4("sit"))))                   # v4 in 6in4
    bad.append(("sit", b6[:4] + struct.pack("!H", len(b6) - 39) + b6[6:]))
    bad.append(("sit", b6[:39]))
    bad.append(("sit", b"\x70" + b6[1:]))                    # version 7
    for sub, b in bad:
        rows.append(dropped(frame([("inner", b)], 4 if sub == "ipip" else 41,
                                  sub=sub), "inner_malformed", sub))
    # Inner length reaching into the Ethernet trailer.
    p = frame([("inner", b4[:2] + struct.pack("!H", len(b4) + 4) + b4[4:])],
              4, sub="ipip", trailer=b"\0\0\0\0")
    rows.append(dropped(p, "inner_malformed", "ipip"))
    # GRE payload type not matching the inner version.
    rows.append(dropped(frame(gre(in6("gre"), ETH_P_IP), 47, sub="gre"),
                        "inner_malformed", "gre"))
    rows.append(dropped(frame(gre(in4("gre"), ETH_P_IPV6), 47, sub="gre"),
                        "inner_malformed", "gre"))
    rows.append(dropped(frame(gre([("inner", b"\x45\x00")], ETH_P_IP), 47,
                              sub="gre"), "inner_malformed", "gre"))
    rows.append(dropped(frame(gre(eth(in6("tap"), etype=ETH_P_IP),
                                  ETH_P_TEB), 47, sub="tap"),
                        "inner_malformed", "tap"))
    rows.append(dropped(frame(gre(eth(in4("tap"), etype=ETH_P_IPV6),
                                  ETH_P_TEB), 47, sub="tap"),
                        "inner_malformed", "tap"))
    rows.append(dropped(frame(eoip(eth([("inner", b"\x44" + b4[1:])],
                                       etype=ETH_P_IP), 258), 47,
                              sub="eoip"), "inner_malformed", "eoip"))
    rows.append(dropped(frame(l3("l3ipc4", eth([("inner", b6[:30])],
                                               etype=ETH_P_IPV6)), 115,
                              sub="l3ipc4"), "inner_malformed", "l3ipc4"))
    rows.append(dropped(frame(l2tpv2(ppp(in6("l2tp"), 0x0021), 5, 6),
                              sub="l2tp", udp=(1701, 1701)),
                        "inner_malformed", "l2tp"))
    rows.append(dropped(frame(l2tpv2(ppp(in4("l2tp"), 0x0057), 5, 6),
                              sub="l2tp", udp=(1701, 1701)),
                        "inner_malformed", "l2tp"))
    case("inner_malformed", "inner headers that are not valid IP: bad "
         "version, ihl < 5, ihl beyond the data, total length beyond the "
         "outer payload (also into the Ethernet trailer) or below 20, short "
         "headers, IPv6 payload length too long, payload type not matching "
         "the inner version: dropped untouched", rows)

    # Trailer padding outside the outer total length stays in place.
    rows = []
    pad = b"\0" * 6
    rows.append(ok(frame(seg_ip(IP(src=SUBS["ipip"].h4, dst=DST4, id=1,
                                   proto=59)), 4, sub="ipip", trailer=pad)))
    rows.append(ok(fr("sit", in6("sit"), trailer=b"\xee" * 3)))
    small = IP(src=SUBS["tap"].h4, dst=DST4, id=1) / UDP(sport=1, dport=2)
    rows.append(ok(frame(gre(eth(seg_ip(small) + [("l4", b"\0" * 18)],
                                 etype=ETH_P_IP), ETH_P_TEB), 47, sub="tap")))
    small = IP(src=SUBS["l2tp"].h4, dst=DST4, id=1) / UDP(sport=1, dport=2)
    rows.append(ok(frame(l2tpv2(ppp(small), 5, 6), sub="l2tp",
                         udp=(1701, 1701), trailer=b"\0" * 2)))
    # Bytes inside the outer datagram after the inner one.
    rows.append(ok(frame(seg_ip(in4("ipip")) + [("l4", b"\x11" * 4)], 4,
                         sub="ipip")))
    rows.append(ok(frame(gre(seg_ip(in6("gre")) + [("l4", b"\x22" * 5)],
                             ETH_P_IPV6, csum=True), 47, sub="gre",
                         trailer=b"\0" * 3)))
    case("padding", "bytes beyond the inner total length (outer Ethernet "
         "trailer, inner Ethernet padding, outer payload after the inner "
         "datagram) are not part of the packet but stay after the forwarded "
         "inner packet", rows, subs=["l2tp"])

    # Routing results.
    topo = [
        "route add blackhole 203.0.113.128/26",
        "route add prohibit 203.0.113.192/27",
        "route add unreachable 203.0.113.224/27",
        "route add 203.0.113.64/26 via 192.0.2.9 dev sub0",
        "addr add 203.0.113.1/32 dev up0",
        "-6 route add blackhole 2001:db8:ffff:1::/64",
        "-6 route add prohibit 2001:db8:ffff:2::/64",
        "-6 route add unreachable 2001:db8:ffff:3::/64",
        "-6 route add 2001:db8:ffff:4::/64 via 2001:db8:1::9 dev sub0",
        "-6 addr add 2001:db8:ffff:5::1/128 dev up0 nodad",
    ]
    rows = []
    for sub in ("gre", "tap", "l2tp"):
        for d4, d6, verdict, reason in (
                ("203.0.113.130", "2001:db8:ffff:1::1", "drop",
                 "fib_blackhole"),
                ("203.0.113.200", "2001:db8:ffff:2::1", "drop",
                 "fib_prohibit"),
                ("203.0.113.230", "2001:db8:ffff:3::1", "pass",
                 "fib_unreachable"),
                ("203.0.113.70", "2001:db8:ffff:4::1", "pass",
                 "fib_no_neigh"),
                ("203.0.113.1", "2001:db8:ffff:5::1", "pass",
                 "fib_not_fwded")):
            rows.append(decap(fr(sub, in4(sub, dst=d4)), verdict, reason))
            rows.append(decap(fr(sub, in6(sub, dst=d6)), verdict, reason))
        rows.append(decap(fr(sub, in4(sub, dst="198.51.100.77")), "pass",
                          "fib_no_neigh"))
        # up0's MTU is 1500.
        for n, good in ((1500, True), (1501, False)):
            for p in (fr(sub, in4(sub, payload=b"m" * (n - 28))),
                      fr(sub, in6(sub, payload=b"m" * (n - 48)))):
                rows.append(ok(p) if good else
                            decap(p, "pass", "fib_frag_needed"))
        rows.append(decap(fr(sub, in4(sub, dst="203.0.113.130", ttl=1)),
                          "pass", "ttl_expired"))
        rows.append(decap(fr(sub, in6(sub, dst="2001:db8:ffff:2::1",
                                      hlim=1)), "pass", "ttl_expired"))
        rows.append(decap(fr(sub, in4(sub, dst="198.51.100.1")), "pass",
                          "fib_not_fwded"))
        rows.append(ok(fr(sub, in4(sub, dst="203.0.113.60"))))
        rows.append(ok(fr(sub, in6(sub, dst="2001:db8:ffff:6::1"))))
    case("fib", "routing results from a topo file: blackhole and prohibit "
         "dropped decapsulated; unreachable, no neighbour (route via "
         "192.0.2.9, connected 198.51.100.77), local destination passed "
         "decapsulated; TTL 1 expires before the route is looked at; "
         "inner 1500 bytes fit up0, 1501 need fragmentation; neighbouring "
         "prefixes still forwarded", rows,
         topo=topo)

    topo = [
        "link add xtra0 type veth peer name xtra0p",
        "link set xtra0 address 02:00:00:00:02:01",
        "link set xtra0 up",
        "link set xtra0p up",
        "addr add 203.0.113.249/30 dev xtra0",
        "neigh add 203.0.113.250 lladdr 02:00:00:00:02:02 dev xtra0 "
        "nud permanent",
        "-6 addr add 2001:db8:ffff:7::1/64 dev xtra0 nodad",
        "-6 neigh add 2001:db8:ffff:7::2 lladdr 02:00:00:00:02:02 dev xtra0 "
        "nud permanent",
        "neigh add 192.0.2.50 lladdr 02:00:00:00:00:50 dev sub0 "
        "nud permanent",
        "-6 neigh add 2001:db8:1::50 lladdr 02:00:00:00:00:50 dev sub0 "
        "nud permanent",
    ]
    rows = []
    for sub in ("ipip", "gre", "l3udpc4"):
        rows.append(decap(fr(sub, in4(sub, dst="203.0.113.250")), "pass",
                          "egress_unmanaged"))
        rows.append(ok(fr(sub, in4(sub, dst="192.0.2.50")), egress="sub0",
                       dmac="02:00:00:00:00:50", smac=SUB0_MAC))
        if sub != "ipip":
            rows.append(decap(fr(sub, in6(sub, dst="2001:db8:ffff:7::2")),
                              "pass", "egress_unmanaged"))
            rows.append(ok(fr(sub, in6(sub, dst="2001:db8:1::50")),
                           egress="sub0", dmac="02:00:00:00:00:50",
                           smac=SUB0_MAC))
        rows.append(ok(fr(sub, in4(sub))))
    case("egress", "a route out of an interface that is not a tungate port "
         "is passed decapsulated (egress_unmanaged); a neighbour on sub0 "
         "is redirected back out of sub0", rows, topo=topo)

    # Not tunnels.
    rows = []
    pk = []
    pk.append(Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
              ARP(op=1, hwsrc=PEER_MAC, psrc="192.0.2.10", pdst=LOCAL))
    pk.append(Ether(dst=SUB0_MAC, src=PEER_MAC) /
              IPv6(src="2001:db8:1::10", dst="2001:db8:1::1") /
              UDP(sport=5000, dport=1701) / Raw(b"\x00\x02\x00\x05\x00\x06"))
    pk.append(Ether(dst="33:33:ff:00:00:01", src=PEER_MAC) /
              IPv6(src="fe80::10", dst="ff02::1:ff00:1", hlim=255) /
              ICMPv6ND_NS(tgt="2001:db8:1::1"))
    pk.append(Ether(dst=SUB0_MAC, src=PEER_MAC) /
              IPv6(src="2001:db8:1::10", dst="2001:db8:1::1", nh=47) /
              Raw(struct.pack("!HH", 0, 0x0800) + bytes(in4("gre"))))
    pk.append(Ether(dst=SUB0_MAC, src=PEER_MAC) /
              IPv6(src="2001:db8:1::10", dst="2001:db8:1::1", nh=4) /
              in4("ipip"))
    for l4 in (TCP(sport=40000, dport=179, flags="S"),
               ICMP(type=8, id=1, seq=1) / Raw(b"ping"),
               UDP(sport=40000, dport=7) / Raw(b"dns"),
               UDP(sport=1701, dport=1702) /
               Raw(b"\x00\x02\x00\x05\x00\x06\xff\x03\xc0\x21"
                   b"\x09\x01\x00\x08\x01\x02\x03\x04"),
               UDP(sport=1701, dport=4500) / Raw(b"\x00\x03\x00\x00"),
               UDP(sport=1701, dport=1700) / Raw(b"\x00\x02\x00\x05")):
        pk.append(Ether(dst=SUB0_MAC, src=PEER_MAC) /
                  IP(src="192.0.2.10", dst=LOCAL, id=1) / l4)
    for proto in (50, 253, 254):
        pk.append(Ether(dst=SUB0_MAC, src=PEER_MAC) /
                  IP(src="192.0.2.10", dst=LOCAL, id=1, proto=proto) /
                  Raw(b"\0" * 24))
    pk.append(Ether(dst="01:80:c2:00:00:0e", src=PEER_MAC, type=0x88B5) /
              Raw(b"\x02\x07\x04" + b"\0" * 40))
    for f in pk:
        d = bytes(f)
        p = Pkt(d, [], None, SUB0_MAC, PEER_MAC, 14, None, None, False)
        rows.append(passed(p, "not_tunnel"))
    case("not_tunnel", "traffic to the concentrator that is no tunnel: ARP, "
         "IPv6 (also carrying GRE, IPIP, UDP 1701), ND, TCP, ICMP, UDP to "
         "other ports (also from port 1701), ESP, experimental protocols and "
         "ethertype", rows,
         subs=["ipip", "gre", "l2tp"])

    # One remote address with a tunnel of every type, all with id 7.
    rows = []
    for sub in ("sripip", "srsit", "srgre", "srtap", "sreoip", "srl3ip",
                "srl3udp", "srl2tp", "srgre0"):
        if sub != "srsit":
            rows.append(ok(fr(sub, in4(sub))))
        if sub != "sripip":
            rows.append(ok(fr(sub, in6(sub, "icmp"))))
    rows.append(ok(fr("srgre", in4("srgre", src="100.64.142.99"))))
    rows.append(ok(fr("srgre", in4("srgre", src="198.51.100.200"))))
    rows.append(dropped(fr("srgre", in4("srtap")), "spoofed_src", "srgre"))
    rows.append(dropped(fr("srtap", in4("srgre")), "spoofed_src", "srtap"))
    rows.append(dropped(fr("srl3udp", in6("srl3ip")), "spoofed_src",
                        "srl3udp"))
    rows.append(dropped(fr("srl2tp", in4("srl3ip")), "spoofed_src",
                        "srl2tp"))
    case("shared_remote", "one remote address with an IPIP, 6in4, keyless "
         "GRE and id 7 GRE, gretap, EoIP, L2TPv3 IP/UDP, L2TPv2 tunnel: each "
         "packet finds its own subscriber; a subscriber with three IPv4 "
         "prefixes; sources of a sibling tunnel are spoofed", rows)

    rows = [ok(fr("ipip", in4("ipip"))),
            passed(fr("off", in4("off")), "unknown_tunnel"),
            passed(fr("gone", in4("gone")), "unknown_tunnel"),
            passed(fr("gone", in6("gone")), "unknown_tunnel")]
    case("disabled", "a disabled subscriber and a deleted one are unknown "
         "tunnels", rows, subs=["ipip", "off", "gone"], cli=["sub del gone"])

    # Truncation at every header boundary and in every header's middle.
    trunc = [
        ("ipip", "IPIP behind QinQ and outer IPv4 options",
         fr("ipip", in4("ipip"), opts=b"\x94\x04\x00\x00",
            vlans=[(ETH_P_8021AD, 1), (ETH_P_8021Q, 2)])),
        ("sit", "6in4", fr("sit", in6("sit"))),
        ("gre", "GRE with checksum, key and sequence",
         frame(gre(in4("grek7"), key=7, seq=1, csum=True), 47, sub="grek7")),
        ("gre6", "GRE keyless, inner IPv6", fr("gre", in6("gre", "tcp"))),
        ("gretap", "keyed gretap with an inner 802.1Q tag",
         frame(gre(eth(in6("tapk9"), vlans=[(ETH_P_8021Q, 5)]), ETH_P_TEB,
                   key=9), 47, sub="tapk9")),
        ("eoip", "EoIP with inner QinQ",
         frame(eoip(eth(in4("eoip"), vlans=[(ETH_P_8021AD, 5),
                                            (ETH_P_8021Q, 6)]), 258), 47,
               sub="eoip")),
        ("l2tpv3_ip", "L2TPv3 over IP with an 8-byte cookie and sublayer",
         fr("l3ipc8", in4("l3ipc8"))),
        ("l2tpv3_udp", "L2TPv3 over UDP with a 4-byte cookie and sublayer",
         fr("l3udpc4", in6("l3udpc4"))),
        ("l2tpv2", "L2TPv2 with L, S, O (3 pad bytes), PPP FF03, 2-byte "
         "protocol", frame(l2tpv2(ppp(in4("l2tp")), 5, 6, L=True, S=True,
                                  O=3), sub="l2tp", udp=(1701, 1701))),
        ("l2tpv2_pfc", "L2TPv2 with PPP protocol compression, no FF03",
         frame(l2tpv2(ppp(in6("l2tp"), ff03=False, pfc=True), 5, 6),
               sub="l2tp", udp=(1701, 1701))),
        ("l2tpv2_ff03pfc", "L2TPv2 with PPP FF03 and a compressed protocol",
         frame(l2tpv2(ppp(in4("l2tp"), ff03=True, pfc=True), 5, 6, S=True),
               sub="l2tp", udp=(1701, 1701))),
    ]
    for name, what, p in trunc:
        case("trunc_" + name, what + " cut at every header boundary and "
             "in the middle of every header; outer total length kept "
             "(truncated) or adjusted to the cut (truncated before the inner "
             "IP header, inner_malformed from it on)", truncations(p),
             subs=[p.sub])


# --------------------------------------------------------------------------
# A real client's dial-in recorded against tungate's LNS.

DIALIN_CAPTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "lns", "capture", "tungate-chap.pcap")


def dialin_rows(path):
    """The client's L2TP frames of the capture at path, each with what the
    program must do with it, and the session row the daemon wrote (its
    ids read from the capture). The client is 192.0.2.2, the LNS
    192.0.2.1. Control messages (T bit) are the daemon's: passed as
    control. In the member's session, PPP control (LCP, CHAP, PAP, IPCP,
    IPv6CP) and IPv6 from its link-local address (RS, DHCPv6) are the
    LNS's: passed as control; its IPv4 and IPv6 pings are decapsulated
    and forwarded."""
    rows = []
    ids = {}
    for pkt in rdpcap(path):
        data = bytes(pkt)
        ip_off = 14
        ihl = (data[ip_off] & 15) * 4
        if data[ip_off + 9] != 17:
            continue
        udp_off = ip_off + ihl
        l2 = data[udp_off + 8:]
        flags, = struct.unpack("!H", l2[:2])
        o = 4 if flags & 0x4000 else 2
        tid, sid = struct.unpack("!HH", l2[o:o + 4])
        if data[ip_off + 12:ip_off + 16] == a4(LOCAL):
            # The LNS's: it sends to the client's ids.
            if flags & 0x8000:
                ids.setdefault("peer_tunnel_id", tid)
                if sid:
                    ids.setdefault("peer_session", sid)
            continue
        if flags & 0x8000:
            if tid:
                ids.setdefault("tunnel_id", tid)
            if sid:
                ids.setdefault("session_id", sid)
            segs = [(0, len(data), "tun")]
            rows.append(passed(Pkt(data, segs, None, None, None, ip_off,
                                   udp_off, None, False), "control"))
            continue
        o += 4
        if flags & 0x0800:
            o += 4
        if flags & 0x0200:
            o += 2 + struct.unpack("!H", l2[o:o + 2])[0]
        assert l2[o:o + 2] == b"\xff\x03", "PPP without FF03"
        proto, = struct.unpack("!H", l2[o + 2:o + 4])
        inner = udp_off + 8 + o + 4
        segs = [(0, inner, "tun"), (inner, len(data), "inner")]
        p = Pkt(data, segs, "alice", None, None, ip_off, udp_off, None,
                False)
        if proto == 0x0021 or (proto == 0x0057 and
                               data[inner + 8:inner + 10] != b"\xfe\x80"):
            rows.append(ok(p))
        else:
            rows.append(control(p))
    sql = ("INSERT INTO session (subscriber_id, remote, local, peer_port, "
           "local_port, tunnel_id, session_id, peer_tunnel_id, peer_session, "
           "started, lac) SELECT id, '192.0.2.2', '%s', 1701, 1701, "
           "%d, %d, %d, %d, %d, 'exo-cpe' FROM subscriber WHERE name = "
           "'alice'" % (LOCAL, ids["tunnel_id"], ids["session_id"],
                        ids["peer_tunnel_id"], ids["peer_session"], TS0))
    return rows, sql


def build_dialin():
    rows, sql = dialin_rows(DIALIN_CAPTURE)
    case("dialin_capture", "the client's frames of "
         "tests/lns/capture/tungate-chap.pcap (xl2tpd and pppd dialling in to "
         "tungate's LNS), alice's session row as the daemon writes it: L2TP "
         "control, PPP control and IPv6 from its link-local address (RS, "
         "DHCPv6) passed as control, its IPv4 and IPv6 pings forwarded",
         rows, subs=["alice"], sql=[sql])


# --------------------------------------------------------------------------
# Output.

# What the TC build of a program does with a frame, from what the XDP
# build does (tc_expect). TC actions by name: XDP_TX becomes a redirect
# back out of the ingress interface.
TC_VERDICT = {"pass": "ok", "drop": "shot", "redirect": "redirect",
              "tx": "redirect"}
# Reasons decided after the programs' check for VLAN tags in the data,
# which the TC head move cannot pass (CTX_MOVES_VLAN_TAGS).
TC_PAST_VLAN_CHECK = {
    "ok", "too_big", "frag_needed_local", "scope", "reserved_dst",
    "policed_up", "policed_down", "no_peer_mac",
    "egress_unmanaged", "fib_no_neigh", "fib_blackhole", "fib_unreachable",
    "fib_prohibit", "fib_not_fwded", "fib_fwd_disabled", "fib_frag_needed",
}


def is_eoip(frame):
    """Whether the outer tunnel of frame (IPv4 after any tags) is EoIP."""
    off = 12
    while struct.unpack("!H", frame[off:off + 2])[0] in (0x8100, 0x88A8):
        off += 4
    ip = off + 2
    return struct.unpack("!H", frame[ip + (frame[ip] & 15) * 4:][:2])[0] \
        & 7 == 1


def tc_expect(data, verdict, reason, sub, egress, out):
    """The TC row (verdict, reason, sub, egress, out) of an XDP row:
    - a frame the kernel's test run makes no socket buffer of (an IPv4 /
      IPv6 ethertype without its fixed header) is not run:
      `not_run - - -`, the frame as it came (padded to 14);
    - VLAN tags in the data: passed untouched as unsupported_payload once
      past the parser, a GRE keepalive as control;
    - too_big: passed untouched, the kernel answers (no ICMP built at TC);
    - scope: dropped untouched, no answer at TC;
    - otherwise the same reason and bytes, the verdict by its TC name."""
    frame = bytes(data).ljust(14, b"\0")
    proto = struct.unpack("!H", frame[12:14])[0]
    if (proto == 0x0800 and len(frame) < 34) or \
            (proto == 0x86DD and len(frame) < 54):
        return "not_run", "-", None, None, frame
    if proto in (0x8100, 0x88A8) and reason in TC_PAST_VLAN_CHECK:
        return "ok", "unsupported_payload", sub, None, frame
    if proto in (0x8100, 0x88A8) and reason == "keepalive" and \
            not is_eoip(frame):
        # A GRE keepalive is reflected by cutting behind the tags.
        return "ok", "control", sub, None, frame
    if reason == "too_big":
        return "ok", reason, sub, egress, frame
    if reason == "scope":
        return "shot", reason, sub, egress, frame
    return TC_VERDICT[verdict], reason, sub, egress, out


def write_expected(d, ins, rows):
    """expected.txt and expected.pcap of the rows (verdict, reason, sub,
    egress, out) of inputs ins, and the TC build's expected_tc.txt and
    (when its frames differ) expected_tc.pcap."""
    tc = [tc_expect(data, *r) for data, r in zip(ins, rows)]
    for name, rs in (("expected", rows), ("expected_tc", tc)):
        with open(os.path.join(d, name + ".txt"), "w") as f:
            for i, (verdict, reason, sub, egress, _) in enumerate(rs, 1):
                f.write("%d %s %s %s %s\n" % (i, verdict, reason,
                                             sub or "-", egress or "-"))
    outs = [bytes(r[4]) for r in rows]
    tc_outs = [bytes(r[4]) for r in tc]
    write_pcap(os.path.join(d, "expected.pcap"), outs)
    path = os.path.join(d, "expected_tc.pcap")
    if tc_outs != outs:
        write_pcap(path, tc_outs)
    elif os.path.exists(path):
        os.unlink(path)


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, d in enumerate(frames):
            f.write(struct.pack("<IIII", TS0 + i, 0, len(d), len(d)))
            f.write(d)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    build_cases()
    build_dialin()
    for c in CASES:
        d = os.path.join(outdir, c["name"])
        os.makedirs(d, exist_ok=True)
        ins = [r[0].data for r in c["rows"]]
        write_pcap(os.path.join(d, "in.pcap"), ins)
        write_expected(d, ins, [r[1:] for r in c["rows"]])
        with open(os.path.join(d, "db.sh"), "w") as f:
            f.write("# SPDX-License-Identifier: GPL-2.0-only\n")
            f.write("# Generated by tests/pcap/gen.py, do not edit.\n")
            for line in textwrap.wrap("%s: %s" % (c["name"], c["desc"]),
                                      74):
                f.write("# %s\n" % line)
            f.write("set -e\n")
            for name in c["subs"]:
                f.write(SUBS[name].cli() + "\n")
            for kv in c["config"]:
                f.write('"$TUNGATE" config set %s\n' % kv)
            for line in c["cli"]:
                f.write('"$TUNGATE" %s\n' % line)
            for line in c["sql"]:
                f.write('sqlite3 "$TUNGATE_DB" "%s"\n' % line)
        topo = os.path.join(d, "topo")
        if c["topo"]:
            with open(topo, "w") as f:
                f.write("# SPDX-License-Identifier: GPL-2.0-only\n")
                f.write("# Generated by tests/pcap/gen.py, do not edit.\n")
                for line in c["topo"]:
                    f.write(line + "\n")
        elif os.path.exists(topo):
            os.unlink(topo)
    npkt = sum(len(c["rows"]) for c in CASES)
    print("gen.py: %d cases, %d packets in %s" % (len(CASES), npkt, outdir))


if __name__ == "__main__":
    main()
