#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Round trip of one uplink case: encapsulate with tungate, decapsulate the
result with tungate, get the original inner packet back.

1. A fresh database from the case's db.sh; `tungate replay --side uplink`
   of in.pcap (with the case's topo).
2. Every packet the case expects encapsulated (expected.txt: ok or
   fib_no_neigh) toward a subscriber whose tunnel is symmetric (peer session,
   tunnel id and cookie equal to its own, UDP source port the configured
   L2TP port) is turned back into a packet from that subscriber: Ethernet
   destination sub0 (02:00:00:00:00:01), source the address the packet was
   sent to, outer IPv4 source and destination swapped, UDP ports swapped
   (neither changes a checksum). Nothing else in the packet is touched.
3. `tungate replay --side subscriber` of those packets, same database and
   topo.
4. Each result must be the original inner packet of in.pcap, byte for byte,
   behind Ethernet 02:00:00:00:01:01 > 02:00:00:00:01:02 with the inner
   ethertype (reason ok, egress up0), except:
   - TTL / hop limit two less; the IPv4 header checksum equal to a full
     recomputation (what two kernel-style incremental updates give);
   - TCP SYN / SYN-ACK of a subscriber with MSS clamping: the MSS lowered
     to the tunnel MTU - 40 (IPv4) / - 60 (IPv6) when above, TCP checksum
     recomputed (the uplink clamps; the subscriber side then finds nothing
     to clamp);
   - an inner packet that left the uplink with TTL / hop limit 1 comes back
     ttl_expired, passed decapsulated: one less than the original, behind
     the Ethernet addresses of the packet fed in.
   The expected bytes are computed here from in.pcap and the database, not
   from what tungate wrote.

Usage: roundtrip.py --tungate BIN --case DIR --work DIR [-v]
Prints problems and `<case>: N round trips, M skipped (asymmetric), K
problems`; exits 1 on a problem, 2 when it could not run.
"""

import argparse
import json
import os
import struct
import subprocess
import sys

# Siblings imported: leave no __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_encap import clamp_mss  # noqa: E402
import tshark_encap  # noqa: E402

from scapy.layers.inet import IP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402

SUB0_MAC = bytes.fromhex("020000000001")
UP0_MAC = bytes.fromhex("020000000101")
UP0P_MAC = bytes.fromhex("020000000102")
VLAN_TPIDS = (0x8100, 0x88A8)


def run(cmd, **kw):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=False, **kw)
    if res.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), res.returncode,
                                                res.stderr.decode().strip()))
    return res.stdout


def strip_l2(frame):
    """The IP packet of an uplink frame (after Ethernet and VLAN tags)."""
    off = 12
    while struct.unpack("!H", frame[off:off + 2])[0] in VLAN_TPIDS:
        off += 4
    return frame[off + 2:]


def symmetric(rec):
    if rec.kind.startswith("l2tp"):
        if rec.peer_session != rec.session or rec.peer_cookie != rec.cookie:
            return False
        if rec.kind == "l2tpv2" and rec.peer_tid != rec.tid:
            return False
    if rec.kind in ("l2tpv3-udp", "l2tpv2") and rec.sport != rec.port:
        return False
    return True


def reverse(frame):
    """An encapsulated packet toward a subscriber as if it came from it."""
    d = bytearray(frame)
    d[6:12] = frame[0:6]
    d[0:6] = SUB0_MAC
    ip = 14
    d[ip + 12:ip + 16], d[ip + 16:ip + 20] = \
        frame[ip + 16:ip + 20], frame[ip + 12:ip + 16]
    if d[ip + 9] == 17:
        u = ip + (d[ip] & 15) * 4
        d[u:u + 2], d[u + 2:u + 4] = frame[u + 2:u + 4], frame[u:u + 2]
    return bytes(d)


def expected(mss_clamp, mtu, orig, fed):
    """(verdict, reason, egress, bytes) of a round trip of inner orig."""
    v6 = orig[0] >> 4 == 6
    b = orig
    if mss_clamp:
        b = clamp_mss(b, mtu, v6) or b
    ip = IPv6(b) if v6 else IP(b)
    ttl = ip.hlim if v6 else ip.ttl
    etype = b"\x86\xdd" if v6 else b"\x08\x00"
    if ttl - 1 <= 1:
        dec, eth = 1, fed[0:12] + etype
        verdict, reason, egress = "pass", "ttl_expired", None
    else:
        dec, eth = 2, UP0P_MAC + UP0_MAC + etype
        verdict, reason, egress = "redirect", "ok", "up0"
    if v6:
        ip.hlim -= dec
    else:
        ip.ttl -= dec
        del ip.chksum
    out = bytes(ip)
    assert len(out) == len(orig)
    return verdict, reason, egress, eth + out


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    ap.add_argument("--tungate", required=True)
    ap.add_argument("--case", required=True, help="case directory")
    ap.add_argument("--work", required=True, help="scratch directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    case = os.path.basename(os.path.normpath(a.case))
    os.makedirs(a.work, exist_ok=True)
    db = os.path.join(a.work, "tungate.db")
    if os.path.exists(db):
        os.unlink(db)
    run([a.tungate, "--db", db, "db", "init"])
    env = dict(os.environ, TUNGATE=a.tungate, TUNGATE_DB=db)
    run(["bash", "db.sh"], cwd=a.case, env=env)
    topo = []
    if os.path.exists(os.path.join(a.case, "topo")):
        topo = ["--topo", os.path.join(a.case, "topo")]

    out1 = os.path.join(a.work, "uplink.pcap")
    v1 = json.loads(run([a.tungate, "--db", db, "-j", "replay", "--side",
                         "uplink", "--in", os.path.join(a.case, "in.pcap"),
                         "--out", out1] + topo))
    ins = tshark_encap.read_pcap(os.path.join(a.case, "in.pcap"))
    outs = tshark_encap.read_pcap(out1)
    recs = tshark_encap.load_db(db)
    # The port the subscriber side listens on.
    sdb = tshark_encap.sqlite3.connect(db)
    st = dict(sdb.execute("SELECT key, value FROM setting"))
    sdb.close()
    for r in recs.values():
        key = "l2tpv3_udp_port" if r.kind == "l2tpv3-udp" else \
            "l2tpv2_udp_port"
        r.port = int(st.get(key, tshark_encap.L2TP_PORT))

    problems = []
    rows = []
    skipped = 0
    with open(os.path.join(a.case, "expected.txt")) as f:
        exp_lines = [line.split() for line in f]
    for (idx, verdict, reason, name, _), fr_in, v in \
            zip(exp_lines, ins, v1):
        if reason not in ("ok", "fib_no_neigh"):
            continue
        i = int(idx)
        rec = recs[name]
        if not symmetric(rec):
            skipped += 1
            continue
        if (v.get("verdict"), v.get("reason")) != (verdict, reason):
            problems.append("packet %d: uplink %s %s, expected %s %s: no "
                            "round trip" % (i, v.get("verdict"),
                                            v.get("reason"), verdict,
                                            reason))
            continue
        fed = reverse(outs[i - 1])
        rows.append((i, name, fed) +
                    expected(rec.mss_clamp, rec.mtu, strip_l2(fr_in), fed))

    n = len(rows)
    if rows:
        rt_in = os.path.join(a.work, "rt_in.pcap")
        rt_out = os.path.join(a.work, "rt_out.pcap")
        tshark_encap.write_pcap(rt_in, [r[2] for r in rows])
        v2 = json.loads(run([a.tungate, "--db", db, "-j", "replay", "--side",
                             "subscriber", "--in", rt_in, "--out", rt_out] +
                            topo))
        got = tshark_encap.read_pcap(rt_out)
        if len(v2) != n or len(got) != n:
            problems.append("%d packets sent back, %d verdicts, %d output "
                            "packets" % (n, len(v2), len(got)))
        for (i, name, fed, verdict, reason, egress, want), v, g in \
                zip(rows, v2, got):
            line = (v.get("verdict"), v.get("reason"), v.get("subscriber"),
                    v.get("egress"))
            if line != (verdict, reason, name, egress):
                problems.append("packet %d: subscriber side %s, expected %s"
                                % (i, " ".join(str(x) for x in line),
                                   " ".join(str(x) for x in
                                            (verdict, reason, name,
                                             egress))))
            if g != want:
                first = next((k for k in range(min(len(g), len(want)))
                              if g[k] != want[k]), min(len(g), len(want)))
                problems.append("packet %d: round trip differs from the "
                                "original inner packet (expected %d bytes, "
                                "got %d, first difference at byte %d)\n"
                                "    exp %s\n    got %s" %
                                (i, len(want), len(g), first,
                                 want[max(0, first - 8):first + 24].hex(),
                                 g[max(0, first - 8):first + 24].hex()))
            elif a.verbose:
                print("%s: packet %d (%s): round trip ok" % (case, i, name))
    for p in problems:
        print("%s: %s" % (case, p))
    print("%s: %d round trips, %d skipped (asymmetric), %d problems" %
          (case, n, skipped, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        print("roundtrip.py: %s" % e)
        sys.exit(2)
