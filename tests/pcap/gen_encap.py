#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate the pcap cases of tungate's uplink program (encapsulation toward
subscribers), case directories named enc_*.

Like gen.py, every case is a row of data: a description, the subscribers
and settings of its database, routing lines for `tungate replay --topo`, and
packets arriving on the uplink. What the program must do with each packet is
worked out here from the subscriber's record alone, with scapy and struct,
following the wire formats of the return path: outer Ethernet from the
forwarding lookup, outer IPv4 (id 0 with DF, else a per-subscriber counter
from 0; TTL of the subscriber, else of the `ttl` setting, else 64), the
tunnel header, the inner Ethernet header of the Ethernet-carrying tunnels
(peer MAC, gateway MAC), the inner packet with its TTL or hop limit one
less and its TCP MSS clamped. GRE sequence numbers and IP ids run from 0
per subscriber, as every replay starts with fresh maps.

The header helpers (checksums, GRE, EoIP, L2TPv3, L2TPv2, PPP, inner
Ethernet, pcap writing) are gen.py's, imported.

Subscribers' tunnel endpoints are on sub0's subnet (192.0.2.0/24) with a
permanent neighbour each (so the encapsulated packet leaves on sub0), or
behind the uplink's default gateway, or without a neighbour (the packet is
passed to the kernel encapsulated). Inner sources lie in the subscriber's
own prefixes so that roundtrip.sh can send the encapsulated packets back
through the subscriber-side program without tripping anti-spoofing; the
ICMP "too big" cases use sources on the Internet side.

Where the formats leave a detail open, the expectations are: ICMP errors
go back out of the uplink (XDP_TX) with the Ethernet addresses swapped and
any VLAN tags kept, IPv4 header tos 0, id 0, no DF, TTL 64 / IPv6 traffic
class and flow label 0, hop limit 64, quoting the datagram as it arrived;
packets passed for ttl_expired or frag_needed_local, and dropped for
no_peer_mac, are left untouched; an encapsulated packet passed for want of
a neighbour keeps the Ethernet addresses it came with.

Two cases run the subscriber-side program: enc_mss_upstream (MSS
clamping of SYNs coming from subscribers) and scope_icmp (a community-scope
subscriber's packets outside the community answered with ICMP
"administratively prohibited" through its own tunnel, built like every
packet toward it: the Ethernet addresses of the refused frame swapped,
IPv4 from the tunnel's local address / IPv6 from the refused destination,
TTL 64, quoting as much of the datagram as fits in the tunnel MTU and 576 /
1280 bytes).

Each directory holds in.pcap, expected.pcap, expected.txt, the TC build's
expected_tc.txt (and expected_tc.pcap where its frames differ; see gen.py's
tc_expect), db.sh, topo and, for the uplink cases, side (`uplink`: run.sh
passes --side uplink).

Usage: gen_encap.py [OUTDIR]    (default: the directory holding this script)
"""

import ipaddress
import os
import struct
import sys
import textwrap

# Siblings imported: leave no __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen  # noqa: E402
from gen import csum16, mac, ipv4_hdr, udp_hdr  # noqa: E402

from scapy.layers.inet import (  # noqa: E402
    ICMP,
    IP,
    TCP,
    UDP,
    IPOption_Router_Alert,
)
from scapy.layers.inet6 import (  # noqa: E402
    IPv6,
    ICMPv6EchoRequest,
    ICMPv6DestUnreach,
    ICMPv6PacketTooBig,
    IPv6ExtHdrHopByHop,
)
from scapy.packet import Raw  # noqa: E402

# Packets arrive on up0 from the upstream router up0p.
UP0_MAC = gen.UP0_MAC
UP0P_MAC = gen.UP0P_MAC
SUB0_MAC = gen.SUB0_MAC
LOCAL = gen.LOCAL
GW_MAC_DEFAULT = "02:74:67:00:00:01"
FAR4 = "203.0.113.20"
FAR6 = "2001:db8:ffff::20"
L2TP_PORT = 1701
ICMP4_QUOTE_MAX = 576
ICMP6_QUOTE_MAX = 1280
DEFAULT_MTU = 1400

ENCAPSULATED = ("ok", "fib_no_neigh")


def nbr_mac(remote):
    """Link-layer address of a subscriber endpoint on sub0's subnet."""
    return "02:00:00:00:02:%02x" % ipaddress.IPv4Address(remote).packed[3]


class ESub(gen.Sub):
    """A subscriber and everything the encapsulation depends on.

    route: 'nbr' (endpoint on sub0's subnet with a permanent neighbour),
    'up' (behind the uplink's default gateway), 'none' (on sub0's subnet,
    no neighbour)."""

    def __init__(self, name, n, kind, remote, route="nbr", key=None,
                 tid=None, session=None, cookie=None, sublayer=True,
                 peer_session=None, peer_tid=None, peer_cookie=None,
                 peer_port=None, local_port=None, peer_mac=None,
                 gre_csum=False, gre_seq=False, df=None, ttl=None,
                 udp_csum=None, mss_clamp=None, acfc=None, mtu=None,
                 disabled=False, cls=None):
        a = []
        if cls is not None:
            a += ["--class", cls]
        if key is not None:
            a += ["--key", str(key)]
        if tid is not None:
            a += ["--tunnel-id", str(tid)]
        if session is not None:
            a += ["--session", str(session)]
        if cookie is not None:
            a += ["--cookie", cookie.hex()]
        if not sublayer:
            a += ["--sublayer", "none"]
        if peer_session is not None:
            a += ["--peer-session", str(peer_session)]
        if peer_tid is not None:
            a += ["--peer-tunnel-id", str(peer_tid)]
        if peer_cookie is not None:
            a += ["--peer-cookie", peer_cookie.hex()]
        if peer_port is not None:
            a += ["--peer-port", str(peer_port)]
        if local_port is not None:
            a += ["--local-port", str(local_port)]
        if peer_mac is not None:
            a += ["--peer-mac", peer_mac]
        if gre_csum:
            a += ["--gre-csum"]
        if gre_seq:
            a += ["--gre-seq"]
        if df is not None:
            a += ["--df", "on" if df else "off"]
        if ttl is not None:
            a += ["--ttl", str(ttl)]
        if udp_csum is not None:
            a += ["--udp-csum", "on" if udp_csum else "off"]
        if mss_clamp is not None:
            a += ["--mss-clamp", "on" if mss_clamp else "off"]
        if acfc is not None:
            a += ["--ppp-acfc", "on" if acfc else "off"]
        if mtu is not None:
            a += ["--mtu", str(mtu)]
        if disabled:
            a += ["--disabled"]
        super().__init__(name, n, kind, remote, " ".join(a))
        self.route = route
        self.key = key
        self.tid = tid
        self.session = session
        self.cookie = cookie or b""
        self.sublayer = sublayer
        self.peer_session = session if peer_session is None else peer_session
        self.peer_tid = tid if peer_tid is None else peer_tid
        self.peer_cookie = self.cookie if peer_cookie is None else peer_cookie
        self.peer_port = peer_port
        self.local_port = local_port
        self.peer_mac = peer_mac
        self.gre_csum = gre_csum
        self.gre_seq = gre_seq
        self.df = True if df is None else df
        self.ttl = ttl
        self.udp_csum = bool(udp_csum)
        self.mss_clamp = True if mss_clamp is None else mss_clamp
        self.acfc = bool(acfc)
        self.mtu = DEFAULT_MTU if mtu is None else mtu
        self.disabled = disabled
        # Inner source addresses: inside the subscriber's own prefixes.
        self.s4 = "100.64.%d.99" % n
        self.s6 = "2001:db8:%d::99" % n

    def symmetric(self, st):
        """Whether the packets sent to this subscriber are, with outer
        addresses and ports swapped, packets from it to us (roundtrip)."""
        if self.kind.startswith("l2tp"):
            if self.peer_session != self.session or \
                    self.peer_cookie != self.cookie:
                return False
            if self.kind == "l2tpv2" and self.peer_tid != self.tid:
                return False
        if self.kind in ("l2tpv3-udp", "l2tpv2"):
            port = st.port(self.kind)
            if (self.local_port or port) != port:
                return False
        return True


class Settings:
    def __init__(self, config=()):
        self.gw_mac = GW_MAC_DEFAULT
        self.ttl = 64
        self.l3port = L2TP_PORT
        self.l2port = L2TP_PORT
        for kv in config:
            k, v = kv.split()
            if k == "gateway-mac":
                self.gw_mac = v
            elif k == "ttl":
                self.ttl = int(v)
            elif k == "l2tpv3-udp-port":
                self.l3port = int(v)
            elif k == "l2tpv2-udp-port":
                self.l2port = int(v)
            elif k == "scope-action":
                pass
            else:
                raise ValueError(kv)

    def port(self, kind):
        return self.l3port if kind == "l2tpv3-udp" else self.l2port


SUBS = {}


def sub(name, n, kind, remote, **kw):
    SUBS[name] = ESub(name, n, kind, remote, **kw)


C4 = bytes.fromhex("0a0b0c0d")
C8 = bytes.fromhex("1122334455667788")
PC4 = bytes.fromhex("d0c0b0a0")
PC8 = bytes.fromhex("8877665544332211")
PMAC = "02:00:00:00:30:01"

sub("ipip", 60, "ipip", "192.0.2.60")
sub("sit", 61, "sit", "192.0.2.61")
sub("gre", 62, "gre", "192.0.2.62")
sub("grek7", 63, "gre", "192.0.2.62", key=7)
sub("grekbig", 64, "gre", "192.0.2.62", key=0x12345678)
sub("grek0", 65, "gre", "192.0.2.62", key=0)
sub("grec", 66, "gre", "192.0.2.66", gre_csum=True)
sub("grekc", 67, "gre", "192.0.2.66", key=0xFFFFFFFF, gre_csum=True)
sub("gres", 68, "gre", "192.0.2.68", gre_seq=True)
sub("grekcs", 69, "gre", "192.0.2.68", key=9, gre_csum=True, gre_seq=True)
sub("tap", 70, "gretap", "192.0.2.70", peer_mac=PMAC)
sub("tapk", 71, "gretap", "192.0.2.70", key=11, peer_mac="02:00:00:00:30:02")
sub("tapkcs", 72, "gretap", "192.0.2.70", key=12, gre_csum=True,
    gre_seq=True, peer_mac="02:00:00:00:30:03")
sub("tapnomac", 73, "gretap", "192.0.2.73", key=13)
sub("eoip", 74, "eoip", "192.0.2.74", tid=258, peer_mac=PMAC)
sub("eoip0", 75, "eoip", "192.0.2.74", tid=0, peer_mac="02:00:00:00:30:04")
sub("eoipmax", 76, "eoip", "192.0.2.74", tid=65535,
    peer_mac="02:00:00:00:30:05")
sub("eoipnomac", 77, "eoip", "192.0.2.77", tid=77)
# L2TPv3 over IP: cookie 0/4/8 x sublayer default/none, and peer values.
for i, (ck, sl) in enumerate([(None, True), (None, False), (C4, True),
                              (C4, False), (C8, True), (C8, False)]):
    sub("l3ip%d" % i, 80 + i, "l2tpv3-ip", "192.0.2.80",
        session=[16909060, 81, 82, 83, 84, 85][i], cookie=ck, sublayer=sl,
        peer_mac="02:00:00:00:31:%02x" % i)
sub("l3ippeer", 86, "l2tpv3-ip", "192.0.2.80", session=86, cookie=C4,
    peer_session=0x01020304, peer_cookie=PC8, peer_mac=PMAC)
sub("l3ipnomac", 87, "l2tpv3-ip", "192.0.2.87", session=87)
# L2TPv3 over UDP: the same, with UDP checksums and ports.
for i, (ck, sl, uc) in enumerate([(None, True, None), (None, False, True),
                                  (C4, True, False), (C4, False, True),
                                  (C8, True, None), (C8, False, True)]):
    sub("l3udp%d" % i, 90 + i, "l2tpv3-udp", "192.0.2.90",
        session=[168496141, 91, 92, 93, 94, 95][i], cookie=ck, sublayer=sl,
        udp_csum=uc, peer_mac="02:00:00:00:32:%02x" % i)
sub("l3udppeer", 96, "l2tpv3-udp", "192.0.2.90", session=96, cookie=C8,
    peer_session=0xFFFFFFFF, peer_cookie=PC4, peer_mac=PMAC)
sub("l3udpports", 97, "l2tpv3-udp", "192.0.2.97", session=97,
    peer_port=4500, local_port=1702, udp_csum=True, peer_mac=PMAC)
sub("l3udpnomac", 98, "l2tpv3-udp", "192.0.2.98", session=98)
sub("l3udpcfg", 99, "l2tpv3-udp", "192.0.2.99", session=99,
    peer_mac=PMAC, udp_csum=True)
sub("l3udpcfgp", 100, "l2tpv3-udp", "192.0.2.99", session=100,
    local_port=1701, peer_port=1701, peer_mac=PMAC)
# L2TPv2.
sub("l2tp", 110, "l2tpv2", "192.0.2.110", tid=5, session=6)
sub("l2tpacfc", 111, "l2tpv2", "192.0.2.110", tid=5, session=7, acfc=True)
sub("l2tpff03", 112, "l2tpv2", "192.0.2.110", tid=5, session=8, acfc=False,
    udp_csum=True)
sub("l2tppeer", 113, "l2tpv2", "192.0.2.110", tid=9, session=10,
    peer_tid=65535, peer_session=0x1234)
sub("l2tpports", 114, "l2tpv2", "192.0.2.114", tid=11, session=12,
    peer_port=1024, local_port=1702, udp_csum=True, acfc=True)
sub("l2tpcfg", 115, "l2tpv2", "192.0.2.115", tid=13, session=14)
# Outer IPv4 id and DF, TTL.
sub("ipipdf0", 120, "ipip", "192.0.2.120", df=False)
sub("gredf0", 121, "gre", "192.0.2.120", key=121, df=False)
sub("l2tpdf0", 122, "l2tpv2", "192.0.2.120", tid=122, session=1, df=False)
sub("sitdf1", 123, "sit", "192.0.2.120", df=True)
sub("tapdf0", 124, "gretap", "192.0.2.120", peer_mac=PMAC, df=False)
sub("ttl1", 130, "ipip", "192.0.2.130", ttl=1)
sub("ttl255", 131, "gre", "192.0.2.130", ttl=255)
sub("ttldef", 132, "sit", "192.0.2.130")
sub("ttl10", 133, "l2tpv3-udp", "192.0.2.130", session=133, ttl=10,
    peer_mac=PMAC)
# MTU and MSS.
sub("mtu", 140, "gre", "192.0.2.140", mtu=1400)
sub("mtu576", 141, "ipip", "192.0.2.140", mtu=576)
sub("mtul2", 142, "l2tpv2", "192.0.2.140", tid=142, session=142, mtu=1280)
sub("mssoff", 143, "gre", "192.0.2.140", key=143, mss_clamp=False)
sub("mtutap", 144, "gretap", "192.0.2.140", peer_mac=PMAC, mtu=1436)
# Routing of the outer packet.
sub("far", 150, "gre", "203.0.113.77", route="up")
sub("noneigh", 151, "gre", "192.0.2.151", route="none")
sub("noneigh3", 152, "l2tpv3-ip", "192.0.2.151", session=152,
    peer_mac=PMAC, route="none")
sub("off", 153, "ipip", "192.0.2.153", disabled=True)

# Community scope (class 'members'), and one subscriber without a class.
sub("cipip", 160, "ipip", "192.0.2.160", cls="members")
sub("cgre", 161, "gre", "192.0.2.161", key=161, gre_csum=True,
    cls="members")
sub("cl2tp", 162, "l2tpv2", "192.0.2.162", tid=162, session=1620,
    peer_tid=1162, peer_session=2620, udp_csum=True, mtu=1300,
    cls="members")
sub("csit", 163, "sit", "192.0.2.163", cls="members")
sub("cinet", 164, "ipip", "192.0.2.164")
COMMUNITY = ("10.0.0.0/8", "2001:db8:c::/48")


# --------------------------------------------------------------------------
# Inner packets, as they arrive on the uplink.

PSH_ACK = dict(flags="PA", seq=1000, ack=2000, window=502)


def in4(s, l4="udp", src=None, dst=None, ttl=64, ident=0x3000,
        payload=b"tungate payload", tcp=None, **kw):
    if src is None:
        src = s.s4
    if dst is None:
        dst = s.h4
    ip = IP(src=src, dst=dst, ttl=ttl, id=ident, **kw)
    if l4 == "udp":
        return ip / UDP(sport=7, dport=40000) / Raw(payload)
    if l4 == "tcp":
        return ip / TCP(sport=443, dport=40001, **(tcp or PSH_ACK)) / \
            Raw(payload)
    if l4 == "icmp":
        return ip / ICMP(type=0, id=7, seq=1) / Raw(payload)
    return ip / Raw(payload)


def in6(s, l4="udp", src=None, dst=None, hlim=64, payload=b"tungate payload",
        tcp=None, **kw):
    if src is None:
        src = s.s6
    if dst is None:
        dst = s.h6
    ip = IPv6(src=src, dst=dst, hlim=hlim, **kw)
    if l4 == "udp":
        return ip / UDP(sport=7, dport=40000) / Raw(payload)
    if l4 == "tcp":
        return ip / TCP(sport=443, dport=40001, **(tcp or PSH_ACK)) / \
            Raw(payload)
    if l4 == "icmp":
        return ip / ICMPv6EchoRequest(id=7, seq=1, data=payload)
    return ip / Raw(payload)


def syn(mss, flags="S", opts=None):
    """TCP fields of a SYN (or flags) with an MSS option (None: none)."""
    if opts is None:
        opts = [("MSS", mss), ("SAckOK", b""), ("Timestamp", (1, 0)),
                ("NOP", None), ("WScale", 7)] if mss is not None else []
    return dict(flags=flags, seq=1000, ack=2000 if "A" in flags else 0,
                window=64240, options=opts)


def in4_csum(s, target, **kw):
    """Inner IPv4 whose header checksum is target, found by the IP id."""
    hdr = bytearray(bytes(in4(s, ident=0, **kw))[:20])
    hdr[10:12] = b"\0\0"
    for ident in range(0x10000):
        struct.pack_into("!H", hdr, 4, ident)
        if csum16(bytes(hdr)) == target:
            p = in4(s, ident=ident, **kw)
            assert IP(bytes(p)).chksum == target
            return p
    raise ValueError("no id gives checksum 0x%04x" % target)


def in4_gre_csum0(s):
    """Inner IPv4 (protocol 253, 101 bytes of payload) whose GRE checksum
    toward keyless s is 0x0000 once forwarded: its first two payload bytes
    make the sum 0xffff."""
    rest = bytes(range(99))
    hdr = struct.pack("!HHI", 0x8000, gen.ETH_P_IP, 0)
    p = in4(s, "raw", proto=253, payload=b"\0\0" + rest)
    c = csum16(hdr + forward_inner(s, bytes(p)))
    p = in4(s, "raw", proto=253, payload=struct.pack("!H", c) + rest)
    assert csum16(hdr + forward_inner(s, bytes(p))) == 0
    return p


def uplink_frame(p, vlans=()):
    """p (scapy IP/IPv6) as it arrives on up0 from the upstream router."""
    b = bytes(p)
    etype = gen.ETH_P_IP if b[0] >> 4 == 4 else gen.ETH_P_IPV6
    return b"".join(x for _, x in gen.l2_segs("l2", UP0_MAC, UP0P_MAC,
                                             vlans, etype)) + b


# --------------------------------------------------------------------------
# The model: what the uplink program must do with a packet.

class State:
    """Per-case counters, fresh for every replay: GRE sequence numbers and
    outer IPv4 ids per subscriber."""

    def __init__(self):
        self.seq = {}
        self.ipid = {}

    def next(self, table, name):
        v = table.get(name, 0)
        table[name] = (v + 1) & 0xFFFFFFFF
        return v


def ip_len(b):
    if b[0] >> 4 == 4:
        return struct.unpack("!H", b[2:4])[0]
    return 40 + struct.unpack("!H", b[4:6])[0]


def clamp_mss(b, mtu, v6):
    """b with the MSS of a TCP SYN/SYN-ACK lowered to mtu - 40 (IPv4) or
    mtu - 60 (IPv6), TCP checksum recomputed; None when nothing changes."""
    ip = IPv6(b) if v6 else IP(b)
    if TCP not in ip or not ip[TCP].flags & 0x02:
        return None
    limit = mtu - (60 if v6 else 40)
    t = ip[TCP]
    opts = []
    changed = False
    for k, v in t.options:
        if k == "MSS" and v > limit:
            v = limit
            changed = True
        opts.append((k, v))
    if not changed:
        return None
    t.options = opts
    del t.chksum
    out = bytes(ip)
    # Only the MSS value and the TCP checksum may differ.
    assert len(out) == len(b)
    assert sum(x != y for x, y in zip(out, b)) <= 4
    return out


def forward_inner(s, b):
    """The inner packet as encapsulated: MSS clamped, TTL or hop limit one
    less (IPv4 header checksum recomputed)."""
    v6 = b[0] >> 4 == 6
    if s.mss_clamp:
        b = clamp_mss(b, s.mtu, v6) or b
    if v6:
        ip = IPv6(b)
        ip.hlim -= 1
    else:
        ip = IP(b)
        ip.ttl -= 1
        del ip.chksum
    out = bytes(ip)
    assert len(out) == len(b)
    return out


def segs_of(b):
    return gen.seg_ip(b)


def tunnel(s, st, inner, state):
    """Outer IP protocol, UDP ports (or None) and tunnel bytes around the
    forwarded inner packet."""
    v6 = inner[0] >> 4 == 6
    etype = gen.ETH_P_IPV6 if v6 else gen.ETH_P_IP
    segs = segs_of(inner)
    l2 = s.kind in ("gretap", "eoip", "l2tpv3-ip", "l2tpv3-udp")
    if l2:
        segs = gen.eth(segs, etype=etype, dst=s.peer_mac, src=st.gw_mac)
    udp = None
    if s.kind == "ipip":
        assert not v6
        proto = 4
    elif s.kind == "sit":
        assert v6
        proto = 41
    elif s.kind in ("gre", "gretap"):
        proto = 47
        seq = state.next(state.seq, s.name) if s.gre_seq else None
        segs = gen.gre(segs, gen.ETH_P_TEB if l2 else etype, key=s.key,
                       seq=seq, csum=s.gre_csum)
    elif s.kind == "eoip":
        proto = 47
        segs = gen.eoip(segs, s.peer_tid)
    elif s.kind == "l2tpv3-ip":
        proto = 115
        segs = gen.l2tpv3_ip(segs, s.peer_session, s.peer_cookie, s.sublayer)
    elif s.kind == "l2tpv3-udp":
        proto = 17
        segs = gen.l2tpv3_udp(segs, s.peer_session, s.peer_cookie,
                              s.sublayer)
    elif s.kind == "l2tpv2":
        proto = 17
        segs = gen.l2tpv2(gen.ppp(segs, 0x0057 if v6 else 0x0021,
                                  ff03=not s.acfc),
                          s.peer_tid, s.peer_session)
    else:
        raise ValueError(s.kind)
    if proto == 17:
        # Replay starts with no learnt port: peer_port, else 1701.
        udp = (s.local_port or st.port(s.kind), s.peer_port or L2TP_PORT)
    return proto, udp, b"".join(x for _, x in segs)


def encapsulate(s, st, inner, state):
    """Outer IPv4 (+ UDP) + tunnel header + inner, without Ethernet."""
    proto, udp, payload = tunnel(s, st, inner, state)
    if udp:
        h = udp_hdr(LOCAL, s.remote, udp[0], udp[1], payload)
        if not s.udp_csum:
            h = h[:6] + b"\0\0"
        payload = h + payload
    if s.df:
        ident, frag = 0, 0x4000
    else:
        ident, frag = state.next(state.ipid, s.name) & 0xFFFF, 0
    ttl = s.ttl or st.ttl or 64
    return ipv4_hdr(LOCAL, s.remote, proto, len(payload), ident=ident,
                    frag=frag, ttl=ttl) + payload


def icmp_too_big(frame, l2len, inner, s):
    """The ICMP error the program sends back out of up0 (XDP_TX)."""
    eth = mac(frame[6:12].hex(":")) + mac(frame[0:6].hex(":")) + \
        frame[12:l2len]
    if inner[0] >> 4 == 4:
        quote = inner[:ICMP4_QUOTE_MAX - 28]
        icmp = struct.pack("!BBHHH", 3, 4, 0, 0, s.mtu) + quote
        icmp = icmp[:2] + struct.pack("!H", csum16(icmp)) + icmp[4:]
        src = inner[12:16]
        ip = ipv4_hdr(LOCAL, str(ipaddress.IPv4Address(src)), 1, len(icmp),
                      ident=0, frag=0, ttl=64)
        return eth + ip + icmp
    quote = inner[:ICMP6_QUOTE_MAX - 48]
    src = str(ipaddress.IPv6Address(inner[24:40]))
    dst = str(ipaddress.IPv6Address(inner[8:24]))
    pkt = IPv6(src=src, dst=dst, hlim=64) / ICMPv6PacketTooBig(mtu=s.mtu) / \
        Raw(quote)
    return eth + bytes(pkt)


def uplink(case_subs, st, state, p, vlans=(), name=None):
    """One packet: (in bytes, verdict, reason, sub, egress, out bytes)."""
    frame = uplink_frame(p, vlans)
    l2len = len(frame) - len(bytes(p))
    inner = bytes(p)
    v6 = inner[0] >> 4 == 6
    s = SUBS[name] if name else None
    if s is None or s.disabled:
        return (frame, "pass", "not_subscriber", None, None, frame)
    case_subs.add(s.name)
    ttl = inner[7] if v6 else inner[8]
    if ttl <= 1:
        return (frame, "pass", "ttl_expired", s.name, None, frame)
    if ip_len(inner) > s.mtu:
        if v6 or struct.unpack("!H", inner[6:8])[0] & 0x4000:
            return (frame, "tx", "too_big", s.name, None,
                    icmp_too_big(frame, l2len, inner, s))
        return (frame, "pass", "frag_needed_local", s.name, None, frame)
    if s.kind in ("gretap", "eoip", "l2tpv3-ip", "l2tpv3-udp") and \
            not s.peer_mac:
        return (frame, "drop", "no_peer_mac", s.name, None, frame)
    outer = encapsulate(s, st, forward_inner(s, inner), state)
    if s.route == "nbr":
        eth = mac(nbr_mac(s.remote)) + mac(SUB0_MAC) + b"\x08\x00"
        return (frame, "redirect", "ok", s.name, "sub0", eth + outer)
    if s.route == "up":
        eth = mac(UP0P_MAC) + mac(UP0_MAC) + b"\x08\x00"
        return (frame, "redirect", "ok", s.name, "up0", eth + outer)
    # No neighbour: passed encapsulated, the Ethernet addresses as they
    # came in (the forwarding lookup gave none).
    eth = frame[0:12] + b"\x08\x00"
    return (frame, "pass", "fib_no_neigh", s.name, None, eth + outer)


def in_community(inner):
    v6 = inner[0] >> 4 == 6
    dst = ipaddress.ip_address(inner[24:40] if v6 else inner[16:20])
    return any(dst in ipaddress.ip_network(c) for c in COMMUNITY
               if ipaddress.ip_network(c).version == dst.version)


def is_icmp_error(inner):
    if inner[0] >> 4 == 6:
        return inner[6] == 58 and inner[40] < 128
    ihl = (inner[0] & 0xF) * 4
    return inner[9] == 1 and inner[ihl] not in (0, 8)


def scope_reply(s, st, state, f, inner):
    """ICMP administratively prohibited for inner (refused, from s),
    encapsulated back to s behind the refused frame's Ethernet addresses
    swapped."""
    eth = f.data[6:12] + f.data[0:6] + f.data[12:14]
    if inner[0] >> 4 == 4:
        quote = inner[:min(ICMP4_QUOTE_MAX, s.mtu) - 28]
        icmp = struct.pack("!BBHI", 3, 13, 0, 0) + quote
        icmp = icmp[:2] + struct.pack("!H", csum16(icmp)) + icmp[4:]
        dst = str(ipaddress.IPv4Address(inner[12:16]))
        msg = ipv4_hdr(LOCAL, dst, 1, len(icmp), ident=0, frag=0,
                       ttl=64) + icmp
    else:
        quote = inner[:min(ICMP6_QUOTE_MAX, s.mtu) - 48]
        src = str(ipaddress.IPv6Address(inner[24:40]))
        dst = str(ipaddress.IPv6Address(inner[8:24]))
        msg = bytes(IPv6(src=src, dst=dst, hlim=64) /
                    ICMPv6DestUnreach(code=1) / Raw(quote))
    return eth + encapsulate(s, st, msg, state)


def from_sub(s, p, scope=None):
    """(in bytes, verdict, reason, sub, egress, out bytes) of inner packet
    p sent by subscriber s through its tunnel (gen.py's headers). With
    scope (the case's settings and state), s is of a community-scope
    class and scope-action is icmp."""
    if s.kind in ("gretap", "eoip") or s.kind.startswith("l2tpv3"):
        p = gen.eth(p)
    if s.kind == "ipip":
        f = gen.frame(p, 4, src=s.remote)
    elif s.kind == "sit":
        f = gen.frame(p, 41, src=s.remote)
    elif s.kind == "gre":
        f = gen.frame(gen.gre(p, key=s.key), 47, src=s.remote)
    elif s.kind == "gretap":
        f = gen.frame(gen.gre(p, gen.ETH_P_TEB, key=s.key), 47, src=s.remote)
    elif s.kind == "l2tpv2":
        f = gen.frame(gen.l2tpv2(gen.ppp(p), s.tid, s.session),
                      src=s.remote, udp=(L2TP_PORT, L2TP_PORT))
    else:
        raise ValueError(s.kind)
    inner = f.data[f.inner_off:]
    v6 = inner[0] >> 4 == 6
    if scope and not in_community(inner):
        # Refused before decapsulation: a drop leaves the frame as it is.
        if is_icmp_error(inner):
            return (f.data, "drop", "scope", s.name, None, f.data)
        return (f.data, "tx", "scope", s.name, None,
                scope_reply(s, scope[0], scope[1], f, inner))
    b = inner
    if s.mss_clamp:
        b = clamp_mss(b, s.mtu, v6) or b
    if v6:
        ip = IPv6(b)
        ip.hlim -= 1
    else:
        ip = IP(b)
        ip.ttl -= 1
        del ip.chksum
    out = mac(UP0P_MAC) + mac(UP0_MAC) + \
        (b"\x86\xdd" if v6 else b"\x08\x00") + bytes(ip)
    return (f.data, "redirect", "ok", s.name, "up0", out)


# --------------------------------------------------------------------------
# The cases.

CASES = []


class Case:
    def __init__(self, name, desc, subs=(), config=(), topo=(),
                 side="uplink", pre=()):
        self.name = name
        self.pre = list(pre)
        self.desc = desc
        self.side = side
        self.settings = Settings(config)
        self.config = list(config)
        self.extra_topo = list(topo)
        self.state = State()
        self.rows = []
        self.subs = list(subs)
        self.used = set()
        CASES.append(self)

    def add(self, name, p, vlans=()):
        self.rows.append(uplink(self.used, self.settings, self.state, p,
                                vlans, name))

    def upstream(self, name, p, scope=False):
        """A packet from the subscriber, through its tunnel, run by the
        subscriber-side program: decapsulated, MSS clamped, forwarded to
        the uplink's gateway with its TTL or hop limit one less; or with
        scope (a community-scope subscriber) answered or dropped when
        outside the community."""
        self.used.add(name)
        self.rows.append(from_sub(SUBS[name], p, (self.settings, self.state)
                                  if scope else None))

    def other(self, p):
        """A packet to no subscriber."""
        self.rows.append(uplink(self.used, self.settings, self.state, p))

    def sub_names(self):
        names = list(self.subs)
        for n in SUBS:
            if n in self.used and n not in names:
                names.append(n)
        return names

    def topo(self):
        lines = []
        seen = set()
        for n in self.sub_names():
            s = SUBS[n]
            if s.route == "nbr" and s.remote not in seen:
                seen.add(s.remote)
                lines.append("neigh add %s lladdr %s dev sub0 nud permanent"
                             % (s.remote, nbr_mac(s.remote)))
        return lines + self.extra_topo


def both(c, name, **kw):
    c.add(name, in4(SUBS[name], **kw))
    c.add(name, in6(SUBS[name], **kw))


def build_cases():
    S = SUBS

    c = Case("enc_ipip", "IPIP toward a subscriber: inner UDP, TCP, ICMP, "
             "from behind one or two VLAN tags, inner fragments and DF, "
             "inner TTL 2 (sent with 1), inner header checksums where the "
             "TTL decrement carries or wraps")
    s = S["ipip"]
    for l4 in ("udp", "tcp", "icmp"):
        c.add("ipip", in4(s, l4))
    c.add("ipip", in4(s), vlans=[(gen.ETH_P_8021Q, 5)])
    c.add("ipip", in4(s, "tcp"), vlans=[(gen.ETH_P_8021AD, 5),
                                         (gen.ETH_P_8021Q, 6)])
    c.add("ipip", in4(s, flags="DF"))
    c.add("ipip", in4(s, flags="MF"))
    c.add("ipip", in4(s, "raw", frag=100, proto=17))
    c.add("ipip", in4(s, ttl=2))
    c.add("ipip", in4(s, ttl=255, options=[IPOption_Router_Alert()]))
    for ck in (0xFEFF, 0xFF00, 0xFF42, 0xFEFE, 0x0000, 0x00FF):
        c.add("ipip", in4_csum(s, ck))

    c = Case("enc_sit", "6in4 toward a subscriber: inner UDP, TCP, ICMPv6, "
             "traffic class and flow label, hop-by-hop header, hop limit 2, "
             "behind a VLAN tag")
    s = S["sit"]
    for l4 in ("udp", "tcp", "icmp"):
        c.add("sit", in6(s, l4))
    c.add("sit", in6(s, tc=0xb8, fl=0x12345))
    c.add("sit", IPv6(src=s.s6, dst=s.h6, hlim=64) /
          IPv6ExtHdrHopByHop(nh=17) / UDP(sport=7, dport=40000) /
          Raw(b"hop by hop"))
    c.add("sit", in6(s, hlim=2))
    c.add("sit", in6(s, "icmp"), vlans=[(gen.ETH_P_8021Q, 7)])

    c = Case("enc_gre", "GRE keyless, key 7, key 0x12345678 and key 0 on "
             "the same endpoint, inner IPv4 and IPv6, TCP, UDP, ICMP")
    for n in ("gre", "grek7", "grekbig", "grek0"):
        for l4 in ("udp", "tcp", "icmp"):
            both(c, n, l4=l4)

    c = Case("enc_gre_csum", "GRE with checksum, keyless and key "
             "0xffffffff: inner IPv4 and IPv6, odd and even lengths, GRE "
             "spans around 512 and 1024 bytes, up to the MTU, inner UDP "
             "payloads of 0, 1, 255..257 and 511..513 bytes, a checksum of "
             "0x0000")
    for n in ("grec", "grekc"):
        both(c, n)
        both(c, n, l4="tcp")
        both(c, n, payload=b"even payload")
    # GRE span = 4 (+4 key) + 4 checksum + inner IP.
    for span in (511, 512, 513, 514, 515, 1023, 1024, 1025, 1026):
        pl = (bytes(range(256)) * 6)[:span - 8 - 28]
        c.add("grec", in4(S["grec"], payload=pl))
    c.add("grec", in6(S["grec"], payload=(bytes(range(256)) * 6)[:1352]))
    # Inner UDP payloads around the summing's powers of two and 512-byte
    # chunks; a payload that makes the checksum 0x0000 (sent as it is).
    for n in (0, 1, 255, 256, 257, 511, 512, 513):
        c.add("grec", in4(S["grec"], payload=(bytes(range(1, 256)) * 3)[:n]))
    c.add("grec", in4_gre_csum0(S["grec"]))
    c.add("grekc", in4(S["grekc"], payload=(bytes(range(251)) * 6)[:1372]))

    c = Case("enc_gre_seq", "GRE sequence numbers from 0 for each "
             "subscriber, interleaved: keyless, and with key and checksum; "
             "a gretap with key, checksum and sequence numbers")
    for i in range(4):
        c.add("gres", in4(S["gres"], ident=i))
        c.add("grekcs", in6(S["grekcs"]) if i % 2 else in4(S["grekcs"]))
        if i < 3:
            c.add("tapkcs", in4(S["tapkcs"], ident=i))
    c.add("gres", in6(S["gres"], "tcp"))

    c = Case("enc_gretap", "gretap keyless, keyed, with checksum and "
             "sequence numbers, toward a configured peer MAC, inner IPv4 and "
             "IPv6; without a peer MAC (none learnt yet): no_peer_mac drop")
    for n in ("tap", "tapk", "tapkcs"):
        both(c, n)
        both(c, n, l4="tcp")
    both(c, "tapnomac")
    c.add("tap", in4(S["tap"], "icmp"), vlans=[(gen.ETH_P_8021Q, 9)])

    c = Case("enc_eoip", "EoIP tunnel ids 258 (little-endian on the wire), "
             "0 and 65535, inner IPv4 and IPv6; without a peer MAC: "
             "no_peer_mac drop")
    for n in ("eoip", "eoip0", "eoipmax"):
        both(c, n)
    both(c, "eoip", l4="icmp")
    both(c, "eoipnomac")

    c = Case("enc_l2tpv3_ip", "L2TPv3 over IP: cookies of 0, 4 and 8 bytes "
             "with and without the default sublayer, a peer session id and "
             "peer cookie other than ours, inner IPv4 and IPv6; without a "
             "peer MAC: no_peer_mac drop")
    for i in range(6):
        both(c, "l3ip%d" % i)
    both(c, "l3ippeer")
    both(c, "l3ip0", l4="tcp")
    both(c, "l3ipnomac")

    c = Case("enc_l2tpv3_udp", "L2TPv3 over UDP: cookies of 0, 4 and 8 "
             "bytes with and without sublayer, UDP checksum on and off, peer "
             "session and cookie, peer port 4500 and local port 1702; "
             "without a peer MAC: no_peer_mac drop")
    for i in range(6):
        both(c, "l3udp%d" % i)
    both(c, "l3udppeer")
    both(c, "l3udpports")
    both(c, "l3udpports", l4="tcp", payload=b"even payload")
    both(c, "l3udpnomac")

    c = Case("enc_l2tpv3_udp_port", "L2TPv3 over UDP with setting "
             "l2tpv3-udp-port 1702: the source port, unless the subscriber "
             "has its own", config=["l2tpv3-udp-port 1702"])
    both(c, "l3udpcfg")
    both(c, "l3udpcfgp")

    c = Case("enc_l2tpv2", "L2TPv2: PPP with FF03 (default and explicit), "
             "with address/control compression, UDP checksum, peer tunnel "
             "and session ids, peer port 1024 and local port 1702, inner "
             "IPv4 and IPv6")
    for n in ("l2tp", "l2tpacfc", "l2tpff03", "l2tppeer", "l2tpports"):
        both(c, n)
    both(c, "l2tp", l4="tcp")
    both(c, "l2tpports", l4="icmp", payload=b"even payload")

    c = Case("enc_l2tpv2_udp_port", "L2TPv2 with setting l2tpv2-udp-port "
             "1702: the source port", config=["l2tpv2-udp-port 1702"])
    both(c, "l2tpcfg")

    c = Case("enc_df", "outer DF off: IPv4 ids 0, 1, 2... per subscriber, "
             "interleaved over IPIP, GRE, L2TPv2, gretap; DF on (6in4): id 0")
    for i in range(3):
        c.add("ipipdf0", in4(S["ipipdf0"], ident=i))
        c.add("gredf0", in6(S["gredf0"]) if i == 1 else in4(S["gredf0"]))
        c.add("l2tpdf0", in4(S["l2tpdf0"]))
        c.add("sitdf1", in6(S["sitdf1"]))
        c.add("tapdf0", in6(S["tapdf0"]))

    c = Case("enc_ttl", "outer TTL: subscriber TTL 1, 255, 10, else the ttl "
             "setting (100)", config=["ttl 100"])
    c.add("ttl1", in4(S["ttl1"]))
    c.add("ttl255", in4(S["ttl255"]))
    c.add("ttl255", in6(S["ttl255"]))
    c.add("ttldef", in6(S["ttldef"]))
    both(c, "ttl10")

    c = Case("enc_ttl_default", "outer TTL 64 when neither the subscriber "
             "nor the settings say")
    c.add("ttldef", in6(S["ttldef"]))
    c.add("gre", in4(S["gre"]))

    c = Case("enc_too_big", "over the tunnel MTU: IPv4 with DF and IPv6 get "
             "ICMP fragmentation needed / packet too big with the tunnel "
             "MTU, quoting up to 576 / 1280 bytes; IPv4 without DF is left "
             "to the kernel (frag_needed_local); exactly the MTU is sent")
    s = S["mtu"]
    far4 = dict(src=FAR4)
    far6 = dict(src=FAR6)
    pl = bytes(range(256)) * 6
    # What fits is sent: from the subscriber's own prefix (roundtrip).
    c.add("mtu", in4(s, payload=pl[:1400 - 28], flags="DF"))
    c.add("mtu", in4(s, payload=pl[:1401 - 28], flags="DF", **far4))
    c.add("mtu", in4(s, "tcp", payload=pl[:1472 - 40], flags="DF",
                     tcp=dict(flags="A", seq=1, ack=1), **far4))
    c.add("mtu", in4(s, payload=pl[:1401 - 28], **far4))
    c.add("mtu", in4(s, payload=pl[:1401 - 28], flags="MF", **far4))
    c.add("mtu", in6(s, payload=pl[:1400 - 48]))
    c.add("mtu", in6(s, payload=pl[:1401 - 48], **far6))
    c.add("mtu", in6(s, "tcp", payload=pl[:1440 - 60],
                     tcp=dict(flags="A", seq=1, ack=1), **far6))
    s = S["mtu576"]
    c.add("mtu576", in4(s, payload=pl[:576 - 28], flags="DF"))
    c.add("mtu576", in4(s, payload=pl[:577 - 28], flags="DF", **far4))
    c.add("mtu576", in4(s, "icmp", payload=pl[:600 - 28], flags="DF",
                        **far4))
    c.add("mtu576", in4(s, payload=pl[:577 - 28], **far4))
    s = S["mtul2"]
    c.add("mtul2", in6(s, payload=pl[:1280 - 48]))
    c.add("mtul2", in6(s, payload=pl[:1281 - 48], **far6))
    c.add("mtul2", in4(s, payload=pl[:1281 - 28], flags="DF", **far4))
    # Behind a VLAN tag: the reply goes back with the tag.
    c.add("mtu", in4(S["mtu"], "icmp", payload=pl[:1401 - 28], flags="DF",
                     **far4), vlans=[(gen.ETH_P_8021Q, 12)])
    # Over the MTU and TTL 1: expired first.
    c.add("mtu", in4(S["mtu"], payload=pl[:1401 - 28], flags="DF",
                     ttl=1, **far4))

    c = Case("enc_mss", "MSS clamping of SYN and SYN-ACK to MTU - 40 (IPv4) "
             "/ MTU - 60 (IPv6): above, equal, below, option not first, "
             "inner IPv4 options, no MSS option, plain ACK with an MSS "
             "option, clamping off, MTU 1436 gretap")
    s = S["mtu"]
    for mss in (1460, 1361, 1360, 1359, 536):
        c.add("mtu", in4(s, "tcp", tcp=syn(mss), payload=b""))
    c.add("mtu", in4(s, "tcp", tcp=syn(1460, "SA"), payload=b""))
    c.add("mtu", in4(s, "tcp", tcp=syn(
        None, opts=[("NOP", None), ("WScale", 7), ("NOP", None),
                    ("NOP", None), ("SAckOK", b""), ("MSS", 65535)]),
        payload=b""))
    c.add("mtu", in4(s, "tcp", tcp=syn(1460), payload=b"",
                     options=[IPOption_Router_Alert()]))
    c.add("mtu", in4(s, "tcp", tcp=syn(None), payload=b""))
    c.add("mtu", in4(s, "tcp", tcp=syn(1460, "A"), payload=b"data"))
    for mss in (1440, 1341, 1340, 1220):
        c.add("mtu", in6(s, "tcp", tcp=syn(mss), payload=b""))
    c.add("mtu", in6(s, "tcp", tcp=syn(1440, "SA"), payload=b""))
    c.add("mssoff", in4(S["mssoff"], "tcp", tcp=syn(1460), payload=b""))
    c.add("mssoff", in6(S["mssoff"], "tcp", tcp=syn(1440, "SA"),
                        payload=b""))
    c.add("mtutap", in4(S["mtutap"], "tcp", tcp=syn(1460), payload=b""))
    c.add("mtutap", in6(S["mtutap"], "tcp", tcp=syn(1460, "SA"),
                        payload=b""))
    c.add("mtul2", in6(S["mtul2"], "tcp", tcp=syn(1460), payload=b""))

    c = Case("enc_mss_upstream", "MSS clamping in the subscriber-side "
             "program, of SYN and SYN-ACK from the subscriber to MTU - 40 "
             "(IPv4) / MTU - 60 (IPv6): GRE MTU 1400, gretap MTU 1436, "
             "L2TPv2 MTU 1280, clamping off; above, equal, below, plain ACK",
             side="subscriber")
    for n in ("mtu", "mtutap", "mtul2", "mssoff"):
        t = S[n]
        lim4, lim6 = t.mtu - 40, t.mtu - 60
        for mss in (1460, lim4 + 1, lim4, lim4 - 1):
            c.upstream(n, in4(t, "tcp", tcp=syn(mss), payload=b"",
                              src=t.s4, dst=FAR4))
        c.upstream(n, in4(t, "tcp", tcp=syn(1460, "SA"), payload=b"",
                          src=t.s4, dst=FAR4))
        c.upstream(n, in4(t, "tcp", tcp=syn(1460, "A"), payload=b"x",
                          src=t.s4, dst=FAR4))
        for mss in (1440, lim6 + 1, lim6, lim6 - 1):
            c.upstream(n, in6(t, "tcp", tcp=syn(mss), payload=b"",
                              src=t.s6, dst=FAR6))
        c.upstream(n, in6(t, "tcp", tcp=syn(1440, "SA"), payload=b"",
                          src=t.s6, dst=FAR6))

    c = Case("scope_icmp", "scope-action icmp: a community-scope "
             "subscriber's packets to outside the community (10.0.0.0/8, "
             "2001:db8:c::/48) answered with ICMP administratively "
             "prohibited (3/13, ICMPv6 1/1) back through IPIP, GRE with key "
             "and checksum, L2TPv2 with peer ids and UDP checksum (tunnel "
             "MTU 1300), 6in4: short and long datagrams (the quote cut to "
             "576 / 1280 / the MTU); an ICMP error outside: dropped "
             "silently; inside the community, and a subscriber without a "
             "class: forwarded", side="subscriber",
             config=["scope-action icmp"],
             pre=["community add " + c for c in COMMUNITY] +
             ["class add members --scope community"])
    out4, out6 = "203.0.113.9", "2001:db8:ffff::9"
    for n in ("cipip", "cgre", "cl2tp"):
        t = S[n]
        c.upstream(n, in4(t, src=t.s4, dst=out4), scope=True)
        c.upstream(n, in4(t, src=t.s4, dst=out4, payload=pl[:1000]),
                   scope=True)
        c.upstream(n, in4(t, src=t.s4, dst="10.1.2.3"), scope=True)
    c.upstream("cl2tp", in6(S["cl2tp"], src=S["cl2tp"].s6, dst=out6,
                            payload=pl[:1290]), scope=True)
    t = S["csit"]
    c.upstream("csit", in6(t, src=t.s6, dst=out6), scope=True)
    c.upstream("csit", in6(t, src=t.s6, dst=out6, payload=pl[:1400]),
               scope=True)
    c.upstream("csit", in6(t, "icmp", src=t.s6, dst=out6), scope=True)
    c.upstream("csit", in6(t, src=t.s6, dst="2001:db8:c::1"), scope=True)
    t = S["cipip"]
    c.upstream("cipip", in4(t, "icmp", src=t.s4, dst=out4), scope=True)
    c.upstream("cipip", IP(src=t.s4, dst=out4, ttl=64, id=5) /
               ICMP(type=3, code=1) / Raw(bytes(in4(t, src=out4,
                                                     dst=t.s4))[:28]),
               scope=True)
    t = S["cinet"]
    c.upstream("cinet", in4(t, src=t.s4, dst=out4))

    c = Case("enc_not_subscriber", "destinations outside every "
             "subscriber's prefixes, and of a disabled subscriber: passed "
             "untouched; inner TTL or hop limit 1 or 0: ttl_expired, "
             "untouched", subs=["ipip", "sit", "off"])
    c.other(in4(S["ipip"], dst="100.64.59.10"))
    c.other(in4(S["ipip"], dst="198.51.100.7"))
    c.other(in6(S["sit"], dst="2001:db8:59::10"))
    c.other(in6(S["sit"], dst="2001:db8:2::7", l4="icmp"))
    c.other(in4(S["off"]))
    c.add("ipip", in4(S["ipip"], ttl=1))
    c.add("ipip", in4(S["ipip"], ttl=0))
    c.add("sit", in6(S["sit"], hlim=1))
    c.add("sit", in6(S["sit"], hlim=0))
    c.add("ipip", in4(S["ipip"], ttl=2))
    c.add("sit", in6(S["sit"], hlim=2))

    c = Case("enc_fib", "outer routing: an endpoint behind the uplink's "
             "default gateway (leaves on up0), endpoints on sub0's subnet "
             "without a neighbour (passed encapsulated, fib_no_neigh)")
    both(c, "far")
    both(c, "noneigh")
    both(c, "noneigh3")
    both(c, "gre")

    c = Case("enc_gateway_mac", "setting gateway-mac: the inner Ethernet "
             "source of gretap, EoIP, L2TPv3", config=[
                 "gateway-mac 02:00:5e:00:53:01"])
    for n in ("tap", "eoip", "l3ip0", "l3udp0"):
        both(c, n)


# --------------------------------------------------------------------------
# Output.

def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    build_cases()
    for c in CASES:
        d = os.path.join(outdir, c.name)
        os.makedirs(d, exist_ok=True)
        ins = [r[0] for r in c.rows]
        gen.write_pcap(os.path.join(d, "in.pcap"), ins)
        gen.write_expected(d, ins, [r[1:] for r in c.rows])
        side = os.path.join(d, "side")
        if c.side == "uplink":
            with open(side, "w") as f:
                f.write("uplink\n")
        elif os.path.exists(side):
            os.unlink(side)
        with open(os.path.join(d, "db.sh"), "w") as f:
            f.write("# SPDX-License-Identifier: GPL-2.0-only\n")
            f.write("# Generated by tests/pcap/gen_encap.py, do not edit.\n")
            for line in textwrap.wrap("%s: %s" % (c.name, c.desc), 74):
                f.write("# %s\n" % line)
            f.write("set -e\n")
            for line in c.pre:
                f.write('"$TUNGATE" %s\n' % line)
            for name in c.sub_names():
                f.write(SUBS[name].cli() + "\n")
            for kv in c.config:
                f.write('"$TUNGATE" config set %s\n' % kv)
        topo = c.topo()
        path = os.path.join(d, "topo")
        if topo:
            with open(path, "w") as f:
                f.write("# SPDX-License-Identifier: GPL-2.0-only\n")
                f.write("# Generated by tests/pcap/gen_encap.py, do not "
                        "edit.\n")
                for line in topo:
                    f.write(line + "\n")
        elif os.path.exists(path):
            os.unlink(path)
    npkt = sum(len(c.rows) for c in CASES)
    print("gen_encap.py: %d cases, %d packets in %s" % (len(CASES), npkt,
                                                        outdir))


if __name__ == "__main__":
    main()
