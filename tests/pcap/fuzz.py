#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fuzzes the subscriber program through `tungate replay`.

Seeds: every generated subscriber-side case of tests/pcap (in.pcap with its
db.sh) and every shared capture with a case file (its enrolment). Each
frame of a seed is replayed as it is and as MUTANTS mutated copies (cut
short or run long one time in four, 1..4 bytes changed; xorshift64 with a
fixed seed, as tests/unit/fuzz.h), through the real program
(BPF_PROG_TEST_RUN; the XDP build, and for the generated cases the TC
build too: one replay costs a namespace and a program load, and the
suite stays under a minute). For every replay it checks:
  - no XDP_ABORTED (nor a TC verdict other than ok, shot, redirect,
    not_run);
  - a packet the program puts down to a subscriber carries that
    subscriber's outer identity (outer source and destination, protocol,
    GRE key, L2TP session and tunnel ids);
  - a decapsulated packet (the frame forwarded or passed with an L3
    header that is neither the outer one nor its reply) has a subscriber,
    and its inner source lies in one of that subscriber's prefixes;
  - the global counters by reason equal the reasons of the verdicts.
Prints ok/FAIL lines and "N passed, M failed".
"""
import ipaddress
import json
import os
import struct
import subprocess
import sys
import tempfile
from collections import Counter

from scapy.utils import RawPcapReader

from tshark_encap import PROTO, write_pcap

SEED = 0x7467667a7a313521
MUTANTS = int(os.environ.get("MUTANTS", "8"))
ETH_P_IP, ETH_P_IPV6 = 0x0800, 0x86DD
VLAN_TYPES = (0x8100, 0x88A8)
DECAP_VERDICTS = ("redirect", "tx", "pass", "ok")
GOOD_VERDICTS = {
    "xdp": ("drop", "pass", "tx", "redirect"),
    "tc": ("ok", "shot", "redirect", "not_run"),
}


class Rng:
    """xorshift64, as tests/unit/fuzz.h."""

    def __init__(self, seed):
        self.s = seed

    def next(self):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 7
        s ^= (s << 17) & 0xFFFFFFFFFFFFFFFF
        self.s = s
        return s

    def mutate(self, orig, cut=4, extra=64, flips=4):
        f = 1 + self.next() % flips
        n = len(orig)
        ln = n if self.next() % cut else self.next() % (n + extra + 1)
        p = bytearray(orig[:ln])
        while len(p) < ln:
            p.append(self.next() & 0xFF)
        for _ in range(f):
            if p:
                p[self.next() % len(p)] ^= 1 + self.next() % 255
        return bytes(p)


def to_ether(data, linktype):
    """A captured frame as Ethernet, or None for link types not handled."""
    if linktype == 1:
        return data
    mac = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"
    if linktype in (12, 14, 101):
        if not data:
            return None
        proto = ETH_P_IPV6 if data[0] >> 4 == 6 else ETH_P_IP
        return mac + struct.pack("!H", proto) + data
    if linktype == 113 and len(data) >= 16:
        return mac + data[14:16] + data[16:]
    if linktype == 276 and len(data) >= 20:
        return mac + data[0:2] + data[20:]
    return None


def read_frames(path):
    frames = []
    reader = RawPcapReader(path)
    for data, meta in reader:
        lt = getattr(meta, "linktype", None)
        if lt is None:
            lt = reader.linktype
        f = to_ether(bytes(data), lt)
        if f is not None:
            frames.append(f)
    reader.close()
    return frames


def l3(frame):
    """(ethertype, offset of the L3 header) past any VLAN tags."""
    off = 12
    if len(frame) < 14:
        return None, None
    et = struct.unpack_from("!H", frame, off)[0]
    while et in VLAN_TYPES and len(frame) >= off + 6:
        off += 4
        et = struct.unpack_from("!H", frame, off)[0]
    return et, off + 2


def ip_addrs(frame):
    """(src, dst, protocol, offset of the payload) of the L3 header."""
    et, off = l3(frame)
    if et == ETH_P_IP and len(frame) >= off + 20:
        ihl = (frame[off] & 0xF) * 4
        return (ipaddress.ip_address(frame[off + 12:off + 16]),
                ipaddress.ip_address(frame[off + 16:off + 20]),
                frame[off + 9], off + ihl)
    if et == ETH_P_IPV6 and len(frame) >= off + 40:
        return (ipaddress.ip_address(frame[off + 8:off + 24]),
                ipaddress.ip_address(frame[off + 24:off + 40]),
                frame[off + 6], off + 40)
    return None


def identity_error(s, frame):
    """Why frame's outer headers are not subscriber s's tunnel, or None."""
    a = ip_addrs(frame)
    if not a:
        return "no outer IP header"
    src, dst, proto, off = a
    if str(src) != s["remote"] or str(dst) != s["local"]:
        return "outer %s -> %s, subscriber %s -> %s" % (
            src, dst, s["remote"], s["local"])
    t = s["type"]
    if proto != PROTO[t]:
        return "protocol %d for type %s" % (proto, t)
    p = frame[off:]
    if t in ("gre", "gretap") and len(p) >= 4:
        flags = p[0]
        key = None
        if flags & 0x20:
            k = 4 + (4 if flags & 0x80 else 0)
            if len(p) >= k + 4:
                key = struct.unpack_from("!I", p, k)[0]
        if key != s["key"]:
            return "GRE key %s, subscriber's %s" % (key, s["key"])
    if t == "l2tpv3-ip" and len(p) >= 4:
        sid = struct.unpack_from("!I", p, 0)[0]
        if sid and sid != s["session"]:
            return "session %d, subscriber's %d" % (sid, s["session"])
    if t == "l2tpv3-udp" and len(p) >= 16:
        sid = struct.unpack_from("!I", p, 12)[0]
        if not p[8] & 0x80 and sid != s["session"]:
            return "session %d, subscriber's %d" % (sid, s["session"])
    if t == "l2tpv2" and len(p) >= 14:
        flags = struct.unpack_from("!H", p, 8)[0]
        o = 10 + (2 if flags & 0x4000 else 0)
        if not flags & 0x8000 and len(p) >= o + 4:
            tid, sid = struct.unpack_from("!HH", p, o)
            if (tid, sid) != (s["tunnel_id"], s["session"]):
                return "tunnel %d session %d, subscriber's %s %s" % (
                    tid, sid, s["tunnel_id"], s["session"])
    return None


def with_sessions(subs, sessions):
    """A dial-in member's tunnel identity is its session's, as the sync
    overlays it."""
    by_name = {x["name"]: x for x in sessions}
    for s in subs:
        x = by_name.get(s["name"])
        if x:
            s.update(remote=x["lac"], local=x["local"],
                     tunnel_id=x["tunnel_id"], session=x["session_id"])
    return subs


def check_seed(label, frames_in, verdicts, frames_out, counters, subs, hook,
               tally):
    """Problems of one replay, as text lines; tally counts what was seen."""
    bad = []
    seen = Counter()
    by_name = {s["name"]: s for s in subs}
    for v in verdicts:
        i = v["index"] - 1
        fin, fout = frames_in[i], frames_out[i] if i < len(frames_out) else b""
        what = "%s [%s] frame %d (%s %s %s)" % (label, hook, i + 1,
                                               v["verdict"], v["reason"],
                                               v["subscriber"])
        if v["verdict"] not in GOOD_VERDICTS[hook]:
            bad.append("%s: verdict %s" % (what, v["verdict"]))
        if v["reason"] not in (None, "-"):
            seen[v["reason"]] += 1
        name = v["subscriber"]
        s = by_name.get(name) if name not in (None, "-", "") else None
        if s is None and name not in (None, "-", ""):
            bad.append("%s: no such subscriber" % what)
            continue
        if s is not None:
            tally["attributed"] += 1
            err = identity_error(s, fin)
            if err:
                bad.append("%s: not the subscriber's tunnel: %s" % (what, err))
        if v["verdict"] not in DECAP_VERDICTS or fout == fin:
            continue
        a_in, a_out = ip_addrs(fin), ip_addrs(fout)
        if not a_in or not a_out:
            continue
        if (a_out[0], a_out[1]) in ((a_in[0], a_in[1]), (a_in[1], a_in[0])):
            continue
        # Decapsulated: the inner packet must be the subscriber's.
        tally["decapsulated"] += 1
        if s is None:
            bad.append("%s: decapsulated without a subscriber" % what)
            continue
        nets = [ipaddress.ip_network(p) for p in s["prefixes"]]
        if not any(a_out[0] in n for n in nets if
                   n.version == a_out[0].version):
            bad.append("%s: inner source %s not in %s" % (what, a_out[0],
                                                          s["prefixes"]))
    if dict(seen) != counters:
        bad.append("%s [%s]: counters %s, verdicts %s" % (
            label, hook, sorted(counters.items()), sorted(seen.items())))
    return bad


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)


def seeds(root, shared):
    for c in sorted(os.listdir(os.path.join(root, "tests/pcap"))):
        d = os.path.join(root, "tests/pcap", c)
        if (os.path.isfile(os.path.join(d, "in.pcap")) and
                os.path.isfile(os.path.join(d, "db.sh")) and
                not os.path.exists(os.path.join(d, "side"))):
            topo = os.path.join(d, "topo")
            yield (c, os.path.join(d, "in.pcap"), os.path.join(d, "db.sh"),
                   topo if os.path.exists(topo) else None, ("xdp", "tc"))
    if not shared or not os.path.isdir(shared):
        return
    cases = os.path.join(root, "tests/pcap/shared")
    for cap in sorted(os.listdir(shared)):
        case = os.path.join(cases, cap + ".sh")
        if os.path.isfile(case):
            yield (cap, os.path.join(shared, cap), case, None, ("xdp",))


def main():
    root, tungate, shared, tmp = sys.argv[1:5]
    rng = Rng(SEED)
    passed = failed = total = 0
    tally = Counter()
    for label, cap, enrol, topo, hooks in seeds(root, shared):
        d = tempfile.mkdtemp(dir=tmp)
        db = os.path.join(d, "db")
        env = dict(os.environ, TUNGATE=tungate, TUNGATE_DB=db)
        r = run([tungate, "db", "init"], env)
        if r.returncode == 0:
            r = run(["bash", "-c", 'set -e; EXPECT_DECAP= EXPECT_REASONS= '
                     'EXPECT_AT=; TSHARK_ARGS=(); source "$1"', "enrol",
                     enrol], env)
        if r.returncode:
            print("FAIL %s: enrolment: %s" % (label, r.stderr.strip()))
            failed += 1
            continue
        subs = with_sessions(
            json.loads(run([tungate, "-j", "sub", "list"], env).stdout),
            json.loads(run([tungate, "-j", "session", "list"], env).stdout))
        frames = []
        for f in read_frames(cap):
            frames.append(f)
            for _ in range(MUTANTS):
                frames.append(rng.mutate(f))
        fz = os.path.join(d, "fuzz.pcap")
        write_pcap(fz, frames)
        total += len(frames)
        for hook in hooks:
            out = os.path.join(d, "out-%s.pcap" % hook)
            cnt = os.path.join(d, "counters-%s" % hook)
            cmd = [tungate, "-j", "replay", "--in", fz, "--out", out,
                   "--hook", hook, "--counters", cnt]
            if topo:
                cmd += ["--topo", topo]
            r = run(cmd, env, timeout=120)
            if r.returncode:
                print("FAIL %s [%s]: replay exited %d: %s" % (
                    label, hook, r.returncode, r.stderr.strip()[-400:]))
                failed += 1
                continue
            counters = {}
            with open(cnt) as f:
                for line in f:
                    reason, packets, _ = line.split()
                    counters[reason] = int(packets)
            bad = check_seed(label, frames, json.loads(r.stdout),
                             read_frames(out), counters, subs, hook, tally)
            if bad:
                failed += 1
                print("FAIL %s [%s]: %d of %d frames:" % (
                    label, hook, len(bad), len(frames)))
                for b in bad[:10]:
                    print("       " + b)
            else:
                passed += 1
                print("ok - %s [%s]: %d frames" % (label, hook, len(frames)))
    print("%d frames fuzzed; of all runs %d put down to a "
          "subscriber, %d decapsulated" % (total, tally["attributed"],
                                           tally["decapsulated"]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
