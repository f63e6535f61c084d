#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A userspace tunnel endpoint: the subscriber's router, in one process.

Opens a layer 3 TUN device and moves packets between it and a tunnel to
--remote: a raw IP socket (protocol 4, 41, 47 or 115) or a UDP socket (L2TP).
Ethernet-carrying types (gretap, eoip, l2tpv3-*) wrap each packet in an
Ethernet header themselves and find the gateway's MAC the way a stock peer
does: ARP requests / neighbour solicitations sent inside the tunnel. They also
answer ARP and neighbour solicitations for their own addresses.

Options name ids as seen from this endpoint, like `ip l2tp`: --session is the
session id of packets we receive, --peer-session the one we send (default:
--session); the same for --tunnel-id/--peer-tunnel-id and
--cookie/--peer-cookie. GRE keys and EoIP tunnel ids are the same both ways.

usage: tunnel_endpoint.py --type T --remote IPV4 --local IPV4 [--tun NAME]
         [--addr CIDR]... [--route PREFIX]... [--mtu N] [type options]

Prints `ready <tun>` once packets flow; on SIGTERM prints its counters to
stderr and exits 0.
"""
import argparse
import array
import fcntl
import ipaddress
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_ARP = 0x0806
ETH_P_TEB = 0x6558
ETH_P_EOIP = 0x6400
VLAN_TPIDS = (0x8100, 0x88A8)

GRE_C, GRE_R, GRE_K, GRE_S = 0x8000, 0x4000, 0x2000, 0x1000

PPP_IP, PPP_IPV6 = 0x0021, 0x0057

L3_TYPES = ("ipip", "sit", "gre", "l2tpv2")
ETH_TYPES = ("gretap", "eoip", "l2tpv3-ip", "l2tpv3-udp")
TYPES = L3_TYPES + ETH_TYPES
IPPROTO = {"ipip": 4, "sit": 41, "gre": 47, "gretap": 47, "eoip": 47, "l2tpv3-ip": 115}

BROADCAST = b"\xff" * 6


def csum(data):
    """Internet checksum, returned as the 2 bytes to put on the wire."""
    if len(data) & 1:
        data += b"\0"
    s = sum(array.array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("=H", ~s & 0xFFFF)


def mac_bytes(text):
    b = bytes(int(x, 16) for x in text.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC address %r" % text)
    return b


def mac_text(b):
    return ":".join("%02x" % x for x in b)


class Counters:
    def __init__(self):
        self.c = {}

    def inc(self, name, n=1):
        self.c[name] = self.c.get(name, 0) + n

    def __str__(self):
        return " ".join(k if "=" in k else "%s=%d" % (k, v) for k, v in sorted(self.c.items()))


CNT = Counters()


class Ethernet:
    """The Ethernet link inside the tunnel: our MAC, the gateway's MACs."""

    QUEUE_MAX = 64
    RETRY = 0.5

    def __init__(self, args, send_frame, to_tun):
        self.mac = mac_bytes(args.mac)
        self.gw4 = args.gateway and ipaddress.IPv4Address(args.gateway)
        self.gw6 = args.gateway6 and ipaddress.IPv6Address(args.gateway6)
        self.mine4 = set()
        self.mine6 = set()
        for a in args.addr:
            ip = ipaddress.ip_interface(a).ip
            (self.mine4 if ip.version == 4 else self.mine6).add(ip.packed)
        self.gw_mac = {4: None, 6: None}
        if args.gateway_mac:
            self.gw_mac = {4: mac_bytes(args.gateway_mac), 6: mac_bytes(args.gateway_mac)}
        self.queue = {4: [], 6: []}
        self.asked = {4: 0.0, 6: 0.0}
        self.send_frame = send_frame
        self.to_tun = to_tun

    # toward the tunnel

    def from_tun(self, pkt):
        ver = pkt[0] >> 4
        mac = self.gw_mac[ver]
        if mac is None and (self.gw4 if ver == 4 else self.gw6) is None:
            CNT.inc("drop_no_gateway")
            return
        if mac is None:
            q = self.queue[ver]
            if len(q) < self.QUEUE_MAX:
                q.append(pkt)
            else:
                CNT.inc("drop_unresolved")
            self.solicit(ver, pkt)
            return
        etype = ETH_P_IP if ver == 4 else ETH_P_IPV6
        self.send_frame(mac + self.mac + struct.pack("!H", etype) + pkt)

    def solicit(self, ver, pkt=None, force=False):
        now = time.monotonic()
        if not force and now - self.asked[ver] < self.RETRY:
            return
        self.asked[ver] = now
        if ver == 4:
            src = pkt[12:16] if pkt else next(iter(self.mine4), b"\0" * 4)
            arp = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1)
            arp += self.mac + src + b"\0" * 6 + self.gw4.packed
            self.send_frame(BROADCAST + self.mac + struct.pack("!H", ETH_P_ARP) + arp)
            CNT.inc("arp_request_sent")
        else:
            src = pkt[8:24] if pkt else next(iter(self.mine6))
            tgt = self.gw6.packed
            dst = b"\xff\x02" + b"\0" * 9 + b"\x01\xff" + tgt[13:]
            body = struct.pack("!BBHI", 135, 0, 0, 0) + tgt + b"\x01\x01" + self.mac
            self.send_frame(b"\x33\x33" + dst[12:] + self.mac +
                            struct.pack("!H", ETH_P_IPV6) + ip6_packet(src, dst, 58, body))
            CNT.inc("ns_sent")

    def retry(self):
        for ver in (4, 6):
            if self.queue[ver] and self.gw_mac[ver] is None:
                self.solicit(ver, self.queue[ver][0])

    def learnt(self, ver, mac):
        if self.gw_mac[ver] != mac:
            CNT.inc("gw_mac_learnt_v%d" % ver)
        self.gw_mac[ver] = mac
        q, self.queue[ver] = self.queue[ver], []
        for pkt in q:
            self.from_tun(pkt)

    # from the tunnel

    def from_tunnel(self, frame):
        if len(frame) < 14:
            CNT.inc("rx_short_frame")
            return
        dst, src = frame[0:6], frame[6:12]
        if dst != self.mac and not dst[0] & 1:
            # A peer only takes frames for its own MAC (or group ones).
            CNT.inc("rx_not_my_mac")
            return
        off = 12
        etype = struct.unpack_from("!H", frame, off)[0]
        for _ in range(2):
            if etype not in VLAN_TPIDS:
                break
            off += 4
            etype = struct.unpack_from("!H", frame, off)[0]
        body = frame[off + 2:]
        if etype == ETH_P_ARP:
            self.arp_in(src, body)
        elif etype == ETH_P_IP:
            self.to_tun(body)
        elif etype == ETH_P_IPV6:
            if not self.nd_in(src, body):
                self.to_tun(body)
        else:
            CNT.inc("rx_other_ethertype")

    def arp_in(self, src, arp):
        if len(arp) < 28:
            CNT.inc("rx_short_arp")
            return
        htype, ptype, hlen, plen, op = struct.unpack_from("!HHBBH", arp)
        if (htype, ptype, hlen, plen) != (1, ETH_P_IP, 6, 4):
            CNT.inc("rx_bad_arp")
            return
        sha, spa, tpa = arp[8:14], arp[14:18], arp[24:28]
        if op == 2 and self.gw4 is not None and spa == self.gw4.packed:
            CNT.inc("arp_reply_received")
            self.learnt(4, sha)
        elif op == 1 and tpa in self.mine4:
            rep = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 2) + self.mac + tpa + sha + spa
            self.send_frame(src + self.mac + struct.pack("!H", ETH_P_ARP) + rep)
            CNT.inc("arp_reply_sent")
        else:
            CNT.inc("rx_arp_ignored")

    def nd_in(self, src_mac, pkt):
        """Handle neighbour discovery; True when the packet was ND."""
        if len(pkt) < 40 + 24 or pkt[6] != 58 or pkt[40] not in (135, 136):
            return False
        icmp = pkt[40:40 + struct.unpack_from("!H", pkt, 4)[0]]
        if csum(pseudo6(pkt[8:24], pkt[24:40], 58, len(icmp)) + icmp) != b"\0\0":
            CNT.inc("rx_nd_bad_csum")
            return True
        target = icmp[8:24]
        lladdr = None
        opts = icmp[24:]
        while len(opts) >= 8 and opts[1]:
            if opts[0] in (1, 2) and len(opts) >= 8:
                lladdr = opts[2:8]
            opts = opts[opts[1] * 8:]
        if icmp[0] == 136:
            if self.gw6 is not None and target == self.gw6.packed:
                CNT.inc("na_received")
                self.learnt(6, lladdr or src_mac)
            else:
                CNT.inc("rx_na_ignored")
        elif target in self.mine6:
            # Solicited, override; answered from the target address.
            body = struct.pack("!BBHI", 136, 0, 0, 0x60000000) + target + b"\x02\x01" + self.mac
            src = pkt[8:24]
            dst = src if src != b"\0" * 16 else bytes.fromhex("ff02" + "00" * 13 + "01")
            self.send_frame((lladdr or src_mac) + self.mac + struct.pack("!H", ETH_P_IPV6) +
                            ip6_packet(target, dst, 58, body))
            CNT.inc("na_sent")
        else:
            CNT.inc("rx_ns_ignored")
        return True


def pseudo6(src, dst, nh, length):
    return src + dst + struct.pack("!IxxxB", length, nh)


def ip6_packet(src, dst, nh, body):
    """IPv6 packet with hop limit 255; fills in an ICMPv6 checksum."""
    if nh == 58:
        c = csum(pseudo6(src, dst, nh, len(body)) + body)
        body = body[:2] + c + body[4:]
    return struct.pack("!IHBB", 0x60000000, len(body), nh, 255) + src + dst + body


class Tunnel:
    """Builds and parses one tunnel type's headers (after the outer IP/UDP)."""

    def __init__(self, a):
        self.a = a
        self.type = a.type
        self.seq = 0
        self.session = a.session
        self.peer_session = a.peer_session if a.peer_session is not None else a.session
        self.tunnel_id = a.tunnel_id
        self.peer_tunnel_id = a.peer_tunnel_id if a.peer_tunnel_id is not None else a.tunnel_id
        self.cookie = bytes.fromhex(a.cookie) if a.cookie else b""
        self.peer_cookie = bytes.fromhex(a.peer_cookie) if a.peer_cookie is not None else self.cookie
        self.sublayer = a.sublayer == "default"

    def gre(self, proto, payload):
        a = self.a
        flags = (GRE_C if a.gre_csum else 0) | (GRE_K if a.key is not None else 0) | \
            (GRE_S if a.gre_seq else 0)
        hdr = struct.pack("!HH", flags, proto)
        if a.gre_csum:
            hdr += b"\0\0\0\0"
        if a.key is not None:
            hdr += struct.pack("!I", a.key)
        if a.gre_seq:
            hdr += struct.pack("!I", self.seq)
            self.seq = (self.seq + 1) & 0xFFFFFFFF
        if a.gre_csum:
            c = csum(hdr + payload)
            hdr = hdr[:4] + c + hdr[6:]
        return hdr + payload

    def encap(self, payload):
        """payload: inner IP packet (L3 types) or Ethernet frame."""
        t = self.type
        if t in ("ipip", "sit"):
            return payload
        if t == "gre":
            return self.gre(ETH_P_IP if payload[0] >> 4 == 4 else ETH_P_IPV6, payload)
        if t == "gretap":
            return self.gre(ETH_P_TEB, payload)
        if t == "eoip":
            return struct.pack("!HHH", 0x2001, ETH_P_EOIP, len(payload)) + \
                struct.pack("<H", self.a.tunnel_id) + payload
        if t in ("l2tpv3-ip", "l2tpv3-udp"):
            hdr = struct.pack("!I", self.peer_session) + self.peer_cookie
            if self.sublayer:
                hdr += b"\0\0\0\0"
            if t == "l2tpv3-udp":
                hdr = b"\x00\x03\x00\x00" + hdr
            return hdr + payload
        # l2tpv2: data message without length or sequence numbers, then PPP.
        proto = PPP_IP if payload[0] >> 4 == 4 else PPP_IPV6
        ppp = (b"" if self.a.ppp_acfc else b"\xff\x03") + struct.pack("!H", proto)
        return struct.pack("!HHH", 0x0002, self.peer_tunnel_id, self.peer_session) + ppp + payload

    def decap(self, p):
        """Tunnel payload -> inner IP packet / Ethernet frame, or None."""
        t = self.type
        if t in ("ipip", "sit"):
            want = 4 if t == "ipip" else 6
            if not p or p[0] >> 4 != want:
                CNT.inc("rx_wrong_inner")
                return None
            return p
        if t in ("gre", "gretap", "eoip"):
            return self.gre_decap(p)
        if t in ("l2tpv3-ip", "l2tpv3-udp"):
            off = 0
            if t == "l2tpv3-udp":
                if len(p) < 4:
                    CNT.inc("rx_short")
                    return None
                flags = struct.unpack_from("!H", p)[0]
                if flags & 0x8000 or flags & 0xF != 3:
                    CNT.inc("rx_control")
                    return None
                off = 4
            if len(p) < off + 4:
                CNT.inc("rx_short")
                return None
            sess = struct.unpack_from("!I", p, off)[0]
            if sess == 0:
                CNT.inc("rx_control")
                return None
            if sess != self.session:
                CNT.inc("rx_wrong_session")
                return None
            off += 4
            if p[off:off + len(self.cookie)] != self.cookie:
                CNT.inc("rx_bad_cookie")
                return None
            off += len(self.cookie) + (4 if self.sublayer else 0)
            return p[off:]
        return self.l2tpv2_decap(p)

    def gre_decap(self, p):
        if len(p) < 4:
            CNT.inc("rx_short")
            return None
        flags, proto = struct.unpack_from("!HH", p)
        if self.type == "eoip":
            if flags != 0x2001 or proto != ETH_P_EOIP or len(p) < 8:
                CNT.inc("rx_not_eoip")
                return None
            length = struct.unpack_from("!H", p, 4)[0]
            tid = struct.unpack_from("<H", p, 6)[0]
            if tid != self.a.tunnel_id:
                CNT.inc("rx_wrong_key")
                return None
            if length != len(p) - 8:
                CNT.inc("rx_bad_eoip_length")
                return None
            return p[8:]
        if flags & (GRE_R | 0x0FFF):
            CNT.inc("rx_gre_unsupported")
            return None
        off = 4
        if flags & GRE_C:
            if csum(p) != b"\0\0":
                CNT.inc("rx_gre_bad_csum")
                return None
            CNT.inc("rx_gre_csum_ok")
            off += 4
        key = None
        if flags & GRE_K:
            key = struct.unpack_from("!I", p, off)[0]
            off += 4
        if key != self.a.key:
            CNT.inc("rx_wrong_key")
            return None
        if flags & GRE_S:
            CNT.inc("rx_gre_seq")
            off += 4
        if self.type == "gretap":
            if proto != ETH_P_TEB:
                CNT.inc("rx_wrong_proto")
                return None
        elif proto not in (ETH_P_IP, ETH_P_IPV6) or len(p) <= off or \
                (p[off] >> 4 == 4) != (proto == ETH_P_IP):
            CNT.inc("rx_wrong_proto")
            return None
        return p[off:]

    def l2tpv2_decap(self, p):
        if len(p) < 6:
            CNT.inc("rx_short")
            return None
        flags = struct.unpack_from("!H", p)[0]
        if flags & 0x8000 or flags & 0xF != 2:
            CNT.inc("rx_control")
            return None
        off = 2 + (2 if flags & 0x4000 else 0)
        tid, sid = struct.unpack_from("!HH", p, off)
        off += 4
        if (tid, sid) != (self.tunnel_id, self.session):
            CNT.inc("rx_wrong_session")
            return None
        if flags & 0x0800:
            off += 4
        if flags & 0x0200:
            off += 2 + struct.unpack_from("!H", p, off)[0]
        if p[off:off + 2] == b"\xff\x03":
            off += 2
        if len(p) <= off:
            CNT.inc("rx_short")
            return None
        if p[off] & 1:
            proto = p[off]
            off += 1
        else:
            proto = struct.unpack_from("!H", p, off)[0]
            off += 2
        if proto not in (PPP_IP, PPP_IPV6):
            CNT.inc("rx_ppp_control")
            return None
        return p[off:]


class Endpoint:
    def __init__(self, a):
        self.a = a
        self.remote = socket.inet_aton(a.remote)
        self.tun_name = a.tun
        self.tun = self.open_tun(a.tun)
        self.tunnel = Tunnel(a)
        if a.type in ("l2tpv3-udp", "l2tpv2"):
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind((a.local, a.local_port))
            self.dest = (a.remote, a.peer_port)
            self.raw = False
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO[a.type])
            self.sock.bind((a.local, 0))
            self.dest = (a.remote, 0)
            self.raw = True
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        self.sock.setblocking(False)
        self.eth = Ethernet(a, self.send_tunnel, self.write_tun) if a.type in ETH_TYPES else None

    @staticmethod
    def open_tun(name):
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
        os.set_blocking(fd, False)
        return fd

    def configure(self):
        a = self.a
        ip = ["ip"]
        subprocess.run(ip + ["link", "set", "dev", self.tun_name, "mtu", str(a.mtu), "up"],
                       check=True)
        for addr in a.addr:
            extra = ["nodad"] if ipaddress.ip_interface(addr).version == 6 else []
            subprocess.run(ip + ["addr", "add", addr, "dev", self.tun_name] + extra, check=True)
        for r in a.route:
            subprocess.run(ip + ["route", "replace", r, "dev", self.tun_name], check=True)
        # Ready means usable: even without DAD an IPv6 address stays
        # tentative until the kernel's address worker has run.
        start = time.monotonic()
        for addr in a.addr:
            ip_addr = ipaddress.ip_interface(addr).ip
            fam = socket.AF_INET if ip_addr.version == 4 else socket.AF_INET6
            while True:
                with socket.socket(fam, socket.SOCK_DGRAM) as s:
                    try:
                        s.bind((str(ip_addr), 0))
                        break
                    except OSError:
                        if time.monotonic() - start > 5:
                            raise
                time.sleep(0.02)
        waited = int((time.monotonic() - start) * 1000)
        if waited > 20:
            CNT.inc("addr_wait_ms", waited)

    def send_tunnel(self, payload):
        try:
            self.sock.sendto(self.tunnel.encap(payload), self.dest)
            CNT.inc("tx_tunnel")
        except BlockingIOError:
            CNT.inc("tx_tunnel_full")
        except OSError as e:
            CNT.inc("tx_tunnel_error_%d" % e.errno)

    def write_tun(self, pkt):
        if not pkt or pkt[0] >> 4 not in (4, 6):
            CNT.inc("rx_inner_not_ip")
            return
        try:
            os.write(self.tun, pkt)
            CNT.inc("rx_to_tun")
        except OSError as e:
            CNT.inc("rx_tun_error_%d" % e.errno)

    def from_tun(self, pkt):
        ver = pkt[0] >> 4
        if ver == 4:
            if self.a.type == "sit" or pkt[16] >= 224:
                CNT.inc("tun_dropped")
                return
        elif ver == 6:
            # Link-local and multicast chatter of the TUN device stays home.
            if self.a.type == "ipip" or pkt[24] == 0xFF or \
                    pkt[8:10] == b"\xfe\x80" or pkt[8:24] == b"\0" * 16:
                CNT.inc("tun_dropped")
                return
        else:
            CNT.inc("tun_dropped")
            return
        CNT.inc("tun_read")
        if self.eth:
            self.eth.from_tun(pkt)
        else:
            self.send_tunnel(pkt)

    def from_sock(self, data, addr):
        if self.raw:
            if len(data) < 20 or data[12:16] != self.remote:
                CNT.inc("rx_other_source")
                return
            data = data[(data[0] & 0xF) * 4:]
        elif addr[0] != self.a.remote:
            CNT.inc("rx_other_source")
            return
        CNT.inc("rx_tunnel")
        inner = self.tunnel.decap(data)
        if inner is None:
            return
        if self.eth:
            self.eth.from_tunnel(inner)
        else:
            self.write_tun(inner)

    def run(self):
        print("ready %s" % self.tun_name, flush=True)
        fds = [self.tun, self.sock]
        while True:
            r, _, _ = select.select(fds, [], [], 0.1)
            if self.tun in r:
                for _ in range(256):
                    try:
                        pkt = os.read(self.tun, 65536)
                    except BlockingIOError:
                        break
                    self.from_tun(pkt)
            if self.sock in r:
                for _ in range(256):
                    try:
                        data, addr = self.sock.recvfrom(65536)
                    except BlockingIOError:
                        break
                    self.from_sock(data, addr)
            if self.eth:
                self.eth.retry()


def parse_args(argv):
    p = argparse.ArgumentParser(description="userspace tunnel endpoint")
    p.add_argument("--type", required=True, choices=TYPES)
    p.add_argument("--remote", required=True, help="the far end (tungate's address)")
    p.add_argument("--local", required=True, help="our outer address")
    p.add_argument("--tun", default="tgtun0", help="TUN device name")
    p.add_argument("--addr", action="append", default=[], help="inner address CIDR for the TUN")
    p.add_argument("--route", action="append", default=[], help="prefix routed into the tunnel")
    p.add_argument("--mtu", type=int, default=1400)
    p.add_argument("--key", type=int, help="gre, gretap: GRE key (absent: keyless)")
    p.add_argument("--gre-csum", action="store_true", help="send GRE checksums")
    p.add_argument("--gre-seq", action="store_true", help="send GRE sequence numbers")
    p.add_argument("--tunnel-id", type=int, help="eoip: tunnel id; l2tpv2: our tunnel id")
    p.add_argument("--peer-tunnel-id", type=int, help="l2tpv2: the far end's tunnel id")
    p.add_argument("--session", type=int, help="l2tp: session id we receive")
    p.add_argument("--peer-session", type=int, help="l2tp: session id we send")
    p.add_argument("--cookie", help="l2tpv3: cookie we expect (hex)")
    p.add_argument("--peer-cookie", help="l2tpv3: cookie we send (hex)")
    p.add_argument("--sublayer", choices=("default", "none"), default="default")
    p.add_argument("--local-port", type=int, default=1701, help="l2tp over UDP: our port")
    p.add_argument("--peer-port", type=int, default=1701, help="l2tp over UDP: its port")
    p.add_argument("--ppp-acfc", action="store_true", help="l2tpv2: omit FF03")
    p.add_argument("--mac", default="02:00:00:74:65:01", help="our MAC inside the tunnel")
    p.add_argument("--gateway", help="IPv4 next hop inside an Ethernet tunnel")
    p.add_argument("--gateway6", help="IPv6 next hop inside an Ethernet tunnel")
    p.add_argument("--gateway-mac", help="static gateway MAC (default: ARP / ND)")
    a = p.parse_args(argv)
    t = a.type
    if t == "eoip" and a.tunnel_id is None:
        p.error("eoip needs --tunnel-id")
    if t.startswith("l2tp") and a.session is None:
        p.error("%s needs --session" % t)
    if t == "l2tpv2" and a.tunnel_id is None:
        p.error("l2tpv2 needs --tunnel-id")
    for c in (a.cookie, a.peer_cookie):
        if c is not None and len(bytes.fromhex(c)) not in (0, 4, 8):
            p.error("cookies are 4 or 8 bytes")
    return a


def main():
    a = parse_args(sys.argv[1:])

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ep = None
    try:
        ep = Endpoint(a)
        ep.configure()
        ep.run()
    finally:
        if ep and ep.eth:
            for ver in (4, 6):
                if ep.eth.gw_mac[ver]:
                    CNT.c["gw_mac_v%d=%s" % (ver, mac_text(ep.eth.gw_mac[ver]))] = 1
        print("tunnel_endpoint %s: %s" % (a.type, CNT), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
