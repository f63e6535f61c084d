#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check the packets tungate's uplink program encapsulated with tshark.

Every packet the replay says it encapsulated (reason ok, or fib_* passed
to the kernel) is dissected by tshark, with checksum validation on (IPv4,
UDP, TCP; GRE and ICMP checksums are always checked) and the L2TP
preferences its subscriber calls for (cookie size, sublayer, Ethernet
pseudowire, UDP ports). It must dissect without an expert warning or error
and without a bad checksum, down to the inner IP packet, and the
dissected fields must equal the subscriber's record in the database:
outer addresses, TTL and DF (id 0 with DF; ids counting up by one per
subscriber without), GRE flags, key and sequence numbers (counting up by
one per subscriber), EoIP tunnel id and length, L2TPv3 session id, cookie
and sublayer, UDP ports and checksum presence, L2TPv2 tunnel and session
ids, PPP address/control field and protocol, inner Ethernet addresses (peer
and gateway MAC), inner destination inside the subscriber's prefixes, the
MSS of TCP SYNs within the tunnel MTU when the subscriber clamps, inner
checksums valid. ICMP errors sent back (too_big) must be fragmentation
needed / packet too big with the subscriber's MTU, from its tunnel's local
address (IPv4) or its own address (IPv6), checksums valid.

Usage: tshark_encap.py --db DB --out OUT.pcap --verdicts REPLAY.json
                       [--case NAME] [-v]
Prints one line per problem and `checked N packets, M problems`; exits 1
on any problem.
"""

import argparse
import ipaddress
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile

ENCAPSULATED = ("ok", "fib_no_neigh", "fib_blackhole", "fib_unreachable",
                "fib_prohibit", "fib_not_fwded", "fib_fwd_disabled",
                "fib_frag_needed", "fib_other", "egress_unmanaged")
GW_MAC_DEFAULT = "02:74:67:00:00:01"
L2TP_PORT = 1701
ETH_TUNNELS = ("gretap", "eoip", "l2tpv3-ip", "l2tpv3-udp")
PROTO = {"ipip": 4, "sit": 41, "gre": 47, "gretap": 47, "eoip": 47,
         "l2tpv3-ip": 115, "l2tpv3-udp": 17, "l2tpv2": 17}

# Expert severities (epan/proto.h): warn and error are failures.
PI_WARN = 0x00600000
# Checksum status (epan/proto.h): bad 0, good 1, unverified 2,
# not present 3, illegal 4.
CK_BAD, CK_GOOD, CK_NOT_PRESENT, CK_ILLEGAL = 0, 1, 3, 4

# Warnings about what the test packets carry, not about the encapsulation:
# a TCP ACK carrying an MSS option (checks that only SYNs are clamped).
INPUT_EXPERTS = ("The non-SYN packet does contain a MSS option",)

BASE_ARGS = [
    "-o", "ip.check_checksum:TRUE",
    "-o", "udp.check_checksum:TRUE",
    "-o", "tcp.check_checksum:TRUE",
    "-o", "ip.defragment:FALSE",
    "-o", "ipv6.defragment:FALSE",
    # Lone test packets: no TCP conversation analysis.
    "-o", "tcp.analyze_sequence_numbers:FALSE",
]


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("%s: not a classic pcap file" % path)
    frames = []
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
        pos += 16
        frames.append(data[pos:pos + caplen])
        pos += caplen
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, d in enumerate(frames):
            f.write(struct.pack("<IIII", i, 0, len(d), len(d)))
            f.write(d)


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def walk(tree, fields, experts):
    """Collect every leaf field of a layer (name -> [values]) and every
    expert item."""
    if isinstance(tree, list):
        for t in tree:
            walk(t, fields, experts)
        return
    if not isinstance(tree, dict):
        return
    for k, v in tree.items():
        if k == "_ws.expert":
            for e in as_list(v):
                experts.append(e)
            continue
        if isinstance(v, (dict, list)) and not (
                isinstance(v, list) and v and isinstance(v[0], str)):
            walk(v, fields, experts)
        if isinstance(v, str):
            fields.setdefault(k, []).append(v)
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, str):
                    fields.setdefault(k, []).append(x)


def dissect(frames, extra):
    """tshark's layers of every frame: [(layers dict, experts)]."""
    with tempfile.TemporaryDirectory(prefix="tungate-tshark.") as d:
        path = os.path.join(d, "p.pcap")
        write_pcap(path, frames)
        cmd = ["tshark", "-n", "-r", path, "-T", "json",
               "--no-duplicate-keys"] + BASE_ARGS + extra
        res = subprocess.run(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd),
                                       res.stderr.decode().strip()))
    out = []
    for p in json.loads(res.stdout or b"[]"):
        layers = p["_source"]["layers"]
        experts = []
        walk(layers, {}, experts)
        out.append((layers, experts))
    return out


def layer(layers, proto, i=0):
    """Fields of the i-th instance of a protocol layer (None if absent)."""
    ls = as_list(layers.get(proto))
    if i >= len(ls):
        return None
    fields = {}
    walk(ls[i], fields, [])
    return fields


def f1(fields, name):
    if fields is None:
        return None
    v = fields.get(name)
    return v[0] if v else None


def num(v):
    return None if v is None else int(v, 0)


class Record:
    """A subscriber row (schema 2) with its settings resolved."""

    def __init__(self, row, settings, prefixes):
        self.r = row
        self.name = row["name"]
        self.kind = row["type"]
        self.remote = row["remote"]
        self.local = row["local"]
        self.key = row["gre_key"]
        self.session = row["session_id"]
        self.tid = row["tunnel_id"]
        self.cookie = bytes.fromhex(row["cookie"] or "")
        self.sublayer = bool(row["sublayer"])
        self.peer_session = row["peer_session"] if row["peer_session"] \
            is not None else self.session
        self.peer_tid = row["peer_tunnel_id"] if row["peer_tunnel_id"] \
            is not None else self.tid
        self.peer_cookie = bytes.fromhex(row["peer_cookie"]) \
            if row["peer_cookie"] is not None else self.cookie
        # Replay starts with nothing learnt: configured port, else 1701.
        self.dport = row["peer_port"] or L2TP_PORT
        port_key = "l2tpv3_udp_port" if self.kind == "l2tpv3-udp" \
            else "l2tpv2_udp_port"
        self.sport = row["local_port"] or int(settings.get(port_key,
                                                           L2TP_PORT))
        self.peer_mac = (row["peer_mac"] or "").lower() or None
        self.gw_mac = settings.get("gateway_mac", GW_MAC_DEFAULT).lower()
        self.gre_csum = bool(row["gre_csum"])
        self.gre_seq = bool(row["gre_seq"])
        self.df = bool(row["df"])
        self.ttl = row["ttl"] or int(settings.get("ttl", 64)) or 64
        self.udp_csum = bool(row["udp_csum"])
        self.acfc = bool(row["ppp_acfc"])
        self.mtu = row["mtu"]
        self.mss_clamp = bool(row["mss_clamp"])
        self.prefixes = [ipaddress.ip_network(p) for p in prefixes]


def load_db(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    db.row_factory = sqlite3.Row
    settings = {r["key"]: r["value"] for r in
                db.execute("SELECT key, value FROM setting")}
    recs = {}
    for row in db.execute("SELECT * FROM subscriber"):
        prefixes = [r[0] for r in db.execute(
            "SELECT prefix FROM prefix WHERE subscriber_id = ?",
            (row["id"],))]
        recs[row["name"]] = Record(row, settings, prefixes)
    db.close()
    return recs


def tshark_args(rec):
    args = []
    if rec.kind.startswith("l2tpv3"):
        size = {0: "None", 4: "4 Byte Cookie", 8: "8 Byte Cookie"}
        args += ["-o", "l2tp.cookie_size:" + size[len(rec.peer_cookie)],
                 "-o", "l2tp.l2_specific:" +
                 ("Default L2-Specific" if rec.sublayer else "None"),
                 "-d", "l2tp.pw_type==0,eth"]
    if rec.kind in ("l2tpv3-udp", "l2tpv2"):
        for p in sorted({rec.sport, rec.dport} - {L2TP_PORT}):
            args += ["-d", "udp.port==%d,l2tp" % p]
    return args


def check_status(errs, where, fields, want):
    """Every checksum status of a layer: none bad; want (if given) is the
    one status expected."""
    for k, vs in fields.items():
        if not k.endswith("checksum.status"):
            continue
        for v in vs:
            if int(v) in (CK_BAD, CK_ILLEGAL):
                errs.append("%s: %s = %s (bad)" % (where, k, v))
            elif want is not None and int(v) != want:
                errs.append("%s: %s = %s, expected %d" % (where, k, v, want))


def expect(errs, what, got, want):
    if got != want:
        errs.append("%s %s, expected %s" % (what, got, want))


def check_encap(rec, layers, frame, counters):
    errs = []
    oip = layer(layers, "ip", 0)
    if oip is None:
        return ["no outer IPv4 layer"]
    expect(errs, "outer ip.src", f1(oip, "ip.src"), rec.local)
    expect(errs, "outer ip.dst", f1(oip, "ip.dst"), rec.remote)
    expect(errs, "outer ip.ttl", num(f1(oip, "ip.ttl")), rec.ttl)
    expect(errs, "outer ip.proto", num(f1(oip, "ip.proto")), PROTO[rec.kind])
    expect(errs, "outer ip.hdr_len", num(f1(oip, "ip.hdr_len")), 20)
    expect(errs, "outer ip.dsfield", num(f1(oip, "ip.dsfield")), 0)
    expect(errs, "outer DF", num(f1(oip, "ip.flags.df")), int(rec.df))
    expect(errs, "outer MF", num(f1(oip, "ip.flags.mf")), 0)
    expect(errs, "outer ip.len", num(f1(oip, "ip.len")), len(frame) - 14)
    ident = num(f1(oip, "ip.id"))
    if rec.df:
        expect(errs, "outer ip.id (DF)", ident, 0)
    else:
        prev = counters.get(("id", rec.name))
        if prev is not None:
            expect(errs, "outer ip.id after %d" % prev, ident,
                   (prev + 1) & 0xFFFF)
        counters[("id", rec.name)] = ident
    check_status(errs, "outer ip", oip, CK_GOOD)

    inner_v6 = None
    if rec.kind in ("gre", "gretap", "eoip"):
        g = layer(layers, "gre")
        if g is None:
            return errs + ["no GRE layer"]
        version = num(f1(g, "gre.flags.version"))
        proto = num(f1(g, "gre.proto"))
        if rec.kind == "eoip":
            expect(errs, "gre version", version, 1)
            expect(errs, "gre.proto", proto, 0x6400)
            expect(errs, "gre key bit", num(f1(g, "gre.flags.key")), 1)
            for b in ("checksum", "sequence_number", "routing"):
                expect(errs, "gre %s bit" % b,
                       num(f1(g, "gre.flags." + b)), 0)
            # tshark shows EoIP's length and little-endian tunnel id as
            # one 32-bit key.
            key = num(f1(g, "gre.key"))
            if key is None:
                errs.append("EoIP: no gre.key")
            else:
                expect(errs, "EoIP length", key >> 16,
                       len(frame) - 14 - 20 - 8)
                tid = struct.unpack("<H", struct.pack(">H", key & 0xFFFF))[0]
                expect(errs, "EoIP tunnel id", tid, rec.tid)
        else:
            expect(errs, "gre version", version, 0)
            expect(errs, "gre key bit", num(f1(g, "gre.flags.key")),
                   int(rec.key is not None))
            if rec.key is not None:
                expect(errs, "gre.key", num(f1(g, "gre.key")), rec.key)
            expect(errs, "gre checksum bit",
                   num(f1(g, "gre.flags.checksum")), int(rec.gre_csum))
            if rec.gre_csum:
                expect(errs, "gre.checksum.status",
                       num(f1(g, "gre.checksum.status")), CK_GOOD)
            expect(errs, "gre sequence bit",
                   num(f1(g, "gre.flags.sequence_number")),
                   int(rec.gre_seq))
            if rec.gre_seq:
                seq = num(f1(g, "gre.sequence_number"))
                prev = counters.get(("seq", rec.name))
                if prev is not None:
                    expect(errs, "gre sequence after %d" % prev, seq,
                           (prev + 1) & 0xFFFFFFFF)
                counters[("seq", rec.name)] = seq
            if rec.kind == "gretap":
                expect(errs, "gre.proto", proto, 0x6558)
            elif proto not in (0x0800, 0x86DD):
                errs.append("gre.proto %#x, expected IPv4/IPv6" % proto)
            else:
                inner_v6 = proto == 0x86DD
        check_status(errs, "gre", g, None)

    if rec.kind in ("l2tpv3-udp", "l2tpv2"):
        u = layer(layers, "udp")
        if u is None:
            return errs + ["no UDP layer"]
        expect(errs, "udp.srcport", num(f1(u, "udp.srcport")), rec.sport)
        expect(errs, "udp.dstport", num(f1(u, "udp.dstport")), rec.dport)
        expect(errs, "udp.length", num(f1(u, "udp.length")),
               len(frame) - 14 - 20)
        expect(errs, "udp.checksum.status",
               num(f1(u, "udp.checksum.status")),
               CK_GOOD if rec.udp_csum else CK_NOT_PRESENT)
        if not rec.udp_csum:
            expect(errs, "udp.checksum", num(f1(u, "udp.checksum")), 0)

    if rec.kind.startswith("l2tp"):
        lt = layer(layers, "l2tp")
        if lt is None:
            return errs + ["no L2TP layer"]
        if rec.kind == "l2tpv2":
            expect(errs, "l2tp.version", num(f1(lt, "l2tp.version")), 2)
            expect(errs, "l2tp.type", num(f1(lt, "l2tp.type")), 0)
            for b in ("length_bit", "seq_bit", "offset_bit", "priority"):
                expect(errs, "l2tp." + b, num(f1(lt, "l2tp." + b)), 0)
            expect(errs, "l2tp.tunnel", num(f1(lt, "l2tp.tunnel")),
                   rec.peer_tid)
            expect(errs, "l2tp.session", num(f1(lt, "l2tp.session")),
                   rec.peer_session)
            ppp = layer(layers, "ppp")
            if ppp is None:
                return errs + ["no PPP layer"]
            expect(errs, "PPP address/control present",
                   "ppp.address" in ppp, not rec.acfc)
            if not rec.acfc:
                expect(errs, "ppp.address", num(f1(ppp, "ppp.address")),
                       0xFF)
                expect(errs, "ppp.control", num(f1(ppp, "ppp.control")),
                       0x03)
            pp = num(f1(ppp, "ppp.protocol"))
            if pp not in (0x0021, 0x0057):
                errs.append("ppp.protocol %s, expected 0x0021/0x0057" % pp)
            else:
                inner_v6 = pp == 0x0057
        else:
            expect(errs, "l2tp.sid", num(f1(lt, "l2tp.sid")),
                   rec.peer_session)
            ck = f1(lt, "l2tp.cookie")
            got = bytes.fromhex(ck.replace(":", "")) if ck else b""
            expect(errs, "l2tp.cookie", got.hex(), rec.peer_cookie.hex())
            expect(errs, "default sublayer present",
                   "l2tp.l2_spec_s" in lt, rec.sublayer)
            if rec.sublayer:
                expect(errs, "sublayer S bit",
                       num(f1(lt, "l2tp.l2_spec_s")), 0)
                expect(errs, "sublayer sequence",
                       num(f1(lt, "l2tp.l2_spec_sequence")), 0)

    if rec.kind in ETH_TUNNELS:
        ie = layer(layers, "eth", 1)
        if ie is None:
            return errs + ["no inner Ethernet layer"]
        expect(errs, "inner eth.dst", f1(ie, "eth.dst"), rec.peer_mac)
        expect(errs, "inner eth.src", f1(ie, "eth.src"), rec.gw_mac)
        et = num(f1(ie, "eth.type"))
        if et not in (0x0800, 0x86DD):
            errs.append("inner eth.type %s, expected IPv4/IPv6" % et)
        else:
            inner_v6 = et == 0x86DD
    elif rec.kind == "ipip":
        inner_v6 = False
    elif rec.kind == "sit":
        inner_v6 = True

    if inner_v6 is None:
        return errs
    if inner_v6:
        iip = layer(layers, "ipv6", 0)
        dst = f1(iip, "ipv6.dst")
    else:
        iip = layer(layers, "ip", 1)
        dst = f1(iip, "ip.dst")
        if iip is not None:
            check_status(errs, "inner ip", iip, CK_GOOD)
    if iip is None:
        return errs + ["no inner %s layer" % ("IPv6" if inner_v6 else "IPv4")]
    if dst is None or not any(ipaddress.ip_address(dst) in p
                              for p in rec.prefixes):
        errs.append("inner destination %s outside the subscriber's "
                    "prefixes" % dst)
    # MSS of a SYN / SYN-ACK within the tunnel MTU when clamping.
    tcp = layer(layers, "tcp")
    if tcp is not None and rec.mss_clamp and \
            num(f1(tcp, "tcp.flags.syn")) == 1:
        limit = rec.mtu - (60 if inner_v6 else 40)
        for v in tcp.get("tcp.options.mss_val", []):
            if int(v) > limit:
                errs.append("TCP MSS %s above the tunnel's %d" % (v, limit))
    # Inner transport checksums (the MSS rewrite updates TCP's).
    for proto in ("tcp", "udp", "icmp", "icmpv6"):
        inst = as_list(layers.get(proto))
        # Over UDP the first udp layer is the outer one.
        first = 1 if proto == "udp" and rec.kind in ("l2tpv3-udp",
                                                      "l2tpv2") else 0
        for i in range(first, len(inst)):
            f = layer(layers, proto, i)
            # UDP: no checksum, or a fragment's (unverifiable): not bad.
            check_status(errs, "inner " + proto, f,
                         None if proto == "udp" else CK_GOOD)
    return errs


def check_icmp(rec, layers):
    """An ICMP fragmentation needed / ICMPv6 packet too big carrying the
    subscriber's tunnel MTU, from the tunnel's local address (IPv4) or the
    subscriber's address the packet was for (IPv6)."""
    errs = []
    f = layer(layers, "icmp")
    if f is not None:
        ip = layer(layers, "ip")
        expect(errs, "ICMP ip.src", f1(ip, "ip.src"), rec.local)
        check_status(errs, "ICMP ip", ip, CK_GOOD)
        want = (3, 4)
        v6 = False
    else:
        f = layer(layers, "icmpv6")
        if f is None:
            return ["no ICMP/ICMPv6 layer in a too_big reply"]
        ip = layer(layers, "ipv6")
        src = f1(ip, "ipv6.src")
        if src is None or not any(ipaddress.ip_address(src) in p
                                  for p in rec.prefixes):
            errs.append("ICMPv6 source %s outside the subscriber's "
                        "prefixes" % src)
        want = (2, 0)
        v6 = True
    p = "icmpv6" if v6 else "icmp"
    expect(errs, p + " type/code", (num(f1(f, p + ".type")),
                                    num(f1(f, p + ".code"))), want)
    expect(errs, p + ".mtu", num(f1(f, p + ".mtu")), rec.mtu)
    expect(errs, p + ".checksum.status", num(f1(f, p + ".checksum.status")),
           CK_GOOD)
    return errs


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True, help="replay's output pcap")
    ap.add_argument("--verdicts", required=True, help="replay -j output")
    ap.add_argument("--case", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    prefix = a.case + ": " if a.case else ""

    frames = read_pcap(a.out)
    with open(a.verdicts) as f:
        verdicts = json.load(f)
    recs = load_db(a.db)
    problems = []
    if len(frames) != len(verdicts):
        problems.append("%d output packets, %d verdicts" %
                        (len(frames), len(verdicts)))

    # Group the packets to dissect by the tshark preferences they need.
    groups = {}
    for i, (fr, v) in enumerate(zip(frames, verdicts), 1):
        reason, name = v.get("reason"), v.get("subscriber")
        if reason in ENCAPSULATED and v.get("verdict") in ("redirect",
                                                           "pass", "drop"):
            if name not in recs:
                problems.append("packet %d: subscriber %r not in the "
                                "database" % (i, name))
                continue
            key = ("encap", name)
        elif reason == "too_big":
            if name not in recs:
                problems.append("packet %d: too_big for subscriber %r, not "
                                "in the database" % (i, name))
                continue
            key = ("icmp", name)
        else:
            continue
        groups.setdefault(key, []).append((i, fr))

    checked = 0
    counters = {}
    for (kind, name), pkts in groups.items():
        # An ICMP error quotes a cut transport header: its checksum cannot
        # be verified.
        extra = tshark_args(recs[name]) if kind == "encap" else \
            ["-o", "tcp.check_checksum:FALSE",
             "-o", "udp.check_checksum:FALSE"]
        dis = dissect([fr for _, fr in pkts], extra)
        if len(dis) != len(pkts):
            problems.append("tshark dissected %d of %d packets" %
                            (len(dis), len(pkts)))
            continue
        for (i, fr), (layers, experts) in zip(pkts, dis):
            checked += 1
            errs = []
            for e in experts:
                sev = int(e.get("_ws.expert.severity", "0"))
                if sev >= PI_WARN and \
                        e.get("_ws.expert.message") not in INPUT_EXPERTS:
                    errs.append("tshark expert: %s" %
                                e.get("_ws.expert.message", e))
            if kind == "encap":
                errs += check_encap(recs[name], layers, fr, counters)
            else:
                errs += check_icmp(recs[name], layers)
            what = name if kind == "encap" else name + ", too_big"
            for e in errs:
                problems.append("packet %d (%s): %s" % (i, what, e))
            if a.verbose:
                print("%spacket %d %s: %s" % (prefix, i, what,
                                              "ok" if not errs else
                                              "%d problems" % len(errs)))
    for p in problems:
        print(prefix + p)
    print("%schecked %d packets, %d problems" % (prefix, checked,
                                                  len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, RuntimeError, KeyError,
            sqlite3.Error) as e:
        print("tshark_encap.py: %s" % e)
        sys.exit(2)
